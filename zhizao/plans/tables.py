"""The plan's two tables as the plan prints them, shared by the plan page and the workbooks."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from zhizao.core.numbers import plain
from zhizao.plans.models import Indicator, Plan, RegionTarget

NO_BASE = "—"


@dataclass(frozen=True)
class Figure:
    """A figure as printed ("65%", "7（年均）", "—") and, where it is a number, the number and the
    Excel format that prints it the same way while keeping it a number."""

    text: str
    value: Decimal | None = None
    number_format: str = "General"


def figure(value: Decimal | None, *, percent: bool = False, suffix: str = "") -> Figure:
    if value is None:
        return Figure(NO_BASE)
    text = plain(value)
    decimals = len(text.split(".")[1]) if "." in text else 0
    number_format = "0" if decimals == 0 else "0." + "0" * decimals
    extra = ("%" if percent else "") + suffix
    if extra:
        number_format += f'"{extra}"'
    return Figure(text + extra, value, number_format)


def base_figure(indicator: Indicator) -> Figure:
    if indicator.base is None:
        return Figure(indicator.base_note or NO_BASE)
    return figure(indicator.base, percent=indicator.shows_percent_sign)


def target_figure(indicator: Indicator) -> Figure:
    suffix = f"（{indicator.target_note}）" if indicator.target_note else ""
    return figure(indicator.target, percent=indicator.shows_percent_sign, suffix=suffix)


@dataclass
class IndicatorRow:
    indicator: Indicator
    base: Figure
    target: Figure
    years: list[Figure]


@dataclass
class CategoryGroup:
    category: str
    rows: list[IndicatorRow] = field(default_factory=list)


@dataclass
class IndicatorTable:
    title: str
    base_year: int
    years: list[int]
    groups: list[CategoryGroup]

    @property
    def headers(self) -> list[str]:
        return [
            _("类别"),
            _("序号"),
            _("指标"),
            _("%(base_year)s年基数") % {"base_year": self.base_year},
            _("五年目标"),
            *[_("%(y)s年") % {"y": y} for y in self.years],
        ]


def indicator_table(plan: Plan) -> IndicatorTable:
    """Expects `plan` from services.plan_with_tables (indicators and year targets prefetched)."""
    groups: list[CategoryGroup] = []
    for indicator in plan.indicators.all():
        if not groups or groups[-1].category != indicator.category:
            groups.append(CategoryGroup(indicator.category))
        by_year = {y.year: y.value for y in indicator.year_targets.all()}
        groups[-1].rows.append(
            IndicatorRow(
                indicator=indicator,
                base=base_figure(indicator),
                target=target_figure(indicator),
                years=[
                    figure(by_year.get(year), percent=indicator.shows_percent_sign)
                    for year in plan.years
                ],
            )
        )
    return IndicatorTable(
        title=plan.indicator_table_title or _("%(name)s主要目标") % {"name": plan.name},
        base_year=plan.base_year,
        years=plan.years,
        groups=groups,
    )


@dataclass
class RegionRow:
    item: str
    indicator: Indicator
    city_target: Figure
    base: Figure
    regions: list[Figure]


@dataclass
class RegionTable:
    title: str
    region_names: list[str]
    rows: list[RegionRow]
    region_codes: list[str] = field(default_factory=list)

    @property
    def region_columns(self) -> list[tuple[str, str]]:
        return list(zip(self.region_codes, self.region_names, strict=True))

    @property
    def headers(self) -> list[str]:
        return [_("项目内容"), _("全市目标"), _("现有基数"), *self.region_names]


def region_target_figure(target: RegionTarget | None) -> Figure:
    if target is None:
        return Figure(NO_BASE)
    if target.is_range:
        return Figure(
            _("保%(floor)s争%(stretch)s")
            % {"floor": plain(target.floor), "stretch": plain(target.stretch)}
        )
    return figure(target.floor)


def region_table(plan: Plan, regions: list, region_targets: list[RegionTarget]) -> RegionTable:
    """`regions`: the districts the viewer may see, in the plan's order; `region_targets`: the
    viewer's scoped region targets of this plan."""
    by_key = {(t.indicator_id, t.region_id): t for t in region_targets}
    indicator_ids = {t.indicator_id for t in region_targets}
    rows = [
        RegionRow(
            item=indicator.region_item or indicator.name,
            indicator=indicator,
            city_target=figure(indicator.target, suffix=indicator.unit),
            base=base_figure(indicator) if indicator.base is not None else Figure(NO_BASE),
            regions=[region_target_figure(by_key.get((indicator.pk, r.pk))) for r in regions],
        )
        for indicator in plan.indicators.all()
        if indicator.pk in indicator_ids
    ]
    return RegionTable(
        title=plan.region_table_title or _("%(name)s目标任务表") % {"name": plan.name},
        region_names=[r.name for r in regions],
        region_codes=[r.code for r in regions],
        rows=rows,
    )


@dataclass
class DistrictTargetRow:
    item: str
    indicator: Indicator
    target: Figure
    city_change: Figure


def region_target_rows(targets) -> list[DistrictTargetRow]:
    """A district's targets beside the city-wide five-year change they are a share of."""
    return [
        DistrictTargetRow(
            item=t.indicator.region_item or t.indicator.name,
            indicator=t.indicator,
            target=region_target_figure(t),
            city_change=figure(
                t.indicator.target - (t.indicator.base or Decimal(0)), suffix=t.indicator.unit
            ),
        )
        for t in targets
    ]
