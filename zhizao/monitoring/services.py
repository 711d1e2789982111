"""monitoring services: the progress of a plan's indicators for a region and year, from the
stored actual values and the approved official figures, as `zhizao progress` prints it and the
pages show it; and publishing a year's figures for the public dashboard."""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Max, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from zhizao.core.models import Region, RegionLevel
from zhizao.core.roles import Role, is_city_admin
from zhizao.core.scoping import scope_queryset
from zhizao.core.services import mark_change
from zhizao.core.templatetags.zhizao import rounded
from zhizao.monitoring.companions import companion_named
from zhizao.monitoring.engine import SUMMABLE_KINDS, period_figure, source_type
from zhizao.monitoring.goals import NO_SHARE, Goal, region_goal
from zhizao.monitoring.models import (
    IndicatorValue,
    PublishedYear,
    ReportedStatus,
    ReportedValue,
    ValueSource,
)
from zhizao.monitoring.progress import Status, compute_held_progress, compute_progress
from zhizao.plans.models import Indicator, IndicatorKind, Plan, YearTarget

NO_TARGET = "no_target"
PROGRESS_KEYS = (
    "actual", "year_target", "year_completion", "cumulative_actual", "five_year_target",
    "five_year_progress", "schedule", "status", "forecast", "at_risk", "gap",
)  # fmt: skip
# Added after the progress keys: where `actual` comes from. `computed` is the platform's own value
# of the year for an indicator it computes (None for reported indicators); `official` says that
# `actual` is an approved official figure standing in its place, and `difference` is actual −
# computed then; `quarter` is 1–4 when `actual` is a quarter-cumulative figure (0: whole year).
RECORD_KEYS = ("computed", "official", "difference", "quarter")
# What the row was judged against (goals.region_goal): `base` the base-year value progress is
# measured from (a district's own), `target_basis` where five_year_target comes from
# (goals.TargetBasis: plan, annex, city, set, derived = 折算目标), `reached` that the base was
# already at or beyond it (the task is to hold it), `year_target_split` that the yearly targets
# are a pro-rata split (not whole units: shown as 折算), `no_target_reason` why a no_target row
# has none (goals.NO_SHARE, NO_BASE, NO_TOTAL).
GOAL_KEYS = ("base", "target_basis", "reached", "year_target_split", "no_target_reason")


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
    plan: Plan,
    year: int,
    region: Region,
    *,
    user=None,
    with_series: bool = False,
    base_totals: dict[int, Decimal | None] | None = None,
) -> list[dict]:
    """One row per indicator: its actual value for `region` and `year` and its progress.

    The city is judged against the plan itself; a district against the goal `goals.region_goal`
    gives it: its annex share for stock and flow items, the city's target rate for growth, and
    for levels a path from its own base-year value (official where approved, else computed) to
    the city's target level (a rate) or to its own target (a total: set by the city, else the
    city's target split by its share of the base-year total, 折算目标). Besides the progress
    figures (PROGRESS_KEYS) and where the actual comes from (RECORD_KEYS), each row says what it
    was judged against (GOAL_KEYS). `base_totals` ({indicator pk: the districts' base-year
    total}) saves its query when the caller judges every district (the ranking)."""
    if not plan.first_year <= year <= plan.last_year:
        raise ValueError(
            _("年份 %(year)s 不在方案年份内（%(first_year)s—%(last_year)s年）。")
            % {"year": year, "first_year": plan.first_year, "last_year": plan.last_year}
        )
    indicators = list(plan.indicators.prefetch_related("year_targets").order_by("number"))
    stored = IndicatorValue.objects.filter(
        indicator__plan=plan, region=region, year__lte=year, value__isnull=False
    )
    if user is not None:  # the command line (user None) sees everything
        stored = scope_queryset(user, stored)
    values: dict[int, dict[int, dict]] = {}
    for row in stored.values("indicator_id", "year", "value", "source", "quarter"):
        values.setdefault(row["indicator_id"], {})[row["year"]] = row
    officials = official_figures(plan, indicators, [region], year, user=user)
    is_city = region.level == RegionLevel.CITY
    targets_set = {
        indicator_id: (floor, level_target)
        for indicator_id, floor, level_target in region.region_targets.filter(
            indicator__plan=plan
        ).values_list("indicator_id", "floor", "level_target")
    }
    if not is_city and base_totals is None:
        base_totals = district_base_totals(plan, indicators)
    limits = thresholds()
    rows = []
    for indicator in indicators:
        own = values.get(indicator.pk, {})
        actuals = {y: v["value"] for y, v in own.items()}
        # An approved official figure is the figure of record of its year, everywhere: the
        # actual, the base a district is judged from, the progress, the status, the forecast
        # and the sparkline all use it.
        for y in range(plan.base_year, year + 1):
            official = officials.get((indicator.pk, region.pk, y))
            if official is not None:
                actuals[y] = official
        record = _record(indicator, own.get(year), officials.get((indicator.pk, region.pk, year)))
        yearly = {t.year: t.value for t in indicator.year_targets.all()}
        floor, level_target = targets_set.get(indicator.pk, (None, None))
        goal = region_goal(
            indicator, yearly, is_city=is_city, floor=floor, level_target=level_target,
            own_base=actuals.get(plan.base_year),
            base_total=(base_totals or {}).get(indicator.pk),
        )  # fmt: skip
        row = {
            "no": indicator.number,
            "name": indicator.name,
            "unit": indicator.unit,
            "kind": indicator.kind,
            "source": source_type(indicator),
        }
        if isinstance(goal, str):
            row.update(dict.fromkeys(PROGRESS_KEYS))
            row["actual"] = _number(actuals.get(year))
            # Without the district's base-year value (or every district's, for a split) the
            # data to judge it are missing: 无数据, not 无分解目标, which is the plan's doing.
            row["status"] = NO_TARGET if goal == NO_SHARE else Status.NO_DATA.value
            row.update(dict.fromkeys(GOAL_KEYS), no_target_reason=goal, reached=False)
            row["year_target_split"] = False
        else:
            row.update(_judged(goal, actuals, year, plan, limits).to_dict())
            row.update(
                base=_number(goal.base),
                target_basis=str(goal.basis),
                reached=goal.reached,
                year_target_split=goal.split,
                no_target_reason=None,
            )
        row.update(record)
        if with_series:
            # Actual against planned, year by year, for a sparkline (the plan's years only).
            path = (
                {} if isinstance(goal, str) else (goal.yearly or dict.fromkeys(yearly, goal.target))
            )
            row["series"] = {
                "years": plan.years,
                "targets": [_number(path.get(y)) for y in plan.years],
                "actuals": [_number(actuals.get(y)) for y in plan.years],
            }
            row["indicator"] = indicator
        rows.append(row)
    return rows


