"""Checking reported values: every row parsed and checked against the plan, the regions, the
user and the other rows of the file, into a `ValuesPreview` with counts and every error (row,
column, value, reason); and who may report for which region."""

import math
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from zhizao.core.models import Region, RegionLevel
from zhizao.core.numbers import NotANumber, parse_number, plain
from zhizao.core.roles import Role, is_city_admin
from zhizao.enterprises.importing.cells import CellError, compact, display, parse_year
from zhizao.enterprises.importing.rows import ImportIssue
from zhizao.monitoring.engine import source_type
from zhizao.monitoring.models import ReportedValue, ValueSource
from zhizao.monitoring.reported.planning import ValueEntry, _existing, _plan_writes, _Writes
from zhizao.monitoring.reported.reading import COLUMNS, ValuesRow
from zhizao.plans.models import Indicator, IndicatorKind, Plan

NOTE_MAX = ReportedValue._meta.get_field("note").max_length
VALUE_LIMIT = Decimal(10) ** 14  # PLAN_DECIMAL: 18 digits, 4 of them after the point
VALUE_PLACES = Decimal("0.0001")
COUNT_UNITS = {"个", "家", "项", "台", "座", "件", "家次", "人"}  # figures that are whole numbers
WHOLE_YEAR_WORDS = {"全年", "年度"}


@dataclass
class ValuesPreview:
    """The outcome of checking a file: counts of rows, what each would do, and every error."""

    plan: Plan
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[ImportIssue] = field(default_factory=list)
    entries: list[ValueEntry] = field(default_factory=list)
    outcomes: dict[int, str] = field(default_factory=dict)  # row → created/updated/unchanged
    user: object = None
    approve: bool = False
    source: str = ""
    applied: bool = False
    recomputed_years: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> dict:
        """The shape the command prints and the API returns."""
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": [e.as_dict() for e in self.errors],
        }


def acts_as_city(user) -> bool:
    """No user is the command line acting for the city."""
    return user is None or is_city_admin(user)


def _is_district_officer(user) -> bool:
    return getattr(user, "role", None) == Role.DISTRICT and user.region_id is not None


def may_report_for(user, region: Region) -> bool:
    """The city reports for any region of its plan; a district officer for its own district."""
    if acts_as_city(user):
        return True
    return _is_district_officer(user) and region.path.startswith(user.region.path)


def plan_regions(plan: Plan) -> list[Region]:
    """The regions values are reported for: the plan's city and its districts."""
    return list(
        Region.objects.filter(pk=plan.region_id)
        | Region.objects.filter(parent_id=plan.region_id, level=RegionLevel.COUNTY)
    )


def is_percent(indicator: Indicator) -> bool:
    return indicator.unit.strip() in {"%", "％"} or indicator.shows_percent_sign


class _RowCheck:
    def __init__(self, row: ValuesRow, errors: list[ImportIssue]):
        self.row = row
        self.errors = errors
        self.ok = True

    def error(self, key: str, message: str) -> None:
        self.ok = False
        self.errors.append(
            ImportIssue(
                self.row.number,
                self.row.header(key),
                display(self.row.cells.get(key)),
                message,
                self.row.position(key),
            )
        )


def check_values(
    rows: list[ValuesRow], plan: Plan, user, *, approve: bool = False, source: str = ""
) -> ValuesPreview:
    """Parse and check every row; count what writing them would create, update or leave.

    Loads the plan's indicators, its regions and the stored values the file touches in three
    queries, whatever the number of rows."""
    preview = ValuesPreview(plan=plan, rows=len(rows), user=user, approve=approve, source=source)
    refusal = _user_refusal(user, approve)
    if refusal:
        preview.errors.append(ImportIssue(None, "", "", refusal))
        return preview
    indicators = {i.number: i for i in plan.indicators.all()}
    regions = plan_regions(plan)
    by_name = {r.name: r for r in regions} | {r.code: r for r in regions}
    region_names = "、".join(r.name for r in sorted(regions, key=lambda r: r.sort_order))
    first_of: dict[tuple, int] = {}
    for row in rows:
        check = _RowCheck(row, preview.errors)
        entry = _parse_row(row, check, plan, user, indicators, by_name, region_names)
        if entry is None:
            continue
        first = first_of.setdefault(entry.key, row.number)
        if first != row.number:
            check.error(
                "indicator",
                _("与第 %(first)s 行重复：同一指标、地区、年份和季度只能填写一行。")
                % {"first": first},
            )
            continue
        preview.entries.append(entry)
    preview.errors.sort(key=lambda e: (e.row or 0, e.position))
    if preview.errors:
        return preview
    existing = _existing(preview.entries)
    _count(preview, _plan_writes(preview.entries, existing, user, approve))
    return preview


def _user_refusal(user, approve: bool) -> str | None:
    if not acts_as_city(user) and not _is_district_officer(user):
        return _("只有市级管理员和区县用户可以填报上报值。")
    if approve and not acts_as_city(user):
        return _("只有市级管理员可以审核上报值，区县用户导入的数据须提交市级审核。")
    return None


