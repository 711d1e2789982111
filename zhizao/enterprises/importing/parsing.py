"""Parsing one row: its cells into the enterprise, year, scale and figures it states, checked
against what the user may import and what the database holds (loaded once per preview)."""

import functools
from dataclasses import dataclass

from django.utils.translation import gettext as _

from zhizao.core.models import IndustryCluster, Region, RegionLevel
from zhizao.core.roles import Role, is_city_admin
from zhizao.enterprises.fields import REPORT_FIELDS
from zhizao.enterprises.importing.cells import (
    CellError,
    _is_wide,
    clean_text,
    compact,
    display,
    parse_figure,
    parse_industry_code,
    parse_uscc,
    parse_year,
    parse_yes_no,
)
from zhizao.enterprises.importing.columns import COLUMNS_BY_KEY, KEEP_IF_EMPTY
from zhizao.enterprises.importing.rows import ImportIssue, ImportRow
from zhizao.enterprises.models import ReportStatus
from zhizao.enterprises.services import (
    ReportError,
    ensure_year_open,
    locked_years,
    reporting_years,
)


@dataclass(slots=True)
class _Parsed:
    row: ImportRow
    errors: list
    uscc: str | None = None
    year: int | None = None
    enterprise: dict | None = None  # parsed enterprise fields; None where a cell was bad
    above_scale: bool | None = None
    values: dict | None = None
    comment: str = ""

    def error(self, key: str, message: str) -> None:
        self.errors.append(
            ImportIssue(
                self.row.number,
                self.row.header(key),
                display(self.row.cells.get(key)),
                message,
                self.row.position(key),
            )
        )

    def has_error(self, key: str) -> bool:
        header = self.row.header(key)
        return any(e.column == header for e in self.errors)


class _Context:
    """What every row is checked against, loaded once."""

    def __init__(self, user):
        self.user = user
        self.city = user is None or is_city_admin(user)
        self.district = None if self.city else user.region
        self.target = ReportStatus.CITY_APPROVED if self.city else ReportStatus.DISTRICT_APPROVED
        self.years = reporting_years()
        self.locked = locked_years()
        self.regions_by_id = {r.pk: r for r in Region.objects.all()}
        counties = [r for r in self.regions_by_id.values() if r.level == RegionLevel.COUNTY]
        self.county_names = [r.name for r in counties]
        self.counties: dict[str, Region] = {}
        for region in counties:
            key = compact(region.name)
            self.counties[key] = region
            if len(key) > 2:  # 越城 for 越城区, 诸暨 for 诸暨市
                self.counties.setdefault(key[:-1], region)
        self.clusters = {compact(c.name): c for c in IndustryCluster.objects.all()}
        self.cluster_names = list(IndustryCluster.objects.values_list("name", flat=True))

    @functools.cache  # noqa: B019 - one context lives as long as one preview
    def locked_message(self, year: int) -> str:
        """The services' own words for a locked year (asked once per year, not per row)."""
        try:
            ensure_year_open(year)
        except ReportError as exc:
            return str(exc)
        return _("%(year)s年的数据已由市级锁定，不能导入。") % {
            "year": year
        }  # pragma: no cover - unlocked meanwhile

    def in_district(self, region: Region) -> bool:
        return self.city or region.path.startswith(self.district.path)


def _refusal(user) -> str | None:
    if user is None or is_city_admin(user):
        return None
    if not getattr(user, "is_authenticated", False):
        return _("请先登录后再导入。")
    if getattr(user, "role", None) == Role.DISTRICT:
        if user.region_id is None:
            return _("您的账号没有所属区县，不能导入企业数据；请联系市级管理员。")
        return None
    return _("只有市级管理员和区县用户可以导入企业数据；企业请在“年度数据”页面逐年填报。")


