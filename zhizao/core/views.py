from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from zhizao.core.models import Task
from zhizao.core.scoping import get_scoped_object_or_404


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