def _parse_row(row, check, plan, user, indicators, by_name, region_names) -> ValueEntry | None:
    cells = row.cells
    for column in COLUMNS:
        if column.required and column.key not in cells:
            check.error(
                column.key, _("「%(value)s」不能为空。") % {"value": row.header(column.key)}
            )

    indicator = None
    if "indicator" in cells:
        text = compact(cells["indicator"])
        number = re.fullmatch(r"(\d+)(\.0+)?", text)
        if number is None:
            check.error(
                "indicator",
                _("指标应填写方案中的指标序号（如 19），填写的是「%(value)s」。")
                % {"value": display(cells["indicator"])},
            )
        else:
            indicator = indicators.get(int(number.group(1)))
            if indicator is None:
                known = (
                    _("（本方案的指标序号为 %(indicators)s—%(indicators2)s）")
                    % {"indicators": min(indicators), "indicators2": max(indicators)}
                    if indicators
                    else ""
                )
                check.error(
                    "indicator",
                    _("方案中没有序号为 %(value)s 的指标%(known)s。")
                    % {"value": int(number.group(1)), "known": known},
                )

    region = None
    if "region" in cells:
        name = "".join(unicodedata.normalize("NFKC", str(cells["region"])).split())
        region = by_name.get(name)
        if region is None:
            check.error(
                "region",
                _("找不到地区「%(name)s」：应为 %(region_names)s 之一。")
                % {"name": name, "region_names": region_names},
            )
        elif not may_report_for(user, region):
            check.error(
                "region",
                _("区县用户只能填报本区县（%(name)s）的数据，不能填报「%(name2)s」的数据。")
                % {"name": user.region.name, "name2": region.name},
            )
            region = None

    year = None
    if "year" in cells:
        try:
            year = parse_year(cells["year"], row.header("year"))
        except CellError as exc:
            check.error("year", str(exc))
        else:
            if not plan.base_year <= year <= plan.last_year:
                check.error(
                    "year",
                    _("年份 %(year)s 不在方案年份内（%(base_year)s—%(last_year)s年）。")
                    % {"year": year, "base_year": plan.base_year, "last_year": plan.last_year},
                )
                year = None

    quarter = _parse_quarter(cells.get("quarter"), check)
    if quarter and indicator is not None and source_type(indicator) == ValueSource.ENTERPRISE:
        # A computed indicator may carry an official figure of record, which is a whole year's
        # (the statistics bureau's); enterprise data are yearly, so a quarter has nothing to
        # stand beside.
        check.error(
            "quarter",
            _(
                "指标 %(number)s「%(name)s」的实际值由企业年度数据计算，只能填报全年的官方数（季度留空），填写的是「%(value)s」。"
            )
            % {
                "number": indicator.number,
                "name": indicator.name,
                "value": display(cells["quarter"]),
            },
        )
        quarter = None

    value = None
    if "value" in cells:
        value = _parse_value(cells["value"], indicator, check)

    note = None
    if "note" in row.headers:
        note = " ".join(str(cells.get("note", "")).split())
        if len(note) > NOTE_MAX:
            check.error(
                "note",
                _("说明不能超过 %(NOTE_MAX)s 个字，现有 %(note)s 个字。")
                % {"NOTE_MAX": NOTE_MAX, "note": len(note)},
            )

    if not check.ok or None in (indicator, region, year, quarter, value):
        return None
    return ValueEntry(row.number, indicator, region, year, quarter, value, note)


def _parse_quarter(raw, check: _RowCheck) -> int | None:
    if raw is None:
        return 0
    text = compact(raw)
    if text in WHOLE_YEAR_WORDS:
        return 0
    match = re.fullmatch(r"(?:第|Q|q)?([1-4])(?:\.0+)?(?:季度)?", text)
    if match is None:
        check.error(
            "quarter",
            _("季度应为 1—4（当年 1 月至该季度末的累计），全年数据请留空，填写的是「%(raw)s」。")
            % {"raw": display(raw)},
        )
        return None
    return int(match.group(1))


def _parse_value(raw, indicator: Indicator | None, check: _RowCheck) -> Decimal | None:
    """The value as a number; checked against the indicator's unit and kind when it is known
    (when it is not, the row is refused for that already and only the number is checked)."""
    percent = indicator is None or is_percent(indicator)
    try:
        if isinstance(raw, float) and not math.isfinite(raw):
            raise NotANumber(raw)
        value = parse_number(raw, allow_percent=percent)
    except NotANumber:
        text = compact(raw) if isinstance(raw, str) else ""
        if text.endswith("%") and not percent:
            check.error(
                "value",
                _("指标 %(number)s 的单位是“%(unit)s”，不能填写百分比「%(raw)s」。")
                % {"number": indicator.number, "unit": indicator.unit, "raw": display(raw)},
            )
        else:
            check.error(
                "value", _("数值应为数字，「%(raw)s」不是有效的数字。") % {"raw": display(raw)}
            )
        return None
    if indicator is None:
        return None
    if abs(value) >= VALUE_LIMIT:
        check.error(
            "value",
            _("数值过大（%(value)s），请核对单位是否为%(unit)s。")
            % {"value": plain(value), "unit": indicator.unit},
        )
        return None
    if value < 0 and indicator.kind != IndicatorKind.GROWTH:
        check.error("value", _("数值不能为负数，填写的是「%(raw)s」。") % {"raw": display(raw)})
        return None
    if indicator.unit.strip() in COUNT_UNITS and value != value.to_integral_value():
        check.error(
            "value",
            _("指标 %(number)s 以“%(unit)s”计，应为整数，填写的是 %(value)s。")
            % {"number": indicator.number, "unit": indicator.unit, "value": plain(value)},
        )
        return None
    return value.quantize(VALUE_PLACES)


def _count(preview: ValuesPreview, writes: _Writes) -> None:
    preview.outcomes = writes.outcomes
    outcomes = list(writes.outcomes.values())
    preview.created = outcomes.count("created")
    preview.updated = outcomes.count("updated")
    preview.unchanged = outcomes.count("unchanged")
