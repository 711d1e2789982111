"""The 诊断 tab of the 待办 inbox (core.inbox): an expert's or provider's on-site diagnoses to
carry out (with their due dates); an enterprise's diagnoses to acknowledge and self-assessments
left unfinished; for the city and a district, the assigned diagnoses past their due date."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhizao.core.inbox import InboxRow, InboxTab, Source, register_inbox_tab
from zhizao.core.landing import Card, register_cards
from zhizao.core.roles import Role, is_city_admin
from zhizao.core.scoping import scope_queryset
from zhizao.diagnosis.models import (
    AssessmentStatus,
    DiagnosisStatus,
    ExpertDiagnosis,
    SelfAssessment,
)
from zhizao.diagnosis.questionnaire import load_questionnaire


def _role(user):
    return "city" if is_city_admin(user) else getattr(user, "role", None)


def waiting_diagnoses(user):
    role = _role(user)
    diagnoses = ExpertDiagnosis.objects.all()
    if role in (Role.EXPERT, Role.PROVIDER):
        diagnoses = diagnoses.filter(diagnostician=user, status=DiagnosisStatus.ASSIGNED)
    elif role == Role.ENTERPRISE:
        diagnoses = diagnoses.filter(status=DiagnosisStatus.SUBMITTED)
    elif role in ("city", Role.DISTRICT):
        diagnoses = diagnoses.filter(
            status=DiagnosisStatus.ASSIGNED, due_on__lt=timezone.localdate()
        )
    else:
        diagnoses = diagnoses.none()
    return (
        scope_queryset(user, diagnoses)
        .select_related("enterprise__region", "diagnostician")
        .order_by("due_on", "assigned_at", "pk")
    )


def unfinished_assessments(user):
    if _role(user) != Role.ENTERPRISE:
        return SelfAssessment.objects.none()
    return (
        scope_queryset(user, SelfAssessment.objects.filter(status=AssessmentStatus.DRAFT))
        .select_related("enterprise")
        .order_by("updated_at", "pk")
    )


def _diagnosis_row(diagnosis: ExpertDiagnosis) -> InboxRow:
    assigned = diagnosis.status == DiagnosisStatus.ASSIGNED
    return InboxRow(
        title=_("%(enterprise)s 现场诊断") % {"enterprise": diagnosis.enterprise.name},
        url=reverse("diagnosis:diagnosis", args=[diagnosis.pk]),
        detail=_("%(region)s · 诊断专家（服务商）：%(who)s")
        % {"region": diagnosis.enterprise.region.name, "who": diagnosis.diagnostician},
        status=diagnosis.get_status_display(),
        since=diagnosis.assigned_at if assigned else diagnosis.submitted_at,
        due_on=diagnosis.due_on if assigned else None,
        style="warning" if assigned else "info",
    )


def _assessment_row(assessment: SelfAssessment) -> InboxRow:
    return InboxRow(
        title=_("%(enterprise)s %(year)s年自评估")
        % {"enterprise": assessment.enterprise.name, "year": assessment.year},
        url=reverse("diagnosis:fill", args=[assessment.pk]),
        detail=_("自评估尚未提交"),
        status=assessment.get_status_display(),
        since=assessment.updated_at,
        style="secondary",
    )


def _sources(user):
    sources = [Source(waiting_diagnoses, _diagnosis_row)]
    if _role(user) == Role.ENTERPRISE:
        sources.append(Source(unfinished_assessments, _assessment_row))
    return sources


register_inbox_tab(
    InboxTab(
        code="diagnoses",
        label=_("诊断"),
        order=40,
        applies=lambda user: _role(user) is not None,
        sources=_sources,
        more=lambda user: (reverse("diagnosis:home"), _("诊断服务")),
    )
)


# --- landing cards ---------------------------------------------------------------------------


@register_cards("diagnosis", order=20)
def diagnosis_cards(user) -> list[Card]:
    """An enterprise's self-assessment; an expert's or provider's on-site diagnoses to do."""
    role = _role(user)
    if role == Role.ENTERPRISE:
        assessments = scope_queryset(user, SelfAssessment.objects.select_related("enterprise"))
        latest = assessments.filter(status=AssessmentStatus.SUBMITTED).order_by("-year").first()
        draft = assessments.filter(status=AssessmentStatus.DRAFT).order_by("-year").first()
        lines = []
        if latest is not None:
            level = load_questionnaire().level_label(latest.level) if latest.level else "—"
            lines.append(
                _("%(year)s年自评估：%(level)s，总分 %(total)s")
                % {"year": latest.year, "level": level, "total": f"{latest.total or 0:.2f}"}
            )
        if draft is not None:
            lines.append(_("%(year)s年自评估填写中，尚未提交") % {"year": draft.year})
        if not lines:
            lines.append(_("还没有开展智能制造能力成熟度自评估。"))
        if draft is not None:
            url, action = reverse("diagnosis:fill", args=[draft.pk]), _("继续自评估")
        elif latest is not None:
            url, action = reverse("diagnosis:report", args=[latest.pk]), _("查看诊断报告")
        else:
            url, action = reverse("diagnosis:home"), _("开始自评估")
        return [
            Card(
                title=_("智能制造能力成熟度自评估"),
                status=_("填写中") if draft else (_("已完成") if latest else _("未开展")),
                style="warning" if draft or not latest else "success",
                lines=tuple(lines),
                url=url,
                action=action,
                testid="assessment-card",
            )
        ]
    if role in (Role.EXPERT, Role.PROVIDER):
        diagnoses = waiting_diagnoses(user)
        count = diagnoses.count()
        first = diagnoses.first()
        if not count and role == Role.PROVIDER:
            return []
        return [
            Card(
                title=_("待开展的现场诊断"),
                value=str(count),
                lines=(_("上门诊断后填写诊断发现、评分和改造方案。"),)
                if count
                else (_("没有分配给您的现场诊断。"),),
                due_on=first.due_on if first else None,
                url=reverse("core:inbox") + "?tab=diagnoses",
                action=_("去诊断"),
                testid="diagnoses-card",
            )
        ]
    return []
