"""The read side of a self-assessment or a diagnosis: what its report page (and PDF) shows.

Scores are the ones stored at submission; the gaps are worked out from the answers with the
current questionnaire. Import these from `zhizao.diagnosis.services`, the app's service API."""

import datetime
import statistics
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import OuterRef, Q, Subquery
from django.utils.translation import gettext as _

from zhizao.diagnosis.coverage import coverage_years
from zhizao.diagnosis.errors import DiagnosisError
from zhizao.diagnosis.models import (
    AssessmentStatus,
    DiagnosisStatus,
    ExpertDiagnosis,
    ScoredAnswers,
    SelfAssessment,
)
from zhizao.diagnosis.questionnaire import Questionnaire, load_questionnaire
from zhizao.diagnosis.scoring import Gap, gaps, rounded, total_score


@dataclass
class ScoredReport:
    """What a report shows of one scored record (S, level, scores by level and by domain, and
    the gaps to the next level). Scores are the stored ones; gap texts come from the current
    questionnaire (`questionnaire_changed` says when it is not the one answered)."""

    record: ScoredAnswers
    questionnaire: Questionnaire
    industry_type: str
    total: Decimal
    level: int
    level_label: str
    level_name: str
    level_scores: dict[int, Decimal]
    counted_levels: tuple[int, ...]
    domain_scores: dict[str, Decimal | None]
    gaps: list[Gap]
    questionnaire_changed: bool


@dataclass(frozen=True)
class HistoryPoint:
    pk: int
    year: int
    total: Decimal
    level: int
    level_label: str
    submitted_at: datetime.datetime


@dataclass
class AssessmentReport(ScoredReport):
    """Everything the self-assessment report page needs. The medians compare with each
    enterprise's latest submitted self-assessment in the `coverage_years()` years up to this
    one's, in the same district and the same cluster (this enterprise included)."""

    history: list[HistoryPoint]
    comparison_years: tuple[int, int]
    district_median: Decimal | None
    district_count: int
    cluster_median: Decimal | None
    cluster_count: int


def scored_report(record: ScoredAnswers) -> ScoredReport:
    if record.total is None:
        raise DiagnosisError(_("尚未提交，还没有评估结果。"))
    q = load_questionnaire()
    by_level = {int(k): Decimal(v) for k, v in record.level_scores.items()}
    return ScoredReport(
        record=record,
        questionnaire=q,
        industry_type=record.industry_type_name,
        total=record.total,
        level=record.level,
        level_label=q.level_label(record.level),
        level_name=q.level_name(record.level),
        level_scores=by_level,
        counted_levels=total_score(by_level, q.threshold)[1],
        domain_scores={
            k: None if v is None else Decimal(v) for k, v in record.domain_scores.items()
        },
        gaps=gaps(q, record.industry_type_name, record.answers, record.level),
        questionnaire_changed=record.questionnaire_version != q.version,
    )


def assessment_report(assessment: SelfAssessment) -> AssessmentReport:
    if not assessment.is_submitted:
        raise DiagnosisError(_("该自评估尚未提交，还没有报告。"))
    base = scored_report(assessment)
    q = base.questionnaire
    history = [
        HistoryPoint(a.pk, a.year, a.total, a.level, q.level_label(a.level), a.submitted_at)
        for a in SelfAssessment.objects.filter(
            enterprise_id=assessment.enterprise_id, status=AssessmentStatus.SUBMITTED
        ).order_by("year")
    ]
    first, last = assessment.year - coverage_years() + 1, assessment.year
    district, cluster = _peer_totals(assessment, first, last)
    return AssessmentReport(
        **vars(base),
        history=history,
        comparison_years=(first, last),
        district_median=_median(district),
        district_count=len(district),
        cluster_median=_median(cluster),
        cluster_count=len(cluster),
    )


def _peer_totals(assessment: SelfAssessment, first: int, last: int):
    """The district's and the cluster's latest totals in the window, in one query."""
    enterprise = assessment.enterprise
    window = SelfAssessment.objects.filter(
        status=AssessmentStatus.SUBMITTED, year__gte=first, year__lte=last
    )
    latest = window.filter(enterprise=OuterRef("enterprise")).order_by("-year", "-pk")
    peers = Q(enterprise__region_id=enterprise.region_id)
    if enterprise.cluster_id:
        peers |= Q(enterprise__cluster_id=enterprise.cluster_id)
    rows = window.filter(peers, pk=Subquery(latest.values("pk")[:1])).values_list(
        "enterprise__region_id", "enterprise__cluster_id", "total"
    )
    district, cluster = [], []
    for region_id, cluster_id, total in rows:
        if region_id == enterprise.region_id:
            district.append(total)
        if enterprise.cluster_id and cluster_id == enterprise.cluster_id:
            cluster.append(total)
    return district, cluster


def _median(values: list[Decimal]) -> Decimal | None:
    return rounded(statistics.median(values)) if values else None


def diagnosis_report(diagnosis: ExpertDiagnosis) -> ScoredReport:
    if diagnosis.status == DiagnosisStatus.ASSIGNED:
        raise DiagnosisError(_("该诊断尚未提交，还没有评估结果。"))
    return scored_report(diagnosis)
