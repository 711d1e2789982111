"""The monitoring API: what the dashboard shows, for the province's systems and an industry
brain. Indicator values with their parts, sources and how many enterprises reported; progress
by year and region (status, schedule, forecast), the figures of the overview and the cockpit;
and the districts' ranking. Scoped as the pages are: the city admin reads every region, a
district officer its own district's values and progress and the whole ranking (published in
the 通报); enterprises, providers and experts read the published figures on the public
dashboard instead and get 403 here."""

from django.conf import settings
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from zhizao.core.api import ScopedReadOnlyViewSet
from zhizao.core.scoping import get_scoped_object_or_404
from zhizao.monitoring.cockpit import can_see_ranking, ranking_table
from zhizao.monitoring.filters import IndicatorValueFilter
from zhizao.monitoring.models import IndicatorValue, ReportedStatus, ReportedValue
from zhizao.monitoring.services import cached_plan_progress, latest_year, visible_regions
from zhizao.plans.models import Plan

TAG = "monitoring"


class MonitoringReader(BasePermission):
    message = gettext_lazy("只有市级管理员和区县用户可以读取监测数据；公众可查看已发布的数据。")

    def has_permission(self, request, view) -> bool:
        return can_see_ranking(request.user)


# --- indicator values -----------------------------------------------------------------------


class IndicatorValueSerializer(serializers.ModelSerializer):
    plan = serializers.CharField(source="indicator.plan.code", read_only=True)
    indicator = serializers.IntegerField(source="indicator.number", read_only=True)
    indicator_name = serializers.CharField(source="indicator.name", read_only=True)
    unit = serializers.CharField(source="indicator.unit", read_only=True)
    region = serializers.CharField(source="region.code", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    components = serializers.DictField(
        child=serializers.CharField(),
        read_only=True,
        help_text=_(
            "计算分量：公式各聚合项的合计（如 a0 = Σ机器人数、a1 = Σ从业人数），reporters 为报送企业数。"
        ),
    )
    official = serializers.DecimalField(
        max_digits=20,
        decimal_places=4,
        read_only=True,
        allow_null=True,
        help_text=_("该地区该年审核通过的官方数（如统计局数据），有则以其为准；无则为 null。"),
    )

    class Meta:
        model = IndicatorValue
        fields = [
            "id", "plan", "indicator", "indicator_name", "unit", "region", "region_name", "year",
            "value", "quarter", "source", "components", "reporters", "population", "official",
            "computed_at",
        ]  # fmt: skip
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(
        summary="指标实际值列表（含计算分量、来源、报送企业数）",
        tags=[TAG],
        description=_("市级管理员可读所有地区；区县用户只读本区县。"),
    ),
    retrieve=extend_schema(summary="指标实际值", tags=[TAG]),
)
class IndicatorValueViewSet(ScopedReadOnlyViewSet):
    queryset = IndicatorValue.objects.select_related("indicator__plan", "region").order_by(
        "indicator__plan", "indicator__number", "region__sort_order", "year"
    )
    serializer_class = IndicatorValueSerializer
    filterset_class = IndicatorValueFilter
    permission_classes = [MonitoringReader]

    def get_queryset(self):
        official = ReportedValue.objects.filter(
            indicator=OuterRef("indicator_id"),
            region=OuterRef("region_id"),
            year=OuterRef("year"),
            quarter=0,
            status=ReportedStatus.APPROVED,
        ).values("value")[:1]
        return super().get_queryset().annotate(official=Subquery(official))


# --- progress -------------------------------------------------------------------------------

PLAN = OpenApiParameter("plan", OpenApiTypes.STR, description=_("方案代码；默认平台的默认方案。"))
YEAR = OpenApiParameter("year", OpenApiTypes.INT, description=_("年份；默认有数据的最近一年。"))

PROGRESS_FIELDS = {
    "region": serializers.CharField(help_text=_("区划代码")),
    "region_name": serializers.CharField(),
    "year": serializers.IntegerField(),
    "indicator": serializers.IntegerField(help_text=_("指标序号")),
    "name": serializers.CharField(),
    "unit": serializers.CharField(),
    "kind": serializers.CharField(help_text="stock / flow / level / growth"),
    "source": serializers.CharField(help_text="enterprise / registry / reported"),
    "actual": serializers.FloatField(allow_null=True, help_text=_("实际值（有官方数时为官方数）")),
    "year_target": serializers.FloatField(allow_null=True),
    "year_completion": serializers.FloatField(allow_null=True, help_text=_("年度完成率（小数）")),
    "cumulative_actual": serializers.FloatField(allow_null=True),
    "five_year_target": serializers.FloatField(allow_null=True),
    "five_year_progress": serializers.FloatField(allow_null=True, help_text=_("五年进度（小数）")),
    "schedule": serializers.FloatField(allow_null=True, help_text=_("序时进度（小数）")),
    "status": serializers.CharField(help_text="green / amber / red / no_data / no_target"),
    "forecast": serializers.FloatField(allow_null=True, help_text=_("终期预测值")),
    "at_risk": serializers.BooleanField(allow_null=True, help_text=_("预计难以完成")),
    "gap": serializers.FloatField(
        allow_null=True, help_text=_("落后于序时的差额（指标单位；正数为落后）")
    ),
    "base": serializers.FloatField(
        allow_null=True, help_text=_("起算的基数（区县为本区县基数年份值）")
    ),
    "target_basis": serializers.CharField(
        allow_null=True,
        help_text=_(
            "目标依据：plan 方案目标、annex 分解目标、city 全市目标、set 市定区县目标、derived 折算目标（按基数年份占比折算）"
        ),
    ),
    "reached": serializers.BooleanField(allow_null=True, help_text=_("基数年已达到目标")),
    "year_target_split": serializers.BooleanField(
        allow_null=True, help_text=_("年度目标为按比例折算的数")
    ),
    "no_target_reason": serializers.CharField(
        allow_null=True, help_text=_("无目标或无数据的原因（no_share / no_base / no_total）")
    ),
    "computed": serializers.FloatField(allow_null=True, help_text=_("平台计算值")),
    "official": serializers.BooleanField(help_text=_("实际值是否为官方数")),
    "quarter": serializers.IntegerField(help_text=_("0 全年；1–4 为当年 1 至该季度累计")),
}
PASSED_THROUGH = [k for k in PROGRESS_FIELDS if k not in ("region", "region_name", "indicator")]
# (the serializer's metaclass takes the fields out of the dict it is given: a copy)
PROGRESS_ROWS = inline_serializer("ProgressRow", dict(PROGRESS_FIELDS), many=True)


