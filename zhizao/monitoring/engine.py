"""The indicator engine: actual values per indicator × region × year, from the source the plan
file defines for each indicator, stored with the parts they were computed from.

One SQL aggregation covers every enterprise-sourced indicator, district and year at once, with
the above-scale population from the same rows (the year's above-scale statuses, each joined to
its counted report); the city's value is the same formula over the sum of its
districts' parts. Recomputing one district re-aggregates that district's changed year only and
rebuilds the rest from stored parts; one report's approval or return is usually applied as a
delta instead (`monitoring/delta.py`). Every writer of the parts holds the plan's ValuesLock."""

import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Exists, F, FilteredRelation, Max, OuterRef, Q
from django.utils.translation import gettext as _

from zhizao.core.models import Region, RegionLevel, Task
from zhizao.enterprises.models import ReportStatus, ScaleStatus, YearlyReport
from zhizao.monitoring.formulas import Formula, FormulaError, parse_formula
from zhizao.monitoring.models import (
    AppliedChange,
    IndicatorValue,
    ReportedStatus,
    ReportedValue,
    ValuesLock,
    ValueSource,
)
from zhizao.monitoring.registry import counter_named
from zhizao.plans.models import Indicator, IndicatorKind, Plan

SUMMABLE_KINDS = (IndicatorKind.STOCK, IndicatorKind.FLOW)


@dataclass(frozen=True)
class EnterpriseSource:
    formula: Formula
    above_scale: bool = True
    divisions: tuple[str, ...] = ()

    @property
    def basis(self) -> str:
        """A fingerprint of what the parts are computed with: parts stored under another basis
        (before a plan change) are aggregated again, never added to."""
        text = "\n".join(
            (self.formula.text.strip(), str(self.above_scale), ",".join(self.divisions))
        )
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def source_type(indicator: Indicator) -> str:
    return (indicator.source or {}).get("type", ValueSource.REPORTED)


def enterprise_source(indicator: Indicator) -> EnterpriseSource:
    source = indicator.source or {}
    try:
        formula = parse_formula(str(source.get("formula", "")))
    except FormulaError as exc:
        raise FormulaError(
            _("指标 %(number)s「%(name)s」：%(exc)s")
            % {"number": indicator.number, "name": indicator.name, "exc": exc}
        ) from None
    divisions = source.get("divisions") or []
    if len(divisions) == 2:
        divisions = [f"{d:02d}" for d in range(int(divisions[0]), int(divisions[1]) + 1)]
    return EnterpriseSource(
        formula=formula,
        above_scale=bool(source.get("above_scale", True)),
        divisions=tuple(str(d) for d in divisions),
    )


def districts_of(plan: Plan) -> list[Region]:
    return list(Region.objects.filter(parent=plan.region, level=RegionLevel.COUNTY))


def enterprise_sources(indicators) -> dict[int, EnterpriseSource]:
    return {
        indicator.pk: enterprise_source(indicator)
        for indicator in indicators
        if source_type(indicator) == ValueSource.ENTERPRISE
    }


def lock_values(plan: Plan) -> None:
    """Hold the plan's values lock until the transaction ends. Every writer of the plan's
    enterprise-sourced parts (an aggregation, a report's delta) takes it before reading them, so
    one never works from parts another is rewriting, and an aggregation's snapshot is taken after
    every earlier writer committed. A no-op on SQLite, whose writers are serialised anyway."""
    ValuesLock.objects.select_for_update().get_or_create(plan=plan)


def task_watermark() -> int:
    """The highest background-task id now. Read after an aggregation: a report's change is queued
    in the same transaction as the change, so a change in the aggregated rows has its task at or
    below this mark, and a change whose task is above it is not in them."""
    return Task.objects.aggregate(top=Max("pk"))["top"] or 0


