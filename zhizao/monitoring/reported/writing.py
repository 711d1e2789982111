"""Writing reported values: `apply_values` (all of a checked file in one transaction, with
history, or nothing), `import_values` (read, check and write, for the command line) and
`approve_reported_value` (the city's approval of one submitted value); each recomputes the
indicator values whose approved figures changed."""

import os

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from zhizao.core.roles import is_city_admin
from zhizao.core.services import mark_change
from zhizao.enterprises.importing.rows import ImportFileError, ImportIssue
from zhizao.monitoring.engine import recompute
from zhizao.monitoring.models import ReportedStatus, ReportedValue
from zhizao.monitoring.reported.checking import (
    ValuesPreview,
    _count,
    _user_refusal,
    check_values,
)
from zhizao.monitoring.reported.planning import _actor, _existing, _plan_writes, _Writes
from zhizao.monitoring.reported.reading import read_values_file
from zhizao.plans.models import Plan

# --- errors -------------------------------------------------------------------------


class ReportedValueError(Exception):
    """A reported-value action that is not allowed; the message says why, in Chinese."""


class ReportedValueForbidden(ReportedValueError):
    """The user may not take this action at all."""


class ValuesRefused(ReportedValueError):
    """apply_values refused to write: errors in the preview, or data changed since."""


# --- writing ------------------------------------------------------------------------


def _same_user(a, b) -> bool:
    return getattr(a, "pk", a) == getattr(b, "pk", b)


def apply_values(preview: ValuesPreview, user, approve: bool = False) -> ValuesPreview:
    """Write the checked values in one transaction, with history, or nothing; then recompute
    the plan's indicator values for the years whose approved figures changed.

    The stored values are re-read and locked inside the transaction, so that what is written
    is decided against the data as it is then, not as it was at the preview."""
    if preview.errors:
        raise ValuesRefused(
            _("导入文件有 %(errors)s 处错误，未写入任何数据。") % {"errors": len(preview.errors)}
        )
    if preview.applied:
        raise ValuesRefused(_("这次导入已经写入过了。"))
    if not _same_user(preview.user, user):
        raise ValuesRefused(_("预览与导入须由同一用户进行，请重新上传预览。"))
    refusal = _user_refusal(user, approve)
    if refusal:
        raise ReportedValueForbidden(refusal)
    try:
        with transaction.atomic():
            writes = _plan_writes(
                preview.entries, _existing(preview.entries, lock=True), user, approve
            )
            _write(writes, user, preview.source)
            years = sorted(writes.recompute_years)
            if years:
                recompute(preview.plan, years=years)
    except IntegrityError:
        raise ValuesRefused(
            _(
                "写入时发现数据在预览之后已被他人修改（如同一指标、地区和期间已有上报值），未写入任何数据，请重新导入。"
            )
        ) from None
    _count(preview, writes)
    preview.approve = approve
    preview.applied = True
    preview.recomputed_years = years
    return preview


def _write(writes: _Writes, user, source: str) -> None:
    history = {
        "default_user": _actor(user),
        "default_change_reason": (f"导入：{source}" if source else "导入")[:100],
        "default_date": timezone.now(),
    }
    if writes.new:
        bulk_create_with_history(writes.new, ReportedValue, batch_size=500, **history)
    groups: dict[tuple, list] = {}
    for stored, fields in writes.changed:
        groups.setdefault(fields, []).append(stored)
    for fields, objs in groups.items():
        bulk_update_with_history(objs, ReportedValue, list(fields), batch_size=500, **history)


def import_values(
    path, plan: Plan, user=None, *, approve: bool = False, filename: str | None = None
) -> ValuesPreview:
    """Read, check and (when there are no errors) write a file. A file that cannot be read,
    or a write that is refused, comes back as a preview whose errors say why."""
    source = filename or os.path.basename(str(getattr(path, "name", path)))
    try:
        rows = read_values_file(path, filename)
    except ImportFileError as exc:
        return ValuesPreview(plan=plan, errors=list(exc.issues), user=user, source=source)
    preview = check_values(rows, plan, user, approve=approve, source=source)
    if preview.ok:
        try:
            apply_values(preview, user, approve)
        except ReportedValueError as exc:
            preview.errors.append(ImportIssue(None, "", "", str(exc)))
    return preview


# --- approval -----------------------------------------------------------------------


@transaction.atomic
def approve_reported_value(value: ReportedValue, user) -> ReportedValue:
    """The city admin approves a submitted value, which makes it count: the indicator values
    of its year are recomputed in the same transaction."""
    if not is_city_admin(user):
        raise ReportedValueForbidden(_("只有市级管理员可以审核上报值。"))
    value = (
        ReportedValue.objects.select_for_update()
        .select_related("indicator__plan", "region")
        .get(pk=value.pk)
    )
    if value.status == ReportedStatus.APPROVED:
        raise ReportedValueError(_("该上报值已审核通过，无需重复审核。"))
    value.status = ReportedStatus.APPROVED
    value.approved_by = user
    value._history_user = user
    mark_change(value, "市级审核通过")
    value.save(update_fields=["status", "approved_by"])
    recompute(value.indicator.plan, years=[value.year])
    return value
