"""The indicator engine: actual values per indicator × region × year, from the source the plan
file defines for each indicator, stored with the parts they were computed from.

One SQL aggregation per enterprise-sourced indicator covers every district and year at once; the
city's value is the same formula over the sum of its districts' parts. Recomputing one district
(after one report is approved) re-aggregates that district only and rebuilds the city from the
stored parts of the others."""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Exists, OuterRef

from zhizao.core.models import Region, RegionLevel
from zhizao.enterprises.models import ReportStatus, ScaleStatus, YearlyReport
from zhizao.monitoring.formulas import Formula, FormulaError, parse_formula
from zhizao.monitoring.models import IndicatorValue, ReportedStatus, ReportedValue, ValueSource
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
    plan: Plan, *, years: list[int] | None = None, districts: list[int] | None = None
) -> int:
    """Recompute the plan's actual values; `years` and `districts` (region ids) narrow what an
    incremental recompute touches. Returns the number of values written."""
    years = years or list(range(plan.base_year, plan.last_year + 1))
    all_districts = districts_of(plan)
    chosen = [d for d in all_districts if districts is None or d.pk in districts]
    written = 0
    for indicator in plan.indicators.all():
        if source_type(indicator) == ValueSource.ENTERPRISE:
            written += _recompute_enterprise(plan, indicator, years, chosen, all_districts)
        else:
            written += _recompute_reported(plan, indicator, years, all_districts)
    return written


def _report_rows(source: EnterpriseSource, years: list[int], districts: list[Region]):
    reports = YearlyReport.objects.filter(
        status=ReportStatus.CITY_APPROVED,
        year__in=years,
        enterprise__region__in=districts,
    )
    if source.above_scale:
        above = ScaleStatus.objects.filter(
            enterprise=OuterRef("enterprise_id"), year=OuterRef("year"), above_scale=True
        )
        reports = reports.filter(Exists(above))
    if source.divisions:
        reports = reports.filter(enterprise__industry_division__in=source.divisions)
    return (
        reports.alias(**source.formula.row_aliases)
        .values("enterprise__region_id", "year")
        .annotate(reporters=Count("pk"), **source.formula.aggregates)
        .order_by()
    )


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


def _population(source: EnterpriseSource, years: list[int], districts: list[Region]) -> dict:
    """How many enterprises should have reported: the above-scale ones of the region and year."""
    if not source.above_scale:
        return {}
    statuses = ScaleStatus.objects.filter(
        year__in=years, above_scale=True, enterprise__region__in=districts
    )
    if source.divisions:
        statuses = statuses.filter(enterprise__industry_division__in=source.divisions)
    return {
        (row["enterprise__region_id"], row["year"]): row["n"]
        for row in statuses.values("enterprise__region_id", "year")
        .annotate(n=Count("pk"))
        .order_by()
    }


def _recompute_enterprise(plan, indicator, years, chosen, all_districts) -> int:
    source = enterprise_source(indicator)
    formula = source.formula
    query_years = sorted(set(years) | ({y - 1 for y in years} if formula.growth else set()))
    parts: dict[tuple[int, int], dict] = {}
    for row in _report_rows(source, query_years, chosen):
        key = (row.pop("enterprise__region_id"), row.pop("year"))
        parts[key] = {name: Decimal(value) for name, value in row.items()}
    population = _population(source, query_years, chosen)
    # The districts not recomputed keep their stored parts, from which the city is rebuilt.
    chosen_ids = {d.pk for d in chosen}
    others = [d.pk for d in all_districts if d.pk not in chosen_ids]
    for stored in IndicatorValue.objects.filter(
        indicator=indicator, region_id__in=others, year__in=query_years
    ):
        if stored.components:
            parts[(stored.region_id, stored.year)] = {
                k: Decimal(v) for k, v in stored.components.items()
            }
            population.setdefault((stored.region_id, stored.year), stored.population)

    city = plan.region
    for year in query_years:
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
    return _replace(indicator, [*chosen, city], years, values)


def _recompute_reported(plan, indicator, years, districts) -> int:
    """Approved whole-year reported values; a city without its own figure is the sum of its
    districts' for additions (stock, flow) when every district has reported."""
    approved = {
        (r.region_id, r.year): r
        for r in ReportedValue.objects.filter(
            indicator=indicator, year__in=years, quarter=0, status=ReportedStatus.APPROVED
        )
    }
    city = plan.region
    values = []
    for year in years:
        for district in districts:
            reported = approved.get((district.pk, year))
            if reported is not None:
                values.append(_reported_value(indicator, district, year, reported.value))
        own = approved.get((city.pk, year))
        district_values = [approved.get((d.pk, year)) for d in districts]
        if own is not None:
            values.append(_reported_value(indicator, city, year, own.value))
        elif indicator.kind in SUMMABLE_KINDS and districts and all(district_values):
            total = sum((r.value for r in district_values), Decimal(0))
            values.append(_reported_value(indicator, city, year, total))
    return _replace(indicator, [*districts, city], years, values)


def _reported_value(indicator, region, year, value) -> IndicatorValue:
    return IndicatorValue(
        indicator=indicator, region=region, year=year, value=value, source=ValueSource.REPORTED
    )


def _rounded(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(Decimal("0.0001"))


def _replace(indicator, regions, years, values: list[IndicatorValue]) -> int:
    IndicatorValue.objects.filter(indicator=indicator, region__in=regions, year__in=years).delete()
    IndicatorValue.objects.bulk_create(values, batch_size=1000)
    return len(values)
