"""Background tasks: a queue kept in the database, so that any number of web processes can add
work and any number of `zhizao worker` processes can take it, on SQLite or PostgreSQL alike.

A task function is registered under a name, receives its Task and a `report(percent, message)`
callback, and returns a JSON-serialisable result. An exception marks the task failed with its
message; a task function raises TaskFailed for an expected, user-facing failure."""

import logging
import traceback
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from zhizao.core.models import Task, TaskStatus

logger = logging.getLogger(__name__)
REGISTRY: dict[str, Callable] = {}


class TaskFailed(Exception):
    """A failure to show the user as it is (in Chinese), not as a crash."""


def register(name: str):
    def decorator(function: Callable) -> Callable:
        REGISTRY[name] = function
        return function

    return decorator


def enqueue(name: str, payload: dict, user=None) -> Task:
    if name not in REGISTRY:
        raise KeyError(f"unknown task {name!r}")
    task = Task.objects.create(
        name=name,
        payload=payload,
        created_by=user if getattr(user, "is_authenticated", False) else None,
        message="等待后台处理…",
    )
    if getattr(settings, "ZHIZAO_TASKS_INLINE", False):
        run_task(task)
        task.refresh_from_db()
    return task


def claim_next_task() -> Task | None:
    """Take the oldest queued task; a conditional update makes two workers never take the same."""
    with transaction.atomic():
        candidate = (
            Task.objects.filter(status=TaskStatus.QUEUED).order_by("created_at", "pk").first()
        )
        if candidate is None:
            return None
        taken = Task.objects.filter(pk=candidate.pk, status=TaskStatus.QUEUED).update(
            status=TaskStatus.RUNNING, started_at=timezone.now(), message="开始处理…"
        )
    if not taken:
        return None
    candidate.refresh_from_db()
    return candidate


def run_task(task: Task) -> Task:
    if task.status == TaskStatus.QUEUED:
        Task.objects.filter(pk=task.pk).update(status=TaskStatus.RUNNING, started_at=timezone.now())

    def report(percent: int, message: str) -> None:
        Task.objects.filter(pk=task.pk).update(progress=max(0, min(100, percent)), message=message)

    try:
        result = REGISTRY[task.name](task, report)
    except TaskFailed as exc:
        _finish(task, TaskStatus.FAILED, error=str(exc))
    except Exception as exc:  # a crash must still end the task, or its page would wait forever
        logger.exception("task %s failed", task.pk)
        _finish(task, TaskStatus.FAILED, error=f"处理出错：{exc}", trace=traceback.format_exc())
    else:
        _finish(task, TaskStatus.DONE, result=result or {})
    task.refresh_from_db()
    return task


def _finish(task: Task, status: str, *, result=None, error: str = "", trace: str = "") -> None:
    # A failed task keeps the progress it reached, so the page shows where it stopped.
    extra = {"progress": 100} if status == TaskStatus.DONE else {}
    Task.objects.filter(pk=task.pk).update(
        **extra,
        status=status,
        message="已完成" if status == TaskStatus.DONE else "失败",
        result=result or {},
        error=error + (f"\n\n{trace}" if trace and settings.DEBUG else ""),
        finished_at=timezone.now(),
    )


def run_pending_tasks(limit: int | None = None) -> int:
    """Run queued tasks until none is left (or `limit` ran); returns how many ran."""
    ran = 0
    while limit is None or ran < limit:
        task = claim_next_task()
        if task is None:
            break
        run_task(task)
        ran += 1
    return ran
