"""Bulk entry from Excel: download the template, upload, preview every row's problems, confirm.

The uploaded file is kept in a private folder (never under a public URL) between the preview and
the confirmation, named by a random token held in the uploader's session; confirming reads and
checks it again, so what is written is what the checks passed at that moment."""

import secrets
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhizao.core.roles import Role, is_city_admin
from zhizao.enterprises.imports import (
    MAX_UPLOAD_BYTES,
    ImportFileError,
    apply_import,
    preview_import,
    read_workbook,
)
from zhizao.enterprises.template_xlsx import template_workbook_bytes
from zhizao.plans.workbooks import XLSX_CONTENT_TYPE

SESSION_KEY = "enterprise_import"
ALLOWED_SUFFIXES = {".xlsx", ".xls", ".csv"}


def _may_import(user) -> bool:
    return is_city_admin(user) or getattr(user, "role", None) == Role.DISTRICT


def _upload_dir() -> Path:
    path = Path(settings.VAR_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _stored(request) -> tuple[Path, str] | None:
    pending = request.session.get(SESSION_KEY)
    if not pending:
        return None
    path = _upload_dir() / pending["token"]
    return (path, pending["filename"]) if path.is_file() else None


@login_required
@require_GET
def import_template(request):
    if not _may_import(request.user):
        raise Http404
    response = HttpResponse(template_workbook_bytes(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = (
        'attachment; filename="enterprise-report-template.xlsx"; '
        "filename*=UTF-8''%E4%BC%81%E4%B8%9A%E5%B9%B4%E5%BA%A6%E6%95%B0%E6%8D%AE%E6%A8%A1%E6%9D%BF.xlsx"
    )
    return response


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request):
    if not _may_import(request.user):
        raise Http404
    context = {"max_mb": MAX_UPLOAD_BYTES // (1024 * 1024)}
    if request.method == "POST":
        upload = request.FILES.get("file")
        suffix = Path(upload.name).suffix.lower() if upload else ""
        if upload is None:
            context["error"] = "请选择要导入的文件。"
        elif suffix not in ALLOWED_SUFFIXES:
            context["error"] = (
                f"不支持「{suffix or upload.name}」格式，请上传 .xlsx、.xls 或 .csv 文件。"
            )
        elif upload.size > MAX_UPLOAD_BYTES:
            context["error"] = (
                f"文件过大（{upload.size / 1024 / 1024:.1f} MB），上限为 {context['max_mb']} MB。"
            )
        else:
            token = secrets.token_hex(16) + suffix
            path = _upload_dir() / token
            with path.open("wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            _discard(request)
            request.session[SESSION_KEY] = {"token": token, "filename": upload.name}
            return redirect("enterprises:import_preview")
    return render(request, "enterprises/import_upload.html", context)


@login_required
@require_GET
def import_preview(request):
    if not _may_import(request.user):
        raise Http404
    stored = _stored(request)
    if stored is None:
        return redirect("enterprises:import")
    path, filename = stored
    try:
        preview = preview_import(read_workbook(path, filename), request.user, source=filename)
    except ImportFileError as exc:
        _discard(request)
        return render(request, "enterprises/import_upload.html", {"error": str(exc)})
    return render(
        request,
        "enterprises/import_preview.html",
        {"preview": preview, "filename": filename, "errors": preview.errors[:500]},
    )


@login_required
@require_POST
def import_confirm(request):
    if not _may_import(request.user):
        raise Http404
    stored = _stored(request)
    if stored is None:
        messages.error(request, "没有待确认的导入，请重新上传文件。")
        return redirect("enterprises:import")
    path, filename = stored
    try:
        preview = preview_import(read_workbook(path, filename), request.user, source=filename)
        if preview.errors:
            messages.error(request, "文件仍有错误，未写入任何数据。")
            return redirect("enterprises:import_preview")
        result = apply_import(preview, request.user)
    except ImportFileError as exc:
        messages.error(request, str(exc))
        return redirect("enterprises:import")
    _discard(request)
    messages.success(
        request,
        f"已导入「{filename}」：新建 {result.created} 条，更新 {result.updated} 条，未变 {result.unchanged} 条。",
    )
    return redirect("enterprises:list")


def _discard(request) -> None:
    stored = _stored(request)
    if stored is not None:
        stored[0].unlink(missing_ok=True)
    request.session.pop(SESSION_KEY, None)
