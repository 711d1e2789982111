"""The 报表 tab of the 待办 inbox (core.inbox) and the enterprise's report card on its landing
page (core.landing): the yearly reports that wait for the user's
action — a district officer's submitted reports, the city's district-approved ones, an
enterprise's drafts and returned reports, and the report of the year it has not started."""

import datetime

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zhizao.core.inbox import InboxRow, InboxTab, Source, register_inbox_tab
from zhizao.core.landing import Card, register_cards
from zhizao.core.roles import Role, is_city_admin
from zhizao.core.scoping import scope_queryset
from zhizao.enterprises.models import (
    EDITABLE_STATUSES,
    Enterprise,
    ReportStatus,
    ReviewAction,
    ReviewStep,
    YearlyReport,
)
from zhizao.enterprises.views import default_year

STYLES = {ReportStatus.RETURNED: "danger", ReportStatus.DRAFT: "secondary"}


def waiting_statuses(user) -> tuple[str, ...]:
    if is_city_admin(user):
        return (ReportStatus.DISTRICT_APPROVED,)
    role = getattr(user, "role", None)
    if role == Role.DISTRICT:
        return (ReportStatus.SUBMITTED,)
    if role == Role.ENTERPRISE:
        return tuple(EDITABLE_STATUSES)
    return ()


def waiting_reports(user):
    """The reports that wait for `user`, scoped, oldest change first."""
    reports = YearlyReport.objects.filter(status__in=waiting_statuses(user))
    return (
        scope_queryset(user, reports)
        .select_related("enterprise__region")
        .order_by("updated_at", "pk")
    )


def _row(report: YearlyReport) -> InboxRow:
    return InboxRow(
        title=_("%(enterprise)s %(year)s年智能制造数据")
        % {"enterprise": report.enterprise.name, "year": report.year},
        url=reverse("enterprises:report", args=[report.enterprise_id, report.year]),
        detail=report.enterprise.region.name,
        status=report.get_status_display(),
        since=report.updated_at,
        style=STYLES.get(report.status, "primary"),
    )


def _more(user):
    if is_city_admin(user) or getattr(user, "role", None) == Role.DISTRICT:
        return reverse("enterprises:reviews"), _("报表审核队列")
    return None


# --- the enterprise's landing card -----------------------------------------------------------

DONE_STATUSES = (
    ReportStatus.SUBMITTED,
    ReportStatus.DISTRICT_APPROVED,
    ReportStatus.CITY_APPROVED,
)


def report_due_date(year: int) -> datetime.date:
    """When the report of `year` is due: ZHIZAO_REPORT_DUE (month, day) of the next year."""
    month, day = settings.ZHIZAO_REPORT_DUE
    return datetime.date(year + 1, month, day)


def _report_card(enterprise, year: int, report, reason: str) -> Card:
    lines = [enterprise.name]
    if report is None:
        status, style, action = _("未填报"), "warning", _("开始填报")
    else:
        status, style = report.get_status_display(), STYLES.get(report.status, "success")
        action = _("修改并提交") if report.is_editable else _("查看")
        if report.status == ReportStatus.RETURNED and reason:
            lines.append(_("退回原因：%(reason)s") % {"reason": reason})
    return Card(
        title=_("%(year)s年智能制造数据") % {"year": year},
        status=status,
        style=style,
        lines=tuple(lines),
        url=reverse("enterprises:report", args=[enterprise.pk, year]),
        action=action,
        due_on=report_due_date(year),
        done=report is not None and report.status in DONE_STATUSES,
        links=((reverse("enterprises:detail", args=[enterprise.pk]), _("企业档案")),),
        testid="report-card",
    )


@register_cards("enterprises", order=10)
def report_cards(user) -> list[Card]:
    """An enterprise user's report of the year being filed, for each of its enterprises."""
    if getattr(user, "role", None) != Role.ENTERPRISE:
        return []
    year = default_year()
    if year is None:
        return []
    enterprises = list(scope_queryset(user, Enterprise.objects.order_by("name"))[:3])
    reports = {
        r.enterprise_id: r
        for r in YearlyReport.objects.filter(enterprise__in=enterprises, year=year)
    }
    returned = [r.pk for r in reports.values() if r.status == ReportStatus.RETURNED]
    reasons = dict(
        ReviewStep.objects.filter(report__in=returned, action=ReviewAction.RETURN)
        .order_by("created_at", "id")
        .values_list("report_id", "comment")
    )
    cards = []
    for enterprise in enterprises:
        report = reports.get(enterprise.pk)
        reason = reasons.get(report.pk, "") if report else ""
        cards.append(_report_card(enterprise, year, report, reason))
    return cards


def unfiled(user):
    """An enterprise user's enterprises without a report of the year being filed."""
    year = default_year()
    if getattr(user, "role", None) != Role.ENTERPRISE or year is None:
        return Enterprise.objects.none()
    return (
        scope_queryset(user, Enterprise.objects.exclude(reports__year=year))
        .select_related("region")
        .order_by("name", "pk")
    )


def _unfiled_row(enterprise: Enterprise) -> InboxRow:
    year = default_year()
    return InboxRow(
        title=_("%(enterprise)s %(year)s年智能制造数据")
        % {"enterprise": enterprise.name, "year": year},
        url=reverse("enterprises:report", args=[enterprise.pk, year]),
        detail=enterprise.region.name,
        status=_("未填报"),
        due_on=report_due_date(year),
        style="warning",
    )


def _sources(user) -> list[Source]:
    sources = [Source(waiting_reports, _row)]
    if getattr(user, "role", None) == Role.ENTERPRISE:
        sources.insert(0, Source(unfiled, _unfiled_row))
    return sources


register_inbox_tab(
    InboxTab(
        code="reports",
        label=_("报表"),
        order=10,
        applies=lambda user: bool(waiting_statuses(user)),
        sources=_sources,
        more=_more,
    )
)
