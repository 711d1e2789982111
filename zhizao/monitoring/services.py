"""monitoring services: the progress of a plan's indicators for a region and year, from the
stored actual values, as `zhizao progress` prints it and the pages will show it."""

import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db.models import Max, Q

from zhizao.core.models import Region, RegionLevel
from zhizao.core.roles import Role, is_city_admin
from zhizao.core.scoping import scope_queryset
from zhizao.monitoring.engine import source_type
from zhizao.monitoring.models import IndicatorValue
from zhizao.monitoring.progress import compute_progress
from zhizao.plans.models import Indicator, IndicatorKind, Plan, YearTarget

NO_TARGET = "no_target"
PROGRESS_KEYS = (
    "actual", "year_target", "year_completion", "cumulative_actual", "five_year_target",
    "five_year_progress", "schedule", "status", "forecast", "at_risk",
)  # fmt: skip


@dataclass(frozen=True)
class Thresholds:
    green_at: Decimal
    amber_at: Decimal


def thresholds() -> Thresholds:
    return Thresholds(
        green_at=Decimal(str(getattr(settings, "ZHIZAO_STATUS_GREEN_AT", "1"))),
        amber_at=Decimal(str(getattr(settings, "ZHIZAO_STATUS_AMBER_AT", "0.9"))),
    )


def plan_progress(
    plan: Plan, year: int, region: Region, *, user=None, with_series: bool = False
) -> list[dict]:
    """One row per indicator: its actual value for `region` and `year` and its progress.

    The city is judged against the plan itself. A district is judged against its share where
    the annex gives one (stock and flow items: its floor, reached along the city's yearly path),
    and against the city's own goals for rates and levels (a district's robot density aims at
    the same 400). District additions without an annex share have no target to be judged by."""
    if not plan.first_year <= year <= plan.last_year:
        raise ValueError(f"年份 {year} 不在方案年份内（{plan.first_year}—{plan.last_year}年）。")
    indicators = list(plan.indicators.prefetch_related("year_targets").order_by("number"))
    stored = IndicatorValue.objects.filter(
        indicator__plan=plan, region=region, year__lte=year, value__isnull=False
    )
    if user is not None:  # the command line (user None) sees everything
        stored = scope_queryset(user, stored)
    values: dict[int, dict[int, Decimal]] = {}
    for row in stored.values("indicator_id", "year", "value"):
        values.setdefault(row["indicator_id"], {})[row["year"]] = row["value"]
    floors = dict(
        region.region_targets.filter(indicator__plan=plan).values_list("indicator_id", "floor")
    )
    limits = thresholds()
    rows = []
    for indicator in indicators:
        actuals = values.get(indicator.pk, {})
        yearly = {t.year: t.value for t in indicator.year_targets.all()}
        goal = _goal(indicator, yearly, region, floors.get(indicator.pk))
        row = {
            "no": indicator.number,
            "name": indicator.name,
            "unit": indicator.unit,
            "kind": indicator.kind,
            "source": source_type(indicator),
        }
        if goal is None:
            row.update(dict.fromkeys(PROGRESS_KEYS))
            row["actual"] = _number(actuals.get(year))
            row["status"] = NO_TARGET
        else:
            kind, base, target, targets = goal
            progress = compute_progress(
                kind, base, target, targets, {y: v for y, v in actuals.items() if y in targets},
                year, base_year=plan.base_year, years=plan.years,
                green_at=limits.green_at, amber_at=limits.amber_at,
            )  # fmt: skip
            row.update(progress.to_dict())
        if with_series:
            # Actual against planned, year by year, for a sparkline (the plan's years only).
            targets = goal[3] if goal else {}
            row["series"] = {
                "years": plan.years,
                "targets": [_number(targets.get(y)) for y in plan.years],
                "actuals": [_number(actuals.get(y)) for y in plan.years],
            }
            row["indicator"] = indicator
        rows.append(row)
    return rows


def _goal(indicator, yearly: dict, region: Region, floor: Decimal | None):
    """(kind, base, target, yearly targets) to judge `region` by, or None when it has none."""
    if region.level == RegionLevel.CITY:
        return indicator.kind, indicator.base, indicator.target, yearly
    if indicator.kind in (IndicatorKind.LEVEL, IndicatorKind.GROWTH):
        return indicator.kind, indicator.base, indicator.target, yearly
    if floor is None or not floor:
        return None
    # The district's additions against its floor, along the city's yearly path scaled to it.
    planned = sum(yearly.values(), Decimal(0))
    scaled = {y: v * floor / planned for y, v in yearly.items()} if planned else {}
    return IndicatorKind.FLOW, None, floor, scaled


