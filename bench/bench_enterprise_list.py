"""The enterprise list page at scale: server time and query count with common filters.

Run against a database that already holds the enterprises, e.g. 500,000 made by
    .venv/bin/python bench/bench_demo.py --postgres --enterprises 500000 --keep
then
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<that database> .venv/bin/python \
        bench/bench_enterprise_list.py
Target (issue #3): at most 300 ms server time at 500,000 enterprises, a query count that does
not grow with the data (a test asserts the bound).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SECRET_KEY", "bench-only-secret")
os.environ["ALLOWED_HOSTS"] = "testserver"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhizao.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from zhizao.accounts.models import User  # noqa: E402
from zhizao.core.models import Region  # noqa: E402
from zhizao.core.roles import Role  # noqa: E402
from zhizao.enterprises.models import Enterprise  # noqa: E402

PAGES = [
    ("city admin, default (latest year)", "city", "/enterprises/"),
    ("city admin, page 200", "city", "/enterprises/?page=200"),
    (
        "city admin, 柯桥区 + 规上 2024",
        "city",
        "/enterprises/?region=330603&year=2024&above_scale=true",
    ),
    ("city admin, 未填报 2024", "city", "/enterprises/?year=2024&report_status=none"),
    ("city admin, cluster + division", "city", "/enterprises/?cluster=textile&division=17"),
    ("city admin, search by name", "city", "/enterprises/?q=纺织"),
    ("district officer, default", "district", "/enterprises/"),
]


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=10)
    repeat = parser.parse_args().repeat
    admin, _ = User.objects.get_or_create(username="bench-city", defaults={"role": Role.CITY_ADMIN})
    officer, _ = User.objects.get_or_create(
        username="bench-keqiao",
        defaults={"role": Role.DISTRICT, "region": Region.objects.get(name="柯桥区")},
    )
    clients = {"city": Client(), "district": Client()}
    clients["city"].force_login(admin)
    clients["district"].force_login(officer)
    total = Enterprise.objects.count()
    print(f"database: {connection.vendor}; {total} enterprises; {repeat} runs each")
    print("| page | median ms | max ms | queries |")
    print("|---|---|---|---|")
    for label, who, url in PAGES:
        client = clients[who]
        assert client.get(url).status_code == 200
        counter = QueryCounter()
        with connection.execute_wrapper(counter):
            client.get(url)
        timings = []
        for _ in range(repeat):
            start = time.perf_counter()
            client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
        print(
            f"| {label} | {statistics.median(timings):.0f} | {max(timings):.0f} | {counter.count} |"
        )


if __name__ == "__main__":
    main()