def _plan_and_year(request) -> tuple[Plan, int]:
    params = request.query_params
    code = params.get("plan") or settings.ZHIZAO_DEFAULT_PLAN
    plan = get_scoped_object_or_404(request.user, Plan.objects.select_related("region"), code=code)
    year = latest_year(plan)
    if params.get("year"):
        try:
            year = int(params["year"])
        except ValueError:
            message = gettext("年份「%(year)s」不是整数。") % {"year": params["year"]}
            raise ValidationError({"year": [message]}) from None
        if not plan.first_year <= year <= plan.last_year:
            message = gettext("年份 %(year)s 不在方案年份内（%(first)s—%(last)s年）。") % {
                "year": year,
                "first": plan.first_year,
                "last": plan.last_year,
            }
            raise ValidationError({"year": [message]})
    return plan, year


class ProgressViewSet(viewsets.ViewSet):
    """进度: one row per region and indicator, as the overview and the cockpit show them."""

    permission_classes = [MonitoringReader]

    @extend_schema(
        summary="指标进度（按年份与地区：状态、序时进度、预测）",
        tags=[TAG],
        description=(
            _(
                "与指标总览、驾驶舱的数字相同。不指定地区时返回调用者可见的全部地区：市级管理员为全市及各区县，区县用户为本区县；不可见的地区返回 404。"
            )
        ),
        parameters=[
            PLAN,
            YEAR,
            OpenApiParameter("region", OpenApiTypes.STR, description=_("区划代码；只看该地区。")),
            OpenApiParameter(
                "indicator", OpenApiTypes.INT, description=_("指标序号；只看该指标。")
            ),
        ],
        responses=PROGRESS_ROWS,
    )
    def list(self, request):
        plan, year = _plan_and_year(request)
        regions = visible_regions(request.user, plan)
        code = request.query_params.get("region")
        if code:
            regions = [r for r in regions if r.code == code]
            if not regions:
                raise Http404  # another district's figures are indistinguishable from none
        number = request.query_params.get("indicator")
        rows = []
        for region in regions:
            for row in cached_plan_progress(plan, year, region, request.user):
                if number and str(row["no"]) != number:
                    continue
                rows.append(
                    {
                        "region": region.code,
                        "region_name": region.name,
                        "indicator": row["no"],
                        **{key: _plain(row.get(key)) for key in PASSED_THROUGH if key != "year"},
                        "year": year,
                    }
                )
        return Response(rows)


def _plain(value):
    """Progress rows hold ints, floats, strings and booleans already; Decimals become floats."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return float(value)


# --- ranking --------------------------------------------------------------------------------

RANKING_ENTRIES = inline_serializer(
    "RankingEntry",
    {
        "place": serializers.IntegerField(allow_null=True, help_text=_("综合名次")),
        "score": serializers.FloatField(allow_null=True, help_text=_("平均名次（加权）")),
        "region": serializers.CharField(),
        "region_name": serializers.CharField(),
        "indicators": inline_serializer(
            "RankingCell",
            {
                "indicator": serializers.IntegerField(),
                "progress": serializers.FloatField(
                    allow_null=True, help_text=_("五年进度（小数）")
                ),
                "rank": serializers.IntegerField(allow_null=True),
                "status": serializers.CharField(),
            },
            many=True,
        ),
    },
    many=True,
)


class RankingViewSet(viewsets.ViewSet):
    """区县排名: every district, in order of place, for the city admin and every district
    officer (the ranking is published in the 通报)."""

    permission_classes = [MonitoringReader]

    @extend_schema(
        summary="区县排名（按综合名次排序）",
        tags=[TAG],
        parameters=[PLAN, YEAR],
        responses=RANKING_ENTRIES,
    )
    def list(self, request):
        plan, year = _plan_and_year(request)
        table = ranking_table(plan, year)
        return Response(
            [
                {
                    "place": entry["place"],
                    "score": _plain(entry["score"]),
                    "region": entry["region"].code,
                    "region_name": entry["region"].name,
                    "indicators": [
                        {
                            "indicator": cell["no"],
                            "progress": _plain(cell["progress"]),
                            "rank": cell["rank"],
                            "status": cell["status"],
                        }
                        for cell in entry["cells"]
                    ],
                }
                for entry in table["entries"]
            ]
        )
