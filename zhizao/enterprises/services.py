"""enterprises services: the registry, the yearly report and its review, and year locks.

Every function that changes a record owns its transaction and writes the review step or history
entry that goes with it; views, API, commands and the import only parse input and call these."""

import unicodedata

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from stdnum.cn import uscc as uscc_number
from stdnum.exceptions import InvalidChecksum, InvalidLength, ValidationError

from zhizao.core.notifications import city_admins, district_officers, notify
from zhizao.core.roles import Role, is_city_admin
from zhizao.core.scoping import scope_queryset
from zhizao.core.services import mark_change
from zhizao.core.tasks import enqueue
from zhizao.enterprises.checks import ReportCheck, check_report
from zhizao.enterprises.fields import REPORT_FIELDS, report_values
from zhizao.enterprises.models import (
    EDITABLE_STATUSES,
    Enterprise,
    ReportStatus,
    ReviewAction,
    ReviewStep,
    ScaleStatus,
    YearLock,
    YearlyReport,
)
from zhizao.plans.models import Plan

# Registered by the monitoring app (monitoring/tasks.py).
RECOMPUTE_TASK = "monitoring.recompute"


class ReportError(Exception):
    """A report action that is not allowed; the message says why, in Chinese."""


class ReportForbidden(ReportError):
    """The user may not act on this enterprise's report at all."""


class ReportInvalid(ReportError):
    def __init__(self, check: ReportCheck):
        super().__init__("；".join(check.errors.values()))
        self.check = check


# --- 统一社会信用代码 ---------------------------------------------------------------


def normalise_uscc(raw: str) -> str:
    """Upper case, half-width, without spaces: what people paste is often none of these."""
    text = unicodedata.normalize("NFKC", str(raw or ""))
    return "".join(text.split()).upper()


def validate_uscc(raw: str) -> str:
    """The normalised code, or ValueError with a Chinese message that names the code."""
    code = normalise_uscc(raw)
    if not code:
        raise ValueError(_("统一社会信用代码不能为空。"))
    try:
        return uscc_number.validate(code)
    except InvalidLength:
        raise ValueError(
            _("统一社会信用代码「%(code)s」应为 18 位，实际 %(code2)s 位。")
            % {"code": code, "code2": len(code)}
        ) from None
    except InvalidChecksum:
        raise ValueError(
            _("统一社会信用代码「%(code)s」校验位不正确，请核对是否抄错。") % {"code": code}
        ) from None
    except ValidationError:
        raise ValueError(
            _("统一社会信用代码「%(code)s」格式不正确（含有不允许的字符或登记管理部门代码）。")
            % {"code": code}
        ) from None


# --- years ------------------------------------------------------------------------


def reporting_years() -> range:
    """The years reports may be filed for: the default plan's base year to its last year."""
    plan = Plan.objects.filter(code=settings.ZHIZAO_DEFAULT_PLAN).first() or Plan.objects.first()
    if plan is None:
        return range(0)
    return range(plan.base_year, plan.last_year + 1)


def locked_years() -> set[int]:
    return set(YearLock.objects.filter(locked=True).values_list("year", flat=True))


def ensure_year_open(year: int) -> None:
    if year in locked_years():
        raise ReportError(
            _("%(year)s年的数据已由市级锁定，不能修改或导入；如需修改请联系市经信局解锁。")
            % {"year": year}
        )


@transaction.atomic
def lock_year(year: int, user, reason: str = "") -> YearLock:
    return _set_year_lock(year, user, True, reason or "锁定年度数据")


@transaction.atomic
def unlock_year(year: int, user, reason: str) -> YearLock:
    if not reason.strip():
        raise ReportError(_("解锁年度数据须说明原因。"))
    return _set_year_lock(year, user, False, reason)


