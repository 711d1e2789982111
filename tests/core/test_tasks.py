"""Background tasks: queued in the database, taken once, progress and failures recorded."""

import pytest

from tests.accounts.factories import make_user
from tests.conftest import signed_in
from zhizao.core.models import Task, TaskStatus
from zhizao.core.roles import Role
from zhizao.core.tasks import (
    TaskFailed,
    claim_next_task,
    enqueue,
    register,
    run_pending_tasks,
)


@register("tests.count_rows")
def count_rows(task, report):
    report(50, "数到一半")
    if task.payload.get("fail"):
        raise TaskFailed("第 3 行的年份「二〇二五」不是数字。")
    if task.payload.get("crash"):
        raise RuntimeError("disk full")
    return {"summary": f"共 {task.payload['rows']} 行", "next_url": "/enterprises/"}


def test_a_queued_task_is_run_once_with_its_result(db):
    task = enqueue("tests.count_rows", {"rows": 3})
    assert task.status == TaskStatus.QUEUED
    assert run_pending_tasks() == 1
    assert run_pending_tasks() == 0  # nothing is taken twice
    task.refresh_from_db()
    assert (task.status, task.progress, task.result["summary"]) == (TaskStatus.DONE, 100, "共 3 行")


def test_two_workers_never_take_the_same_task(db):
    enqueue("tests.count_rows", {"rows": 1})
    first, second = claim_next_task(), claim_next_task()
    assert first is not None and second is None


def test_expected_and_unexpected_failures_end_the_task(db):
    failing = enqueue("tests.count_rows", {"fail": True})
    crashing = enqueue("tests.count_rows", {"crash": True})
    run_pending_tasks()
    failing.refresh_from_db()
    crashing.refresh_from_db()
    assert (failing.status, failing.error, failing.progress) == (
        TaskStatus.FAILED,
        "第 3 行的年份「二〇二五」不是数字。",
        50,
    )
    assert crashing.status == TaskStatus.FAILED
    assert crashing.error.startswith("处理出错：disk full")


def test_the_progress_page_polls_until_done_then_sends_the_browser_on(db):
    owner = make_user(Role.CITY_ADMIN)
    task = enqueue("tests.count_rows", {"rows": 2}, owner)
    client = signed_in(owner)
    polling = client.get(f"/tasks/{task.pk}/progress/")
    assert 'hx-trigger="every 1s"' in polling.content.decode()
    assert "HX-Redirect" not in polling
    run_pending_tasks()
    done = client.get(f"/tasks/{task.pk}/progress/")
    assert done["HX-Redirect"] == "/enterprises/"
    assert "hx-trigger" not in done.content.decode()


def test_another_users_task_is_404(db):
    owner = make_user(Role.DISTRICT)
    other = make_user(Role.DISTRICT)
    task = enqueue("tests.count_rows", {"rows": 1}, owner)
    assert signed_in(other).get(f"/tasks/{task.pk}/").status_code == 404
    assert signed_in(owner).get(f"/tasks/{task.pk}/").status_code == 200


def test_unknown_task_names_are_refused(db):
    with pytest.raises(KeyError):
        enqueue("tests.nope", {})
    assert not Task.objects.exists()
