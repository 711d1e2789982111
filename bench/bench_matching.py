"""Benchmark of supply–demand matching (issue #7): quality over the evaluation set, and the time
to match one need at 100,000 library entries.

Run: .venv/bin/python bench/bench_matching.py [--entries 100000] [--repeat 5]
     DATABASE_URL=postgres://postgres@127.0.0.1:5432/<empty database> .venv/bin/python bench/bench_matching.py

Uses a throwaway SQLite database (or the empty database of DATABASE_URL). Steps:
1. loads the plan and the evaluation set (tests/bridge/evaluation/set.yaml: 196 entries, 63
   judged needs), indexes it, and prints precision@5 and nDCG@10 of the matcher;
2. adds synthetic published entries up to --entries in all (solutions 30 %, cases 40 %,
   experts 15 %, providers 10 %, financial products 5 %), their text recombined from the set's
   own sentences so that the search index's word lists are as crowded as real ones, with
   clusters, divisions, sub-domains, districts served and ratings; rebuilds the index;
3. times `rank(need, limit=10)` for each of the 63 needs (`--repeat` times each) and prints the
   median, p95 and maximum in milliseconds with the queries of one match; then the quality
   again, the synthetic entries counting as not relevant (a lower bound).
"""

import argparse
import os
import random
import re
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SECRET_KEY", "bench-only-secret")
os.environ.setdefault("ZHIZAO_VAR_DIR", tempfile.mkdtemp(prefix="zhizao-bench-matching-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhizao.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from tests.bridge.evaluation.evalset import build, evaluate, read_set  # noqa: E402
from zhizao.bridge.matching import rank  # noqa: E402
from zhizao.bridge.models import (  # noqa: E402
    Case,
    EntryStatus,
    ExpertProfile,
    FinancialProduct,
    Provider,
    Solution,
)
from zhizao.bridge.search import rebuild_index  # noqa: E402
from zhizao.core.models import IndustryCluster, Region, RegionLevel  # noqa: E402
from zhizao.plans.planfile import DEFAULT_PLAN_FILE, read_plan_file  # noqa: E402
from zhizao.plans.services import load_plan  # noqa: E402

SHARES = (
    (Solution, 0.30),
    (Case, 0.40),
    (ExpertProfile, 0.15),
    (Provider, 0.10),
    (FinancialProduct, 0.05),
)
SUBDOMAINS = [
    "OS",
    "SK",
    "DA",
    "IN",
    "IS",
    "EQ",
    "NW",
    "PD",
    "PE",
    "PU",
    "PS",
    "PO",
    "EM",
    "WH",
    "SE",
    "EN",
    "LO",
    "SA",
    "CS",
    "PV",
]
DIVISIONS = ["15", "17", "24", "26", "27", "28", "33", "34", "38", "39"]
BATCH = 5000


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def sentences(data: dict) -> tuple[list[str], list[str]]:
    """The set's titles and the clauses of its texts, to recombine."""
    titles, clauses = [], []
    for part in ("providers", "solutions", "cases", "experts", "finance"):
        for item in data[part]:
            titles.append(item.get("title") or item.get("name"))
            for field in ("description", "problem", "approach", "eligibility", "expertise"):
                clauses += [c for c in re.split(r"[，。；、]", item.get(field) or "") if c]
    return titles, clauses


def synthetic(count: int, data: dict, seed: int = 7) -> None:
    """`count` published entries, in bulk."""
    rng = random.Random(seed)
    titles, clauses = sentences(data)
    clusters = list(IndustryCluster.objects.all())
    districts = list(Region.objects.filter(level=RegionLevel.COUNTY))
    now = timezone.now()
    serial = iter(range(10**9))

    def text() -> str:
        return "，".join(rng.sample(clauses, 3)) + "。"

    def common() -> dict:
        return {
            "status": EntryStatus.PUBLISHED,
            "is_published": True,
            "published_at": now,
            "description": text(),
            "divisions": rng.sample(DIVISIONS, rng.choice((0, 1, 1, 2))),
            "subdomains": rng.sample(SUBDOMAINS, rng.choice((0, 1, 2, 2, 3))),
        }

    def title() -> str:
        return f"{rng.choice(titles)}（{next(serial)}）"

    sizes = {model: int(count * share) for model, share in SHARES}
    providers: list[int] = []
    for model in (Provider, Solution, Case, ExpertProfile, FinancialProduct):
        made = 0
        while made < sizes[model]:
            size = min(BATCH, sizes[model] - made)
            rows = []
            for _ in range(size):
                if model is Provider:
                    rating = Decimal(rng.randint(30, 50)) / 10
                    rows.append(
                        Provider(name=f"合成服务商{next(serial)}", rating=rating, **common())
                    )
                elif model is Solution:
                    low = rng.choice((10, 30, 50, 100, 200, 500))
                    rows.append(
                        Solution(
                            title=title(),
                            provider_id=rng.choice(providers),
                            investment_min=Decimal(low),
                            investment_max=Decimal(low * rng.choice((2, 3, 4))),
                            **common(),
                        )
                    )
                elif model is Case:
                    rows.append(
                        Case(
                            title=title(),
                            provider_id=rng.choice(providers),
                            problem=text(),
                            approach=text(),
                            investment=Decimal(rng.choice((20, 50, 100, 300, 800))),
                            **common(),
                        )
                    )
                elif model is ExpertProfile:
                    rows.append(
                        ExpertProfile(
                            name=f"专家{next(serial)}", expertise=rng.choice(titles), **common()
                        )
                    )
                else:
                    rows.append(
                        FinancialProduct(
                            name=title(),
                            institution="合成银行",
                            product_type="loan",
                            limit=Decimal(rng.choice((200, 500, 1000, 3000, 5000))),
                            **common(),
                        )
                    )
            with transaction.atomic():
                created = model.objects.bulk_create(rows)
                link = model.clusters.through
                source = f"{model._meta.model_name}_id"
                link.objects.bulk_create(
                    link(**{source: row.pk, "industrycluster_id": cluster.pk})
                    for row in created
                    for cluster in rng.sample(clusters, rng.choice((0, 1, 1, 2)))
                )
                if model is Provider:
                    providers += [row.pk for row in created]
                    served = Provider.regions_served.through
                    served.objects.bulk_create(
                        served(provider_id=row.pk, region_id=region.pk)
                        for row in created
                        for region in rng.sample(districts, rng.randint(1, 3))
                    )
            made += size


def quality(label: str, loaded) -> None:
    result = evaluate(loaded, rank)
    print(
        f"| {label} | {len(loaded.needs)} | {result.precision_at_5:.3f} | {result.ndcg_at_10:.3f} |"
    )


def ideal_precision(loaded) -> float:
    values = [min(len(r), 5) / 5 for r in loaded.relevant.values()]
    return sum(values) / len(values)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args()
    call_command("migrate", verbosity=0)
    load_plan(read_plan_file(DEFAULT_PLAN_FILE))
    data = read_set()
    loaded = build(data)
    print(f"database: {connection.vendor}")
    print(
        f"upper bound of precision@5 (needs with fewer than 5 relevant): {ideal_precision(loaded):.3f}"
    )
    print("| set | needs | precision@5 | nDCG@10 |\n|---|---|---|---|")
    quality("evaluation set alone (190 entries)", loaded)

    extra = max(0, options.entries - len(loaded.entries))
    start = time.perf_counter()
    synthetic(extra, data)
    made = time.perf_counter() - start
    start = time.perf_counter()
    counts = rebuild_index()
    indexed = time.perf_counter() - start
    total = sum(counts.values())
    print(
        f"\nadded {extra:,} entries in {made:.1f} s; index rebuilt ({total:,} documents) in {indexed:.1f} s"
    )
    # Planner statistics, as autovacuum keeps them on PostgreSQL: without them SQLite probes
    # the full-text index once per document instead of reading its matches.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    timings, cpu, queries = [], [], []
    for need in loaded.needs.values():
        rank(need, limit=10)  # warm-up
        counter = QueryCounter()
        with connection.execute_wrapper(counter):
            rank(need, limit=10)
        queries.append(counter.count)
        for _ in range(options.repeat):
            begin, begin_cpu = time.perf_counter(), time.process_time()
            rank(need, limit=10)
            timings.append((time.perf_counter() - begin) * 1000)
            cpu.append((time.process_time() - begin_cpu) * 1000)
    timings.sort()
    p95 = timings[min(len(timings) - 1, round(0.95 * len(timings)) - 1)]
    print(
        f"\nmatching one need at {total:,} documents, {len(timings)} runs ({len(loaded.needs)} needs × {options.repeat})"
    )
    print("| median ms | p95 ms | max ms | median CPU ms of this process | queries |")
    print("|---|---|---|---|---|")
    print(
        f"| {statistics.median(timings):.1f} | {p95:.1f} | {timings[-1]:.1f} | "
        f"{statistics.median(cpu):.1f} | {min(queries)}–{max(queries)} |"
    )
    print(f"load average during the runs: {os.getloadavg()[0]:.1f} (cores: {os.cpu_count()})")
    print("\n| set | needs | precision@5 | nDCG@10 |\n|---|---|---|---|")
    quality(f"with {extra:,} synthetic entries (unjudged, counted not relevant)", loaded)


if __name__ == "__main__":
    main()