def _set_year_lock(year: int, user, locked: bool, reason: str) -> YearLock:
    if not is_city_admin(user):
        raise ReportForbidden(_("只有市级管理员可以锁定或解锁年度数据。"))
    if year not in reporting_years():
        raise ReportError(_("年份 %(year)s 不在方案年份内。") % {"year": year})
    lock = YearLock.objects.select_for_update().filter(year=year).first() or YearLock(year=year)
    lock.locked, lock.changed_by, lock.reason = locked, user, reason
    mark_change(lock, reason)
    lock.save()
    return lock


# --- the report ---------------------------------------------------------------------


def previous_values(enterprise: Enterprise, year: int) -> dict | None:
    previous = YearlyReport.objects.filter(enterprise=enterprise, year=year - 1).first()
    return report_values(previous) if previous else None


def check_values(
    enterprise: Enterprise, year: int, values: dict, comment: str = "", *, complete: bool = True
) -> ReportCheck:
    """`complete`: the report is submitted (every figure required, jumps explained), not only
    saved as a draft."""
    return check_report(
        values,
        year=year,
        years=reporting_years(),
        previous=previous_values(enterprise, year),
        comment=comment,
        complete=complete,
    )


def may_fill_in(user, enterprise: Enterprise) -> bool:
    """An enterprise fills in its own report; the city admin may correct any."""
    if is_city_admin(user):
        return True
    return user.role == Role.ENTERPRISE and enterprise.members.filter(pk=user.pk).exists()


@transaction.atomic
def save_report(
    enterprise: Enterprise, year: int, values: dict, user, comment: str = ""
) -> YearlyReport:
    """Create or update the enterprise's draft for `year`. A draft may be incomplete and may hold
    unexplained year-on-year jumps; values wrong in themselves (negative, a part above its
    whole) are refused. A new report takes over last year's above-scale status."""
    if not may_fill_in(user, enterprise):
        raise ReportForbidden(_("您不能填报该企业的数据。"))
    ensure_year_open(year)
    report = (
        YearlyReport.objects.select_for_update().filter(enterprise=enterprise, year=year).first()
    )
    if report is not None and not report.is_editable:
        raise ReportError(
            _("该报表%(value)s，不能再修改。") % {"value": report.get_status_display()}
        )
    check = check_values(enterprise, year, values, comment, complete=False)
    if not check.ok:
        raise ReportInvalid(check)
    created = report is None
    if created:
        report = YearlyReport(enterprise=enterprise, year=year, status=ReportStatus.DRAFT)
    for spec in REPORT_FIELDS:
        value = values.get(spec.name)
        setattr(report, spec.name, bool(value) if spec.kind == "bool" else value)
    report.comment = comment
    mark_change(report, "填报")
    report.save()
    if created:
        _record_step(report, ReviewAction.CREATE, "", user)
        carry_scale_status(report, user)
    return report


def _record_step(report: YearlyReport, action: str, from_status: str, user, comment: str = ""):
    ReviewStep.objects.create(
        report=report,
        action=action,
        from_status=from_status,
        to_status=report.status,
        actor=user if getattr(user, "is_authenticated", False) else None,
        comment=comment,
    )


def _move(
    report: YearlyReport, to_status: str, action: str, user, comment: str = ""
) -> YearlyReport:
    from_status = report.status
    report.status = to_status
    mark_change(report, str(ReviewAction(action).label))
    report.save(update_fields=["status", "updated_at"])
    _record_step(report, action, from_status, user, comment)
    return report


def _locked_report(report: YearlyReport) -> YearlyReport:
    return (
        YearlyReport.objects.select_for_update()
        .select_related("enterprise__region")
        .get(pk=report.pk)
    )


