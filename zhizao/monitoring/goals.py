"""What a region is judged against (DESIGN.md, "What the plan means"): the goal of one
indicator for the city or one district, from the plan, its annex and the district's own
base-year value.

* The city is judged against the plan itself (basis ``plan``).
* A stock or flow indicator with an annex share: the district's additions against its floor,
  along the city's yearly path scaled to it (``annex``); without a share it has no target.
* A growth indicator: the district's rate against the city's target rate (``city``).
* A level indicator is judged from the district's own base-year value, never the city's:
  - a rate (密度, 率): from its base to the city's target level (``city``);
  - a total (产值, 收入): from its base to the target the city set for it (``set``) or, when none
    is set, to the city's target split by the district's share of the base-year total
    (``derived``, shown as 折算目标): target × own base / the plan's base. The plan's base is
    the base-year total of record; the districts' measured values need not add up to it (the
    platform sees the reporting enterprises, not the whole statistical total), and a share of
    the plan's base keeps the district's target in the same terms as its own measured base:
    it is expected to grow by the plan's own factor (2500 / 1720 for 规上装备产业产值). Only a
    plan without a base falls back to the share of all districts' measured base-year total.
  Its yearly path is the city's, scaled: in year y the district is the same share of the way
  from its base to its target as the plan is from the city's base to the city's target.
  A district already at or beyond its target level at its base has reached it (``reached``):
  its task is to hold it (progress.compute_held_progress).
  Without a base-year value for the district there is nothing to measure from (no target).

Pure Python: no database. `services.plan_progress` reads the values and calls `region_goal`.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

STOCK, FLOW, LEVEL, GROWTH = "stock", "flow", "level", "growth"
RATE, TOTAL = "rate", "total"
PLACES = Decimal("0.0001")  # the plan's own precision (PLAN_DECIMAL)


class TargetBasis(StrEnum):
    PLAN = "plan"
    ANNEX = "annex"
    CITY = "city"
    SET = "set"
    DERIVED = "derived"


TARGET_BASIS_LABELS = {
    TargetBasis.PLAN: _("方案目标"),
    TargetBasis.ANNEX: _("分解目标"),
    TargetBasis.CITY: _("全市目标"),
    TargetBasis.SET: _("市定区县目标"),
    TargetBasis.DERIVED: _("折算目标"),
}

# Why a district has no target to be judged by (the row's status is no_target).
NO_SHARE = "no_share"  # additions without an annex share
NO_BASE = "no_base"  # a level without the district's base-year value
NO_TOTAL = "no_total"  # a total without a set target, a plan base or every district's base


@dataclass(frozen=True)
class Goal:
    """What a region's figures are judged against: `kind` and `base` as compute_progress takes
    them, the five-year `target`, the `yearly` path; `basis` says where the target comes from,
    `reached` that the base was already at or beyond it, `split` that the yearly values are a
    pro-rata split (not whole units, shown as 折算)."""

    kind: str
    base: Decimal | None
    target: Decimal
    yearly: dict[int, Decimal] = field(default_factory=dict)
    basis: str = TargetBasis.PLAN
    reached: bool = False
    split: bool = False
    rising: bool = True


def region_goal(
    indicator,
    yearly: dict[int, Decimal],
    *,
    is_city: bool,
    floor: Decimal | None = None,
    level_target: Decimal | None = None,
    own_base: Decimal | None = None,
    base_total: Decimal | None = None,
) -> Goal | str:
    """The goal of `indicator` (with the plan's `yearly` values) for the city or a district;
    for a district: its annex `floor`, the `level_target` the city set for it, its `own_base`
    (its base-year value: official where approved, else computed) and `base_total` (the
    base-year total of all the districts, for a total level indicator whose plan gives no base).
    A reason (NO_SHARE,
    NO_BASE, NO_TOTAL) when the district has nothing to be judged by."""
    kind = str(indicator.kind)
    if is_city:
        return Goal(kind, indicator.base, indicator.target, yearly, TargetBasis.PLAN)
    if kind == GROWTH:
        return Goal(kind, indicator.base, indicator.target, yearly, TargetBasis.CITY)
    if kind == LEVEL:
        return _level_goal(indicator, yearly, level_target, own_base, base_total)
    if not floor:
        return NO_SHARE
    # The district's additions against its floor, along the city's yearly path scaled to it.
    planned = sum(yearly.values(), Decimal(0))
    scaled = {y: v * floor / planned for y, v in yearly.items()} if planned else {}
    split = any(v != v.to_integral_value() for v in scaled.values())
    return Goal(FLOW, None, floor, scaled, TargetBasis.ANNEX, split=split)


def _level_goal(indicator, yearly, level_target, own_base, base_total) -> Goal | str:
    if own_base is None:
        return NO_BASE
    city_base = indicator.base
    rising = city_base is None or indicator.target >= city_base
    if (indicator.aggregate or RATE) == RATE:
        target, basis = indicator.target, TargetBasis.CITY
    elif level_target is not None:
        target, basis = level_target, TargetBasis.SET
    elif city_base or base_total:
        share = own_base / (city_base or base_total)
        target, basis = (
            (indicator.target * share).quantize(PLACES, ROUND_HALF_UP),
            (TargetBasis.DERIVED),
        )
    else:
        return NO_TOTAL
    reached = own_base >= target if rising else own_base <= target
    if reached:
        return Goal(LEVEL, own_base, target, {}, basis, reached=True, rising=rising)
    return Goal(
        LEVEL,
        own_base,
        target,
        scaled_path(yearly, city_base, indicator.target, own_base, target),
        basis,
        split=basis == TargetBasis.DERIVED,
        rising=rising,
    )


def scaled_path(
    yearly: dict[int, Decimal],
    city_base: Decimal | None,
    city_target: Decimal,
    base: Decimal,
    target: Decimal,
) -> dict[int, Decimal]:
    """The city's yearly levels moved onto a district's own base and target: in year y the
    district is the same share of the way from `base` to `target` as the plan from the city's
    base to its target (k/n of the way after k of n years without a city base). The last year
    is the target exactly; the others to the plan's 4 places."""
    years = sorted(yearly)
    path = {}
    for k, year in enumerate(years, start=1):
        if year == years[-1]:
            path[year] = target
            continue
        if city_base is None or city_target == city_base:
            fraction = Decimal(k) / Decimal(len(years))
        else:
            fraction = (yearly[year] - city_base) / (city_target - city_base)
        path[year] = (base + fraction * (target - base)).quantize(PLACES, ROUND_HALF_UP)
    return path
