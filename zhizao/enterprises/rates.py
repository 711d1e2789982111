"""The rates a reviewer reads off a yearly report (机器人密度, 数控化率, 人均增加值 …), this year
beside last year, and what counting the report would do to its district's rates."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Sum
from django.utils.translation import gettext_lazy as _

from zhizao.enterprises.fields import SOFTWARE_FIELDS
from zhizao.enterprises.models import ReportStatus, ScaleStatus, YearlyReport

HUNDRED, TEN_THOUSAND = Decimal(100), Decimal(10000)


@dataclass(frozen=True)
class Rate:
    key: str
    label: object
    part: str  # a field name, or "software" (how many key systems are in use)
    whole: str | None  # a field name; None for a count
    scale: Decimal = Decimal(1)
    places: int = 1

    def of(self, values: dict | None) -> Decimal | None:
        if not values:
            return None
        if self.part == "software":
            return Decimal(sum(1 for name in SOFTWARE_FIELDS if values.get(name)))
        part, whole = values.get(self.part), values.get(self.whole)
        if part is None or not whole:
            return None
        value = Decimal(part) / Decimal(whole) * self.scale
        return value.quantize(Decimal(1).scaleb(-self.places))


RATES = (
    Rate(
        "robot_density", _("机器人密度（台/万人）"), "industrial_robots", "employees", TEN_THOUSAND
    ),
    Rate("cnc_rate", _("关键工序数控化率（%）"), "cnc_key_processes", "key_processes", HUNDRED),
    Rate(
        "networking_rate",
        _("设备联网率（%）"),
        "networked_equipment",
        "networkable_equipment",
        HUNDRED,
    ),
    Rate("software", _("在用关键管控软件（个）"), "software", None, places=0),
    Rate("productivity", _("人均工业增加值（万元/人）"), "value_added", "employees", places=2),
    Rate("per_mu", _("亩均工业增加值（万元/亩）"), "value_added", "land_area", places=2),
    Rate("rd_intensity", _("研发经费占营业收入比重（%）"), "rd_spending", "revenue", HUNDRED, 2),
    Rate(
        "energy_intensity",
        _("单位增加值能耗（吨标准煤/万元）"),
        "energy_use",
        "value_added",
        places=3,
    ),
)
# The rates the district's 规上 indicators sum the same way (Σ part / Σ whole).
DISTRICT_RATES = tuple(
    r for r in RATES if r.key in ("robot_density", "cnc_rate", "networking_rate")
)


def difference(now: Decimal | None, before: Decimal | None) -> Decimal | None:
    return None if now is None or before is None else now - before


@dataclass(frozen=True)
class RateRow:
    label: object
    before: Decimal | None
    now: Decimal | None
    places: int

    @property
    def change(self) -> Decimal | None:
        return difference(self.now, self.before)


def rate_rows(values: dict, previous: dict | None) -> list[RateRow]:
    return [RateRow(r.label, r.of(previous), r.of(values), r.places) for r in RATES]


@dataclass(frozen=True)
class DistrictEffect:
    label: object
    last_year: Decimal | None  # the district's rate the year before, over its counted reports
    without: Decimal | None  # this year, over the other counted reports
    with_report: Decimal | None  # this year, with this report counted too
    places: int

    @property
    def change(self) -> Decimal | None:
        return difference(self.with_report, self.without)


def _district_totals(report: YearlyReport, year: int, fields: set[str]) -> dict | None:
    """Σ of `fields` over the district's city-approved reports of enterprises above scale in
    `year` (this report left out); None when there is none."""
    above = ScaleStatus.objects.filter(
        enterprise=OuterRef("enterprise_id"), year=year, above_scale=True
    )
    totals = (
        YearlyReport.objects.filter(
            year=year,
            status=ReportStatus.CITY_APPROVED,
            enterprise__region_id=report.enterprise.region_id,
        )
        .exclude(pk=report.pk)
        .filter(Exists(above))
        .aggregate(n=Count("pk"), **{name: Sum(name) for name in fields})
    )
    return {name: totals[name] or 0 for name in fields} if totals["n"] else None


def district_effects(report: YearlyReport) -> list[DistrictEffect]:
    """The district's 规上 rates last year, this year over its other city-approved above-scale
    reports, and with this report's figures added: what approving it changes (two queries)."""
    fields = {f for r in DISTRICT_RATES for f in (r.part, r.whole)}
    before = _district_totals(report, report.year - 1, fields)
    others = _district_totals(report, report.year, fields)
    mine = {name: (others or {}).get(name, 0) + (getattr(report, name) or 0) for name in fields}
    return [
        DistrictEffect(r.label, r.of(before), r.of(others), r.of(mine), r.places)
        for r in DISTRICT_RATES
    ]