def _judged(goal: Goal, actuals: dict, year: int, plan: Plan, limits: Thresholds):
    """The Progress of `actuals` against `goal` (the plan years' actuals only)."""
    in_plan = {y: v for y, v in actuals.items() if plan.first_year <= y <= plan.last_year}
    if goal.reached:
        return compute_held_progress(
            goal.base, goal.target, in_plan, year, base_year=plan.base_year, years=plan.years,
            rising=goal.rising, green_at=limits.green_at, amber_at=limits.amber_at,
        )  # fmt: skip
    return compute_progress(
        goal.kind, goal.base, goal.target, goal.yearly, in_plan,
        year, base_year=plan.base_year, years=plan.years,
        green_at=limits.green_at, amber_at=limits.amber_at,
    )  # fmt: skip


def district_base_totals(plan: Plan, indicators) -> dict[int, Decimal | None]:
    """{indicator pk: the base-year total of all the plan's districts} for its total level
    indicators whose plan gives no base (the others split by the plan's base, goals.py):
    official figures where approved, else computed; None where a district has no base-year
    value (a share of an incomplete total would overstate every share). No query when every
    total indicator has a base.

    Read without the viewer's scope on purpose: a district officer's 折算目标 is its share of
    the whole city's total, and only that sum (never another district's value) comes out."""
    totals = [
        i
        for i in indicators
        if i.kind == IndicatorKind.LEVEL and i.aggregate == "total" and not i.base
    ]
    if not totals:
        return {}
    districts = list(Region.objects.filter(parent=plan.region_id, level=RegionLevel.COUNTY))
    bases: dict[tuple[int, int], Decimal] = {
        (indicator_id, region_id): value
        for indicator_id, region_id, value in IndicatorValue.objects.filter(
            indicator__in=totals, region__in=districts, year=plan.base_year, value__isnull=False
        ).values_list("indicator_id", "region_id", "value")
    }
    for (indicator_id, region_id, year), value in official_figures(
        plan, totals, districts, plan.base_year
    ).items():
        if year == plan.base_year:
            bases[(indicator_id, region_id)] = value
    result = {}
    for indicator in totals:
        found = [bases.get((indicator.pk, d.pk)) for d in districts]
        complete = districts and all(v is not None for v in found)
        result[indicator.pk] = sum(found, Decimal(0)) if complete else None
    return result


