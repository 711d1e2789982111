"""Benchmarks of the plan foundation: reading, loading, the plan page, its workbook, the API.

Run: make bench   (or: .venv/bin/python bench/bench_plan.py [--repeat N])
Uses a throwaway SQLite database (or DATABASE_URL if set) and prints medians in milliseconds.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SECRET_KEY", "bench-only-secret")
os.environ.setdefault("ZHIZAO_VAR_DIR", tempfile.mkdtemp(prefix="zhizao-bench-"))
os.environ["ALLOWED_HOSTS"] = "testserver"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhizao.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from zhizao.accounts.models import User  # noqa: E402
from zhizao.core.models import Region  # noqa: E402
from zhizao.core.roles import Role  # noqa: E402
from zhizao.plans.planfile import DEFAULT_PLAN_FILE, read_plan_file  # noqa: E402
from zhizao.plans.services import load_plan  # noqa: E402


class QueryCounter:
    """Counts queries through the connection's execute wrapper; unlike the debug query log it
    is not reset when a request starts."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def measure(label: str, action, repeat: int) -> None:
    action()  # warm-up
    timings = []
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        action()
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        timings.append((time.perf_counter() - start) * 1000)
    print(f"| {label} | {statistics.median(timings):.1f} | {max(timings):.1f} | {counter.count} |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    repeat = parser.parse_args().repeat
    call_command("migrate", verbosity=0)
    spec = read_plan_file(DEFAULT_PLAN_FILE)
    start = time.perf_counter()
    load_plan(spec)
    first_load_ms = (time.perf_counter() - start) * 1000
    admin = User.objects.get_or_create(username="bench-admin", role=Role.CITY_ADMIN)[0]
    officer = User.objects.get_or_create(
        username="bench-district", role=Role.DISTRICT, region=Region.objects.get(name="柯桥区")
    )[0]
    admin_client, officer_client = Client(), Client()
    admin_client.force_login(admin)
    officer_client.force_login(officer)
    page = "/plans/shaoxing-2021-2025/"

    print(f"database: {connection.vendor}; {repeat} runs each")
    print("| what | median ms | max ms | queries |")
    print("|---|---|---|---|")
    print(f"| first load of the Shaoxing plan (180 records, once) | {first_load_ms:.1f} | — | — |")
    measure(
        "read and check the Shaoxing plan file", lambda: read_plan_file(DEFAULT_PLAN_FILE), repeat
    )
    measure("reload the unchanged plan (180 records compared)", lambda: load_plan(spec), repeat)
    measure("plan page, city admin (tables + history)", lambda: admin_client.get(page), repeat)
    measure("plan page, district officer", lambda: officer_client.get(page), repeat)
    measure("both tables as XLSX", lambda: admin_client.get(page + "plan.xlsx"), repeat)
    measure(
        "API: 21 indicators with years and district targets",
        lambda: admin_client.get("/api/indicators/?plan=shaoxing-2021-2025"),
        repeat,
    )


if __name__ == "__main__":
    main()