@transaction.atomic
def recompute(
    plan: Plan,
    *,
    years: list[int] | None = None,
    districts: list[int] | None = None,
    changed_years: list[int] | None = None,
) -> int:
    """Recompute the plan's actual values; `years` and `districts` (region ids) narrow what an
    incremental recompute touches. Returns the number of values written.

    `changed_years`: the only years whose reports may have changed (one approval changes one
    year); the chosen districts' parts of the other years needed (the previous year of a growth
    rate, the next year) are taken from their stored values, and aggregated only where none are
    stored. A recompute of some districts leaves the reported indicators alone: a report's
    approval does not change them. It holds the plan's values lock (`lock_values`) from its
    first statement, so it never interleaves with a report's delta or another recompute."""
    lock_values(plan)
    years = years or list(range(plan.base_year, plan.last_year + 1))
    all_districts = districts_of(plan)
    chosen = [d for d in all_districts if districts is None or d.pk in districts]
    indicators = list(plan.indicators.all())
    sources = enterprise_sources(indicators)
    written = _recompute_enterprise(
        plan, indicators, sources, years, chosen, all_districts, changed_years
    )
    if districts is None:
        for indicator in indicators:
            if indicator.pk in sources:
                continue
            registry = _recompute_registry(plan, indicator, years, all_districts)
            if registry is None:
                registry = _recompute_reported(plan, indicator, years, all_districts)
            written += registry
    return written


def recompute_registry(plan: Plan, years: list[int] | None = None) -> int:
    """Recount the registry-sourced indicators only (after a title is recognised or revoked):
    one or two grouped queries each, whatever the size of the enterprise data."""
    years = years or list(range(plan.base_year, plan.last_year + 1))
    all_districts = districts_of(plan)
    written = 0
    for indicator in plan.indicators.all():
        if source_type(indicator) == ValueSource.REGISTRY:
            registry = _recompute_registry(plan, indicator, years, all_districts)
            if registry is None:
                registry = _recompute_reported(plan, indicator, years, all_districts)
            written += registry
    return written


def _recompute_registry(plan, indicator, years, districts) -> int | None:
    """The counts of the registry the source names, for the years it knows; None when that
    registry does not exist or nothing in it counts towards the indicator."""
    if source_type(indicator) != ValueSource.REGISTRY:
        return None
    counter = counter_named(str((indicator.source or {}).get("counter", "")))
    counts = counter(indicator.number, years, districts, plan.region) if counter else None
    if counts is None:
        return None
    regions = {region.pk: region for region in [*districts, plan.region]}
    values = [
        IndicatorValue(
            indicator=indicator,
            region=regions[region_id],
            year=year,
            value=Decimal(count),
            source=ValueSource.REGISTRY,
        )
        for (region_id, year), count in sorted(counts.items())
        if region_id in regions
    ]
    return _replace(indicator, list(regions.values()), years, values)


def counted_reports(indicator: Indicator, region: Region, year: int):
    """The reports behind an enterprise-sourced value of `region` (a district, or the city's
    districts) and `year`: the rows a figure on a page can be traced to."""
    source = enterprise_source(indicator)
    reports = YearlyReport.objects.filter(
        status=ReportStatus.CITY_APPROVED,
        year=year,
        enterprise__region__path__startswith=region.path,
    )
    if source.above_scale:
        above = ScaleStatus.objects.filter(
            enterprise=OuterRef("enterprise_id"), year=OuterRef("year"), above_scale=True
        )
        reports = reports.filter(Exists(above))
    if source.divisions:
        reports = reports.filter(enterprise__industry_division__in=source.divisions)
    return reports


def _query_years(source: EnterpriseSource, years) -> set[int]:
    return set(years) | ({y - 1 for y in years} if source.formula.growth else set())


# The reports that count: city-approved (ADR 0003), as a condition on the report itself and on a
# report joined to an above-scale status (`scale_parts`).
COUNTED = Q(status=ReportStatus.CITY_APPROVED)
COUNTED_JOINED = Q(enterprise__reports__status=ReportStatus.CITY_APPROVED)


def _aggregate_parts(sources: dict, years: list[int], districts: list[Region]) -> dict:
    """{indicator pk: (parts, population)} of the enterprise-sourced indicators per (district,
    year): the above-scale ones in one pass over the above-scale statuses joined to their year's
    counted reports (the population and the parts at once), the others in one report query."""
    fetched = {pk: ({}, {}) for pk in sources}
    if not sources or not years or not districts:
        return fetched
    for above_scale, group in source_groups(sources):
        if above_scale:
            statuses = ScaleStatus.objects.filter(year__in=years, enterprise__region__in=districts)
            found = scale_parts(group, statuses, COUNTED_JOINED)
        else:
            reports = YearlyReport.objects.filter(
                COUNTED, year__in=years, enterprise__region__in=districts
            )
            found = {key: (parts, {}) for key, parts in report_parts(group, reports).items()}
        for key, (parts, population) in found.items():
            for pk, indicator_parts in parts.items():
                fetched[pk][0][key] = indicator_parts
            for pk, n in population.items():
                fetched[pk][1][key] = n
    return fetched


