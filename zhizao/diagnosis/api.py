"""The diagnosis API (诊断服务), read only: self-assessments and expert diagnoses (scoped: another
district's or enterprise's id answers 404), the questionnaire in force, and coverage for the city
and the districts. Changes go through the pages, which call the services."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from zhizao.core.api import ScopedReadOnlyViewSet
from zhizao.diagnosis import services
from zhizao.diagnosis.models import ExpertDiagnosis, SelfAssessment
from zhizao.diagnosis.views_common import visible_districts

TAG = "diagnosis"
SCORE_FIELDS = [
    "industry_type", "industry_type_name", "questionnaire_version", "answers", "total", "level",
    "level_name", "level_scores", "domain_scores",
]  # fmt: skip


class ScoredSerializer(serializers.ModelSerializer):
    enterprise = serializers.CharField(source="enterprise.uscc", read_only=True)
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    region = serializers.CharField(source="enterprise.region.code", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    industry_type_name = serializers.CharField(read_only=True)
    level_name = serializers.SerializerMethodField(help_text=_("0 未达一级，1 一级 … 5 五级"))

    def get_level_name(self, obj) -> str | None:
        if obj.level is None:
            return None
        return services.current_questionnaire().level_label(obj.level)


class SelfAssessmentSerializer(ScoredSerializer):
    class Meta:
        model = SelfAssessment
        fields = [
            "id", "enterprise", "enterprise_name", "region", "year", "status", "status_display",
            *SCORE_FIELDS, "started_at", "updated_at", "submitted_at",
        ]  # fmt: skip


class ExpertDiagnosisSerializer(ScoredSerializer):
    diagnostician = serializers.CharField(source="diagnostician.username", read_only=True)
    diagnostician_name = serializers.CharField(source="diagnostician.__str__", read_only=True)
    diagnostician_role = serializers.CharField(source="diagnostician.role", read_only=True)

    class Meta:
        model = ExpertDiagnosis
        fields = [
            "id", "enterprise", "enterprise_name", "region", "diagnostician", "diagnostician_name",
            "diagnostician_role", "status", "status_display", "assigned_at", "due_on", "visit_date",
            "findings", *SCORE_FIELDS, "measures", "estimated_investment", "expected_effect",
            "submitted_at", "acknowledged_at",
        ]  # fmt: skip


@extend_schema_view(
    list=extend_schema(summary="自评估列表", tags=[TAG]),
    retrieve=extend_schema(summary="自评估", tags=[TAG]),
)
class SelfAssessmentViewSet(ScopedReadOnlyViewSet):
    """Self-assessments as the caller may see them: the city all, a district its own, an
    enterprise its own; experts and providers none."""

    queryset = SelfAssessment.objects.select_related("enterprise__region").order_by(
        "-year", "enterprise__name", "pk"
    )
    serializer_class = SelfAssessmentSerializer
    filterset_fields = ["year", "status"]
    permission_classes = [IsAuthenticated]


@extend_schema_view(
    list=extend_schema(summary="现场诊断列表", tags=[TAG]),
    retrieve=extend_schema(summary="现场诊断", tags=[TAG]),
)
class ExpertDiagnosisViewSet(ScopedReadOnlyViewSet):
    """Expert diagnoses as the caller may see them; an expert or a provider sees those assigned
    to it."""

    queryset = ExpertDiagnosis.objects.select_related("enterprise__region", "diagnostician")
    serializer_class = ExpertDiagnosisSerializer
    filterset_fields = ["status"]
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return super().get_queryset().order_by("-assigned_at", "-pk")


def questionnaire_document() -> dict:
    """The questionnaire in force, as `zhizao diagnosis questionnaire --format json` prints
    its requirements, with the scale, the levels and the weights the scoring uses."""
    q = services.current_questionnaire()
    return {
        "version": q.version,
        "title": q.title,
        "basis": q.basis,
        "industry_types": list(q.industry_types),
        "levels": [{"level": lv.number, "label": lv.label, "name": lv.name} for lv in q.levels],
        "scale": [{"label": label, "score": float(score)} for label, score in q.scale.items()],
        "not_applicable": q.not_applicable,
        "threshold": float(q.threshold),
        "bands": [{"level": b.level, "from": float(b.lower), "name": b.name} for b in q.bands],
        "elements": [
            {
                "name": element.name,
                "domains": [
                    {
                        "name": name,
                        "subdomains": [
                            {"code": code, "name": q.subdomains[code].name}
                            for code in q.domains[name].subdomains
                        ],
                    }
                    for name in element.domains
                ],
            }
            for element in q.elements
        ],
        "weights": {
            kind: {code: float(w) for code, w in table.items()} for kind, table in q.weights.items()
        },
        "requirements": [
            {
                "id": r.id,
                "element": q.subdomains[r.subdomain].element,
                "domain": q.subdomains[r.subdomain].domain,
                "subdomain": r.subdomain,
                "subdomain_name": q.subdomains[r.subdomain].name,
                "level": r.level,
                "text": r.text,
                "evidence": r.evidence,
                "answers": list(q.allowed_answers(r)),
            }
            for r in q.requirements
        ],
    }


class QuestionnaireViewSet(viewsets.ViewSet):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="现行成熟度问卷",
        description=_(
            "问卷的版本、等级、答案选项与分值、能力要素—能力域—能力子域、各行业类型的权重和全部要求。"
        ),
        tags=[TAG],
        responses={200: OpenApiTypes.OBJECT},
    )
    def list(self, request):
        return Response(questionnaire_document())


def _coverage_row(row) -> dict:
    def share(value):
        return None if value is None else float(value)

    return {
        "name": row.name,
        "above_scale": row.above_scale,
        "self_assessed": row.self_assessed,
        "self_assessed_share": share(row.self_assessed_share),
        "expert_diagnosed": row.expert_diagnosed,
        "expert_diagnosed_share": share(row.expert_diagnosed_share),
        "covered": row.covered,
        "covered_share": share(row.covered_share),
    }


class CoverageViewSet(viewsets.ViewSet):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="规上企业诊断覆盖",
        description=(
            _(
                "按区县和产业集群统计规上企业中近 N 年有自评估、有现场诊断、有任一的企业数和覆盖率（全覆盖为 1）。仅市级管理员和区县用户可用；区县用户只得到本区县的数字，其他角色 404。"
            )
        ),
        tags=[TAG],
        parameters=[
            OpenApiParameter("year", int, description=_("截至年度（默认今年）")),
            OpenApiParameter("years", int, description=_("统计近几年（默认为设置值，3 年）")),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def list(self, request):
        districts = visible_districts(request.user)
        try:
            year = int(request.query_params.get("year") or timezone.localdate().year)
            years = int(request.query_params.get("years") or services.coverage_years())
        except ValueError:
            raise ValidationError({"detail": _("year 和 years 应为整数。")}) from None
        if years < 1:
            raise ValidationError({"detail": _("years 应至少为 1。")})
        found = services.coverage(districts, years=years, as_of_year=year, user=request.user)
        return Response(
            {
                "as_of_year": found.as_of_year,
                "first_year": found.first_year,
                "years": found.years,
                "scale_year": found.scale_year,
                "by_district": [
                    {"code": d.code, **_coverage_row(row)}
                    for d, row in zip(districts, found.by_district, strict=True)
                ],
                "by_cluster": [_coverage_row(row) for row in found.by_cluster],
                "total": _coverage_row(found.total),
            }
        )
