"""Benchmark of the city admin's landing page, the 驾驶舱 (issue #12), and the pages it leads to:
the ranking, a drill-down to the enterprises behind a red cell and its workbook, the progress API.

Run: .venv/bin/python bench/bench_cockpit.py [--repeat N]
Uses a throwaway SQLite database (or DATABASE_URL if set) with the default demo data (`zhizao
demo`: 6,000 enterprises, 2020–2024), recomputed; times each page for the city admin in process
(Django test client: server time, no network) and prints medians in milliseconds with the
queries of one request. "cold" clears the cache before every request (the first view after the
figures change); the others are as a user meets them, the figures cached per state.
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
os.environ.setdefault("ZHIZAO_VAR_DIR", tempfile.mkdtemp(prefix="zhizao-bench-cockpit-"))
os.environ["ALLOWED_HOSTS"] = "testserver"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhizao.settings")

import django  # noqa: E402

django.setup()

from bench_public import QueryCounter  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from zhizao.accounts.models import User  # noqa: E402
from zhizao.core.roles import Role  # noqa: E402
from zhizao.monitoring.engine import recompute  # noqa: E402
from zhizao.plans.models import Plan  # noqa: E402
from zhizao.plans.planfile import DEFAULT_PLAN_FILE, read_plan_file  # noqa: E402
from zhizao.plans.services import load_plan  # noqa: E402

YEAR = 2024


def measure(label: str, action, repeat: int, *, cold: bool = False) -> None:
    def run():
        if cold:
            cache.clear()
        response = action()
        assert response.status_code == 200, (label, response.status_code)

    run()  # warm-up
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        run()
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        timings.append((time.perf_counter() - start) * 1000)
    print(f"| {label} | {statistics.median(timings):.1f} | {max(timings):.1f} | {counter.count} |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=30)
    repeat = parser.parse_args().repeat
    call_command("migrate", verbosity=0)
    if not Plan.objects.exists():
        load_plan(read_plan_file(DEFAULT_PLAN_FILE))
        call_command("demo", stdout=StringIO())
        recompute(Plan.objects.get())
    admin = User.objects.get_or_create(username="bench-admin", role=Role.CITY_ADMIN)[0]
    client = Client()
    client.force_login(admin)
    rows = "/monitoring/indicators/7/rows/?region=330624&year=2024"
    print(f"database: {connection.vendor}; {repeat} runs each")
    print("| what | median ms | max ms | queries |")
    print("|---|---|---|---|")
    measure(
        "/monitoring/cockpit/ (cold: cache cleared)",
        lambda: client.get(f"/monitoring/cockpit/?year={YEAR}"),
        repeat,
        cold=True,
    )
    measure("/monitoring/cockpit/", lambda: client.get(f"/monitoring/cockpit/?year={YEAR}"), repeat)
    measure("/monitoring/ranking/", lambda: client.get(f"/monitoring/ranking/?year={YEAR}"), repeat)
    measure(
        "/monitoring/ranking/ XLSX",
        lambda: client.get(f"/monitoring/ranking/?year={YEAR}&format=xlsx"),
        repeat,
    )
    measure("drill-down 7 · 新昌县 (by shortfall, page 1)", lambda: client.get(rows), repeat)
    measure(
        "drill-down 7 · 新昌县 XLSX (all rows)",
        lambda: client.get(f"{rows}&format=xlsx"),
        repeat,
    )
    measure(
        "drill-down 7 · 绍兴市 (6,000 firms' reports, page 1)",
        lambda: client.get("/monitoring/indicators/7/rows/?region=330600&year=2024"),
        repeat,
    )
    measure(
        "/api/monitoring/progress/ (7 regions × 21)",
        lambda: client.get(f"/api/monitoring/progress/?year={YEAR}"),
        repeat,
    )


if __name__ == "__main__":
    main()
