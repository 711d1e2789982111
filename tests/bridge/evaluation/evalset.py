"""The matching evaluation set (set.yaml): loading it into the database and scoring a ranking.

`build()` creates the set's entries (published, indexed for search) and its needs, each posted
by an enterprise of the need's cluster, class and district; `evaluate()` runs the matcher on
every need and returns precision@5 and nDCG@10 (graded: 2 directly relevant, 1 useful).
Used by the regression test (test_evaluation.py) and by bench/bench_matching.py. Load the
plan first (clusters and districts)."""

import math
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import yaml

from tests.bridge.factories import (
    make_case,
    make_expert_profile,
    make_financial_product,
    make_need,
    make_provider,
    make_solution,
)
from tests.enterprises.factories import make_enterprise
from zhizao.bridge.models import Library
from zhizao.core.models import IndustryCluster

SET_FILE = Path(__file__).resolve().parent / "set.yaml"
PREFIX_LIBRARY = {
    "P": Library.PROVIDER,
    "S": Library.SOLUTION,
    "C": Library.CASE,
    "E": Library.EXPERT,
    "F": Library.FINANCE,
}


def read_set(path: Path = SET_FILE) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _money(value):
    return None if value is None else Decimal(str(value))


def _common(item: dict) -> dict:
    return {
        "divisions": [str(d) for d in item.get("divisions") or []],
        "subdomains": list(item.get("subdomains") or []),
        "description": item.get("description", ""),
    }


def _cluster_names(codes) -> list[str]:
    names = dict(IndustryCluster.objects.values_list("code", "name"))
    return [names[code] for code in codes or []]


@dataclass
class Loaded:
    """The set in the database: entry key → (library, id), need key → Need, judgements."""

    entries: dict[str, tuple[str, int]] = field(default_factory=dict)
    needs: dict = field(default_factory=dict)
    relevant: dict[str, dict[tuple[str, int], int]] = field(default_factory=dict)

    def key_of(self) -> dict[tuple[str, int], str]:
        return {value: key for key, value in self.entries.items()}


def build_entries(data: dict, *, index: bool = True) -> dict[str, tuple[str, int]]:
    entries: dict[str, tuple[str, int]] = {}
    providers = {}
    for item in data["providers"]:
        provider = make_provider(
            item["name"],
            clusters=_cluster_names(item.get("clusters")),
            regions=item.get("regions"),
            qualifications=item.get("qualifications", ""),
            rating=_money(item.get("rating")),
            **_common(item),
        )
        providers[item["key"]] = provider
        entries[item["key"]] = (Library.PROVIDER, provider.pk)
    for item in data["solutions"]:
        low, high = item.get("investment") or (None, None)
        solution = make_solution(
            item["title"],
            provider=providers[item["provider"]],
            clusters=_cluster_names(item.get("clusters")),
            investment_min=_money(low),
            investment_max=_money(high),
            **_common(item),
        )
        entries[item["key"]] = (Library.SOLUTION, solution.pk)
    for item in data["cases"]:
        case = make_case(
            item["title"],
            provider=providers[item["provider"]],
            clusters=_cluster_names(item.get("clusters")),
            enterprise_name=item.get("enterprise_name", ""),
            problem=item.get("problem", ""),
            approach=item.get("approach", ""),
            investment=_money(item.get("investment")),
            results=item.get("results") or [],
            **_common(item),
        )
        entries[item["key"]] = (Library.CASE, case.pk)
    for item in data["experts"]:
        expert = make_expert_profile(
            item["name"],
            clusters=_cluster_names(item.get("clusters")),
            expertise=item["expertise"],
            professional_title=item.get("professional_title", ""),
            affiliation=item.get("affiliation", ""),
            **_common(item),
        )
        entries[item["key"]] = (Library.EXPERT, expert.pk)
    for item in data["finance"]:
        low, high = item.get("rate") or (None, None)
        product = make_financial_product(
            item["name"],
            clusters=_cluster_names(item.get("clusters")),
            institution=item["institution"],
            product_type=item["product_type"],
            limit=_money(item.get("limit")),
            rate_min=_money(low),
            rate_max=_money(high),
            eligibility=item.get("eligibility", ""),
            **_common(item),
        )
        entries[item["key"]] = (Library.FINANCE, product.pk)
    if index:
        from zhizao.bridge.search import rebuild_index

        rebuild_index(workers=1)
    return entries


def build_needs(data: dict, entries: dict[str, tuple[str, int]], loaded: Loaded) -> None:
    clusters = dict(IndustryCluster.objects.values_list("code", "name"))
    enterprises = {}
    for item in data["needs"]:
        profile = data["enterprises"][item["enterprise"]]
        place = (item["enterprise"], item["district"])
        if place not in enterprises:
            enterprises[place] = make_enterprise(
                region=item["district"],
                cluster=clusters[profile["cluster"]],
                industry_code=profile["industry_code"],
            )
        low, high = item.get("budget") or (None, None)
        loaded.needs[item["key"]] = make_need(
            enterprises[place],
            title=item["title"],
            description=item["description"],
            subdomains=list(item.get("subdomains") or []),
            budget_min=_money(low),
            budget_max=_money(high),
        )
        loaded.relevant[item["key"]] = {
            entries[key]: int(grade) for key, grade in item["relevant"].items()
        }


def build(data: dict | None = None, *, index: bool = True) -> Loaded:
    data = data or read_set()
    loaded = Loaded()
    loaded.entries = build_entries(data, index=index)
    build_needs(data, loaded.entries, loaded)
    return loaded


# --- metrics ----------------------------------------------------------------------------------


def precision_at(ranked: list, relevant: dict, k: int = 5) -> float:
    return sum(1 for item in ranked[:k] if relevant.get(item, 0) > 0) / k


def ndcg_at(ranked: list, relevant: dict, k: int = 10) -> float:
    def dcg(grades):
        return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(grades))

    ideal = dcg(sorted(relevant.values(), reverse=True)[:k])
    if ideal == 0:
        return 0.0
    return dcg([relevant.get(item, 0) for item in ranked[:k]]) / ideal


@dataclass
class Evaluation:
    precision_at_5: float
    ndcg_at_10: float
    per_need: dict[str, tuple[float, float]]
    rankings: dict[str, list[tuple[str, int]]]


def evaluate(loaded: Loaded, rank) -> Evaluation:
    """Mean precision@5 and nDCG@10 of `rank(need, limit=10)` over the set's needs."""
    per_need, rankings = {}, {}
    for key, need in loaded.needs.items():
        ranked = [(r.library, r.object_id) for r in rank(need, limit=10)]
        relevant = loaded.relevant[key]
        rankings[key] = ranked
        per_need[key] = (precision_at(ranked, relevant, 5), ndcg_at(ranked, relevant, 10))
    count = len(per_need)
    return Evaluation(
        precision_at_5=sum(p for p, _ in per_need.values()) / count,
        ndcg_at_10=sum(n for _, n in per_need.values()) / count,
        per_need=per_need,
        rankings=rankings,
    )
