"""The matcher (供需匹配): ranks solutions, providers, experts, financial products and cases for
a need, with a score in [0, 1] and the reasons in words.

Candidates come from two sides, in a fixed number of queries whatever the library size:

1. text: the search index (the backend `zhizao.bridge.search.search` uses: published entries,
   any of the words, the backend's text score) queried with the need's most telling keywords —
   the words of its title and description weighted by TF-IDF, the title counted twice, words in
   most entries (data/matching-common-words.txt) left out — its best TEXT_HITS;
2. structure: per library, the published entries in the need's cluster or GB/T 4754 division or
   sharing one of its sub-domains, best first by a cheap SQL proxy, at most
   STRUCTURED_CANDIDATES of them (plus the text hits of that library).

Each candidate is then scored in Python from these features, each in [0, 1]:

    text       BM25 of the keywords (with their synonyms, IDF-weighted, the title counting
               triple) over the candidate's indexed words, divided by the best candidate's
               (内容相关 from 0.5). Computed here rather than taken from the backend so that it
               is the same on SQLite and PostgreSQL (ts_rank_cd weighs no word by its rarity)
    industry   1 same division (or same cluster when either side states no division: 同行业),
               0.6 same cluster but another division (同产业集群), 0.5 an entry for every
               industry (it names none), 0 otherwise
    subdomain  the share of the need's sub-domains the entry covers (能力域匹配)
    local      the provider (of a solution or case: its provider) serves the need's district or
               the whole city (本地服务)
    cases      published cases of the provider in the need's cluster (or division), 5 or more
               count fully (同类案例N个)
    budget     a solution's investment range overlaps the need's budget, a case's investment
               lies in it, a financial product's limit covers its upper end (预算相符)
    rating     the provider's rating / 5 (3 when unrated)

    score = Σ weight × feature / Σ weight, over the features that apply to the entry's library
    (local, cases and rating to entries with a provider; budget when both sides state money;
    subdomain not to financial products), so that libraries with fewer fields compete evenly.

The weights are the setting ZHIZAO_MATCH_WEIGHTS (DEFAULT_WEIGHTS for what it leaves out).

The list kept is then chosen, not just cut from the scores (`choose`):

- the industry comes first: an entry that fits the need (its words: text ≥ FIT_TEXT, or one of
  the need's sub-domains) and is of the need's industry or of every industry ranks above every
  entry of another industry; those come next, if they fit; entries that do not fit come last.
  A high text score for a 印染 MES never puts it above a 金属加工 or an industry-neutral one;
- the kinds are mixed: at most MAX_SHARE of the list from one library, and a provider, an
  expert and a financial product that fit (of the need's industry or neutral) each get a place,
  the last place of the most represented library, when none is in the list on its score.
"""

import math
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case as SqlCase
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Value, When
from django.db.models.functions import Coalesce

from zhizao.bridge.matching_text import (  # noqa: F401  (re-exported)
    MATCH_LIBRARIES,
    common_words,
    need_keywords,
    text_hits,
    text_scores,
)
from zhizao.bridge.models import (
    Case,
    ExpertProfile,
    FinancialProduct,
    Library,
    Need,
    Provider,
    Solution,
)

DEFAULT_WEIGHTS = {
    "text": 0.45,
    "industry": 0.20,
    "subdomain": 0.15,
    "local": 0.05,
    "cases": 0.05,
    "budget": 0.05,
    "rating": 0.05,
}
MODELS = {
    Library.SOLUTION: Solution,
    Library.PROVIDER: Provider,
    Library.EXPERT: ExpertProfile,
    Library.FINANCE: FinancialProduct,
    Library.CASE: Case,
}
WITH_PROVIDER = (Library.SOLUTION, Library.CASE)

STRUCTURED_CANDIDATES = 100  # per library
FULL_CASES = 5  # this many cases of the provider in the cluster count fully
NEUTRAL_RATING = Decimal(3)
TEXT_REASON = 0.5  # text relevance from which 内容相关 is said
SAME_CLUSTER_OTHER_DIVISION = 0.6
ANY_INDUSTRY = 0.5
SEPARATOR = " · "
FIT_TEXT = 0.25  # text relevance from which an entry fits the need on its words alone
MAX_SHARE = 0.3  # of the list one library may take: 3 of 10
RESERVED = (Library.PROVIDER, Library.EXPERT, Library.FINANCE)  # a place each when one fits


def weights() -> dict[str, float]:
    configured = getattr(settings, "ZHIZAO_MATCH_WEIGHTS", DEFAULT_WEIGHTS) or {}
    return {name: float(configured.get(name, default)) for name, default in DEFAULT_WEIGHTS.items()}


