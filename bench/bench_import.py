"""Benchmark of the enterprise import: a 50,000-row workbook read, checked and written.

Run: .venv/bin/python bench/bench_import.py [--enterprises 8334] [--years 6] [--keep FILE]
Generates a workbook of valid data (each enterprise reporting every plan year from the base year,
figures growing a few per cent a year), in a child process so that its memory does not count,
then times read + preview + apply on a throwaway SQLite database (or DATABASE_URL if set): the
first import, the same file again (all rows unchanged), and a file in which every row changes;
and prints the peak RSS of this process after each.
"""

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SECRET_KEY", "bench-only-secret")
os.environ.setdefault("ZHIZAO_VAR_DIR", tempfile.mkdtemp(prefix="zhizao-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhizao.settings")

DISTRICTS = [
    ("330602", "越城区"),
    ("330603", "柯桥区"),
    ("330604", "上虞区"),
    ("330681", "诸暨市"),
    ("330683", "嵊州市"),
    ("330624", "新昌县"),
]
CLUSTERS = ["现代纺织", "绿色化工", "集成电路", "现代医药", "金属加工", "装备及关键零部件", ""]
INDUSTRY = ["1711", "1762", "2614", "2710", "3311", "3419", "3484", "3871", "1512", "41"]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def generate(path: Path, enterprises: int, years: list[int], bump: int = 0) -> None:
    """Write the workbook with openpyxl's write-only mode (run in a child process); `bump` adds
    to every headcount, for a file in which every row changes."""
    import django

    django.setup()
    from openpyxl import Workbook
    from stdnum.cn import uscc as uscc_number

    from zhizao.enterprises.importing import COLUMNS

    rng = random.Random(2021)
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet("年度数据")
    ws.append([c.header for c in COLUMNS])
    for n in range(enterprises):
        code, district = DISTRICTS[n % len(DISTRICTS)]
        body = f"91{code}{n:09d}"
        base = {
            "employees": rng.randint(50, 3000),
            "key_processes": rng.randint(5, 60),
            "networkable_equipment": rng.randint(20, 800),
            "industrial_output": rng.randint(5_000, 500_000),
            "land_area": round(rng.uniform(10, 400), 2),
            "energy_use": round(rng.uniform(300, 80_000), 2),
        }
        fixed = {
            "uscc": body + uscc_number.calc_check_digit(body),
            "name": f"绍兴市{district}测试制造{n:05d}有限公司",
            "region": district,
            "town": "某某街道",
            "cluster": CLUSTERS[n % len(CLUSTERS)] or None,
            "industry_code": INDUSTRY[n % len(INDUSTRY)],
            "address": f"{district}工业大道 {n} 号",
            "contact_name": "联系人",
            "contact_phone": f"1380000{n % 10000:04d}",
        }
        for step, year in enumerate(years):
            growth = 1.05**step
            employees = int(base["employees"] * growth) + bump
            key = base["key_processes"]
            networkable = base["networkable_equipment"]
            output = round(base["industrial_output"] * growth, 2)
            values = {
                **fixed,
                "year": year,
                "above_scale": "是" if output >= 2000 else "否",
                "employees": employees,
                "industrial_robots": employees // 40 + step,
                "key_processes": key,
                "cnc_key_processes": min(key, key // 2 + step),
                "networkable_equipment": networkable,
                "networked_equipment": min(networkable, networkable // 2 + 10 * step),
                "industrial_output": output,
                "revenue": round(output * 0.97, 2),
                "value_added": round(output * 0.23, 2),
                "land_area": base["land_area"],
                "energy_use": round(base["energy_use"] * growth, 2),
                "rd_spending": round(output * 0.03, 2),
                "transformation_investment": round(output * 0.01, 2),
                "comment": None,
            }
            for column in COLUMNS:
                if column.kind == "bool":
                    values[column.key] = "是" if (n + step + len(column.key)) % 3 == 0 else "否"
            ws.append([values.get(c.key) for c in COLUMNS])
    workbook.save(path)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--enterprises", type=int, default=8334)
    parser.add_argument("--years", type=int, default=6)
    parser.add_argument("--keep", help="write the workbook here (and reuse it if it exists)")
    parser.add_argument("--generate", help=argparse.SUPPRESS)
    parser.add_argument("--bump", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    years = list(range(2020, 2020 + args.years))
    if args.generate:
        generate(Path(args.generate), args.enterprises, years, args.bump)
        return

    path = Path(args.keep) if args.keep else Path(tempfile.mkdtemp()) / "bench-import.xlsx"
    changed = path.with_name(path.stem + "-changed.xlsx")
    for target, bump in ((path, 0), (changed, 1)):
        if target.exists():
            continue
        start = time.perf_counter()
        command = [sys.executable, __file__, "--generate", str(target), "--bump", str(bump)]
        command += ["--enterprises", str(args.enterprises), "--years", str(args.years)]
        subprocess.run(command, check=True)
        print(f"generated {target.name} in {time.perf_counter() - start:.1f} s (child process)")

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from zhizao.enterprises.importing import apply_import, preview_import, read_workbook
    from zhizao.enterprises.models import Enterprise, ReportStatus, ReviewStep, YearlyReport
    from zhizao.plans.planfile import DEFAULT_PLAN_FILE, read_plan_file
    from zhizao.plans.services import load_plan

    call_command("migrate", verbosity=0)
    load_plan(read_plan_file(DEFAULT_PLAN_FILE))
    size_mb = path.stat().st_size / 1024 / 1024
    rss_before = peak_rss_mb()

    def run(label: str, path: Path) -> None:
        start = time.perf_counter()
        rows = read_workbook(path)
        read_s = time.perf_counter() - start
        preview = preview_import(rows, None, source=path.name)
        del rows
        preview_s = time.perf_counter() - start - read_s
        if preview.errors:
            raise SystemExit(f"unexpected errors: {[e.as_dict() for e in preview.errors[:5]]}")
        apply_import(preview, None)
        total = time.perf_counter() - start
        print(
            f"| {label} | {preview.rows:,} | {preview.created:,} / {preview.updated:,} / "
            f"{preview.unchanged:,} | {read_s:.1f} | {preview_s:.1f} | "
            f"{total - read_s - preview_s:.1f} | {total:.1f} | {peak_rss_mb():.0f} |"
        )

    print(
        f"database: {connection.vendor}; file {size_mb:.1f} MB, {args.enterprises:,} enterprises "
        f"× {args.years} years; RSS after setup {rss_before:.0f} MB"
    )
    print(
        "| run | rows | created / updated / unchanged | read s | check s | write s | total s "
        "| peak RSS MB |"
    )
    print("|---|---|---|---|---|---|---|---|")
    run("first import (all new)", path)
    run("same file again (nothing changes)", path)
    # Reports the city approved may not change by import: reopen them as district-approved.
    YearlyReport.objects.update(status=ReportStatus.DISTRICT_APPROVED)
    run("every headcount changed (district-approved reports)", changed)
    print(
        f"database now: {Enterprise.objects.count():,} enterprises, "
        f"{YearlyReport.objects.count():,} reports, {YearlyReport.history.count():,} report "
        f"history rows, {ReviewStep.objects.count():,} review steps"
    )


if __name__ == "__main__":
    main()
