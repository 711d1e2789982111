from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from zhizao.core.api import ScopedReadUpdateViewSet
from zhizao.plans.filters import IndicatorFilter, RegionTargetFilter, YearTargetFilter
from zhizao.plans.models import Indicator, Plan, RegionTarget, YearTarget
from zhizao.plans.planfile import PlanFileError
from zhizao.plans.services import update_plan_record


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


class IndicatorSerializer(serializers.ModelSerializer):
    plan = serializers.CharField(source="plan.code", read_only=True)

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
            "base",
            "base_note",
            "target",
            "target_note",
            "shows_percent_sign",
            "region_item",
            "source",
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
        ]
        read_only_fields = ["indicator", "region"]


class PlanRecordViewSet(ScopedReadUpdateViewSet):
    """Updates go through the plan service, which refuses a change that breaks the plan's sums."""

    def perform_update(self, serializer):
        try:
            update_plan_record(serializer.instance, serializer.validated_data, reason="API 修改")
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
