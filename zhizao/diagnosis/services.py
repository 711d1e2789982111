"""diagnosis services: the self-assessment (自评估) and the expert's on-site diagnosis (现场诊断).
This module is the app's service API: the report read side (`report.py`) and coverage and
level distributions (`coverage.py`) are re-exported here.

Every function that changes a record owns its transaction, checks who may act, and writes the
history entry (who, and why) and the notifications that go with it; pages, API, commands and
demo data only parse input and call these. Messages are Chinese and name what is wrong."""

import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhizao.core.deadlines import default_due_date
from zhizao.core.notifications import notify
from zhizao.core.roles import Role, is_city_admin
from zhizao.core.services import mark_change
from zhizao.diagnosis.coverage import (  # noqa: F401  (re-exported: the one service API)
    Coverage,
    CoverageRow,
    LevelRow,
    above_scale_enterprises,
    coverage,
    coverage_years,
    level_distribution,
    level_trend,
    undiagnosed,
)
from zhizao.diagnosis.errors import DiagnosisError, DiagnosisForbidden
from zhizao.diagnosis.models import (
    AssessmentStatus,
    DiagnosisStatus,
    ExpertDiagnosis,
    IndustryType,
    ScoredAnswers,
    SelfAssessment,
)
from zhizao.diagnosis.questionnaire import Questionnaire, load_questionnaire
from zhizao.diagnosis.report import (  # noqa: F401  (re-exported: the one service API)
    AssessmentReport,
    HistoryPoint,
    ScoredReport,
    assessment_report,
    diagnosis_report,
    scored_report,
)
from zhizao.diagnosis.scoring import AnswerError, Scores, answer_problems, score_answers
from zhizao.enterprises.models import Enterprise

# GB/T 4754 divisions whose plants mostly run continuous processes (food, drink, textile dyeing,
# paper, oil, chemicals, medicines, fibres, building materials, metal smelting): a suggestion
# for the form, which the enterprise may change.
PROCESS_DIVISIONS = frozenset(
    {"13", "14", "15", "17", "22", "25", "26", "27", "28", "30", "31", "32"}
)


def current_questionnaire() -> Questionnaire:
    return load_questionnaire()


def _actor(user):
    return user if getattr(user, "is_authenticated", False) else None


def _record(obj, user, reason: str) -> None:
    """The next history entry of `obj`: why, and who (outside a request too)."""
    mark_change(obj, reason)
    obj._history_user = _actor(user)


def _day(moment) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d}" if moment else ""


def diagnosis_url(diagnosis: ExpertDiagnosis) -> str:
    """The diagnosis page, once the pages exist (notifications link to it)."""
    try:
        return reverse("diagnosis:diagnosis", args=[diagnosis.pk])
    except NoReverseMatch:
        return ""


# --- who may act ------------------------------------------------------------------------


def is_member(user, enterprise: Enterprise) -> bool:
    return (
        getattr(user, "role", None) == Role.ENTERPRISE
        and enterprise.members.filter(pk=user.pk).exists()
    )


def may_fill_in(user, enterprise: Enterprise) -> bool:
    """An enterprise assesses itself; the city admin may help (on its behalf)."""
    return is_city_admin(user) or is_member(user, enterprise)


def is_officer_of(user, region) -> bool:
    return (
        getattr(user, "role", None) == Role.DISTRICT
        and user.region_id is not None
        and region.path.startswith(user.region.path)
    )


def industry_type_of(value, q: Questionnaire | None = None) -> IndustryType:
    """An IndustryType from its code (discrete), its name (离散型) or itself."""
    q = q or current_questionnaire()
    found = next((t for t in IndustryType if value in (t, t.value, t.key, t.label)), None)
    if found is None or found.key not in q.industry_types:
        names = _("或").join(str(t.label) for t in IndustryType if t.key in q.industry_types)
        raise DiagnosisError(
            _("行业类型「%(value)s」无效，应为%(names)s。") % {"value": value, "names": names}
        )
    return found


def suggested_industry_type(enterprise: Enterprise) -> IndustryType:
    if enterprise.industry_division in PROCESS_DIVISIONS:
        return IndustryType.PROCESS
    return IndustryType.DISCRETE


# --- the self-assessment ----------------------------------------------------------------


