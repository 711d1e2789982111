"""Benchmark of the demo generator (`zhizao demo`).

Run: .venv/bin/python bench/bench_demo.py                  # the default demo, throwaway SQLite
     .venv/bin/python bench/bench_demo.py --postgres       # 500,000 enterprises × 2020–2025
     .venv/bin/python bench/bench_demo.py --postgres --enterprises 100000

SQLite: the command exactly as `make run` runs it on a new database (accounts, 6,000 enterprises,
2020–2024); target at most 30 s on the 2-core reference machine. PostgreSQL: a throwaway database
made with `createdb -h 127.0.0.1 -U postgres` (override with --pg-host/--pg-user) and dropped
afterwards; target 500,000 enterprises × 6 years in at most 10 minutes. Both also time the city
aggregates of one year over the generated reports, the SQL the indicator engine will run.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", action="store_true", help="bulk run into PostgreSQL")
    parser.add_argument("--enterprises", type=int, default=None)
    parser.add_argument("--years", default=None, help="e.g. 2020-2025")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--pg-host", default="127.0.0.1")
    parser.add_argument("--pg-user", default="postgres")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    os.environ.setdefault("SECRET_KEY", "bench-only-secret")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhizao.settings")
    os.environ["ZHIZAO_VAR_DIR"] = tempfile.mkdtemp(prefix="zhizao-bench-demo-")
    database = None
    if args.postgres:
        database = f"zhizao_bench_demo_{os.getpid()}"
        pg = ["-h", args.pg_host, "-U", args.pg_user]
        subprocess.run(["createdb", *pg, database], check=True)
        os.environ["DATABASE_URL"] = f"postgres://{args.pg_user}@{args.pg_host}:5432/{database}"
    else:
        os.environ["DATABASE_URL"] = ""
    try:
        run(args)
    finally:
        if database and not args.keep:
            from django.db import connections

            connections.close_all()
            subprocess.run(["dropdb", *pg, database], check=True)


def run(args) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from zhizao.enterprises.management.commands.demo import Command
    from zhizao.plans.planfile import DEFAULT_PLAN_FILE, read_plan_file
    from zhizao.plans.services import load_plan

    call_command("migrate", verbosity=0)
    load_plan(read_plan_file(DEFAULT_PLAN_FILE))
    options = []
    if args.enterprises or args.postgres:
        options += ["--enterprises", str(args.enterprises or 500_000)]
    if args.years or args.postgres:
        options += ["--years", args.years or "2020-2025"]
    if args.seed is not None:
        options += ["--seed", str(args.seed)]
    print(f"database: {connection.vendor}; zhizao demo {' '.join(options)}")
    out = StringIO()
    start = time.perf_counter()
    call_command(Command(), *options, verbosity=2, stdout=out)
    seconds = time.perf_counter() - start
    for line in out.getvalue().splitlines():
        if "年：" in line or line.startswith("演示企业"):
            print(f"  {line}")
    print(f"| zhizao demo {' '.join(options) or '(default)'} | {seconds:.1f} s |")
    from django.db.models import Max

    from zhizao.enterprises.models import YearlyReport

    time_aggregates(YearlyReport.objects.aggregate(year=Max("year"))["year"])


def time_aggregates(year: int) -> None:
    from django.db.models import Count, IntegerField, Q, Sum, Value
    from django.db.models.functions import Cast

    from zhizao.enterprises.fields import SOFTWARE_FIELDS
    from zhizao.enterprises.models import YearlyReport

    reports = YearlyReport.objects.filter(
        year=year,
        enterprise__scale_statuses__year=year,
        enterprise__scale_statuses__above_scale=True,
    )
    systems = sum((Cast(name, IntegerField()) for name in SOFTWARE_FIELDS), Value(0))
    start = time.perf_counter()
    totals = reports.annotate(systems=systems).aggregate(
        robots=Sum("industrial_robots"),
        employees=Sum("employees"),
        cnc=Sum("cnc_key_processes"),
        key=Sum("key_processes"),
        networked=Sum("networked_equipment"),
        networkable=Sum("networkable_equipment"),
        reporters=Count("id"),
        software=Count("id", filter=Q(systems__gte=2)),
    )
    ms = (time.perf_counter() - start) * 1000
    print(
        f"| city aggregates of {year} in SQL ({totals['reporters']} above-scale reports) "
        f"| {ms:.0f} ms |"
    )
    print(
        f"  robot density {totals['robots'] / totals['employees'] * 10000:.1f}, "
        f"CNC {totals['cnc'] / totals['key'] * 100:.2f} %, "
        f"software {totals['software'] / totals['reporters'] * 100:.2f} %, "
        f"networking {totals['networked'] / totals['networkable'] * 100:.2f} %"
    )


if __name__ == "__main__":
    main()