def _parse_row(row: ImportRow, ctx: _Context) -> _Parsed:
    cells = row.cells
    parsed = _Parsed(row, [])
    try:
        parsed.uscc = parse_uscc(cells.get("uscc", ""))
    except (ValueError, CellError) as exc:
        parsed.error("uscc", str(exc))
    enterprise: dict = {}
    name = clean_text(cells.get("name"))
    if not name:
        parsed.error(
            "name", _("「%(header)s」不能为空。") % {"header": COLUMNS_BY_KEY["name"].header}
        )
    enterprise["name"] = name
    raw_region = cells.get("region")
    region = ctx.counties.get(compact(raw_region or ""))
    label = COLUMNS_BY_KEY["region"].header
    if raw_region is None:
        parsed.error("region", _("「%(label)s」不能为空。") % {"label": label})
    elif region is None:
        parsed.error(
            "region",
            _("「%(raw_region)s」不是本市的区、县（市），请从下拉列表中选择：%(value)s。")
            % {"raw_region": display(raw_region), "value": "、".join(ctx.county_names)},
        )
    elif not ctx.in_district(region):
        parsed.error(
            "region",
            _("该企业属于%(name)s，您只能导入%(name2)s的企业。")
            % {"name": region.name, "name2": ctx.district.name},
        )
    enterprise["region"] = region
    if "cluster" in cells:
        cluster = ctx.clusters.get(compact(cells["cluster"]))
        if cluster is None:
            parsed.error(
                "cluster",
                _(
                    "「%(value)s」不是本市的产业集群，请从下拉列表中选择：%(value2)s；不属于任何集群的留空。"
                )
                % {"value": display(cells["cluster"]), "value2": "、".join(ctx.cluster_names)},
            )
        enterprise["cluster"] = cluster
    try:
        enterprise["industry_code"] = parse_industry_code(
            cells.get("industry_code", ""), COLUMNS_BY_KEY["industry_code"].header
        )
    except CellError as exc:
        parsed.error("industry_code", str(exc))
    for key in KEEP_IF_EMPTY:
        text = clean_text(cells.get(key))
        if key == "contact_phone" and not any(_is_wide(ch) for ch in compact(text)):
            text = compact(text)  # １３８ 0000 0000 → 13800000000
        column = COLUMNS_BY_KEY[key]
        if column.max_length and len(text) > column.max_length:
            parsed.error(
                key,
                _("「%(header)s」不能超过 %(max_length)s 个字，现有 %(text)s 个。")
                % {"header": column.header, "max_length": column.max_length, "text": len(text)},
            )
        if text:
            enterprise[key] = text
    if len(name) > COLUMNS_BY_KEY["name"].max_length:
        column = COLUMNS_BY_KEY["name"]
        parsed.error(
            "name",
            _("「%(header)s」不能超过 %(max_length)s 个字，现有 %(name)s 个。")
            % {"header": column.header, "max_length": column.max_length, "name": len(name)},
        )
    parsed.enterprise = enterprise
    year_label = COLUMNS_BY_KEY["year"].header
    if "year" not in cells:
        parsed.error("year", _("「%(year_label)s」不能为空。") % {"year_label": year_label})
    else:
        try:
            parsed.year = parse_year(cells["year"], year_label)
        except CellError as exc:
            parsed.error("year", str(exc))
    scale_label = COLUMNS_BY_KEY["above_scale"].header
    if "above_scale" not in cells:
        parsed.error(
            "above_scale",
            _("「%(scale_label)s」不能为空，请填“是”或“否”。") % {"scale_label": scale_label},
        )
    else:
        try:
            parsed.above_scale = parse_yes_no(cells["above_scale"], scale_label)
        except CellError as exc:
            parsed.error("above_scale", str(exc))
    values = {}
    for spec in REPORT_FIELDS:
        raw = cells.get(spec.name)
        column = COLUMNS_BY_KEY[spec.name]
        if raw is None:
            values[spec.name] = False if spec.kind == "bool" else None
            continue
        try:
            if spec.kind == "bool":
                values[spec.name] = parse_yes_no(raw, column.header)
            else:
                values[spec.name] = parse_figure(raw, column.header, spec.kind, column.unit)
        except CellError as exc:
            values[spec.name] = None
            parsed.error(spec.name, str(exc))
    parsed.values = values
    parsed.comment = str(cells.get("comment") or "").strip()
    return parsed