@transaction.atomic
def start_assessment(
    enterprise: Enterprise, user, industry_type, year: int | None = None, *, today=None
) -> SelfAssessment:
    """A new draft for `year` (this year by default); one assessment per enterprise a year."""
    if not may_fill_in(user, enterprise):
        raise DiagnosisForbidden(_("您不能为该企业填写自评估。"))
    q = current_questionnaire()
    kind = industry_type_of(industry_type, q)
    this_year = (today or timezone.localdate()).year
    year = year or this_year
    if year > this_year:
        raise DiagnosisError(
            _("评估年度 %(year)s 晚于今年（%(this_year)s年）。")
            % {"year": year, "this_year": this_year}
        )
    existing = SelfAssessment.objects.filter(enterprise=enterprise, year=year).first()
    if existing is not None and existing.is_submitted:
        raise DiagnosisError(
            _("%(name)s%(year)s年的自评估已于 %(submitted_at)s 提交，不能重复开始。")
            % {"name": enterprise.name, "year": year, "submitted_at": _day(existing.submitted_at)}
        )
    if existing is not None:
        raise DiagnosisError(
            _("%(name)s已有%(year)s年的自评估草稿（%(started_at)s 开始），请继续填写。")
            % {"name": enterprise.name, "year": year, "started_at": _day(existing.started_at)}
        )
    assessment = SelfAssessment(
        enterprise=enterprise,
        year=year,
        industry_type=kind,
        questionnaire_version=q.version,
        created_by=_actor(user),
    )
    _record(assessment, user, "开始自评估")
    assessment.save()
    return assessment


def _locked_assessment(assessment: SelfAssessment) -> SelfAssessment:
    return (
        SelfAssessment.objects.select_for_update()
        .select_related("enterprise__region")
        .get(pk=assessment.pk)
    )


def _editable(assessment: SelfAssessment, user) -> None:
    if not may_fill_in(user, assessment.enterprise):
        raise DiagnosisForbidden(_("您不能填写该企业的自评估。"))
    if assessment.is_submitted:
        raise DiagnosisError(
            _("该自评估已于 %(submitted_at)s 提交，不能再修改。")
            % {"submitted_at": _day(assessment.submitted_at)}
        )


def _align_version(record: ScoredAnswers, q: Questionnaire) -> str:
    """Move a record started under an older questionnaire to the current one: answers to
    requirements the file no longer has are dropped (the history keeps them)."""
    if record.questionnaire_version == q.version:
        return ""
    stale = [rid for rid in record.answers if rid not in q.by_id]
    record.answers = {rid: label for rid, label in record.answers.items() if rid in q.by_id}
    note = f"问卷由版本 {record.questionnaire_version} 更新为 {q.version}"
    record.questionnaire_version = q.version
    return note + (f"，移除已删除要求的答案：{'、'.join(stale)}" if stale else "")


@transaction.atomic
def save_answers(
    assessment: SelfAssessment, user, answers: dict, *, industry_type=None
) -> SelfAssessment:
    """Save some answers ({requirement id: label}) to a draft, as given, over as many sittings
    as needed; an empty label clears an answer. Unknown ids and labels are refused, naming
    them, and nothing is saved."""
    assessment = _locked_assessment(assessment)
    _editable(assessment, user)
    q = current_questionnaire()
    problems = answer_problems(q, answers, complete=False)
    if problems:
        raise DiagnosisError(problems)
    if industry_type is not None:
        assessment.industry_type = industry_type_of(industry_type, q)
    note = _align_version(assessment, q)
    merged = dict(assessment.answers)
    for rid, label in answers.items():
        if label in (None, ""):
            merged.pop(str(rid), None)
        else:
            merged[str(rid)] = label
    assessment.answers = merged
    _record(assessment, user, "；".join(filter(None, [f"保存答案 {len(answers)} 条", note])))
    assessment.save()
    return assessment


def _scores(q: Questionnaire, record: ScoredAnswers) -> Scores:
    try:
        return score_answers(q, record.industry_type_name, record.answers)
    except AnswerError as exc:
        raise DiagnosisError(exc.errors) from None


def _store(record: ScoredAnswers, scores: Scores) -> None:
    stored = scores.stored()
    record.total, record.level = scores.total, scores.level
    record.level_scores, record.domain_scores = stored["level_scores"], stored["domain_scores"]


