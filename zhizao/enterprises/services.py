"""enterprises services: the registry, the yearly report and its review, and year locks.

Every function that changes a record owns its transaction and writes the review step or history
entry that goes with it; views, API, commands and the import only parse input and call these."""

import unicodedata

from django.conf import settings
from django.db import transaction
from stdnum.cn import uscc as uscc_number
from stdnum.exceptions import InvalidChecksum, InvalidLength, ValidationError

from zhizao.core.roles import Role, is_city_admin
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
        raise ValueError("统一社会信用代码不能为空。")
    try:
        return uscc_number.validate(code)
    except InvalidLength:
        raise ValueError(f"统一社会信用代码「{code}」应为 18 位，实际 {len(code)} 位。") from None
    except InvalidChecksum:
        raise ValueError(f"统一社会信用代码「{code}」校验位不正确，请核对是否抄错。") from None
    except ValidationError:
        raise ValueError(
            f"统一社会信用代码「{code}」格式不正确（含有不允许的字符或登记管理部门代码）。"
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
            f"{year}年的数据已由市级锁定，不能修改或导入；如需修改请联系市经信局解锁。"
        )


@transaction.atomic
def lock_year(year: int, user, reason: str = "") -> YearLock:
    return _set_year_lock(year, user, True, reason or "锁定年度数据")


@transaction.atomic
def unlock_year(year: int, user, reason: str) -> YearLock:
    if not reason.strip():
        raise ReportError("解锁年度数据须说明原因。")
    return _set_year_lock(year, user, False, reason)


def _set_year_lock(year: int, user, locked: bool, reason: str) -> YearLock:
    if not is_city_admin(user):
        raise ReportForbidden("只有市级管理员可以锁定或解锁年度数据。")
    if year not in reporting_years():
        raise ReportError(f"年份 {year} 不在方案年份内。")
    lock = YearLock.objects.select_for_update().filter(year=year).first() or YearLock(year=year)
    lock.locked, lock.changed_by, lock.reason = locked, user, reason
    mark_change(lock, reason)
    lock.save()
    return lock


# --- the report ---------------------------------------------------------------------


def previous_values(enterprise: Enterprise, year: int) -> dict | None:
    previous = YearlyReport.objects.filter(enterprise=enterprise, year=year - 1).first()
    return report_values(previous) if previous else None


def check_values(enterprise: Enterprise, year: int, values: dict, comment: str = "") -> ReportCheck:
    return check_report(
        values,
        year=year,
        years=reporting_years(),
        previous=previous_values(enterprise, year),
        comment=comment,
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
    """Create or update the enterprise's draft for `year`; refuses values that fail the checks."""
    if not may_fill_in(user, enterprise):
        raise ReportForbidden("您不能填报该企业的数据。")
    ensure_year_open(year)
    report = (
        YearlyReport.objects.select_for_update().filter(enterprise=enterprise, year=year).first()
    )
    if report is not None and not report.is_editable:
        raise ReportError(f"该报表{report.get_status_display()}，不能再修改。")
    check = check_values(enterprise, year, values, comment)
    if not check.ok:
        raise ReportInvalid(check)
    created = report is None
    if created:
        report = YearlyReport(enterprise=enterprise, year=year, status=ReportStatus.DRAFT)
    for spec in REPORT_FIELDS:
        setattr(report, spec.name, values[spec.name])
    report.comment = comment
    mark_change(report, "填报")
    report.save()
    if created:
        _record_step(report, ReviewAction.CREATE, "", user)
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
        raise ReportForbidden("您不能提交该企业的数据。")
    ensure_year_open(report.year)
    if report.status not in EDITABLE_STATUSES:
        raise ReportError(f"该报表{report.get_status_display()}，不能重复提交。")
    check = check_values(report.enterprise, report.year, report_values(report), report.comment)
    if not check.ok:
        raise ReportInvalid(check)
    return _move(report, ReportStatus.SUBMITTED, ReviewAction.SUBMIT, user)


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
        return _move(
            report, ReportStatus.DISTRICT_APPROVED, ReviewAction.DISTRICT_APPROVE, user, comment
        )
    if report.status == ReportStatus.DISTRICT_APPROVED and is_city_admin(user):
        report = _move(report, ReportStatus.CITY_APPROVED, ReviewAction.CITY_APPROVE, user, comment)
        queue_recompute(report, user)
        return report
    raise ReportError(f"该报表{report.get_status_display()}，您不能审核。")


@transaction.atomic
def return_report(report: YearlyReport, user, reason: str) -> YearlyReport:
    """Send a report back to the enterprise with a reason: the district officer a submitted
    report, the city admin any report under review or already approved (the year being open)."""
    if not reason.strip():
        raise ReportError("退回必须填写原因。")
    report = _locked_report(report)
    ensure_year_open(report.year)
    allowed = (report.status == ReportStatus.SUBMITTED and _is_officer_of(user, report)) or (
        is_city_admin(user) and report.status not in EDITABLE_STATUSES
    )
    if not allowed:
        raise ReportError(f"该报表{report.get_status_display()}，您不能退回。")
    was_counted = report.status == ReportStatus.CITY_APPROVED
    report = _move(report, ReportStatus.RETURNED, ReviewAction.RETURN, user, reason)
    if was_counted:
        queue_recompute(report, user)
    return report


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
    if report.status == ReportStatus.SUBMITTED and _is_officer_of(user, report):
        actions += [ReviewAction.DISTRICT_APPROVE, ReviewAction.RETURN]
    if is_city_admin(user):
        if report.status == ReportStatus.DISTRICT_APPROVED:
            actions.append(ReviewAction.CITY_APPROVE)
        if not report.is_editable:
            actions.append(ReviewAction.RETURN)
    return actions
