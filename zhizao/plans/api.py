from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from zhizao.core.api import ScopedReadUpdateViewSet
from zhizao.core.numbers import NotANumber, parse_number
from zhizao.core.scoping import scope_queryset
from zhizao.plans.filters import IndicatorFilter, RegionTargetFilter, YearTargetFilter
from zhizao.plans.models import Indicator, Plan, RegionTarget, YearTarget
from zhizao.plans.planfile import PlanFileError
from zhizao.plans.services import indicator_edits, update_plan_records


class PlanSerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region.name", read_only=True)
    years = serializers.ListField(child=serializers.IntegerField(), read_only=True)

    class Meta:
        model = Plan
        fields = [
            "id",
            "code",
            "name",
            "document_number",
            "issued_on",
            "region",
            "base_year",
            "years",
            "indicator_table_title",
            "region_table_title",
        ]
        read_only_fields = ["code", "base_year"]


@extend_schema_field(
    {"type": "object", "additionalProperties": {"type": "number"}, "example": {"2021": 2}}
)
class YearValuesField(serializers.Field):
    """An indicator's yearly values as {"2021": 2, ...}; written together, so that moving a value
    from one year to another is one change that adds up."""

    def to_representation(self, indicator):
        return {str(y.year): y.value for y in indicator.year_targets.all()}

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise ValidationError(_('应为 {年份: 值} 的对象，例如 {"2021": 2}。'))
        values = {}
        for year, raw in data.items():
            try:
                values[int(year)] = parse_number(raw)
            except (ValueError, NotANumber):
                raise ValidationError(
                    _("%(year)s年的值「%(raw)s」不是数字。") % {"year": year, "raw": raw}
                ) from None
        return {"years": values}


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": {
            "type": "object",
            "properties": {"floor": {"type": "number"}, "stretch": {"type": "number"}},
        },
        "example": {"330602": {"floor": 2, "stretch": 2}},
    }
)
class RegionTargetsField(serializers.Field):
    """District targets as {region code: {"floor": …, "stretch": …}}, written together."""

    def to_representation(self, indicator):
        return {
            t.region.code: {"floor": t.floor, "stretch": t.stretch}
            for t in indicator.region_targets.all()
        }

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise ValidationError(_("应为 {区划代码: {floor, stretch}} 的对象。"))
        targets = {}
        for code, value in data.items():
            try:
                floor = parse_number(value["floor"])
                stretch = parse_number(value.get("stretch", value["floor"]))
            except (TypeError, KeyError, NotANumber):
                raise ValidationError(
                    _("区县 %(code)s 的目标应写成 {floor: 数字, stretch: 数字}。") % {"code": code}
                ) from None
            targets[str(code)] = (floor, stretch)
        return {"region_targets": targets}


class IndicatorSerializer(serializers.ModelSerializer):
    plan = serializers.CharField(source="plan.code", read_only=True)
    years = YearValuesField(source="*", required=False)
    region_targets = RegionTargetsField(source="*", required=False)

    class Meta:
        model = Indicator
        fields = [
            "id",
            "plan",
            "number",
            "code",
            "category",
            "name",
            "unit",
            "kind",
            "aggregate",
            "base",
            "base_note",
            "target",
            "target_note",
            "shows_percent_sign",
            "region_item",
            "source",
            "years",
            "region_targets",
        ]
        read_only_fields = ["number", "code"]


class YearTargetSerializer(serializers.ModelSerializer):
    indicator_number = serializers.IntegerField(source="indicator.number", read_only=True)

    class Meta:
        model = YearTarget
        fields = ["id", "indicator", "indicator_number", "year", "value"]
        read_only_fields = ["indicator", "year"]


class RegionTargetSerializer(serializers.ModelSerializer):
    indicator_number = serializers.IntegerField(source="indicator.number", read_only=True)
    region_code = serializers.CharField(source="region.code", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)

    class Meta:
        model = RegionTarget
        fields = [
            "id",
            "indicator",
            "indicator_number",
            "region",
            "region_code",
            "region_name",
            "floor",
            "stretch",
            "level_target",
        ]
        read_only_fields = ["indicator", "region", "level_target"]


class PlanRecordViewSet(ScopedReadUpdateViewSet):
    """Updates go through the plan service, which refuses a change that breaks the plan's sums."""

    def perform_update(self, serializer):
        try:
            update_plan_records(
                [(serializer.instance, serializer.validated_data)], reason="API 修改"
            )
        except PlanFileError as exc:
            raise ValidationError({"non_field_errors": exc.errors}) from None


def _docs(name: str):
    return extend_schema_view(
        list=extend_schema(summary=f"{name}列表", tags=["plans"]),
        retrieve=extend_schema(summary=name, tags=["plans"]),
        update=extend_schema(summary=f"修改{name}（市级管理员）", tags=["plans"]),
        partial_update=extend_schema(summary=f"部分修改{name}（市级管理员）", tags=["plans"]),
    )


@_docs("行动方案")
class PlanViewSet(PlanRecordViewSet):
    queryset = Plan.objects.select_related("region")
    serializer_class = PlanSerializer
    lookup_field = "code"


@_docs("指标")
class IndicatorViewSet(PlanRecordViewSet):
    queryset = Indicator.objects.select_related("plan")
    serializer_class = IndicatorSerializer
    filterset_class = IndicatorFilter

    def get_queryset(self):
        # Nested district targets go through the scoping function like any other queryset.
        region_targets = scope_queryset(
            self.request.user, RegionTarget.objects.select_related("region")
        ).order_by("region__sort_order")
        return (
            super()
            .get_queryset()
            .prefetch_related(
                Prefetch("year_targets", queryset=YearTarget.objects.order_by("year")),
                Prefetch("region_targets", queryset=region_targets),
            )
        )

    def perform_update(self, serializer):
        changes = dict(serializer.validated_data)
        years = changes.pop("years", None)
        regions = changes.pop("region_targets", None)
        try:
            edits = indicator_edits(serializer.instance, changes, years, regions)
            update_plan_records(edits, reason="API 修改")
        except PlanFileError as exc:
            raise ValidationError({"non_field_errors": exc.errors}) from None


@_docs("年度目标")
class YearTargetViewSet(PlanRecordViewSet):
    queryset = YearTarget.objects.select_related("indicator")
    serializer_class = YearTargetSerializer
    filterset_class = YearTargetFilter


@_docs("区县目标")
class RegionTargetViewSet(PlanRecordViewSet):
    queryset = RegionTarget.objects.select_related("indicator", "region")
    serializer_class = RegionTargetSerializer
    filterset_class = RegionTargetFilter