@transaction.atomic
def submit_assessment(assessment: SelfAssessment, user) -> SelfAssessment:
    """Score a complete draft and lock it: every requirement answered (不适用 only where the
    questionnaire allows it). A submitted assessment never changes."""
    assessment = _locked_assessment(assessment)
    _editable(assessment, user)
    q = current_questionnaire()
    note = _align_version(assessment, q)
    _store(assessment, _scores(q, assessment))
    assessment.status = AssessmentStatus.SUBMITTED
    assessment.submitted_at = timezone.now()
    _record(assessment, user, "；".join(filter(None, ["提交自评估", note])))
    assessment.save()
    return assessment


def latest_assessment(enterprise: Enterprise, *, include_drafts: bool = False):
    """The enterprise's latest submitted self-assessment (or draft too), or None."""
    found = SelfAssessment.objects.filter(enterprise=enterprise)
    if not include_drafts:
        found = found.filter(status=AssessmentStatus.SUBMITTED)
    return found.order_by("-year", "-pk").first()


def draft_assessment(enterprise: Enterprise):
    """The draft to carry on with, or None."""
    return (
        SelfAssessment.objects.filter(enterprise=enterprise, status=AssessmentStatus.DRAFT)
        .order_by("-year")
        .first()
    )


# --- the expert's diagnosis -------------------------------------------------------------


@transaction.atomic
def assign_diagnosis(
    enterprise: Enterprise, diagnostician, user, due_on: datetime.date | None = None, today=None
) -> ExpertDiagnosis:
    """The city (any enterprise) or a district (its own) assigns an expert or a provider, to
    visit by `due_on` (by default ZHIZAO_EXPERT_DUE_DAYS days from today)."""
    if not is_city_admin(user):
        if getattr(user, "role", None) != Role.DISTRICT:
            raise DiagnosisForbidden(_("只有市级管理员或区县用户可以分配现场诊断。"))
        if not is_officer_of(user, enterprise.region):
            raise DiagnosisForbidden(
                _("%(name)s属于%(name2)s，您只能为本区县的企业分配现场诊断。")
                % {"name": enterprise.name, "name2": enterprise.region.name}
            )
    if diagnostician.role not in (Role.EXPERT, Role.PROVIDER) or not diagnostician.is_active:
        raise DiagnosisError(
            _("「%(diagnostician)s」不是在册的专家或服务商，不能分配现场诊断。")
            % {"diagnostician": diagnostician}
        )
    if enterprise.linked_experts.filter(pk=diagnostician.pk).exists():
        raise DiagnosisError(
            _("「%(diagnostician)s」已声明与%(name)s存在关联，须回避，不能分配。")
            % {"diagnostician": diagnostician, "name": enterprise.name}
        )
    open_one = ExpertDiagnosis.objects.filter(
        enterprise=enterprise, diagnostician=diagnostician, status=DiagnosisStatus.ASSIGNED
    )
    if open_one.exists():
        raise DiagnosisError(
            _("「%(diagnostician)s」已被分配诊断%(name)s，尚未完成，不能重复分配。")
            % {"diagnostician": diagnostician, "name": enterprise.name}
        )
    today = today or timezone.localdate()
    due_on = due_on or default_due_date(today)
    if due_on < today:
        raise DiagnosisError(_("诊断截止日期 %(date)s 早于今天。") % {"date": f"{due_on:%Y-%m-%d}"})
    diagnosis = ExpertDiagnosis(
        enterprise=enterprise,
        diagnostician=diagnostician,
        assigned_by=_actor(user),
        due_on=due_on,
        questionnaire_version=current_questionnaire().version,
    )
    _record(diagnosis, user, "分配现场诊断")
    diagnosis.save()
    notify(
        [diagnostician],
        f"请于 {due_on:%Y-%m-%d} 前对{enterprise.name}开展现场诊断。",
        diagnosis_url(diagnosis),
    )
    return diagnosis


def _locked_diagnosis(diagnosis: ExpertDiagnosis) -> ExpertDiagnosis:
    return (
        ExpertDiagnosis.objects.select_for_update()
        .select_related("enterprise__region", "diagnostician")
        .get(pk=diagnosis.pk)
    )