@dataclass
class MatchResult:
    library: str
    object_id: int
    title: str
    score: float
    reasons: tuple[str, ...]
    features: dict[str, float] = field(default_factory=dict)
    entry: object = field(default=None, repr=False)

    @property
    def reasons_text(self) -> str:
        return SEPARATOR.join(self.reasons)


# --- candidates -------------------------------------------------------------------------------


def _division(need: Need) -> str:
    return getattr(need.enterprise, "industry_division", "") or ""


def _json_has(field_name: str, code: str) -> Q:
    """The JSON list field holds `code`: jsonb containment on PostgreSQL, and on SQLite (no
    containment lookup) a match in its text, which is like ["17", "28"]."""
    if connection.vendor == "postgresql":
        return Q(**{f"{field_name}__contains": [code]})
    return Q(**{f"{field_name}__icontains": f'"{code}"'})


TITLE_FIELDS = {
    Library.SOLUTION: "title",
    Library.PROVIDER: "name",
    Library.EXPERT: "name",
    Library.FINANCE: "name",
    Library.CASE: "title",
}
EXTRA_FIELDS = {
    Library.SOLUTION: ("provider_id", "investment_min", "investment_max"),
    Library.PROVIDER: ("rating",),
    Library.EXPERT: ("user_id",),
    Library.FINANCE: ("limit",),
    Library.CASE: ("provider_id", "investment"),
}


@dataclass
class ProviderInfo:
    pk: int
    rating: Decimal | None
    paths: list[str] = field(default_factory=list)  # of the regions it serves


@dataclass
class Candidate:
    """What scoring reads of an entry, loaded as plain values (no model instances)."""

    library: str
    pk: int
    title: str
    divisions: list
    subdomains: list
    values: dict
    clusters: set[int] = field(default_factory=set)
    provider: ProviderInfo | None = None

    @property
    def provider_id(self) -> int | None:
        if self.library == Library.PROVIDER:
            return self.pk
        return self.values.get("provider_id")


def _structured(need: Need, library: str, text_ids: list[int]) -> list[Candidate]:
    """The library's published candidates for the need, best first by a cheap proxy: the
    first STRUCTURED_CANDIDATES, and the text hits beyond them (two queries, and one for their
    clusters)."""
    model = MODELS[library]
    through = model.clusters.through
    source = through._meta.get_field(model._meta.model_name).attname
    conditions, proxy = Q(pk__in=text_ids), Value(0, output_field=IntegerField())
    if need.cluster_id:
        in_cluster = Exists(
            through.objects.filter(**{source: OuterRef("pk"), "industrycluster": need.cluster_id})
        )
        conditions |= Q(in_cluster)
        proxy = proxy + SqlCase(When(in_cluster, then=2), default=0, output_field=IntegerField())
    division = _division(need)
    if division:
        conditions |= _json_has("divisions", division)
        proxy = proxy + SqlCase(
            When(_json_has("divisions", division), then=2), default=0, output_field=IntegerField()
        )
    if library == Library.FINANCE:  # products for every industry (no cluster, no division)
        conditions |= Q(divisions=[]) & ~Exists(through.objects.filter(**{source: OuterRef("pk")}))
    for code in need.subdomains or []:
        conditions |= _json_has("subdomains", code)
        proxy = proxy + SqlCase(
            When(_json_has("subdomains", code), then=1), default=0, output_field=IntegerField()
        )
    found = model.objects.filter(conditions, is_published=True).annotate(proxy=proxy)
    if library == Library.PROVIDER:
        found = found.annotate(stars=Coalesce("rating", NEUTRAL_RATING)).order_by(
            "-proxy", "-stars", "-published_at", "pk"
        )
    else:
        found = found.order_by("-proxy", "-published_at", "pk")
    fields = ("pk", TITLE_FIELDS[library], "divisions", "subdomains", *EXTRA_FIELDS[library])
    rows = list(found.values(*fields)[:STRUCTURED_CANDIDATES])
    missing = set(text_ids) - {row["pk"] for row in rows}
    if missing:  # text hits beyond the proxy's first rows
        rows += list(model.objects.filter(pk__in=missing, is_published=True).values(*fields))
    candidates = {
        row["pk"]: Candidate(
            library=str(library),
            pk=row["pk"],
            title=row[TITLE_FIELDS[library]],
            divisions=row["divisions"] or [],
            subdomains=row["subdomains"] or [],
            values={name: row[name] for name in EXTRA_FIELDS[library]},
        )
        for row in rows
    }
    links = through.objects.filter(**{f"{source}__in": list(candidates)})
    for entry_id, cluster_id in links.values_list(source, "industrycluster_id"):
        candidates[entry_id].clusters.add(cluster_id)
    return list(candidates.values())


