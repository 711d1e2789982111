"""How many titles of each type each district gets: the 2020 bases and the yearly additions.

The plan says it for the city: a stock indicator's base (30 provincial smart factories, 6 city
smart factories, 36 city digital workshops, 563 completed transformations) and every indicator's
yearly values. The annex splits the five-year additions over the districts (their floors); the
bases are split in the same proportions ("roughly by their size").

A district's additions up to a year are its floor × the share of the five-year additions the plan's
yearly values schedule by then (序时进度) × its pace, rounded: 柯桥区 and 诸暨市 run ahead, 嵊州市
and 新昌县 behind, the others about on schedule — the paces of the enterprise demo's districts
(DistrictProfile.pace, logit units a year), so both demos tell the same story. Rounding leans
the way a district runs, so that a floor of 1 or 2 (示范集群, 未来工厂) still shows it.

Scale: the stock indicators count enterprises, and a demo of fewer enterprises than the default
(4,500 above scale) cannot hold 563 + 3,600 completed transformations. Their bases and additions
are scaled by above-scale enterprises / 4,500 (never up), as the enterprise demo scales its
enterprises; the flow indicators (示范集群, 未来工厂: 2 a year city-wide) keep the plan's
numbers. At the default size and above, every figure is the plan's own."""

import math
import random
from dataclasses import dataclass

from zhizao.core.models import Region
from zhizao.enterprises.demo import DEFAULT_ENTERPRISES, DEFAULT_SMALL_SHARE, DISTRICTS
from zhizao.plans.models import Indicator, IndicatorKind

DEFAULT_ABOVE_SCALE = round(DEFAULT_ENTERPRISES * (1 - DEFAULT_SMALL_SHARE))
PACE_EFFECT = 2.0  # a district's completion by the last year: 1 + PACE_EFFECT × pace (± 2 %)
BASE_YEARS = 4  # base titles were recognised in the base year and the three before it


def scale_for(above_scale: int) -> float:
    return min(1.0, above_scale / DEFAULT_ABOVE_SCALE) if above_scale else 0.0


def district_paces(districts: list[Region], rng: random.Random) -> dict[int, float]:
    """{district id: completion multiplier}: 柯桥区 1.2, 诸暨市 1.16, 越城区 and 上虞区 1.0, 嵊州市
    0.86, 新昌县 0.82 (± 0.02); a district the enterprise demo does not know runs on schedule."""
    paces = {profile.name: profile.pace for profile in DISTRICTS}
    return {
        d.pk: 1 + PACE_EFFECT * paces.get(d.name, 0.0) + rng.uniform(-0.02, 0.02) for d in districts
    }


@dataclass
class Quota:
    """One title type's titles per district: the base (by year ≤ base year) and the additions."""

    base: dict[int, dict[int, int]]  # district id → {year: n}
    additions: dict[int, dict[int, int]]  # district id → {year: n}


def schedule_shares(indicator: Indicator, years: list[int], first: int, last: int):
    """{year: share of the five-year additions the plan schedules by the end of the year}."""
    values = {t.year: float(t.value) for t in indicator.year_targets.all()}
    total = sum(values.values())
    shares = {}
    for year in years:
        if total:
            shares[year] = sum(v for y, v in values.items() if y <= year) / total
        else:  # a plan without yearly values: k/n of the way after k of n years
            shares[year] = (year - first + 1) / (last - first + 1)
    return shares


def quota(
    indicator: Indicator,
    floors: dict[int, float],
    paces: dict[int, float],
    flow_years: list[int],
    *,
    base_year: int,
    first_year: int,
    last_year: int,
    scale: float,
    rng: random.Random,
    capacity: dict[int, int] | None = None,
) -> Quota:
    """The titles of the type counted by `indicator` per district; `capacity` (for a type only
    some enterprises may hold) caps a district's base and additions together."""
    stock = indicator.kind == IndicatorKind.STOCK
    factor = scale if stock else 1.0
    district_ids = list(floors)
    weights = [max(0, round(floors[d] * 100)) for d in district_ids]
    base_total = _round(float(indicator.base or 0) * factor) if stock else 0
    if base_total and sum(weights):
        base_counts = _apportion(base_total, weights)
    else:
        base_counts = [0] * len(district_ids)
    base = {d: {} for d in district_ids}
    for d, n in zip(district_ids, base_counts, strict=True):
        for _ in range(n):
            year = base_year - BASE_YEARS + 1 + _weighted_index(rng, BASE_YEARS)
            base[d][year] = base[d].get(year, 0) + 1
    # Each year's additions are the schedule's change since the year before, whether or not
    # the demo covers that year: a demo of 2024 alone adds 2024's share, not 2021–2024's.
    shares = schedule_shares(indicator, range(first_year, last_year + 1), first_year, last_year)
    shares[first_year - 1] = 0.0
    additions = {}
    for d in district_ids:
        pace = paces.get(d, 1.0)
        if capacity is not None and flow_years:
            # Leave a few enterprises over: a district cannot transform more than it has.
            room = 0.97 * capacity.get(d, 0) - sum(base[d].values())
            planned = floors[d] * factor * shares[flow_years[-1]]
            if planned > 0:
                pace = max(0.0, min(pace, room / planned))
        lean = max(-0.45, min(0.45, 2.5 * (pace - 1)))

        def by_then(year: int, d=d, pace=pace, lean=lean) -> int:
            share = shares[year]
            return math.floor(floors[d] * factor * share * pace + 0.5 + lean) if share else 0

        additions[d] = {y: max(0, by_then(y) - by_then(y - 1)) for y in flow_years}
    return Quota(base=base, additions=additions)


def _apportion(total: int, weights: list[int]) -> list[int]:
    """`total` split in proportion to `weights`, by largest remainder."""
    whole = sum(weights)
    shares = [total * w / whole for w in weights]
    counts = [int(s) for s in shares]
    order = sorted(range(len(weights)), key=lambda i: counts[i] - shares[i])
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _round(value: float) -> int:
    return math.floor(value + 0.5)


def _weighted_index(rng: random.Random, n: int) -> int:
    """0..n-1 with weights 1..n: more of the base titles are recent."""
    return rng.choices(range(n), weights=range(1, n + 1))[0]