def _money(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise DiagnosisError(_("预计投资「%(value)s」不是数字。") % {"value": value}) from None
    if not amount.is_finite() or amount < 0:
        raise DiagnosisError(_("预计投资「%(value)s」万元不能为负数。") % {"value": value})
    return amount


def _findings(q: Questionnaire, findings) -> dict[str, str]:
    if not isinstance(findings, dict):
        raise DiagnosisError(_("诊断发现应按能力域填写。"))
    unknown = [name for name in findings if name not in q.domains]
    if unknown:
        raise DiagnosisError(
            _("诊断发现中的能力域「%(value)s」不在问卷中。")
            % {"value": "、".join(map(str, unknown))}
        )
    cleaned = {
        name: str(findings[name] or "").strip()
        for name in q.domains
        if str(findings.get(name) or "").strip()
    }
    if not cleaned:
        raise DiagnosisError(_("请至少填写一个能力域的诊断发现。"))
    return cleaned


@transaction.atomic
def record_diagnosis(
    diagnosis: ExpertDiagnosis,
    user,
    *,
    visit_date: datetime.date,
    findings: dict,
    answers: dict,
    industry_type,
    measures: str,
    estimated_investment=None,
    expected_effect: str = "",
    today: datetime.date | None = None,
) -> ExpertDiagnosis:
    """The assigned diagnostician records the visit: findings per domain, their own scoring with
    the questionnaire (every requirement answered) and the transformation proposal. It may be
    corrected until the enterprise acknowledges it; each record is a history entry."""
    diagnosis = _locked_diagnosis(diagnosis)
    if diagnosis.diagnostician_id != getattr(user, "pk", None):
        raise DiagnosisForbidden(_("只有被分配的诊断专家（服务商）本人可以填写该诊断。"))
    if diagnosis.status == DiagnosisStatus.ACKNOWLEDGED:
        raise DiagnosisError(
            _("%(name)s已于 %(acknowledged_at)s 确认该诊断，不能再修改。")
            % {
                "name": diagnosis.enterprise.name,
                "acknowledged_at": _day(diagnosis.acknowledged_at),
            }
        )
    today = today or timezone.localdate()
    if visit_date is None:
        raise DiagnosisError(_("请填写诊断日期。"))
    if visit_date > today:
        raise DiagnosisError(
            _("诊断日期 %(visit_date)s 晚于今天。") % {"visit_date": format(visit_date, "%Y-%m-%d")}
        )
    q = current_questionnaire()
    cleaned_findings = _findings(q, findings)
    if not str(measures or "").strip():
        raise DiagnosisError(_("请填写改造方案的主要措施。"))
    amount = _money(estimated_investment)
    diagnosis.industry_type = industry_type_of(industry_type, q)
    diagnosis.questionnaire_version = q.version
    diagnosis.answers = dict(answers) if isinstance(answers, dict) else answers
    _store(diagnosis, _scores(q, diagnosis))
    first = diagnosis.status == DiagnosisStatus.ASSIGNED
    diagnosis.visit_date, diagnosis.findings = visit_date, cleaned_findings
    diagnosis.measures, diagnosis.expected_effect = measures.strip(), expected_effect.strip()
    diagnosis.estimated_investment = amount
    diagnosis.status = DiagnosisStatus.SUBMITTED
    diagnosis.submitted_at = timezone.now()
    _record(diagnosis, user, "提交现场诊断" if first else "修改现场诊断")
    diagnosis.save()
    notify(
        diagnosis.enterprise.members.filter(is_active=True),
        f"{diagnosis.diagnostician}已提交对{diagnosis.enterprise.name}的现场诊断，请查看并确认。",
        diagnosis_url(diagnosis),
    )
    return diagnosis


@transaction.atomic
def acknowledge_diagnosis(diagnosis: ExpertDiagnosis, user) -> ExpertDiagnosis:
    """The enterprise confirms it has received the diagnosis; it is then final."""
    diagnosis = _locked_diagnosis(diagnosis)
    if not is_member(user, diagnosis.enterprise):
        raise DiagnosisForbidden(_("只有该企业的用户可以确认现场诊断。"))
    if diagnosis.status == DiagnosisStatus.ASSIGNED:
        raise DiagnosisError(_("该诊断尚未提交，不能确认。"))
    if diagnosis.status == DiagnosisStatus.ACKNOWLEDGED:
        raise DiagnosisError(
            _("该诊断已于 %(acknowledged_at)s 确认。")
            % {"acknowledged_at": _day(diagnosis.acknowledged_at)}
        )
    diagnosis.status = DiagnosisStatus.ACKNOWLEDGED
    diagnosis.acknowledged_by, diagnosis.acknowledged_at = user, timezone.now()
    _record(diagnosis, user, "企业确认诊断")
    diagnosis.save()
    notify(
        [diagnosis.diagnostician],
        f"{diagnosis.enterprise.name}已确认您提交的现场诊断。",
        diagnosis_url(diagnosis),
    )
    return diagnosis