def _providers(candidates: list[Candidate]) -> None:
    """Attach the provider (rating, districts served) to every candidate that has one, in two
    queries."""
    ids = {c.provider_id for c in candidates if c.provider_id is not None}
    if not ids:
        return
    providers = {
        pk: ProviderInfo(pk, rating)
        for pk, rating in Provider.objects.filter(pk__in=ids).values_list("pk", "rating")
    }
    served = Provider.regions_served.through.objects.filter(provider_id__in=ids)
    for provider_id, path in served.values_list("provider_id", "region__path"):
        providers[provider_id].paths.append(path)
    for candidate in candidates:
        candidate.provider = providers.get(candidate.provider_id)


def provider_case_counts(need: Need, provider_ids) -> dict[int, int]:
    """Published cases of each provider in the need's cluster or division, in one query."""
    same = Q()
    if need.cluster_id:
        same |= Q(clusters=need.cluster_id)
    if _division(need):
        same |= _json_has("divisions", _division(need))
    if not same or not provider_ids:
        return {}
    rows = (
        Case.objects.filter(same, is_published=True, provider_id__in=provider_ids)
        .values("provider_id")
        .annotate(n=Count("id", distinct=True))
    )
    return {row["provider_id"]: row["n"] for row in rows}


# --- features and the score -------------------------------------------------------------------


def industry_feature(need: Need, candidate: Candidate) -> tuple[float, str]:
    divisions = {str(d) for d in candidate.divisions}
    division = _division(need)
    same_cluster = bool(need.cluster_id) and need.cluster_id in candidate.clusters
    if division and division in divisions:
        return 1.0, "同行业"
    if same_cluster and (not divisions or not division):
        return 1.0, "同行业"
    if same_cluster:
        return SAME_CLUSTER_OTHER_DIVISION, "同产业集群"
    if not candidate.clusters and not divisions:
        return ANY_INDUSTRY, ""
    return 0.0, ""


def serves(provider: ProviderInfo, need: Need) -> bool:
    """The provider serves the need's region or a region above it (the whole city)."""
    return any(need.region.path.startswith(path) for path in provider.paths)


def _fits(low, high, lo, hi) -> bool:
    """The ranges [low, high] and [lo, hi] overlap (an open end overlaps everything)."""
    return (lo is None or high is None or lo <= high) and (hi is None or low is None or hi >= low)


def budget_feature(need: Need, candidate: Candidate) -> float | None:
    """1 or 0 when both sides state money, None when the feature does not apply."""
    low, high = need.budget_min, need.budget_max
    if low is None and high is None:
        return None
    values = candidate.values
    if candidate.library == Library.SOLUTION:
        lo, hi = values["investment_min"], values["investment_max"]
        if lo is None and hi is None:
            return None
        return 1.0 if _fits(low, high, lo, hi) else 0.0
    if candidate.library == Library.CASE:
        amount = values["investment"]
        if amount is None:
            return None
        return 1.0 if _fits(low, high, amount, amount) else 0.0
    if candidate.library == Library.FINANCE:
        if values["limit"] is None:
            return None
        return 1.0 if values["limit"] >= (high if high is not None else low) else 0.0
    return None


def score_candidate(
    need: Need,
    candidate: Candidate,
    text: float,
    case_counts: dict[int, int],
    weight: dict[str, float] | None = None,
) -> MatchResult:
    """The features, score and reasons of one candidate (no queries)."""
    weight = weight or weights()
    features: dict[str, float] = {"text": text}
    reasons: list[str] = []
    features["industry"], industry_reason = industry_feature(need, candidate)
    if industry_reason:
        reasons.append(industry_reason)
    wanted = set(need.subdomains or [])
    if wanted and candidate.library != Library.FINANCE:
        covered = len(wanted & set(candidate.subdomains))
        features["subdomain"] = covered / len(wanted)
        if covered:
            reasons.append("能力域匹配")
    provider = candidate.provider
    if provider is not None:
        features["local"] = 1.0 if serves(provider, need) else 0.0
        if features["local"]:
            reasons.append("本地服务")
        count = case_counts.get(provider.pk, 0)
        features["cases"] = min(count, FULL_CASES) / FULL_CASES
        if count:
            reasons.append(f"同类案例{count}个")
        rating = provider.rating if provider.rating is not None else NEUTRAL_RATING
        features["rating"] = float(rating) / 5.0
    budget = budget_feature(need, candidate)
    if budget is not None:
        features["budget"] = budget
        if budget:
            reasons.append("预算相符")
    if text >= TEXT_REASON:
        reasons.append("内容相关")
    total = sum(weight[name] for name in features)
    score = sum(weight[name] * value for name, value in features.items()) / total if total else 0.0
    return MatchResult(
        library=candidate.library,
        object_id=candidate.pk,
        title=candidate.title,
        score=round(score, 4),
        reasons=tuple(reasons),
        features=features,
    )


