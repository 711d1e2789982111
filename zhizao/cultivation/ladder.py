"""Counting the registry (梯队): titles recognised and revoked per title type, district and year,
the counts the plan's indicators 1–6 and its annex take, and the ladder page's figures.

A title counts in the year it was recognised and, once revoked, counts −1 in the year of its
revocation: a year's net additions summed over the years give the titles in force, so the stock
and flow formulas of the plan need nothing else. Each count is one grouped query, whatever the
number of titles."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Max, Q
from django.db.models.functions import ExtractYear
from django.urls import reverse
from django.utils.translation import gettext as _

from zhizao.core.models import Region, RegionLevel
from zhizao.core.scoping import scope_queryset
from zhizao.cultivation.models import Application, ApplicationStatus, Title, TitleType
from zhizao.monitoring.registry import register_counter, register_rows
from zhizao.plans.models import IndicatorKind, Plan, RegionTarget


def net_additions(title_types, years=None) -> dict[tuple[int, int], int]:
    """{(region id, year): recognised − revoked} of the given types; regions are the titles' own
    (a district, or the city for a title held by the city itself)."""
    counts: dict[tuple[int, int], int] = defaultdict(int)
    recognised = Title.objects.filter(title_type__in=title_types)
    revoked = Title.objects.filter(title_type__in=title_types, revoked_on__isnull=False)
    if years is not None:
        recognised = recognised.filter(year__in=list(years))
        revoked = revoked.filter(revoked_on__year__in=list(years))
    for row in recognised.values("region_id", "year").annotate(n=Count("pk")).order_by():
        counts[(row["region_id"], row["year"])] += row["n"]
    for row in (
        revoked.annotate(revoked_year=ExtractYear("revoked_on"))
        .values("region_id", "revoked_year")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counts[(row["region_id"], row["revoked_year"])] -= row["n"]
    return dict(counts)


def registry_known_through() -> int | None:
    """The last year the registry has news of (a recognition or a revocation): later years are
    not yet counted, so they show 无数据 rather than 0."""
    latest = Title.objects.aggregate(recognised=Max("year"), revoked=Max("revoked_on"))
    years = [latest["recognised"], latest["revoked"].year if latest["revoked"] else None]
    years = [y for y in years if y is not None]
    return max(years) if years else None


def counted_types(indicator_number: int):
    return TitleType.objects.filter(indicator_number=indicator_number)


@register_counter("titles")
def registry_counts(indicator_number: int, years, districts: list[Region], city: Region):
    """The plan engine's entry point: {(region id, year): net additions} for each district and
    the city, for the years the registry knows; None when no title type counts towards the
    indicator (it then has no registry source to take values from)."""
    types = list(counted_types(indicator_number))
    if not types:
        return None
    known = registry_known_through()
    years = [y for y in years if known is not None and y <= known]
    raw = net_additions(types, years)
    district_ids = {d.pk for d in districts}
    values = {}
    for year in years:
        for district in districts:
            values[(district.pk, year)] = raw.get((district.pk, year), 0)
        # The city counts every title under it: its districts' and its own.
        values[(city.pk, year)] = sum(
            n
            for (region_id, y), n in raw.items()
            if y == year and (region_id in district_ids or region_id == city.pk)
        )
    return values


@dataclass
class RungRow:
    """One title type's line on the ladder of one region."""

    title_type: TitleType
    by_year: dict[int, int]
    revoked_by_year: dict[int, int]
    in_force: int
    plan_additions: int
    floor: Decimal | None
    stretch: Decimal | None
    pipeline: dict[str, int] = field(default_factory=dict)

    @property
    def completion(self) -> Decimal | None:
        if not self.floor:
            return None
        return (Decimal(self.plan_additions) / self.floor).quantize(Decimal("0.0001"))

    @property
    def stretch_completion(self) -> Decimal | None:
        if not self.stretch:
            return None
        return (Decimal(self.plan_additions) / self.stretch).quantize(Decimal("0.0001"))

    def as_json(self) -> dict:
        return {
            "code": self.title_type.code,
            "name": self.title_type.name,
            "indicator": self.title_type.indicator_number,
            "recognised_by_year": {str(y): n for y, n in sorted(self.by_year.items())},
            "revoked_by_year": {str(y): n for y, n in sorted(self.revoked_by_year.items())},
            "cumulative": self.in_force,
            "plan_additions": self.plan_additions,
            "target_floor": _number(self.floor),
            "target_stretch": _number(self.stretch),
            "completion": _number(self.completion),
            "stretch_completion": _number(self.stretch_completion),
            "pipeline": self.pipeline,
        }


def _number(value: Decimal | None):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


@dataclass
class RegionLadder:
    region: Region
    rows: list[RungRow]

    def as_json(self) -> dict:
        return {
            "region": self.region.name,
            "code": self.region.code,
            "types": [row.as_json() for row in self.rows],
        }


