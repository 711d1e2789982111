"""Benchmark of the indicator engine (`zhizao.monitoring.engine.recompute`) at national scale.

Run against a kept database (e.g. from `bench/bench_demo.py --postgres --enterprises 500000
--keep`):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> .venv/bin/python bench/bench_recompute.py
or let it make (and afterwards drop) a throwaway PostgreSQL database with N demo enterprises ×
2020–2025 itself:
    .venv/bin/python bench/bench_recompute.py --create 500000

Targets (500,000 enterprises × 6 years, PostgreSQL, the 2-core reference machine):
- the full `recompute(plan)` at most 10 s, and within 5× of DuckDB computing the same aggregates
  over the same rows (the seven enterprise indicators' sums and counts per district and year over
  city-approved reports of enterprises above scale in that year, with the above-scale counts);
- the incremental recompute after one city approval at most 200 ms; timed for the district with
  the most enterprises and the one with the fewest (or --district NAME), both ways the background
  task can take: the delta (the approved report's own figures added to the stored parts,
  `monitoring/delta.py`: the whole task as the worker runs it, after a real `approve_report`, each
  run a different above-scale report of year Y, returned first with `return_report` and timed
  too), and the re-aggregation it falls back to, `recompute(plan, years=[Y, Y + 1],
  districts=[one district], changed_years=[Y])`.

DuckDB is not a project dependency: `.venv/bin/pip install duckdb` to include it; without it that
part is skipped with a message. The rows are copied into DuckDB (COPY … TO STDOUT from
PostgreSQL into a CSV file, read by DuckDB; the load is not timed), its runs alternate with the
full recomputes (so that a burst of other work on the machine weighs on both sides of the ratio),
and its results are checked at the end against the parts the engine stored (after the deltas).
Medians of --repeat runs (3 by default) after one warm-up; the load average is printed because
other work on the machine moves the figures. A kept database is migrated first (pending
migrations only); the recompute rewrites its indicator values, and the delta runs return and
approve again real reports (which end as they were: city-approved).
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# The seven enterprise indicators of the Shaoxing plan as DuckDB aggregates, named like the parts
# the engine stores (a0, a1 … in the formula's order; `reporters` is count()), with the
# enterprise filters of their source (above scale in the year; divisions).
BOOL_SUM = " + ".join(
    f"r.uses_{s}::INTEGER" for s in ("erp", "mes", "plm", "scm", "wms", "aps", "qms", "ems")
)
DUCK_INDICATORS = {
    "robot-density": ("sum(r.industrial_robots) AS a0, sum(r.employees) AS a1", ()),
    "cnc-rate": ("sum(r.cnc_key_processes) AS a0, sum(r.key_processes) AS a1", ()),
    "software-adoption": (f"count(*) FILTER (WHERE {BOOL_SUM} >= 2) AS a0, count(*) AS a1", ()),
    "networking-rate": ("sum(r.networked_equipment) AS a0, sum(r.networkable_equipment) AS a1", ()),
    "equipment-output": (
        "sum(r.industrial_output) AS a0",
        tuple(f"{d:02d}" for d in range(33, 41)),
    ),
    "labour-productivity-growth": ("sum(r.value_added) AS a0, sum(r.employees) AS a1", ()),
    "value-added-per-mu-growth": ("sum(r.value_added) AS a0, sum(r.land_area) AS a1", ()),
}

# What is copied into DuckDB (model, DuckDB columns, PostgreSQL columns): the columns the
# aggregates read, of every row (not pre-filtered).
DUCK_TABLES = {
    "enterprise": (
        "Enterprise",
        "id INTEGER, region_id INTEGER, industry_division VARCHAR",
        "id, region_id, industry_division",
    ),
    "scale_status": (
        "ScaleStatus",
        "enterprise_id INTEGER, year SMALLINT, above_scale BOOLEAN",
        "enterprise_id, year, above_scale",
    ),
    "report": (
        "YearlyReport",
        "enterprise_id INTEGER, year SMALLINT, status VARCHAR, employees INTEGER, "
        "industrial_robots INTEGER, key_processes INTEGER, cnc_key_processes INTEGER, "
        "networkable_equipment INTEGER, networked_equipment INTEGER, uses_erp BOOLEAN, "
        "uses_mes BOOLEAN, uses_plm BOOLEAN, uses_scm BOOLEAN, uses_wms BOOLEAN, "
        "uses_aps BOOLEAN, uses_qms BOOLEAN, uses_ems BOOLEAN, industrial_output DECIMAL(16,2), "
        "value_added DECIMAL(16,2), land_area DECIMAL(12,2)",
        "enterprise_id, year, status, employees, industrial_robots, key_processes, "
        "cnc_key_processes, networkable_equipment, networked_equipment, uses_erp, uses_mes, "
        "uses_plm, uses_scm, uses_wms, uses_aps, uses_qms, uses_ems, industrial_output, "
        "value_added, land_area",
    ),
}


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--create",
        type=int,
        metavar="N",
        help="make a throwaway PostgreSQL database with N demo enterprises × 2020–2025",
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--delta-runs", type=int, default=7, help="reports approved per district (delta path)"
    )
    parser.add_argument("--year", type=int, default=None, help="approved year (default: last-1)")
    parser.add_argument("--district", default=None, help="district name (default: the largest)")
    parser.add_argument("--pg-host", default="127.0.0.1")
    parser.add_argument("--pg-user", default="postgres")
    parser.add_argument("--no-duckdb", action="store_true", help="skip the DuckDB comparison")
    parser.add_argument(
        "--queries", action="store_true", help="list every query of one full recompute"
    )
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    os.environ.setdefault("SECRET_KEY", "bench-only-secret")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhizao.settings")
    os.environ.setdefault("ZHIZAO_VAR_DIR", tempfile.mkdtemp(prefix="zhizao-bench-recompute-"))
    database = None
    pg = ["-h", args.pg_host, "-U", args.pg_user]
    if args.create:
        database = f"zhizao_bench_recompute_{os.getpid()}"
        subprocess.run(["createdb", *pg, database], check=True)
        os.environ["DATABASE_URL"] = f"postgres://{args.pg_user}@{args.pg_host}:5432/{database}"
    elif not os.environ.get("DATABASE_URL"):
        sys.exit(
            "Set DATABASE_URL to a database with demo data (bench_demo.py --postgres --keep), "
            "or pass --create N."
        )
    try:
        import django

        django.setup()
        from django.core.management import call_command

        # A kept database may predate the latest migrations: bring its schema up to date.
        call_command("migrate", verbosity=0)
        if database:
            create(args.create)
        run(args)
    finally:
        if database:
            from django.db import connections

            connections.close_all()
            subprocess.run(["dropdb", *pg, database], check=True)


def create(enterprises: int) -> None:
    from django.core.management import call_command

    from zhizao.plans.planfile import DEFAULT_PLAN_FILE, read_plan_file
    from zhizao.plans.services import load_plan

    load_plan(read_plan_file(DEFAULT_PLAN_FILE))
    start = time.perf_counter()
    call_command(
        "demo", "--enterprises", str(enterprises), "--years", "2020-2025", stdout=StringIO()
    )
    print(
        f"demo data: {enterprises} enterprises × 2020–2025 in {time.perf_counter() - start:.0f} s"
    )


class QueryLog:
    """Every query of a run with its time, through the connection's execute wrapper."""

    def __init__(self):
        self.queries: list[tuple[float, str]] = []

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append(((time.perf_counter() - start) * 1000, sql))