def _attach_entries(results: list[MatchResult]) -> None:
    """The model instances of the results kept (at most one query per library)."""
    for library in {r.library for r in results}:
        found = MODELS[library].objects.filter(
            pk__in=[r.object_id for r in results if r.library == library]
        )
        if library in WITH_PROVIDER:
            found = found.select_related("provider")
        elif library == Library.EXPERT:
            found = found.select_related("user")
        entries = found.in_bulk()
        for result in results:
            if result.library == library:
                result.entry = entries.get(result.object_id)


def rank(need: Need, limit: int = 10, libraries=MATCH_LIBRARIES) -> list[MatchResult]:
    """The best `limit` published entries of `libraries` for the need, best first (ties by
    library and id, so that the order is stable), with their model instances as `entry`."""
    need = _with_relations(need)
    with _planned_plainly():
        return _rank(need, limit, libraries)


@contextmanager
def _planned_plainly():
    """On PostgreSQL, no JIT compilation for matching's statements: their cost estimates
    (subqueries per row) trigger it, and compiling takes longer than running them."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
        yield


def _rank(need: Need, limit: int, libraries) -> list[MatchResult]:
    groups, hits = text_hits(need, libraries)
    candidates: list[Candidate] = []
    for library in libraries:
        ids = [object_id for (lib, object_id) in hits if lib == library]
        candidates += _structured(need, library, ids)
    text = text_scores(groups, [(c.library, c.pk) for c in candidates])
    _providers(candidates)
    counts = provider_case_counts(need, {c.provider.pk for c in candidates if c.provider})
    weight = weights()
    results = [
        score_candidate(need, c, text.get((c.library, c.pk), 0.0), counts, weight)
        for c in candidates
    ]
    kept = choose(results, max(0, int(limit)))
    _attach_entries(kept)
    return kept


# --- the list kept: industry first, kinds mixed --------------------------------------------------


def fits(result: MatchResult) -> bool:
    """The entry answers the need: by its words, or by one of the need's sub-domains."""
    features = result.features
    return features["text"] >= FIT_TEXT or features.get("subdomain", 0.0) > 0


def tier(result: MatchResult) -> int:
    """0 fits, of the need's industry or of every industry; 1 fits, of another industry;
    2 does not fit."""
    if not fits(result):
        return 2
    return 0 if result.features["industry"] > 0 else 1


_LIBRARY_ORDER = {library: position for position, library in enumerate(MATCH_LIBRARIES)}


def _order(result: MatchResult) -> tuple:
    return (tier(result), -result.score, _LIBRARY_ORDER.get(result.library, 99), result.object_id)


def choose(results: list[MatchResult], limit: int) -> list[MatchResult]:
    """The `limit` results to keep, best first by (tier, score): at most MAX_SHARE of them of
    one library while others are left, and a fitting provider, expert and financial product of
    the need's industry (or neutral) each in the list when one exists."""
    ranked = sorted(results, key=_order)
    cap = max(1, math.ceil(limit * MAX_SHARE))
    taken: list[MatchResult] = []
    left: list[MatchResult] = []
    counts: Counter = Counter()
    for result in ranked:
        if len(taken) < limit and counts[result.library] < cap:
            taken.append(result)
            counts[result.library] += 1
        else:
            left.append(result)
    # Too few kinds to fill the list within the cap: the best of the rest, whatever the kind.
    while len(taken) < limit and left:
        result = left.pop(0)
        taken.append(result)
        counts[result.library] += 1
    for library in RESERVED:
        if counts[library]:
            continue
        best = next((r for r in left if r.library == library and tier(r) == 0), None)
        if best is None:
            continue
        if len(taken) >= limit:
            # the place of the last entry of a library that keeps at least one other
            crowded = [r for r in taken if counts[r.library] > 1]
            if not crowded:
                continue
            out = max(crowded, key=_order)
            taken.remove(out)
            counts[out.library] -= 1
        taken.append(best)
        counts[library] += 1
    return sorted(taken, key=_order)


def _with_relations(need: Need) -> Need:
    """The need with its enterprise and region loaded (one query when they are not)."""
    state = need._state.fields_cache
    if "enterprise" in state and "region" in state:
        return need
    return Need.objects.select_related("enterprise", "region").get(pk=need.pk)