def ladder(plan: Plan, year: int, regions: list[Region] | None = None) -> list[RegionLadder]:
    """The ladder of the city and each district (or of `regions`, a part of them) as of the end
    of `year`: per title type, recognitions by year, titles in force, the plan-period additions
    against the annex target (floor, stretch) and the applications at each step. Four queries."""
    city = plan.region
    districts = list(Region.objects.filter(parent=city, level=RegionLevel.COUNTY))
    shown = regions if regions is not None else [city, *districts]
    types = list(TitleType.objects.all())
    recognised = defaultdict(int)  # (type, region, year)
    for row in (
        Title.objects.filter(year__lte=year)
        .values("title_type_id", "region_id", "year")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        recognised[(row["title_type_id"], row["region_id"], row["year"])] += row["n"]
    revoked = defaultdict(int)
    for row in (
        Title.objects.filter(revoked_on__year__lte=year)
        .annotate(revoked_year=ExtractYear("revoked_on"))
        .values("title_type_id", "region_id", "revoked_year")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        revoked[(row["title_type_id"], row["region_id"], row["revoked_year"])] += row["n"]
    pipeline = defaultdict(int)
    open_statuses = [s for s in ApplicationStatus if s not in ("recognised", "rejected")]
    for row in (
        Application.objects.filter(status__in=open_statuses)
        .values("title_type_id", "region_id", "status")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        pipeline[(row["title_type_id"], row["region_id"], row["status"])] += row["n"]
    targets = _annex_targets(plan)
    indicators = {i.number: i for i in plan.indicators.all()}

    def region_ids(region: Region) -> set[int]:
        return {region.pk} | ({d.pk for d in districts} if region.pk == city.pk else set())

    result = []
    for region in shown:
        ids = region_ids(region)
        rows = []
        for title_type in types:
            by_year, revoked_by_year = defaultdict(int), defaultdict(int)
            for (type_id, region_id, y), n in recognised.items():
                if type_id == title_type.pk and region_id in ids:
                    by_year[y] += n
            for (type_id, region_id, y), n in revoked.items():
                if type_id == title_type.pk and region_id in ids:
                    revoked_by_year[y] += n
            in_force = sum(by_year.values()) - sum(revoked_by_year.values())
            # Additions over the plan's years only: a title of a later year counts towards the
            # next plan, not this one.
            last = min(year, plan.last_year)
            plan_additions = sum(n for y, n in by_year.items() if plan.base_year < y <= last) - sum(
                n for y, n in revoked_by_year.items() if plan.base_year < y <= last
            )
            floor, stretch = _target_of(title_type, region, city, targets, indicators)
            steps = {}
            for status in open_statuses:
                waiting = sum(
                    pipeline[(title_type.pk, region_id, status.value)] for region_id in ids
                )
                if waiting:
                    steps[str(status.label)] = waiting
            rows.append(
                RungRow(
                    title_type=title_type,
                    by_year=dict(by_year),
                    revoked_by_year=dict(revoked_by_year),
                    in_force=in_force,
                    plan_additions=plan_additions,
                    floor=floor,
                    stretch=stretch,
                    pipeline=steps,
                )
            )
        result.append(RegionLadder(region=region, rows=rows))
    return result


def _annex_targets(plan: Plan) -> dict[tuple[int, int], tuple[Decimal, Decimal]]:
    return {
        (t.indicator.number, t.region_id): (t.floor, t.stretch)
        for t in RegionTarget.objects.filter(indicator__plan=plan).select_related("indicator")
    }


def _target_of(title_type, region, city, targets, indicators):
    """A district's annex target (floor, stretch); the city's is the plan's five-year addition."""
    number = title_type.indicator_number
    if number is None:
        return None, None
    if region.pk != city.pk:
        return targets.get((number, region.pk), (None, None))
    indicator = indicators.get(number)
    if indicator is None:
        return None, None
    addition = indicator.target
    if indicator.kind == IndicatorKind.STOCK and indicator.base is not None:
        addition = indicator.target - indicator.base
    return addition, addition


@register_rows("titles")
def registry_rows(indicator_number: int, region: Region, year: int, user) -> list[dict] | None:
    """The titles behind one figure of `registry_counts`, for the indicator page's drill-down:
    those of `region` (the city: its own and its districts') recognised in `year` (+1), then
    those revoked in `year` (−1), as `user` may see them; one query. None when no title type
    counts towards the indicator, as `registry_counts` says."""
    types = list(counted_types(indicator_number))
    if not types:
        return None
    if region.level == RegionLevel.CITY:
        where = Q(region=region) | Q(region__parent=region, region__level=RegionLevel.COUNTY)
    else:
        where = Q(region=region)
    titles = scope_queryset(
        user,
        Title.objects.filter(where, title_type__in=types)
        .filter(Q(year=year) | Q(revoked_on__year=year))
        .select_related("title_type", "region", "batch")
        .order_by("holder_name", "pk"),
    )
    recognised, revoked = [], []
    for title in titles:
        if title.year == year:
            recognised.append(_title_row(title, +1))
        if title.revoked_on is not None and title.revoked_on.year == year:
            revoked.append(_title_row(title, -1))
    return recognised + revoked


def _title_row(title: Title, change: int) -> dict:
    batch = title.batch_label
    if title.batch_id:
        batch = _("%(year)s年第%(number)s批") % {
            "year": title.batch.year,
            "number": title.batch.number,
        }
    return {
        "change": change,
        "holder": title.holder_name,
        "kind": title.title_type.name,
        "region": title.region.name,
        "batch": batch,
        "document": title.document_number,
        "recognised_on": title.recognised_on,
        "revoked_on": title.revoked_on,
        "revoke_reason": title.revoke_reason,
        "url": reverse("cultivation:title", args=[title.pk]),
    }
