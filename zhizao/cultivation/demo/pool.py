"""The demo enterprises as the cultivation demo sees them: district, cluster, the years each was
above scale, its approved yearly figures and how far along its digital transformation is.

Only as many enterprises are read as the titles could need (three times as many, by id; the
enterprise demo gives ids in a shuffled district order, so the first ones are a fair sample):
at the default size that is all of them, at national scale (500,000) a few ten thousand."""

import math
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Q

from zhizao.core.models import Region
from zhizao.enterprises.models import Enterprise, ReportStatus, ScaleStatus, YearlyReport

REPORT_FIELDS = (
    "enterprise_id",
    "year",
    "employees",
    "industrial_output",
    "energy_use",
    "key_processes",
    "cnc_key_processes",
    "networkable_equipment",
    "networked_equipment",
    "industrial_robots",
    "transformation_investment",
)


@dataclass(frozen=True)
class Figures:
    """One approved yearly report, as the key figures of an application need it."""

    employees: int
    output: float
    energy: float
    key_processes: int
    cnc: int
    networkable: int
    networked: int
    robots: int
    investment: float

    @property
    def cnc_rate(self) -> float:
        return self.cnc / self.key_processes if self.key_processes else 0.0

    @property
    def networking_rate(self) -> float:
        return self.networked / self.networkable if self.networkable else 0.0


@dataclass(eq=False)
class Firm:
    id: int
    name: str
    district_id: int
    cluster_id: int | None
    above: set[int] = field(default_factory=set)  # years above scale
    reports: dict[int, Figures] = field(default_factory=dict)
    maturity: float = 0.0
    # title type code → year recognised (one title of each type at most)
    held: dict[str, int] = field(default_factory=dict)

    def above_for(self, year: int) -> bool:
        """Above scale in the year or the year before, as an application's eligibility asks."""
        return year in self.above or year - 1 in self.above

    def figures(self, year: int) -> Figures | None:
        """The report of `year`, or the latest one before it (or the earliest, failing that)."""
        if year in self.reports:
            return self.reports[year]
        earlier = [y for y in self.reports if y < year]
        if earlier:
            return self.reports[max(earlier)]
        return self.reports[min(self.reports)] if self.reports else None

    @property
    def short_name(self) -> str:
        for suffix in ("股份有限公司", "集团有限公司", "有限责任公司", "有限公司"):
            if self.name.endswith(suffix):
                return self.name[: -len(suffix)]
        return self.name


def district_of_regions(city: Region, districts: list[Region]) -> dict[int, int]:
    """{region id: district id} for every region under the city's districts."""
    mapping = {}
    for region_id, path in Region.objects.filter(path__startswith=city.path).values_list(
        "id", "path"
    ):
        for district in districts:
            if path.startswith(district.path):
                mapping[region_id] = district.pk
                break
    return mapping


def load_firms(
    city: Region, districts: list[Region], needed: int, extra_ids: tuple[int, ...] = ()
) -> list[Firm]:
    """The first `needed` × 3 enterprises by id (and those of `extra_ids`) in the districts, with
    their years above scale and approved reports: five queries."""
    regions = district_of_regions(city, districts)
    first = Enterprise.objects.filter(region_id__in=list(regions)).order_by("id")
    ids = list(first.values_list("id", flat=True)[: max(needed, 1) * 3 + 500])
    if not ids:
        return []
    firms = {
        pk: Firm(id=pk, name=name, district_id=regions[region_id], cluster_id=cluster_id)
        for pk, name, region_id, cluster_id in first.filter(
            Q(id__gte=ids[0], id__lte=ids[-1]) | Q(id__in=list(extra_ids))
        ).values_list("id", "name", "region_id", "cluster_id")
    }
    for pk, year in _rows(ScaleStatus, ("enterprise", "year"), ids[0], ids[-1], extra_ids):
        firm = firms.get(pk)
        if firm is not None:
            firm.above.add(year)
    for row in _rows(YearlyReport, REPORT_FIELDS, ids[0], ids[-1], extra_ids):
        firm = firms.get(row[0])
        if firm is not None:
            firm.reports[row[1]] = Figures(
                row[2],
                float(row[3]),
                float(row[4]),
                row[5],
                row[6],
                row[7],
                row[8],
                row[9],
                float(row[10] or 0),
            )
    for firm in firms.values():
        firm.maturity = _maturity(firm)
    return [firms[pk] for pk in sorted(firms)]


def _rows(model, names, first: int, last: int, extra_ids: tuple[int, ...]):
    """The columns `names` of the model's rows of the enterprises `first`..`last` and
    `extra_ids`: the approved reports, or the years above scale. Plain SQL: the ORM's decimal
    converters alone would cost more than the rest of the demo's reading."""
    meta = model._meta
    quote = connection.ops.quote_name
    columns = ", ".join(quote(meta.get_field(name.removesuffix("_id")).column) for name in names)
    enterprise = quote(meta.get_field("enterprise").column)
    if model is YearlyReport:
        where, params = (
            f"{quote(meta.get_field('status').column)} = %s",
            [ReportStatus.CITY_APPROVED.value],
        )
    else:
        where, params = f"{quote(meta.get_field('above_scale').column)} = %s", [True]
    extra = ", ".join(["%s"] * len(extra_ids))
    sql = (
        f"SELECT {columns} FROM {quote(meta.db_table)} WHERE {where} "
        f"AND ({enterprise} BETWEEN %s AND %s"
        + (f" OR {enterprise} IN ({extra})" if extra_ids else "")
        + ")"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, first, last, *extra_ids])
        while rows := cursor.fetchmany(10000):
            yield from rows


def _maturity(firm: Firm) -> float:
    """How far along the enterprise is (about 0–3): key-process CNC rate, networking rate and
    robots per 100 employees in its first report."""
    if not firm.reports:
        return 0.0
    figures = firm.reports[min(firm.reports)]
    robots = figures.robots * 100 / figures.employees if figures.employees else 0.0
    return figures.cnc_rate + figures.networking_rate + min(1.0, math.log1p(robots) / 2)
