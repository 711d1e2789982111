"""Writing a preview's plan: all of it in one transaction, with history, or nothing; and
`import_file`, which reads, checks and writes a file in one call."""

import os
from collections import defaultdict

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from zhizao.enterprises.importing.files import read_workbook
from zhizao.enterprises.importing.preview import (
    CHUNK,
    ImportPreview,
    _chunks,
    preview_import,
)
from zhizao.enterprises.importing.rows import ImportFileError, ImportIssue, ImportRefused
from zhizao.enterprises.models import (
    Enterprise,
    ReviewAction,
    ReviewStep,
    ScaleStatus,
    YearlyReport,
)

WRITE_CHUNK = 2000  # objects (and their history rows) held in memory at once while writing


def _actor(user):
    return user if getattr(user, "is_authenticated", False) else None


def _same_user(a, b) -> bool:
    return getattr(a, "pk", a) == getattr(b, "pk", b)


def apply_import(preview: ImportPreview, user) -> ImportPreview:
    """Write what the preview planned, all in one transaction; refuses a preview with errors."""
    if preview.errors:
        raise ImportRefused(
            _("导入文件有 %(errors)s 处错误，未写入任何数据。") % {"errors": len(preview.errors)}
        )
    if preview.applied:
        raise ImportRefused(_("这次导入已经写入过了。"))
    if not _same_user(preview.user, user):
        raise ImportRefused(_("预览与导入须由同一用户进行，请重新上传预览。"))
    try:
        with transaction.atomic():
            _write(preview, user)
    except IntegrityError:
        raise ImportRefused(
            _(
                "写入时发现数据在预览之后已被修改（如同一企业已被他人新建），未写入任何数据，请重新上传预览。"
            )
        ) from None
    preview.applied = True
    return preview


def _write(preview: ImportPreview, user) -> None:
    writes = preview.writes
    actor = _actor(user)
    stamp = timezone.now()
    reason = f"导入：{preview.source}" if preview.source else "导入"
    reason = reason[:100]
    history = {"default_user": actor, "default_change_reason": reason, "default_date": stamp}

    for chunk in _chunks(writes.new_enterprises, WRITE_CHUNK):
        bulk_create_with_history(chunk, Enterprise, batch_size=CHUNK, **history)
    _bulk_update(writes.changed_enterprises, Enterprise, history)

    for scale in writes.new_scales:
        scale.enterprise_id = scale.enterprise.pk
    for chunk in _chunks(writes.new_scales, WRITE_CHUNK):
        bulk_create_with_history(chunk, ScaleStatus, batch_size=CHUNK, **history)
    for chunk in _chunks(writes.changed_scales, WRITE_CHUNK):
        bulk_update_with_history(chunk, ScaleStatus, ["above_scale"], batch_size=CHUNK, **history)

    comment = f"从文件「{preview.source}」导入" if preview.source else "导入"
    for chunk in _chunks(writes.new_reports, WRITE_CHUNK):
        for report in chunk:
            report.enterprise_id = report.enterprise.pk
        created = bulk_create_with_history(chunk, YearlyReport, batch_size=CHUNK, **history)
        ReviewStep.objects.bulk_create(
            [_step(r, "", actor, comment) for r in created], batch_size=CHUNK
        )
    for report, _fields, _step_kind in writes.changed_reports:
        report.updated_at = stamp
    changed = [(r, (*fields, "updated_at")) for r, fields, _ in writes.changed_reports]
    _bulk_update(changed, YearlyReport, history)
    steps = [_step(r, from_status, actor, comment) for r, _, from_status in writes.changed_reports]
    ReviewStep.objects.bulk_create(steps, batch_size=CHUNK)


def _step(report: YearlyReport, from_status: str, actor, comment: str) -> ReviewStep:
    return ReviewStep(
        report=report,
        action=ReviewAction.IMPORT,
        from_status=from_status,
        to_status=report.status,
        actor=actor,
        comment=comment,
    )


def _bulk_update(changes: list, model, history: dict) -> None:
    """bulk_update by the set of fields that change, so that each statement sets only those."""
    groups: dict[tuple, list] = defaultdict(list)
    for obj, fields in changes:
        groups[tuple(sorted(set(fields)))].append(obj)
    for fields, objs in groups.items():
        for chunk in _chunks(objs, WRITE_CHUNK):
            bulk_update_with_history(chunk, model, list(fields), batch_size=CHUNK, **history)


# --- all three at once --------------------------------------------------------------


def import_file(
    path, user=None, dry_run: bool = False, filename: str | None = None
) -> ImportPreview:
    """Read, check and (unless `dry_run` or there are errors) write a file. A file that cannot
    be read comes back as a preview whose errors say why, so every caller reports one way."""
    path_name = filename or os.path.basename(str(getattr(path, "name", path)))
    try:
        rows = read_workbook(path, filename)
    except ImportFileError as exc:
        return ImportPreview(errors=list(exc.issues), source=path_name, user=user)
    preview = preview_import(rows, user, source=path_name)
    del rows
    if preview.ok and not dry_run:
        try:
            apply_import(preview, user)
        except ImportRefused as exc:
            preview.errors.append(ImportIssue(None, "", "", str(exc)))
    return preview
