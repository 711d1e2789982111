from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from zhizao.core.models import Notification, Task
from zhizao.core.notifications import mark_read
from zhizao.core.scoping import get_scoped_object_or_404, scope_queryset


@login_required
@require_GET
def task_detail(request, pk: int):
    task = get_scoped_object_or_404(request.user, Task.objects.all(), pk=pk)
    return render(request, "core/task_detail.html", {"task": task})


@login_required
@require_GET
def task_progress(request, pk: int):
    """The progress fragment the task page polls; once the task is done and has a page of its
    own result, the browser is sent there."""
    task = get_scoped_object_or_404(request.user, Task.objects.all(), pk=pk)
    response = render(request, "core/task_progress.html", {"task": task})
    next_url = task.result.get("next_url") if task.finished else None
    if next_url:
        response["HX-Redirect"] = next_url
    return response


def _own_notifications(user):
    # Scoped like every other queryset; the owner filter also keeps the city admin (who may see
    # every row) to its own inbox.
    return scope_queryset(user, Notification.objects.filter(user=user))


@login_required
@require_GET
def notification_list(request):
    notifications = _own_notifications(request.user)
    if request.GET.get("unread"):
        notifications = notifications.filter(read_at__isnull=True)
    page = Paginator(notifications, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "core/notifications.html",
        {"page": page, "unread_only": bool(request.GET.get("unread"))},
    )


@login_required
@require_POST
def notification_open(request, pk: int):
    """Mark one notification read and go where it points (a page of this site only)."""
    notification = get_scoped_object_or_404(request.user, _own_notifications(request.user), pk=pk)
    mark_read(request.user, [notification.pk])
    target = notification.url
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("core:notifications")


@login_required
@require_POST
def notifications_read(request):
    mark_read(request.user)
    return redirect("core:notifications")