def source_groups(sources: dict):
    """The sources split by their above-scale flag: (flag, {indicator pk: source})."""
    for above_scale in (True, False):
        group = {pk: s for pk, s in sources.items() if s.above_scale == above_scale}
        if group:
            yield above_scale, group


def scale_parts(group: dict, statuses, counted: Q) -> dict:
    """{(district, year): ({indicator pk: parts}, {indicator pk: population})} for the
    above-scale indicators of `group`, in one grouped query over the above-scale rows of
    `statuses`, each joined (left) to the report of its enterprise and year that matches
    `counted` (a condition on `enterprise__reports__…`): the population counts the statuses (of
    the source's divisions), the parts the reports joined. A report's delta runs the same with
    `counted` naming that report alone, so that what it adds is exactly what an aggregation
    counts for it."""
    report = FilteredRelation(
        "enterprise__reports", condition=Q(enterprise__reports__year=F("year")) & counted
    )
    aliases, aggregates = {}, {}
    division_sets = sorted({s.divisions for s in group.values()})
    for i, divisions in enumerate(division_sets):
        where = Q(enterprise__industry_division__in=divisions) if divisions else None
        aggregates[f"n{i}"] = Count("pk", filter=where)
    for pk, source in group.items():
        _add_expressions(aliases, aggregates, pk, source, "report__")
    rows = (
        statuses.filter(above_scale=True)
        .annotate(report=report)
        .alias(**aliases)
        .values("enterprise__region_id", "year")
        .annotate(**aggregates)
        .order_by()
    )
    result = {}
    for row in rows:
        parts, population = result.setdefault((row["enterprise__region_id"], row["year"]), ({}, {}))
        for pk, source in group.items():
            found = _parts_of(row, pk, source)
            if found:
                parts[pk] = found
            n = row[f"n{division_sets.index(source.divisions)}"]
            if n:
                population[pk] = n
    return result


def report_parts(group: dict, reports) -> dict:
    """{(district, year): {indicator pk: parts}} of `reports` for the indicators of `group`
    (which do not ask for above-scale enterprises), in one grouped query."""
    aliases, aggregates = {}, {}
    for pk, source in group.items():
        _add_expressions(aliases, aggregates, pk, source)
    rows = (
        reports.alias(**aliases)
        .values("enterprise__region_id", "year")
        .annotate(**aggregates)
        .order_by()
    )
    result = {}
    for row in rows:
        parts = result.setdefault((row["enterprise__region_id"], row["year"]), {})
        for pk, source in group.items():
            found = _parts_of(row, pk, source)
            if found:
                parts[pk] = found
    return result


def _add_expressions(aliases: dict, aggregates: dict, pk: int, source, path: str = "") -> None:
    """An indicator's aggregates, named i{pk}_… (so that several share one query), restricted to
    its industry divisions; `reporters` counts the reports (reached through `path`)."""
    prefix = f"i{pk}_"
    where = _in_divisions(source)
    row_aliases, formula_aggregates = source.formula.query_expressions(prefix, where, path)
    aliases.update(row_aliases)
    aggregates[prefix + "reporters"] = Count(f"{path}pk", filter=where)
    aggregates.update(formula_aggregates)


def _parts_of(row: dict, pk: int, source) -> dict | None:
    """An indicator's parts from a grouped row; None where no report counted for it."""
    prefix = f"i{pk}_"
    names = ["reporters", *source.formula.specs]
    parts = {name: Decimal(row[prefix + name]) for name in names}
    return parts if parts["reporters"] else None


def _in_divisions(source: EnterpriseSource) -> Q | None:
    if not source.divisions:
        return None
    return Q(enterprise__industry_division__in=source.divisions)


