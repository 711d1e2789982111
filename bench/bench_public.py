"""Benchmark of the public dashboard (issue #4): publishing a year and the page anyone may open.

Run: .venv/bin/python bench/bench_public.py [--repeat N]
Uses a throwaway SQLite database (or DATABASE_URL if set) with the default demo data (`zhizao
demo`: 6,000 enterprises, 2020–2024), recomputed, and 2024 published by the city admin; then
times the page for a visitor without login, in process (server time, no network), and prints
medians in milliseconds with the queries of one request.
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
os.environ.setdefault("ZHIZAO_VAR_DIR", tempfile.mkdtemp(prefix="zhizao-bench-public-"))
os.environ["ALLOWED_HOSTS"] = "testserver"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhizao.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from zhizao.accounts.models import User  # noqa: E402
from zhizao.core.roles import Role  # noqa: E402
from zhizao.monitoring.engine import recompute  # noqa: E402
from zhizao.monitoring.services import publish_year  # noqa: E402
from zhizao.plans.models import Plan  # noqa: E402
from zhizao.plans.planfile import DEFAULT_PLAN_FILE, read_plan_file  # noqa: E402
from zhizao.plans.services import load_plan  # noqa: E402

YEAR = 2024


class QueryCounter:
    """Counts queries through the connection's execute wrapper."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def measure(label: str, action, repeat: int) -> None:
    action()  # warm-up
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        action()
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        timings.append((time.perf_counter() - start) * 1000)
    print(f"| {label} | {statistics.median(timings):.1f} | {max(timings):.1f} | {counter.count} |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=50)
    repeat = parser.parse_args().repeat
    call_command("migrate", verbosity=0)
    load_plan(read_plan_file(DEFAULT_PLAN_FILE))
    call_command("demo", stdout=StringIO())
    plan = Plan.objects.get()
    recompute(plan)
    admin = User.objects.get_or_create(username="bench-admin", role=Role.CITY_ADMIN)[0]
    start = time.perf_counter()
    publish_year(plan, YEAR, admin)
    publish_ms = (time.perf_counter() - start) * 1000

    visitor = Client()  # no login

    def get(path: str):
        def action():
            response = visitor.get(path)
            assert response.status_code == 200, (path, response.status_code)

        return action

    print(f"database: {connection.vendor}; demo data; {YEAR} published; {repeat} runs each")
    print("| what | median ms | max ms | queries |")
    print("|---|---|---|---|")
    print(f"| publish {YEAR} (city + 6 districts frozen, once) | {publish_ms:.1f} | — | — |")
    measure(f"public page, city, {YEAR}", get(f"/public/?year={YEAR}"), repeat)
    measure(f"public page, 柯桥区, {YEAR}", get(f"/public/?year={YEAR}&region=330603"), repeat)
    measure(f"public page as XLSX, city, {YEAR}", get(f"/public/?year={YEAR}&format=xlsx"), repeat)


if __name__ == "__main__":
    main()