def timed(action, repeat: int) -> tuple[list[float], QueryLog]:
    """One warm-up run with its queries logged, then `repeat` timed runs (ms)."""
    from django.db import connection

    log = QueryLog()
    with connection.execute_wrapper(log):
        action()
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        timings.append((time.perf_counter() - start) * 1000)
    return timings, log


def row(label: str, timings: list[float], queries: int | str = "—", target: str = "—") -> None:
    median = statistics.median(timings)
    print(
        f"| {label} | {median:,.0f} | {min(timings):,.0f} | {max(timings):,.0f} | {queries} "
        f"| {target} |"
    )


def run(args) -> None:
    from django.db import connection
    from django.db.models import Count

    from zhizao.core.models import Region
    from zhizao.enterprises.demo import default_plan
    from zhizao.enterprises.models import Enterprise, YearlyReport
    from zhizao.monitoring.engine import districts_of, recompute

    plan = default_plan()
    if plan is None:
        sys.exit("No plan in the database: load one (zhizao plan load default).")
    districts = districts_of(plan)
    sizes = dict(
        Enterprise.objects.filter(region__in=districts)
        .values_list("region")
        .annotate(n=Count("pk"))
        .order_by()
    )
    if args.district:
        chosen = [Region.objects.get(name=args.district)]
    else:  # the worst case (the district with the most enterprises) and the best
        ranked = sorted(districts, key=lambda d: sizes.get(d.pk, 0), reverse=True)
        chosen = [ranked[0], ranked[-1]] if len(ranked) > 1 else ranked
    year = args.year or plan.last_year - 1
    years = [y for y in (year, year + 1) if plan.base_year <= y <= plan.last_year]
    print(
        f"database: {connection.vendor} {connection.settings_dict['NAME']}; "
        f"{Enterprise.objects.count():,} enterprises, {YearlyReport.objects.count():,} reports; "
        f"plan {plan.code} ({plan.base_year}–{plan.last_year}); median of {args.repeat} runs "
        f"after one warm-up; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )

    # DuckDB first (its load is not timed), so that its runs can alternate with the full
    # recomputes: both then see the same load on the machine.
    duck = None if args.no_duckdb else duckdb_load(plan, districts)
    start = time.perf_counter()
    recompute(plan)
    first = (time.perf_counter() - start) * 1000
    full_log = QueryLog()
    with connection.execute_wrapper(full_log):
        recompute(plan)  # warm-up
    full = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        recompute(plan)
        full.append((time.perf_counter() - start) * 1000)
        if duck:
            duck.run_once()
    incremental = []
    for district in chosen:
        timings, log = timed(
            # As the background task runs it after a city approval of year years[0].
            lambda district=district: recompute(
                plan, years=years, districts=[district.pk], changed_years=years[:1]
            ),
            args.repeat,
        )
        incremental.append((district, timings, log))
    deltas = [(district, *delta_timings(district, year, args.delta_runs)) for district in chosen]
    check = duck.check() if duck else None

    print()
    print("| what | median ms | min ms | max ms | queries | target |")
    print("|---|---|---|---|---|---|")
    print(f"| full recompute, first run (nothing stored yet) | {first:,.0f} | — | — | — | — |")
    row(
        f"full recompute `recompute(plan)`, {connection.vendor}",
        full,
        len(full_log.queries),
        "≤ 10,000",
    )
    for district, timings, log in incremental:
        row(
            f"re-aggregation (the delta's fallback) `recompute(plan, years={years}, "
            f"districts=[…], changed_years={years[:1]})`, {district.name} "
            f"({sizes.get(district.pk, 0):,} enterprises)",
            timings,
            len(log.queries),
            "≤ 200",
        )
    for district, approvals, returns, log, _hows in deltas:
        label = f"{district.name} ({sizes.get(district.pk, 0):,} enterprises)"
        row(
            f"delta after one city approval (the task, as the worker runs it), {label}",
            approvals,
            len(log.queries),
            "≤ 200",
        )
        row(f"delta after the return of an approved report, {label}", returns, len(log.queries))
    if duck:
        each, one = statistics.median(duck.timings_each), statistics.median(duck.timings_one)
        row(
            "DuckDB: the engine's aggregates, one query per indicator + counts",
            duck.timings_each,
            14,
        )
        row("DuckDB: the same aggregates in one query per table", duck.timings_one, 2)
        full_ms = statistics.median(full)
        print(
            f"| ratio full recompute / DuckDB, per-indicator queries | {full_ms / each:.1f}× "
            "| — | — | — | ≤ 5× |"
        )
        print(
            f"| ratio full recompute / DuckDB, one query per table | {full_ms / one:.1f}× "
            "| — | — | — | ≤ 5× |"
        )
        print()
        print(
            f"DuckDB {duck.version}, {duck.threads} threads, its runs alternating with the full "
            f"recomputes; load into DuckDB (not timed above): {duck.load_s:.1f} s; its results "
            f"equal the engine's stored parts after every run above: {check}"
        )
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    print()
    print("Slowest queries of one full recompute:")
    print_queries(full_log.queries if args.queries else sorted(full_log.queries, reverse=True)[:8])
    for district, _, log in incremental:
        print()
        print(f"Slowest queries of one incremental recompute, {district.name}:")
        print_queries(sorted(log.queries, reverse=True)[:4])
    for district, _approvals, _, log, hows in deltas:
        print()
        paths = ", ".join(f"{how} × {n}" for how, n in hows.most_common())
        print(f"Every query of one approval's task, {district.name} (paths taken: {paths}):")
        print_queries(log.queries)


def delta_timings(district, year: int, runs: int):
    """One warm-up and `runs` timed approvals, each of a different city-approved above-scale
    report of the district and year: returned by the city admin (its task timed), then approved
    again (`approve_report`, its task timed as the worker runs it). Returns the approval and
    return timings (ms), the queries of the warm-up approval's task, and how each task went."""
    from collections import Counter

    from django.db import connection
    from django.db.models import Exists, OuterRef

    from zhizao.accounts.models import User
    from zhizao.core.models import Task
    from zhizao.core.roles import Role
    from zhizao.core.tasks import run_task
    from zhizao.enterprises.models import ReportStatus, ScaleStatus, YearlyReport
    from zhizao.enterprises.services import approve_report, return_report
    from zhizao.monitoring.delta import RECOMPUTE_TASK

    admin, _ = User.objects.get_or_create(
        username="bench-recompute-city-admin", defaults={"role": Role.CITY_ADMIN}
    )
    above = ScaleStatus.objects.filter(
        enterprise=OuterRef("enterprise_id"), year=year, above_scale=True
    )
    reports = list(
        YearlyReport.objects.filter(
            year=year, status=ReportStatus.CITY_APPROVED, enterprise__region=district
        )
        .filter(Exists(above))
        .order_by("pk")[: runs + 1]
    )

    def task_ms(log=None) -> float:
        task = Task.objects.filter(name=RECOMPUTE_TASK).latest("pk")
        start = time.perf_counter()
        if log is None:
            run_task(task)
        else:
            with connection.execute_wrapper(log):
                run_task(task)
        ms = (time.perf_counter() - start) * 1000
        task.refresh_from_db()
        if task.status != "done":
            sys.exit(f"the recompute task failed: {task.error}")
        hows.update(task.result.get("how", ["whole recompute"]))
        return ms

    approvals, returns, hows, log = [], [], Counter(), QueryLog()
    for run_number, report in enumerate(reports):
        return_report(report, admin, "基准测试：退回")
        returned = task_ms()
        YearlyReport.objects.filter(pk=report.pk).update(status=ReportStatus.DISTRICT_APPROVED)
        approve_report(YearlyReport.objects.get(pk=report.pk), admin)
        approved = task_ms(log if run_number == 0 else None)
        if run_number:  # the first is the warm-up
            approvals.append(approved)
            returns.append(returned)
    return approvals, returns, log, hows


def print_queries(queries) -> None:
    print("| ms | query |")
    print("|---|---|")
    for ms, sql in queries:
        print(f"| {ms:,.1f} | {sql[:150]}… |")


# --- DuckDB ---------------------------------------------------------------------------------


def duckdb_load(plan, districts) -> "DuckRuns | None":
    try:
        import duckdb
    except ImportError:
        print(
            "DuckDB comparison skipped: duckdb is not importable "
            "(it is not a project dependency; `.venv/bin/pip install duckdb` to include it)."
        )
        return None
    from django.apps import apps

    from zhizao.monitoring.engine import enterprise_source, source_type
    from zhizao.monitoring.models import ValueSource

    indicators = {
        i.code: i
        for i in plan.indicators.all()
        if source_type(i) == ValueSource.ENTERPRISE and i.code in DUCK_INDICATORS
    }
    missing = set(DUCK_INDICATORS) - set(indicators)
    if missing:
        print(f"DuckDB comparison skipped: the plan lacks {', '.join(sorted(missing))}.")
        return None
    duck = duckdb.connect()
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="zhizao-bench-duckdb-") as folder:
        for name, (model, columns, select) in DUCK_TABLES.items():
            path = Path(folder) / f"{name}.csv"
            export_csv(apps.get_model("enterprises", model)._meta.db_table, select, path)
            duck.execute(f"CREATE TABLE {name} ({columns})")
            duck.execute(f"COPY {name} FROM '{path}' (FORMAT csv, HEADER false)")
    load_s = time.perf_counter() - start

    region_ids = ", ".join(str(d.pk) for d in districts)
    all_years = list(range(plan.base_year, plan.last_year + 1))
    queries = {}
    for code, (aggregates, divisions) in DUCK_INDICATORS.items():
        source = enterprise_source(indicators[code])
        assert source.above_scale and tuple(source.divisions) == divisions, code
        years = sorted(
            set(all_years) | ({y - 1 for y in all_years} if source.formula.growth else set())
        )
        in_years = ", ".join(map(str, years))
        division = (
            f" AND e.industry_division IN ({', '.join(repr(d) for d in divisions)})"
            if divisions
            else ""
        )
        queries[code] = (
            f"SELECT e.region_id, r.year, count(*) AS reporters, {aggregates} "
            "FROM report r JOIN enterprise e ON e.id = r.enterprise_id "
            f"WHERE r.status = 'city_approved' AND r.year IN ({in_years}) "
            f"AND e.region_id IN ({region_ids}){division} AND EXISTS (SELECT 1 FROM scale_status s "
            "WHERE s.enterprise_id = r.enterprise_id AND s.year = r.year AND s.above_scale) "
            "GROUP BY e.region_id, r.year",
            "SELECT e.region_id, s.year, count(*) AS n FROM scale_status s "
            "JOIN enterprise e ON e.id = s.enterprise_id "
            f"WHERE s.above_scale AND s.year IN ({in_years}) AND e.region_id IN ({region_ids})"
            f"{division} GROUP BY e.region_id, s.year",
        )
    # The same figures as one scan (every aggregate with a division filter where needed): what
    # a single query per table could do.
    in_years = ", ".join(map(str, range(plan.base_year - 1, plan.last_year + 1)))
    equipment = ", ".join(repr(d) for d in DUCK_INDICATORS["equipment-output"][1])
    one = (
        "SELECT e.region_id, r.year, count(*) AS reporters, sum(r.industrial_robots), "
        "sum(r.employees), sum(r.cnc_key_processes), sum(r.key_processes), "
        f"count(*) FILTER (WHERE {BOOL_SUM} >= 2), sum(r.networked_equipment), "
        "sum(r.networkable_equipment), "
        f"sum(r.industrial_output) FILTER (WHERE e.industry_division IN ({equipment})), "
        f"count(*) FILTER (WHERE e.industry_division IN ({equipment})), "
        "sum(r.value_added), sum(r.land_area) "
        "FROM report r JOIN enterprise e ON e.id = r.enterprise_id "
        "JOIN scale_status s ON s.enterprise_id = r.enterprise_id AND s.year = r.year "
        f"WHERE r.status = 'city_approved' AND s.above_scale AND r.year IN ({in_years}) "
        f"AND e.region_id IN ({region_ids}) GROUP BY e.region_id, r.year",
        "SELECT e.region_id, s.year, count(*), "
        f"count(*) FILTER (WHERE e.industry_division IN ({equipment})) FROM scale_status s "
        "JOIN enterprise e ON e.id = s.enterprise_id "
        f"WHERE s.above_scale AND s.year IN ({in_years}) AND e.region_id IN ({region_ids}) "
        "GROUP BY e.region_id, s.year",
    )

    def each():
        return {
            code: (duck.execute(rows).fetchall(), duck.execute(population).fetchall())
            for code, (rows, population) in queries.items()
        }

    def one_scan():
        return [duck.execute(sql).fetchall() for sql in one]

    each()  # warm-up
    one_scan()
    return DuckRuns(
        duck=duck,
        each=each,
        one_scan=one_scan,
        indicators=indicators,
        load_s=load_s,
        version=duckdb.__version__,
        threads=duck.execute("SELECT current_setting('threads')").fetchone()[0],
    )