@transaction.atomic
def submit_report(report: YearlyReport, user) -> YearlyReport:
    report = _locked_report(report)
    if not may_fill_in(user, report.enterprise):
        raise ReportForbidden(_("您不能提交该企业的数据。"))
    ensure_year_open(report.year)
    if report.status not in EDITABLE_STATUSES:
        raise ReportError(
            _("该报表%(value)s，不能重复提交。") % {"value": report.get_status_display()}
        )
    check = check_values(report.enterprise, report.year, report_values(report), report.comment)
    if not check.ok:
        raise ReportInvalid(check)
    carry_scale_status(report, user)
    report = _move(report, ReportStatus.SUBMITTED, ReviewAction.SUBMIT, user)
    notify(
        district_officers(report.enterprise.region),
        f"{report.enterprise.name}提交了{report.year}年智能制造数据，待区县审核。",
        report_url(report),
    )
    return report


@transaction.atomic
def withdraw_report(report: YearlyReport, user, reason: str = "") -> YearlyReport:
    """撤回: the enterprise takes back a report the district has not reviewed yet; it becomes a
    draft again, to correct and submit anew."""
    report = _locked_report(report)
    if not may_fill_in(user, report.enterprise):
        raise ReportForbidden(_("您不能撤回该企业的数据。"))
    ensure_year_open(report.year)
    if report.status != ReportStatus.SUBMITTED:
        raise ReportError(
            _("该报表状态为「%(status)s」，只有等待区县审核的报表可以撤回。")
            % {"status": report.get_status_display()}
        )
    report = _move(report, ReportStatus.DRAFT, ReviewAction.WITHDRAW, user, reason.strip())
    notify(
        district_officers(report.enterprise.region),
        f"{report.enterprise.name}撤回了{report.year}年智能制造数据，暂不需要审核。",
        report_url(report),
    )
    return report


def _is_officer_of(user, report: YearlyReport) -> bool:
    return (
        getattr(user, "role", None) == Role.DISTRICT
        and user.region_id is not None
        and report.enterprise.region.path.startswith(user.region.path)
    )


@transaction.atomic
def approve_report(report: YearlyReport, user, comment: str = "") -> YearlyReport:
    """District officer: submitted → district approved. City admin: district approved → city
    approved, which makes the figures count and locks them."""
    report = _locked_report(report)
    ensure_year_open(report.year)
    if report.status == ReportStatus.SUBMITTED and _is_officer_of(user, report):
        report = _move(
            report, ReportStatus.DISTRICT_APPROVED, ReviewAction.DISTRICT_APPROVE, user, comment
        )
        _notify_members(report, f"{report.year}年智能制造数据已通过区县审核，待市级审核。")
        notify(
            city_admins(),
            f"{report.enterprise.name}的{report.year}年智能制造数据已通过区县审核，待市级审核。",
            report_url(report),
        )
        return report
    if report.status == ReportStatus.DISTRICT_APPROVED and is_city_admin(user):
        report = _move(report, ReportStatus.CITY_APPROVED, ReviewAction.CITY_APPROVE, user, comment)
        queue_recompute(report, user)
        _notify_members(report, f"{report.year}年智能制造数据已通过市级审核。")
        return report
    raise ReportError(_("该报表%(value)s，您不能审核。") % {"value": report.get_status_display()})


@transaction.atomic
def approve_reports(reports, user, comment: str = "") -> list[YearlyReport]:
    """批量通过: approve each report as approve_report would, each with its own step; all or
    nothing: one that cannot be approved refuses the batch, naming it."""
    approved = []
    for report in sorted(reports, key=lambda r: r.pk):
        try:
            approved.append(approve_report(report, user, comment))
        except ReportError as exc:
            raise ReportError(
                _("「%(name)s」%(year)s年：%(reason)s 本批均未通过，请取消勾选后重试。")
                % {"name": report.enterprise.name, "year": report.year, "reason": exc}
            ) from exc
    return approved


def waiting_statuses(user) -> list[str]:
    """The statuses of the reports that wait for `user`'s review."""
    if is_city_admin(user):
        return [ReportStatus.DISTRICT_APPROVED]
    if getattr(user, "role", None) == Role.DISTRICT:
        return [ReportStatus.SUBMITTED]
    return []