def _number(value):
    if value is None:
        return None
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


def visible_regions(user, plan: Plan) -> list[Region]:
    """The regions whose figures `user` may open: the city and its districts for the city admin,
    its own district for a district officer (whose scope holds no city-wide values)."""
    candidates = Region.objects.filter(Q(pk=plan.region_id) | Q(parent=plan.region_id))
    regions = list(scope_queryset(user, candidates).order_by("sort_order"))
    if is_city_admin(user):
        return regions
    if getattr(user, "role", None) == Role.DISTRICT:
        return [r for r in regions if r.level == RegionLevel.COUNTY]
    return []  # enterprises, providers and experts read the published figures instead


def latest_year(plan: Plan) -> int:
    """The latest plan year with any computed value, or the plan's first year."""
    year = (
        IndicatorValue.objects.filter(
            indicator__plan=plan, value__isnull=False, year__gte=plan.first_year
        )
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )
    return year or plan.first_year


def district_ranking(plan: Plan, year: int, user=None) -> dict:
    """Each district's five-year progress on every indicator it is judged on, its rank per
    indicator (1 = furthest ahead), and a composite rank from the mean of its weighted ranks
    (weights per indicator number in the setting ZHIZAO_RANKING_WEIGHTS; 1 otherwise)."""
    districts = [r for r in visible_regions(user, plan) if r.parent_id == plan.region_id]
    weights = getattr(settings, "ZHIZAO_RANKING_WEIGHTS", {})
    progress = {d.pk: plan_progress(plan, year, d, user=user) for d in districts}
    indicators = list(plan.indicators.order_by("number"))
    rows, rank_sums = [], {d.pk: [Decimal(0), Decimal(0)] for d in districts}
    for position, indicator in enumerate(indicators):
        cells = {d.pk: progress[d.pk][position]["five_year_progress"] for d in districts}
        ranked = sorted((v, pk) for pk, v in cells.items() if v is not None)
        ranked.sort(key=lambda item: -item[0])
        ranks = {pk: place for place, (_, pk) in enumerate(ranked, start=1)}
        weight = Decimal(str(weights.get(indicator.number, 1)))
        for pk, place in ranks.items():
            rank_sums[pk][0] += weight * place
            rank_sums[pk][1] += weight
        rows.append(
            {
                "indicator": indicator,
                "cells": [(cells[d.pk], ranks.get(d.pk)) for d in districts],
            }
        )
    composite = {pk: (total / count if count else None) for pk, (total, count) in rank_sums.items()}
    order = sorted((score, d.name) for d in districts if (score := composite[d.pk]) is not None)
    composite_rank = {name: place for place, (_, name) in enumerate(order, start=1)}
    return {
        "districts": districts,
        "rows": [r for r in rows if any(v is not None for v, _ in r["cells"])],
        "composite": [(d, composite[d.pk], composite_rank.get(d.name)) for d in districts],
    }


def values_stamp(plan: Plan) -> str:
    """What the plan's figures were computed from, as of now: the latest recomputation and the
    latest change to the plan's targets. A page cached under this stamp is never stale."""
    computed = IndicatorValue.objects.filter(indicator__plan=plan).aggregate(at=Max("computed_at"))
    targets = YearTarget.history.filter(indicator__plan=plan).aggregate(at=Max("history_date"))
    indicators = Indicator.history.filter(plan_id=plan.pk).aggregate(at=Max("history_date"))
    text = "|".join(str(x["at"]) for x in (computed, targets, indicators))
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def cached_plan_progress(plan: Plan, year: int, region: Region, user) -> list[dict]:
    """plan_progress with series for a page, cached per region, year and values stamp (the
    region's visibility is decided before, so the cached rows are the same for every viewer
    who may see that region)."""
    key = f"monitoring:progress:{plan.pk}:{region.pk}:{year}:{values_stamp(plan)}"
    rows = cache.get(key)
    if rows is None:
        rows = plan_progress(plan, year, region, user=user, with_series=True)
        cache.set(key, rows, timeout=3600)
    return rows