def _record(indicator, stored: dict | None, official: Decimal | None) -> dict:
    """The RECORD_KEYS of one indicator's year: the platform's computed value, and whether an
    official figure (or a quarter-cumulative one) stands as the actual."""
    computes = source_type(indicator) != ValueSource.REPORTED
    computed = None
    if computes and stored is not None and stored["source"] != ValueSource.REPORTED:
        computed = stored["value"]
    if official is not None:
        difference = None if computed is None else official - computed
        return {
            "computed": _number(computed),
            "official": True,
            "difference": _number(difference),
            "quarter": 0,
        }
    quarter = stored["quarter"] if stored is not None else 0
    return {
        "computed": _number(computed),
        "official": False,
        "difference": None,
        "quarter": quarter,
    }


def official_figures(
    plan: Plan, indicators, regions: list[Region], up_to_year: int, *, user=None
) -> dict[tuple[int, int, int], Decimal]:
    """{(indicator pk, region pk, year): value} of the approved whole-year reported values of the
    indicators the platform computes itself (from enterprise data or its registries), for
    `regions` and the years up to `up_to_year`: where the statistics bureau or another authority
    has given a figure, it is the figure of record and the computed one is shown beside it.

    Read here, when progress is judged, rather than stored by the engine, so that the computed
    values stay as computed and a recompute costs no extra query. The city without its own
    figure takes its districts' sum for additions (stock, flow) when every district has one, as
    the engine does for reported indicators. One query (two when a city sum is possible)."""
    kinds = {i.pk: i.kind for i in indicators if source_type(i) != ValueSource.REPORTED}
    if not kinds or not regions:
        return {}
    wanted = {r.pk for r in regions}
    city_wanted = plan.region_id in wanted
    condition = Q(region__in=wanted)
    if city_wanted:
        condition |= Q(region__parent_id=plan.region_id, region__level=RegionLevel.COUNTY)
    reported = ReportedValue.objects.filter(
        condition,
        indicator_id__in=list(kinds),
        quarter=0,
        status=ReportedStatus.APPROVED,
        year__lte=up_to_year,
    )
    if user is not None:
        reported = scope_queryset(user, reported)
    figures: dict[tuple[int, int, int], Decimal] = {}
    by_district: dict[tuple[int, int], dict[int, Decimal]] = {}
    for indicator_id, region_id, parent_id, year, value in reported.values_list(
        "indicator_id", "region_id", "region__parent_id", "year", "value"
    ):
        if region_id in wanted:
            figures[(indicator_id, region_id, year)] = value
        if city_wanted and parent_id == plan.region_id and kinds[indicator_id] in SUMMABLE_KINDS:
            by_district.setdefault((indicator_id, year), {})[region_id] = value
    if by_district:
        count = Region.objects.filter(parent_id=plan.region_id, level=RegionLevel.COUNTY).count()
        for (indicator_id, year), parts in by_district.items():
            key = (indicator_id, plan.region_id, year)
            if key not in figures and len(parts) == count:
                figures[key] = sum(parts.values(), Decimal(0))
    return figures


@dataclass(frozen=True)
class Figure:
    """One region's figure of record for one year, as the indicator page shows it: `value` is
    the official figure where one is approved (`official`, with the platform's `computed` one
    beside it), else the stored value, which may be quarter-cumulative (`quarter` 1–4)."""

    year: int
    value: Decimal | None
    quarter: int = 0
    official: bool = False
    computed: Decimal | None = None
    reporters: int | None = None
    population: int | None = None

    @property
    def period(self) -> str:
        return quarter_label(self.quarter)

    @property
    def beside(self) -> str:
        return beside_text(self.value, self.computed, self.official)


