"""The indicator engine: actual values per indicator × region × year, from the source the plan
file defines for each indicator, stored with the parts they were computed from.

One SQL aggregation covers every enterprise-sourced indicator, district and year at once (one more
counts the above-scale population); the city's value is the same formula over the sum of its
districts' parts. Recomputing one district after one report is approved re-aggregates that
district's changed year only and rebuilds the rest from stored parts."""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q

from zhizao.core.models import Region, RegionLevel
from zhizao.enterprises.models import ReportStatus, ScaleStatus, YearlyReport
from zhizao.monitoring.formulas import Formula, FormulaError, parse_formula
from zhizao.monitoring.models import IndicatorValue, ReportedStatus, ReportedValue, ValueSource
from zhizao.monitoring.registry import counter_named
from zhizao.plans.models import Indicator, IndicatorKind, Plan

SUMMABLE_KINDS = (IndicatorKind.STOCK, IndicatorKind.FLOW)


@dataclass(frozen=True)
class EnterpriseSource:
    formula: Formula
    above_scale: bool = True
    divisions: tuple[str, ...] = ()


def source_type(indicator: Indicator) -> str:
    return (indicator.source or {}).get("type", ValueSource.REPORTED)


def enterprise_source(indicator: Indicator) -> EnterpriseSource:
    source = indicator.source or {}
    try:
        formula = parse_formula(str(source.get("formula", "")))
    except FormulaError as exc:
        raise FormulaError(f"指标 {indicator.number}「{indicator.name}」：{exc}") from None
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
    approval does not change them."""
    years = years or list(range(plan.base_year, plan.last_year + 1))
    all_districts = districts_of(plan)
    chosen = [d for d in all_districts if districts is None or d.pk in districts]
    indicators = list(plan.indicators.all())
    sources = {
        indicator.pk: enterprise_source(indicator)
        for indicator in indicators
        if source_type(indicator) == ValueSource.ENTERPRISE
    }
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


def _aggregate_parts(sources: dict, years: list[int], districts: list[Region]) -> dict:
    """{indicator pk: (parts, population)} of the enterprise-sourced indicators per (district,
    year), from one report query per above-scale flag and one population query: each indicator's
    aggregates are named i{pk}_… and restricted to its industry divisions by a filter."""
    fetched = {pk: ({}, {}) for pk in sources}
    if not sources or not years or not districts:
        return fetched
    for above_scale in (True, False):
        group = {pk: s for pk, s in sources.items() if s.above_scale == above_scale}
        if not group:
            continue
        reports = YearlyReport.objects.filter(
            status=ReportStatus.CITY_APPROVED, year__in=years, enterprise__region__in=districts
        )
        if above_scale:
            above = ScaleStatus.objects.filter(
                enterprise=OuterRef("enterprise_id"), year=OuterRef("year"), above_scale=True
            )
            reports = reports.filter(Exists(above))
        aliases, aggregates = {}, {}
        for pk, source in group.items():
            prefix = f"i{pk}_"
            where = _in_divisions(source)
            row_aliases, formula_aggregates = source.formula.query_expressions(prefix, where)
            aliases.update(row_aliases)
            aggregates[prefix + "reporters"] = Count("pk", filter=where)
            aggregates.update(formula_aggregates)
        rows = (
            reports.alias(**aliases)
            .values("enterprise__region_id", "year")
            .annotate(**aggregates)
            .order_by()
        )
        for row in rows:
            key = (row["enterprise__region_id"], row["year"])
            for pk, source in group.items():
                prefix = f"i{pk}_"
                names = ["reporters", *source.formula.specs]
                parts = {name: Decimal(row[prefix + name]) for name in names}
                if parts["reporters"]:
                    fetched[pk][0][key] = parts
        if above_scale:
            _count_population(group, years, districts, fetched)
    return fetched


def _in_divisions(source: EnterpriseSource) -> Q | None:
    if not source.divisions:
        return None
    return Q(enterprise__industry_division__in=source.divisions)


def _count_population(group: dict, years, districts, fetched: dict) -> None:
    """How many enterprises should have reported: the above-scale ones of the region and year
    (of the source's divisions), one count per set of divisions, in one query."""
    division_sets = sorted({s.divisions for s in group.values()})
    counts = {
        f"n{i}": Count("pk", filter=Q(enterprise__industry_division__in=d) if d else None)
        for i, d in enumerate(division_sets)
    }
    statuses = ScaleStatus.objects.filter(
        year__in=years, above_scale=True, enterprise__region__in=districts
    )
    for row in statuses.values("enterprise__region_id", "year").annotate(**counts).order_by():
        key = (row["enterprise__region_id"], row["year"])
        for pk, source in group.items():
            n = row[f"n{division_sets.index(source.divisions)}"]
            if n:
                fetched[pk][1][key] = n


def _recompute_enterprise(plan, indicators, sources, years, chosen, all_districts, changed_years):
    """The enterprise-sourced values of the chosen districts and the city: one read of the
    stored parts, one aggregation, one delete and one insert for all these indicators."""
    if not sources:
        return 0
    query_years = set().union(*(_query_years(s, years) for s in sources.values()))
    chosen_ids = {d.pk for d in chosen}
    stored: dict[int, dict[tuple[int, int], IndicatorValue]] = {pk: {} for pk in sources}
    for value in IndicatorValue.objects.filter(
        indicator_id__in=list(sources),
        region_id__in=[d.pk for d in all_districts],
        year__in=sorted(query_years),
    ):
        stored[value.indicator_id][(value.region_id, value.year)] = value
    if changed_years is None:
        aggregate_years = query_years
    else:  # the other years of the chosen districts from their stored parts, where stored
        aggregate_years = set(changed_years) & query_years
        for pk, source in sources.items():
            for year in _query_years(source, years) - aggregate_years:
                if any((d, year) not in stored[pk] for d in chosen_ids):
                    aggregate_years.add(year)
    fetched = _aggregate_parts(sources, sorted(aggregate_years), chosen)

    city = plan.region
    values = []
    for indicator in indicators:
        if indicator.pk not in sources:
            continue
        parts, population = fetched[indicator.pk]
        # The districts not recomputed (and the chosen ones in the years not aggregated) keep
        # their stored parts, from which the city is rebuilt.
        for (region_id, year), value in stored[indicator.pk].items():
            if region_id in chosen_ids and year in aggregate_years:
                continue
            if value.components:
                parts[(region_id, year)] = {k: Decimal(v) for k, v in value.components.items()}
                population.setdefault((region_id, year), value.population)
            elif region_id in chosen_ids:
                population.setdefault((region_id, year), value.population)
        values += _values(
            indicator, sources[indicator.pk], years, chosen, all_districts, city, parts, population
        )
    IndicatorValue.objects.filter(
        indicator_id__in=list(sources), region__in=[*chosen, city], year__in=years
    ).delete()
    IndicatorValue.objects.bulk_create(values, batch_size=1000)
    return len(values)


def _values(indicator, source, years, chosen, all_districts, city, parts, population) -> list:
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
        components = parts.get((region_id, year))
        if not components or not components.get("reporters"):
            return None
        return formula.evaluate(components)

    values = []
    for region in [*chosen, city]:
        for year in years:
            value = level(region.pk, year)
            if formula.growth:
                before = level(region.pk, year - 1)
                value = (value / before - 1) * 100 if value is not None and before else None
            components = parts.get((region.pk, year), {})
            values.append(
                IndicatorValue(
                    indicator=indicator,
                    region=region,
                    year=year,
                    value=_rounded(value),
                    source=ValueSource.ENTERPRISE,
                    components={k: str(v) for k, v in components.items()},
                    reporters=int(components["reporters"]) if components else 0,
                    population=population.get((region.pk, year)),
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
