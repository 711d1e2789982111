"""Benchmark of posting a need (issue #12, point 15): the request, and the matching the worker
does after it.

Run: .venv/bin/python bench/bench_need_posting.py [--repeat 10]
     DATABASE_URL=postgres://postgres@127.0.0.1:5432/<empty database> .venv/bin/python bench/bench_need_posting.py

Uses a throwaway SQLite database (or the empty database of DATABASE_URL) with the default demo
data (`zhizao demo`: 6,000 enterprises, the bridge's libraries and search index). The demo
`enterprise` account (绍兴越城诚远金属制品有限公司, 金属加工) posts a metal-stamping MES need
through the form, in process (Django test client: server time, no network):

1. the POST /bridge/needs/new/ request (validation, the need, its matching queued), the first
   one of the process and the median of --repeat more, with its queries;
2. the matching task as `zhizao worker` runs it (the ranking, the matches, their steps and
   notifications), the first one of the process (it loads the word segmenter's dictionary)
   and the median of the others;
3. the ten matches of the last need: kind, industry, score and title.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SECRET_KEY", "bench-only-secret")
os.environ.setdefault("ZHIZAO_VAR_DIR", tempfile.mkdtemp(prefix="zhizao-bench-need-"))
os.environ["ALLOWED_HOSTS"] = "testserver"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhizao.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from zhizao.bridge.models import Need  # noqa: E402
from zhizao.core.tasks import claim_next_task, run_task  # noqa: E402
from zhizao.enterprises.models import Enterprise  # noqa: E402
from zhizao.plans.planfile import DEFAULT_PLAN_FILE, read_plan_file  # noqa: E402
from zhizao.plans.services import load_plan  # noqa: E402

NEED = {
    "title": "冲压车间MES系统建设",
    "description": (
        "我司为金属冲压件生产企业，有冲床40台，生产计划靠班长手排，模具寿命没有记录。"
        "希望建设制造执行系统（MES），实现冲压工单排产下达、冲床状态采集、模具管理和质量追溯。"
    ),
    "subdomains": ["PO", "PS"],
    "budget_min": "80",
    "budget_max": "250",
    "deadline": "",
}


def post(client: Client, form: dict) -> tuple[float, int]:
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        response = client.post("/bridge/needs/new/", form)
        elapsed = (time.perf_counter() - start) * 1000
    assert response.status_code == 302, response.status_code
    return elapsed, len(queries.captured_queries)


def work() -> tuple[float, int]:
    """Run the next queued task as the worker does."""
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        task = claim_next_task()
        run_task(task)
        elapsed = (time.perf_counter() - start) * 1000
    assert task.status == "done", task.error
    return elapsed, len(queries.captured_queries)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=10)
    repeat = parser.parse_args().repeat
    call_command("migrate", verbosity=0)
    load_plan(read_plan_file(DEFAULT_PLAN_FILE))
    call_command("demo", stdout=StringIO())
    firm = Enterprise.objects.filter(members__username="enterprise").select_related("cluster")
    firm = firm.first()
    client = Client()
    assert client.login(username="enterprise", password="zhizao-demo")
    form = {**NEED, "enterprise": firm.pk, "cluster": firm.cluster_id}
    client.get("/bridge/needs/new/")

    print(f"database: {connection.vendor}; {firm.name}（{firm.cluster.name}）; {repeat} runs")
    print("| what | first ms | median ms | max ms | queries |")
    print("|---|---|---|---|---|")
    first_post, queries = post(client, form)
    first_work, work_queries = work()
    posts, works = [], []
    for _ in range(repeat):
        posts.append(post(client, form)[0])
        works.append(work()[0])
    print(
        f"| POST /bridge/needs/new/ (the request) | {first_post:.1f} | "
        f"{statistics.median(posts):.1f} | {max(posts):.1f} | {queries} |"
    )
    print(
        f"| matching task in the worker | {first_work:.1f} | "
        f"{statistics.median(works):.1f} | {max(works):.1f} | {work_queries} |"
    )

    need = Need.objects.filter(enterprise=firm).order_by("-pk").first()
    print(f"\nThe ten matches of「{need.title}」:")
    for match in need.matches.order_by("rank"):
        print(f"- {match.get_library_display()} · {' · '.join(match.reasons)} · {match.title}")


if __name__ == "__main__":
    main()