def indicator_figures(plan: Plan, indicator, regions: list[Region], user) -> dict:
    """{(region pk, year): Figure} of one indicator for the regions `user` may see."""
    stored = scope_queryset(
        user, IndicatorValue.objects.filter(indicator=indicator, region__in=regions)
    )
    officials = official_figures(plan, [indicator], regions, plan.last_year, user=user)
    computes = source_type(indicator) != ValueSource.REPORTED
    figures = {}
    for value in stored:
        computed = value.value if computes and value.source != ValueSource.REPORTED else None
        official = officials.get((indicator.pk, value.region_id, value.year))
        figures[(value.region_id, value.year)] = Figure(
            year=value.year,
            value=value.value if official is None else official,
            quarter=value.quarter if official is None else 0,
            official=official is not None,
            computed=computed,
            reporters=value.reporters,
            population=value.population,
        )
    for (_indicator, region_id, year), official in officials.items():
        figures.setdefault((region_id, year), Figure(year=year, value=official, official=True))
    return figures


QUARTER_COLUMNS = (1, 2, 3, 4, 0)  # January to the end of each quarter, then the whole year


def quarter_table(plan: Plan, indicator, regions: list[Region], year: int, user) -> list[dict]:
    """The approved reported figures of `year` for each region (as `visible_regions` gives
    them), by period (QUARTER_COLUMNS): one ReportedFigure or None per period. The city without
    its own figure takes its districts' sum for additions where every district has one."""
    by_region: dict[int, dict[int, Decimal]] = {r.pk: {} for r in regions}
    approved = ReportedValue.objects.filter(
        indicator=indicator, year=year, status=ReportedStatus.APPROVED, region__in=regions
    )
    for region_id, quarter, value in scope_queryset(user, approved).values_list(
        "region_id", "quarter", "value"
    ):
        by_region[region_id][quarter] = value
    districts = [r for r in regions if r.parent_id == plan.region_id]
    rows = []
    for region in regions:
        parts = None
        if region.pk == plan.region_id and indicator.kind in SUMMABLE_KINDS:
            parts = [by_region[d.pk] for d in districts]
        cells = [period_figure(by_region[region.pk], parts, q) for q in QUARTER_COLUMNS]
        rows.append({"region": region, "cells": cells})
    return rows


def beside_text(actual, computed, official: bool) -> str:
    """An official figure of record with the platform's own beside it, as pages show it:
    官方 215 · 平台计算 214.2（差 +0.8）; "" when the actual is not an official figure."""
    if not official or actual is None:
        return ""
    text = _("官方 %(actual)s") % {"actual": rounded(actual)}
    if computed is not None:
        difference = Decimal(str(actual)) - Decimal(str(computed))
        sign = "+" if difference > 0 else ""
        text += _(" · 平台计算 %(computed)s（差 %(sign)s%(difference)s）") % {
            "computed": rounded(computed),
            "sign": sign,
            "difference": rounded(difference),
        }
    return text


def quarter_label(quarter: int) -> str:
    """How a page names a quarter-cumulative period: 1季度, 1–3季度累计; "" for a whole year."""
    if not quarter:
        return ""
    return _("1季度") if quarter == 1 else _("1–%(quarter)s季度累计") % {"quarter": quarter}


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


def districts_progress(
    plan: Plan, year: int, districts: list[Region], *, user=None, with_series: bool = False
) -> dict[int, list[dict]]:
    """{district pk: plan_progress rows} of several districts, judged as plan_progress judges
    each (from its own base; see goals.py), sharing one read of the districts' base-year totals.
    For a grid of districts × indicators or a ranking: each row has the base and target used,
    whether the target is 折算 (target_basis "derived"), the actual, the progress against the
    schedule, the status, the forecast and the gap behind the schedule."""
    totals = cached_base_totals(plan)
    return {
        d.pk: plan_progress(plan, year, d, user=user, with_series=with_series, base_totals=totals)
        for d in districts
    }


