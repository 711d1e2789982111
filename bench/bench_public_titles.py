"""Benchmark of the public list of titles, /public/titles/ (issue #12, point 10).

Run: .venv/bin/python bench/bench_public_titles.py [--repeat N] [--var-dir DIR]
Without --var-dir: a throwaway SQLite database (or DATABASE_URL if set) with the default demo
data (`zhizao demo`: 6,000 enterprises, their titles 2017–2024). With --var-dir: the database
already in DIR (a copy of the demo database, e.g. /work/demo-base/zhizao.sqlite3; it is
written to). Either way 2024 is then published by the city admin with its titles, as the
publish form does by default, so that the list holds every year; then each page is requested
for a visitor without login, in process (server time, no network), and the median and the
largest time in milliseconds are printed with the queries of one request.
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


def arguments():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--var-dir", help="use the database in this folder (a demo copy)")
    return parser.parse_args()


ARGS = arguments()
os.environ.setdefault("SECRET_KEY", "bench-only-secret")
os.environ["ZHIZAO_VAR_DIR"] = ARGS.var_dir or tempfile.mkdtemp(prefix="zhizao-bench-titles-")
os.environ["ALLOWED_HOSTS"] = "testserver"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhizao.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from bench.bench_public import QueryCounter  # noqa: E402
from zhizao.accounts.models import User  # noqa: E402
from zhizao.core.roles import Role  # noqa: E402
from zhizao.cultivation.services import public_titles  # noqa: E402
from zhizao.monitoring.engine import recompute  # noqa: E402
from zhizao.monitoring.services import publish_year  # noqa: E402
from zhizao.plans.models import Plan  # noqa: E402
from zhizao.plans.planfile import DEFAULT_PLAN_FILE, read_plan_file  # noqa: E402
from zhizao.plans.services import load_plan  # noqa: E402

YEAR = 2024
PAGES = [
    ("/public/titles/ (all years, page 1)", "/public/titles/"),
    ("page 40", "/public/titles/?page=40"),
    ("2024 only", "/public/titles/?year=2024"),
    ("柯桥区 + 市级数字化车间 + 2022", "/public/titles/?region=330603&title_type=municipal-digital-workshop&year=2022"),
    ("search by name (绍兴)", "/public/titles/?q=%E7%BB%8D%E5%85%B4"),
    ("search by credit code (prefix 913306)", "/public/titles/?q=913306"),
    ("XLSX of 柯桥区 (every year)", "/public/titles/?region=330603&format=xlsx"),
]  # fmt: skip


def measure(client: Client, label: str, path: str, repeat: int) -> None:
    assert client.get(path).status_code == 200  # warm-up
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        client.get(path)
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    median, worst = statistics.median(timings), max(timings)
    print(f"| {label} | {median:.1f} | {worst:.1f} | {counter.count} |")


def prepare() -> Plan:
    call_command("migrate", verbosity=0)
    if not ARGS.var_dir:
        load_plan(read_plan_file(DEFAULT_PLAN_FILE))
        call_command("demo", stdout=StringIO())
    plan = Plan.objects.get(code=settings.ZHIZAO_DEFAULT_PLAN)
    if not ARGS.var_dir:
        recompute(plan)
    admin = User.objects.filter(role=Role.CITY_ADMIN).first() or User.objects.create(
        username="bench-admin", role=Role.CITY_ADMIN
    )
    published = publish_year(plan, YEAR, admin, companions=["titles"])
    print(f"published {YEAR} with {published.companions_done[0][1]} titles newly public")
    return plan


def main() -> None:
    prepare()
    years = sorted(set(public_titles().values_list("year", flat=True)))
    print(
        f"database: {connection.vendor}; {public_titles().count()} public titles "
        f"{years[0]}–{years[-1]}; {ARGS.repeat} runs each after one warm-up"
    )
    print("| page | median ms | max ms | queries |")
    print("|---|---|---|---|")
    client = Client()
    for label, path in PAGES:
        measure(client, label, path, ARGS.repeat)


if __name__ == "__main__":
    main()
