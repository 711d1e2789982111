"""Bulk entry from Excel: download the template, upload, preview every row's problems, confirm.

The uploaded file is kept in a private folder (never under a public URL) between the preview and
the confirmation, named by a random token held in the uploader's session; confirming reads and
checks it again, so what is written is what the checks passed at that moment. Checking and
writing run as background tasks (core.tasks), whose page shows their progress."""

import secrets
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhizao.core.models import Task, TaskStatus
from zhizao.core.roles import Role, is_city_admin
from zhizao.core.scoping import scope_queryset
from zhizao.core.tasks import enqueue
from zhizao.core.xlsx import XLSX_CONTENT_TYPE
from zhizao.enterprises.importing import MAX_UPLOAD_BYTES
from zhizao.enterprises.tasks import APPLY_TASK, PREVIEW_TASK
from zhizao.enterprises.template_xlsx import template_workbook_bytes

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
            context["error"] = _("请选择要导入的文件。")
        elif suffix not in ALLOWED_SUFFIXES:
            context["error"] = _("不支持「%(value)s」格式，请上传 .xlsx、.xls 或 .csv 文件。") % {
                "value": suffix or upload.name
            }
        elif upload.size > MAX_UPLOAD_BYTES:
            context["error"] = _("文件过大（%(value)s MB），上限为 %(value2)s MB。") % {
                "value": format(upload.size / 1024 / 1024, ".1f"),
                "value2": context["max_mb"],
            }
        else:
            token = secrets.token_hex(16) + suffix
            path = _upload_dir() / token
            with path.open("wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            _discard(request)
            task = enqueue(
                PREVIEW_TASK,
                {"path": str(path), "filename": upload.name, "title": f"检查「{upload.name}」"},
                request.user,
            )
            request.session[SESSION_KEY] = {
                "token": token,
                "filename": upload.name,
                "preview_task": task.pk,
            }
            return redirect("core:task", pk=task.pk)
    return render(request, "enterprises/import_upload.html", context)


@login_required
@require_GET
def import_preview(request):
    """The checked file's counts and errors, from the background check; the confirmation
    button only when there is no error."""
    if not _may_import(request.user):
        raise Http404
    stored, pending = _stored(request), request.session.get(SESSION_KEY) or {}
    task = _scoped_task(request, pending.get("preview_task"))
    if stored is None or task is None:
        return redirect("enterprises:import")
    if not task.finished:
        return redirect("core:task", pk=task.pk)
    if task.status == TaskStatus.FAILED:
        _discard(request)
        return render(
            request,
            "enterprises/import_upload.html",
            {"error": task.error, "max_mb": MAX_UPLOAD_BYTES // (1024 * 1024)},
        )
    return render(
        request,
        "enterprises/import_preview.html",
        {"preview": task.result, "filename": stored[1], "errors": task.result["errors"]},
    )


@login_required
@require_POST
def import_confirm(request):
    """Write the file in the background (checked once more first); the task page shows how far
    it got and what it wrote."""
    if not _may_import(request.user):
        raise Http404
    stored = _stored(request)
    if stored is None:
        messages.error(request, _("没有待确认的导入，请重新上传文件。"))
        return redirect("enterprises:import")
    path, filename = stored
    task = enqueue(
        APPLY_TASK,
        {"path": str(path), "filename": filename, "title": f"导入「{filename}」"},
        request.user,
    )
    request.session.pop(SESSION_KEY, None)  # the file now belongs to the task, which removes it
    return redirect("core:task", pk=task.pk)


def _scoped_task(request, pk) -> Task | None:
    if not pk:
        return None
    return scope_queryset(request.user, Task.objects.filter(pk=pk)).first()


def _discard(request) -> None:
    stored = _stored(request)
    if stored is not None:
        stored[0].unlink(missing_ok=True)
    request.session.pop(SESSION_KEY, None)