def _recompute_enterprise(plan, indicators, sources, years, chosen, all_districts, changed_years):
    """The enterprise-sourced values of the chosen districts and the city: one read of the
    stored parts, one aggregation, one delete and one insert for all these indicators.

    The rows aggregated are stamped with the task watermark read after the aggregation (see
    `task_watermark`); a recompute of every district also deletes the delta markers up to that
    mark of the years it aggregated and wrote (their changes are in the new parts, and a retried
    task at or below the mark re-aggregates rather than adds). Parts stored under another basis
    (a plan change since) are not reused: every district and year is recomputed instead."""
    if not sources:
        return 0
    query_years = set().union(*(_query_years(s, years) for s in sources.values()))
    stored: dict[int, dict[tuple[int, int], IndicatorValue]] = {pk: {} for pk in sources}
    for value in IndicatorValue.objects.filter(
        indicator_id__in=list(sources),
        region_id__in=[d.pk for d in all_districts],
        year__in=sorted(query_years),
    ):
        stored[value.indicator_id][(value.region_id, value.year)] = value
    if len(chosen) < len(all_districts) or changed_years is not None:
        stale = any(
            value.basis != sources[pk].basis for pk in sources for value in stored[pk].values()
        )
        if stale:  # parts from before a plan change: recompute every district and year
            chosen, changed_years = all_districts, None
            years = list(range(plan.base_year, plan.last_year + 1))
            query_years = set().union(*(_query_years(s, years) for s in sources.values()))
    chosen_ids = {d.pk for d in chosen}
    if changed_years is None:
        aggregate_years = query_years
    else:  # the other years of the chosen districts from their stored parts, where stored
        aggregate_years = set(changed_years) & query_years
        for pk, source in sources.items():
            for year in _query_years(source, years) - aggregate_years:
                if any((d, year) not in stored[pk] for d in chosen_ids):
                    aggregate_years.add(year)
    fetched = _aggregate_parts(sources, sorted(aggregate_years), chosen)
    watermark = task_watermark()

    city = plan.region
    values = []
    for indicator in indicators:
        if indicator.pk not in sources:
            continue
        parts, population = fetched[indicator.pk]
        through = {(d, year): watermark for d in chosen_ids for year in aggregate_years}
        # The districts not recomputed (and the chosen ones in the years not aggregated) keep
        # their stored parts, from which the city is rebuilt.
        for (region_id, year), value in stored[indicator.pk].items():
            if region_id in chosen_ids and year in aggregate_years:
                continue
            through[(region_id, year)] = value.aggregated_through
            if value.components:
                parts[(region_id, year)] = {k: Decimal(v) for k, v in value.components.items()}
                population.setdefault((region_id, year), value.population)
            elif region_id in chosen_ids:
                population.setdefault((region_id, year), value.population)
        values += _values(
            indicator,
            sources[indicator.pk],
            years,
            (chosen, all_districts, city),
            (parts, population, through),
        )
    IndicatorValue.objects.filter(
        indicator_id__in=list(sources), region__in=[*chosen, city], year__in=years
    ).delete()
    IndicatorValue.objects.bulk_create(values, batch_size=1000)
    if len(chosen) == len(all_districts):  # every district's rows of `years` now carry the mark
        AppliedChange.objects.filter(
            plan=plan, year__in=sorted(set(years) & aggregate_years), task_id__lte=watermark
        ).delete()
    return len(values)


def level_of(formula: Formula, components: dict | None) -> Decimal | None:
    """The formula over one region's and year's parts; None without reporters."""
    if not components or not components.get("reporters"):
        return None
    return formula.evaluate(components)


def value_of(formula: Formula, level: Decimal | None, before: Decimal | None) -> Decimal | None:
    """The stored value from the year's level (a growth rate: against the year before's)."""
    if formula.growth:
        level = (level / before - 1) * 100 if level is not None and before else None
    return _rounded(level)