def district_progress_record(
    plan: Plan, year: int, region: Region, number: int, *, user=None
) -> dict | None:
    """One indicator's row of `plan_progress` for `region` (the city or a district), by the
    indicator's number; None when the plan has no such indicator."""
    rows = plan_progress(plan, year, region, user=user)
    return next((row for row in rows if row["no"] == number), None)


def district_ranking(plan: Plan, year: int, user=None) -> dict:
    """Each district's five-year progress on every indicator it is judged on, its rank per
    indicator (1 = furthest ahead), and a composite rank from the mean of its weighted ranks
    (weights per indicator number in the setting ZHIZAO_RANKING_WEIGHTS; 1 otherwise). Without
    a user (the command line, or a district's own place among all), every district is ranked."""
    if user is None:
        districts = list(Region.objects.filter(parent=plan.region_id).order_by("sort_order"))
    else:
        districts = [r for r in visible_regions(user, plan) if r.parent_id == plan.region_id]
    weights = getattr(settings, "ZHIZAO_RANKING_WEIGHTS", {})
    progress = districts_progress(plan, year, districts, user=user)
    indicators = list(plan.indicators.order_by("number"))
    rows, rank_sums = [], {d.pk: [Decimal(0), Decimal(0)] for d in districts}
    for position, indicator in enumerate(indicators):
        cells = {d.pk: progress[d.pk][position]["five_year_progress"] for d in districts}
        # Competition ranking: districts with equal progress share a place (1, 2, 2, 4).
        values = [v for v in cells.values() if v is not None]
        ranks = {
            pk: 1 + sum(1 for other in values if other > v)
            for pk, v in cells.items()
            if v is not None
        }
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
    """What the plan's figures were computed from, as of now: the latest recomputation, the
    latest change to the plan's targets and to its reported (official) values. A page cached
    under this stamp is never stale. One query: each part is a subquery."""

    def latest(queryset, field: str):
        return Subquery(queryset.order_by(f"-{field}").values(field)[:1])

    stamps = (
        Plan.objects.filter(pk=plan.pk)
        .annotate(
            stamp_computed=latest(
                IndicatorValue.objects.filter(indicator__plan=plan), "computed_at"
            ),
            stamp_targets=latest(YearTarget.history.filter(indicator__plan=plan), "history_date"),
            stamp_indicators=latest(Indicator.history.filter(plan_id=plan.pk), "history_date"),
            # Official figures are read when progress is judged, not stored by the engine: a
            # change to one (even an edit in the admin, which recomputes nothing) must show.
            stamp_reported=latest(
                ReportedValue.history.filter(indicator__plan=plan), "history_date"
            ),
        )
        .values_list("stamp_computed", "stamp_targets", "stamp_indicators", "stamp_reported")
        .first()
    )
    text = "|".join(str(x) for x in stamps or ())
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def cached_base_totals(plan: Plan, stamp: str | None = None) -> dict[int, Decimal | None]:
    """`district_base_totals`, cached per state of the figures (`stamp`, values_stamp)."""
    key = f"monitoring:base-totals:{plan.pk}:{stamp or values_stamp(plan)}"
    totals = cache.get(key)
    if totals is None:
        totals = district_base_totals(plan, list(plan.indicators.all()))
        cache.set(key, totals, timeout=3600)
    return totals


def cached_plan_progress(plan: Plan, year: int, region: Region, user) -> list[dict]:
    """plan_progress with series for a page, cached per region, year and values stamp (the
    region's visibility is decided before, so the cached rows are the same for every viewer
    who may see that region)."""
    stamp = values_stamp(plan)
    key = f"monitoring:progress:{plan.pk}:{region.pk}:{year}:{stamp}"
    rows = cache.get(key)
    if rows is None:
        # the same for every district: read once per state of the figures
        totals = None if region.level == RegionLevel.CITY else cached_base_totals(plan, stamp)
        rows = plan_progress(plan, year, region, user=user, with_series=True, base_totals=totals)
        cache.set(key, rows, timeout=3600)
    return rows


# --- publishing ---------------------------------------------------------------------


class PublishingError(Exception):
    """A publishing action that is not allowed; the message says why, in Chinese."""


class PublishingForbidden(PublishingError):
    """The user may not publish or withdraw at all."""


