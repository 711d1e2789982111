"""Background tasks of the enterprise registry: checking and writing an uploaded workbook."""

from pathlib import Path

from django.urls import reverse
from django.utils.translation import gettext as _

from zhizao.core.tasks import TaskFailed, enqueue, register
from zhizao.enterprises.importing import (
    ImportFileError,
    apply_import,
    preview_import,
    read_workbook,
)
from zhizao.enterprises.services import RECOMPUTE_TASK

PREVIEW_TASK = "enterprises.import_preview"
APPLY_TASK = "enterprises.import_apply"
SHOWN_ERRORS = 500


def _read(task, report):
    path, filename = Path(task.payload["path"]), task.payload["filename"]
    if not path.is_file():
        raise TaskFailed(_("上传的文件已不存在，请重新上传。"))
    report(5, f"正在读取「{filename}」…")
    try:
        rows = read_workbook(path, filename)
    except ImportFileError as exc:
        raise TaskFailed(str(exc)) from None
    report(30, f"正在检查 {len(rows)} 行数据…")
    return rows, filename


@register(PREVIEW_TASK)
def check_import_file(task, report) -> dict:
    """Read and check the whole file, writing nothing; the preview page shows the result."""
    rows, filename = _read(task, report)
    preview = preview_import(rows, task.created_by, source=filename)
    summary = preview.summary()
    errors = summary.pop("errors")
    return {
        **summary,
        "invalid": preview.invalid,
        "error_count": len(errors),
        "errors": errors[:SHOWN_ERRORS],
        "summary": f"检查完毕：{summary['rows']} 行，错误 {len(errors)} 处。",
        "next_url": reverse("enterprises:import_preview"),
    }


@register(APPLY_TASK)
def write_import_file(task, report) -> dict:
    """Check the file again (the database may have changed since the preview) and write it all,
    or nothing when any row fails."""
    rows, filename = _read(task, report)
    preview = preview_import(rows, task.created_by, source=filename)
    if preview.errors:
        raise TaskFailed(
            _("文件有 %(errors)s 处错误，未写入任何数据，请重新上传检查。")
            % {"errors": len(preview.errors)}
        )
    report(60, f"正在写入 {preview.rows} 行…")
    result = apply_import(preview, task.created_by)
    Path(task.payload["path"]).unlink(missing_ok=True)
    if result.created or result.updated:
        enqueue(RECOMPUTE_TASK, {"title": "重算指标"}, task.created_by)
    return {
        "rows": result.rows,
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "summary": f"已导入「{filename}」：新建 {result.created} 条，更新 {result.updated} 条，"
        f"未变 {result.unchanged} 条。",
        "link_url": reverse("enterprises:list"),
        "link_text": "打开企业库",
    }