def next_waiting_report(user, after: YearlyReport | None = None) -> YearlyReport | None:
    """The next report waiting for `user`, in the review queue's order (year, enterprise name),
    after `after` when given, else the first (a queue seen from its start again)."""
    waiting = waiting_statuses(user)
    if not waiting:
        return None
    queue = (
        scope_queryset(user, YearlyReport.objects.filter(status__in=waiting))
        .select_related("enterprise")
        .order_by("year", "enterprise__name", "pk")
    )
    if after is not None:
        queue = queue.exclude(pk=after.pk)
        later = queue.filter(
            Q(year__gt=after.year)
            | Q(year=after.year, enterprise__name__gt=after.enterprise.name)
            | Q(year=after.year, enterprise__name=after.enterprise.name, pk__gt=after.pk)
        ).first()
        if later is not None:
            return later
    return queue.first()


@transaction.atomic
def return_report(report: YearlyReport, user, reason: str) -> YearlyReport:
    """Send a report back to the enterprise with a reason: the district officer a submitted
    report, the city admin any report under review or already approved (the year being open)."""
    if not reason.strip():
        raise ReportError(_("退回必须填写原因。"))
    report = _locked_report(report)
    ensure_year_open(report.year)
    allowed = (report.status == ReportStatus.SUBMITTED and _is_officer_of(user, report)) or (
        is_city_admin(user) and report.status not in EDITABLE_STATUSES
    )
    if not allowed:
        raise ReportError(
            _("该报表%(value)s，您不能退回。") % {"value": report.get_status_display()}
        )
    was_counted = report.status == ReportStatus.CITY_APPROVED
    district_approved = report.status != ReportStatus.SUBMITTED
    report = _move(report, ReportStatus.RETURNED, ReviewAction.RETURN, user, reason)
    if was_counted:
        queue_recompute(report, user)
    _notify_members(report, f"{report.year}年智能制造数据被退回修改：{reason.strip()}")
    if district_approved:  # the city overturns what the district approved: it hears of it
        notify(
            district_officers(report.enterprise.region),
            f"{report.enterprise.name}的{report.year}年智能制造数据被市级退回：{reason.strip()}",
            report_url(report),
        )
    return report


def latest_return_steps(reports) -> list[ReviewStep]:
    """Each returned report's latest return step (its reason), by year; one query."""
    if not reports:
        return []
    latest = {}
    steps = ReviewStep.objects.filter(report__in=reports, action=ReviewAction.RETURN)
    for step in steps.select_related("report").order_by("created_at", "id"):
        latest[step.report_id] = step
    return sorted(latest.values(), key=lambda step: step.report.year)


# --- who is told ----------------------------------------------------------------------


def report_url(report: YearlyReport) -> str:
    return reverse("enterprises:report", args=[report.enterprise_id, report.year])


def _notify_members(report: YearlyReport, text: str) -> None:
    notify(
        report.enterprise.members.filter(is_active=True),
        f"{report.enterprise.name}：{text}",
        report_url(report),
    )


def queue_recompute(report: YearlyReport, user) -> None:
    """The indicators of the report's district and year change when it starts or stops
    counting: queue their recomputation (in the same transaction, so it runs only if the
    approval is kept). The engine registers the task; this app only names it. The payload says
    which report started (+1, city approval) or stopped (-1, return) counting, and its
    `updated_at` as this change left it, so the engine can apply that one report's figures."""
    enqueue(
        RECOMPUTE_TASK,
        {
            "year": report.year,
            "district": report.enterprise.region_id,
            "report": report.pk,
            "sign": 1 if report.status == ReportStatus.CITY_APPROVED else -1,
            "changed_at": report.updated_at.isoformat(),
            "title": "重算指标",
        },
        user,
    )