class DuckRuns:
    """DuckDB loaded with the rows, its two ways of computing the aggregates, and their timings:
    `run_once` is called between the full recomputes, so both see the same load."""

    def __init__(self, *, duck, each, one_scan, indicators, load_s, version, threads):
        self.duck, self.each, self.one_scan, self.indicators = duck, each, one_scan, indicators
        self.load_s, self.version, self.threads = load_s, version, threads
        self.timings_each: list[float] = []
        self.timings_one: list[float] = []

    def run_once(self) -> None:
        start = time.perf_counter()
        self.each()
        self.timings_each.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        self.one_scan()
        self.timings_one.append((time.perf_counter() - start) * 1000)

    def check(self) -> str:
        """Whether DuckDB's figures equal the parts the engine stored (after every run above,
        the deltas included); closes DuckDB."""
        result = compare(self.indicators, self.each())
        self.duck.close()
        return result


def export_csv(table: str, select: str, path: Path) -> None:
    """The table's columns as CSV: COPY … TO STDOUT on PostgreSQL, row by row elsewhere."""
    from django.db import connection

    with connection.cursor() as cursor, path.open("wb") as out:
        if connection.vendor == "postgresql":
            sql = f"COPY (SELECT {select} FROM {table}) TO STDOUT (FORMAT csv)"
            with cursor.cursor.copy(sql) as copy:
                for block in copy:
                    out.write(block)
        else:
            import csv
            import io

            text = io.TextIOWrapper(out, encoding="utf-8", newline="")
            writer = csv.writer(text)
            cursor.execute(f"SELECT {select} FROM {table}")
            while rows := cursor.fetchmany(10_000):
                writer.writerows(
                    [("true" if v is True else "false" if v is False else v) for v in r]
                    for r in rows
                )
            text.flush()
            text.detach()


def compare(indicators, results) -> str:
    """Whether DuckDB's sums and counts equal the parts the engine stored for the districts."""
    from zhizao.monitoring.models import IndicatorValue

    compared = mismatched = 0
    for code, (rows, population) in results.items():
        stored = {
            (v.region_id, v.year): v
            for v in IndicatorValue.objects.filter(indicator=indicators[code])
        }
        counts = {(region, year): n for region, year, n in population}
        for region, year, reporters, *parts in rows:
            value = stored.get((region, year))
            if value is None:  # the year before the plan's base year is read, not stored
                continue
            compared += 1
            mine = {"reporters": reporters} | {f"a{i}": p for i, p in enumerate(parts)}
            theirs = {k: Decimal(v) for k, v in value.components.items()}
            if any(Decimal(mine[k]) != theirs.get(k) for k in mine) or (
                value.population != counts.get((region, year))
            ):
                mismatched += 1
    return f"yes ({compared} district-years)" if not mismatched else f"NO: {mismatched} differ"


if __name__ == "__main__":
    main()