def _values(indicator, source, years, regions, stored) -> list:
    chosen, all_districts, city = regions
    parts, population, through = stored
    formula = source.formula
    for year in sorted(_query_years(source, years)):
        district_parts = [parts[(d.pk, year)] for d in all_districts if (d.pk, year) in parts]
        if district_parts:
            parts[(city.pk, year)] = {
                name: sum((p[name] for p in district_parts), Decimal(0))
                for name in district_parts[0]
            }
        counts = [population.get((d.pk, year)) for d in all_districts]
        if source.above_scale and any(c is not None for c in counts):
            population[(city.pk, year)] = sum(c or 0 for c in counts)

    def level(region_id: int, year: int) -> Decimal | None:
        return level_of(formula, parts.get((region_id, year)))

    values = []
    for region in [*chosen, city]:
        for year in years:
            before = level(region.pk, year - 1) if formula.growth else None
            components = parts.get((region.pk, year), {})
            values.append(
                IndicatorValue(
                    indicator=indicator,
                    region=region,
                    year=year,
                    value=value_of(formula, level(region.pk, year), before),
                    source=ValueSource.ENTERPRISE,
                    components={k: str(v) for k, v in components.items()},
                    reporters=int(components["reporters"]) if components else 0,
                    population=population.get((region.pk, year)),
                    basis=source.basis,
                    aggregated_through=through.get((region.pk, year)),
                )
            )
    return values


def _recompute_reported(plan, indicator, years, districts) -> int:
    """Approved reported values: the whole year's, or, for a year without one yet, the latest
    quarter-cumulative one (stored with its quarter, so that pages say 1–N季度累计). A city
    without its own figure is the sum of its districts' for additions (stock, flow) when every
    district has reported that period."""
    approved: dict[tuple[int, int], dict[int, Decimal]] = {}
    for region_id, year, quarter, value in ReportedValue.objects.filter(
        indicator=indicator, year__in=years, status=ReportedStatus.APPROVED
    ).values_list("region_id", "year", "quarter", "value"):
        approved.setdefault((region_id, year), {})[quarter] = value
    city = plan.region
    summable = indicator.kind in SUMMABLE_KINDS
    values = []
    for year in years:
        for district in districts:
            figure = reported_figure(approved.get((district.pk, year), {}))
            if figure is not None:
                values.append(_reported_value(indicator, district, year, figure))
        parts = [approved.get((d.pk, year), {}) for d in districts] if summable else None
        figure = reported_figure(approved.get((city.pk, year), {}), parts)
        if figure is not None:
            values.append(_reported_value(indicator, city, year, figure))
    return _replace(indicator, [*districts, city], years, values)


@dataclass(frozen=True)
class ReportedFigure:
    """The figure of a region and year from its approved reported values: `quarter` 0 for the
    whole year, 1–4 for a quarter-cumulative one; `summed` when it is its districts' sum."""

    value: Decimal
    quarter: int = 0
    summed: bool = False


def period_figure(
    own: dict[int, Decimal], parts: list[dict[int, Decimal]] | None, quarter: int
) -> ReportedFigure | None:
    """A region's figure for one period (quarter 0: the whole year): its own, or with `parts`
    (its districts' figures by quarter, given for additions only) their sum when every district
    has one for that period."""
    if quarter in own:
        return ReportedFigure(own[quarter], quarter)
    if parts and all(quarter in p for p in parts):
        return ReportedFigure(sum((p[quarter] for p in parts), Decimal(0)), quarter, summed=True)
    return None


def reported_figure(
    own: dict[int, Decimal], parts: list[dict[int, Decimal]] | None = None
) -> ReportedFigure | None:
    """The figure that stands for a region's year: the whole year's where there is one, else the
    latest quarter-cumulative one (its own before its districts' sum of the same quarter)."""
    for quarter in (0, 4, 3, 2, 1):
        figure = period_figure(own, parts, quarter)
        if figure is not None:
            return figure
    return None


def _reported_value(indicator, region, year, figure: ReportedFigure) -> IndicatorValue:
    return IndicatorValue(
        indicator=indicator,
        region=region,
        year=year,
        value=figure.value,
        quarter=figure.quarter,
        source=ValueSource.REPORTED,
    )


def _rounded(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(Decimal("0.0001"))


def _replace(indicator, regions, years, values: list[IndicatorValue]) -> int:
    IndicatorValue.objects.filter(indicator=indicator, region__in=regions, year__in=years).delete()
    IndicatorValue.objects.bulk_create(values, batch_size=1000)
    return len(values)