def next_action_for(user, report: YearlyReport) -> list[str]:
    """The review actions `user` may take on `report` now (for the page's buttons)."""
    actions = []
    if report.is_editable and may_fill_in(user, report.enterprise):
        actions.append(ReviewAction.SUBMIT)
    if report.status == ReportStatus.SUBMITTED and may_fill_in(user, report.enterprise):
        actions.append(ReviewAction.WITHDRAW)
    if report.status == ReportStatus.SUBMITTED and _is_officer_of(user, report):
        actions += [ReviewAction.DISTRICT_APPROVE, ReviewAction.RETURN]
    if is_city_admin(user):
        if report.status == ReportStatus.DISTRICT_APPROVED:
            actions.append(ReviewAction.CITY_APPROVE)
        if not report.is_editable:
            actions.append(ReviewAction.RETURN)
    return actions


# --- 规上状态 (above-scale status) -------------------------------------------------------


def carry_scale_status(report: YearlyReport, user) -> ScaleStatus | None:
    """A report of a year without an above-scale status takes over the latest earlier year's
    (the form does not ask 是否规上); the city admin confirms or changes it (set_scale_status).
    Without an earlier status there is nothing to carry: the report waits in the city's list of
    reports lacking one."""
    if ScaleStatus.objects.filter(enterprise_id=report.enterprise_id, year=report.year).exists():
        return None
    earlier = (
        ScaleStatus.objects.filter(enterprise_id=report.enterprise_id, year__lt=report.year)
        .order_by("-year")
        .first()
    )
    if earlier is None:
        return None
    status = ScaleStatus(
        enterprise_id=report.enterprise_id, year=report.year, above_scale=earlier.above_scale
    )
    mark_change(status, f"沿用{earlier.year}年的规上状态")
    status.save()
    _record_step(
        report,
        ReviewAction.SCALE,
        report.status,
        user,
        f"沿用{earlier.year}年：{'规上企业' if earlier.above_scale else '规下企业'}",
    )
    return status


@transaction.atomic
def set_scale_status(
    enterprise: Enterprise, year: int, above_scale: bool, user, reason: str = ""
) -> ScaleStatus:
    """The city admin sets whether the enterprise was above scale in `year` (recorded in the
    status's history and, when there is a report, as a step of it). An approved report's
    figures start or stop counting in the 规上 indicators: they are recomputed."""
    if not is_city_admin(user):
        raise ReportForbidden(_("只有市级管理员可以设定企业的规上状态。"))
    ensure_year_open(year)
    status = (
        ScaleStatus.objects.select_for_update().filter(enterprise=enterprise, year=year).first()
    )
    before = None if status is None else status.above_scale
    if before is above_scale:
        return status
    status = status or ScaleStatus(enterprise=enterprise, year=year)
    status.above_scale = above_scale
    word = "规上企业" if above_scale else "规下企业"
    was = {None: "未设定", True: "规上企业", False: "规下企业"}[before]
    mark_change(status, reason.strip() or f"市级设定为{word}（原：{was}）")
    status.save()
    report = YearlyReport.objects.filter(enterprise=enterprise, year=year).first()
    if report is not None:
        note = f"设为{word}（原：{was}）" + (f"：{reason.strip()}" if reason.strip() else "")
        _record_step(report, ReviewAction.SCALE, report.status, user, note)
        if report.status == ReportStatus.CITY_APPROVED:
            enqueue(
                RECOMPUTE_TASK,
                {"year": year, "district": enterprise.region_id, "title": "重算指标"},
                user,
            )
    return status


def reports_lacking_scale_status(user):
    """City-approved reports whose enterprise has no above-scale status for the year: they are
    left out of every 规上 indicator until the city sets one."""
    has_status = ScaleStatus.objects.filter(
        enterprise_id=OuterRef("enterprise_id"), year=OuterRef("year")
    )
    return scope_queryset(
        user,
        YearlyReport.objects.filter(status=ReportStatus.CITY_APPROVED).filter(~Exists(has_status)),
    )