def published_snapshot(plan: Plan, year: int) -> dict:
    """The figures of `year` as the public dashboard will show them: the progress rows of the
    city and of each district (as `plan_progress` gives them, with each indicator's category),
    and when the values they come from were last computed."""
    categories = dict(plan.indicators.values_list("number", "category"))
    regions = [plan.region, *Region.objects.filter(parent=plan.region_id).order_by("sort_order")]
    computed = IndicatorValue.objects.filter(indicator__plan=plan).aggregate(at=Max("computed_at"))
    return {
        "plan": {"code": plan.code, "name": plan.name},
        "year": year,
        "computed_at": computed["at"].isoformat() if computed["at"] else None,
        "regions": [
            {
                "code": region.code,
                "name": region.name,
                "level": region.level,
                "rows": [
                    {**row, "category": categories[row["no"]]}
                    for row in plan_progress(plan, year, region)
                ],
            }
            for region in regions
        ],
    }


@transaction.atomic
def publish_year(
    plan: Plan, year: int, user, note: str = "", *, companions: Iterable[str] = ()
) -> PublishedYear:
    """The city admin publishes `year`'s figures: the progress of the city and each district
    as they stand now is frozen into the record, which the public dashboard shows until it is
    withdrawn or published again (which replaces the figures; the history keeps both).

    `companions` names what later apps publish with the year (`companions.py`: "titles", the
    year's recognised titles); each runs in this transaction, and what it made public is
    written into the history entry and left on the record as `companions_done`, a list of
    (companion, how many records it made public)."""
    if not is_city_admin(user):
        raise PublishingForbidden(_("只有市级管理员可以发布年度数据。"))
    if not plan.first_year <= year <= plan.last_year:
        raise PublishingError(
            _("年份 %(year)s 不在方案年份内（%(first_year)s—%(last_year)s年）。")
            % {"year": year, "first_year": plan.first_year, "last_year": plan.last_year}
        )
    chosen = []
    for name in dict.fromkeys(companions):
        companion = companion_named(name)
        if companion is None:
            raise PublishingError(
                gettext("不能随年度数据一并公开“%(name)s”：没有这一项。") % {"name": name}
            )
        chosen.append(companion)
    snapshot = published_snapshot(plan, year)
    if all(row["actual"] is None for row in snapshot["regions"][0]["rows"]):
        raise PublishingError(_("%(year)s年全市还没有任何指标数据，不能发布。") % {"year": year})
    published = PublishedYear.objects.select_for_update().filter(plan=plan, year=year).first()
    if published is None:
        published, reason = PublishedYear(plan=plan, year=year), f"发布{year}年数据"
    elif published.is_public:
        reason = f"重新发布{year}年数据（以当前数据替换）"
    else:
        reason = f"撤回后重新发布{year}年数据"
    published.snapshot = snapshot
    published.published_by, published.published_at = user, timezone.now()
    published.withdrawn_by = published.withdrawn_at = None
    published.note = note.strip()[:200]
    published.companions_done = [(c, c.publish(user, year)) for c in chosen]
    reason = "；".join(
        [reason, *(c.done.format(year=year, count=n) for c, n in published.companions_done)]
    )
    published._history_user = user
    mark_change(published, (f"{reason}：{published.note}" if published.note else reason)[:100])
    published.save()
    return published


@transaction.atomic
def withdraw_year(plan: Plan, year: int, user, note: str = "") -> PublishedYear:
    """The city admin withdraws a published year: the public dashboard stops showing it at
    once. The record and its history stay, with who withdrew it and when."""
    if not is_city_admin(user):
        raise PublishingForbidden(_("只有市级管理员可以撤回已发布的年度数据。"))
    published = PublishedYear.objects.select_for_update().filter(plan=plan, year=year).first()
    if published is None or not published.is_public:
        raise PublishingError(_("%(year)s年数据尚未发布，无需撤回。") % {"year": year})
    published.withdrawn_by, published.withdrawn_at = user, timezone.now()
    published.note = note.strip()[:200]
    published._history_user = user
    reason = f"撤回{year}年数据"
    mark_change(published, (f"{reason}：{published.note}" if published.note else reason)[:100])
    published.save()
    return published
