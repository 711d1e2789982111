"""Reported values (上报值): figures from outside the platform (5G base stations from the
operators, output from the statistics bureau) that a district officer or the city enters for a
region and a period, and that count once the city approves them.

A table of them is loaded in three steps, like the enterprise import:

1. `read_values_file` reads an .xlsx/.xls/.csv into `ValuesRow`s, refusing files it cannot or
   should not read (with the enterprise import's checks: size, zip bomb, encryption, encoding);
2. `check_values` parses and checks every row against the plan, the regions, the user and the
   other rows of the file: counts and every error (row, column, value, reason);
3. `apply_values` writes all of it in one transaction with history, or nothing, and recomputes
   the indicator values whose approved figures changed.

`import_values` runs the three for the command line; `approve_reported_value` is the city's
approval of one submitted value. The key of a value is (indicator, region, year, quarter):
re-importing the same file changes nothing and writes no history."""

import csv
import io
import math
import os
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.db import IntegrityError, transaction
from django.utils import timezone
from python_calamine import CalamineWorkbook, PasswordError
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from zhizao.core.models import Region, RegionLevel
from zhizao.core.numbers import NotANumber, parse_number, plain
from zhizao.core.roles import Role, is_city_admin
from zhizao.core.services import mark_change
from zhizao.enterprises.importing.cells import CellError, compact, display, parse_year

# The enterprise import's file checks are reused as they are (see the report of this change:
# they would be better exported under public names by enterprises.importing.files).
from zhizao.enterprises.importing.files import (
    CORRUPT_MESSAGE,
    CSV_SUFFIXES,
    ENCRYPTED_MESSAGE,
    EXCEL_SUFFIXES,
    HEADER_SEARCH_ROWS,
    MAX_ROWS,
    OLE2_MAGIC,
    ZIP_MAGIC,
    _is_encrypted_ooxml,
    _read_bytes,
    _refuse_zip_bomb,
)
from zhizao.enterprises.importing.rows import ImportFileError, ImportIssue
from zhizao.monitoring.engine import recompute, source_type
from zhizao.monitoring.models import ReportedStatus, ReportedValue, ValueSource
from zhizao.plans.models import Indicator, IndicatorKind, Plan

# --- columns ------------------------------------------------------------------------


@dataclass(frozen=True)
class ValuesColumn:
    key: str
    header: str  # the template's header
    required: bool
    aliases: tuple[str, ...]


COLUMNS = (
    ValuesColumn("indicator", "indicator", True, ("序号", "指标序号", "指标", "指标编号")),
    ValuesColumn("region", "region", True, ("地区", "区县", "行政区划", "区域")),
    ValuesColumn("year", "year", True, ("年份", "年度")),
    ValuesColumn("quarter", "quarter", False, ("季度",)),
    ValuesColumn("value", "value", True, ("数值", "实际值", "上报值", "值")),
    ValuesColumn("note", "note", False, ("说明", "备注")),
)
COLUMNS_BY_KEY = {c.key: c for c in COLUMNS}
HEADER_KEYS = {alias: column.key for column in COLUMNS for alias in (column.key, *column.aliases)}
TEMPLATE_HEADER = ",".join(c.header for c in COLUMNS)

NOTE_MAX = ReportedValue._meta.get_field("note").max_length
VALUE_LIMIT = Decimal(10) ** 14  # PLAN_DECIMAL: 18 digits, 4 of them after the point
VALUE_PLACES = Decimal("0.0001")
COUNT_UNITS = {"个", "家", "项", "台", "座", "件", "家次", "人"}  # figures that are whole numbers
WHOLE_YEAR_WORDS = {"全年", "年度"}


def header_key(text) -> str | None:
    """The column a header names: English or Chinese, any case, without what is in brackets
    (季度（留空为全年） → quarter)."""
    if not isinstance(text, str):
        return None
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"[(\[].*?[)\]]", "", text)
    text = "".join(text.split()).lower()
    return HEADER_KEYS.get(text)


# --- errors -------------------------------------------------------------------------


class ReportedValueError(Exception):
    """A reported-value action that is not allowed; the message says why, in Chinese."""


class ReportedValueForbidden(ReportedValueError):
    """The user may not take this action at all."""


class ValuesRefused(ReportedValueError):
    """apply_values refused to write: errors in the preview, or data changed since."""


# --- reading ------------------------------------------------------------------------


@dataclass(slots=True)
class ValuesRow:
    """One data row as read: its row number in the spreadsheet, its non-empty cells by column
    key, and each column's header and place as the file has them."""

    number: int
    cells: dict
    headers: dict  # column key → header text in the file
    positions: dict  # column key → 0-based column index

    def header(self, key: str) -> str:
        return self.headers.get(key, COLUMNS_BY_KEY[key].header)

    def position(self, key: str) -> int:
        return self.positions.get(key, len(COLUMNS) + list(COLUMNS_BY_KEY).index(key))


def read_values_file(path_or_file, filename: str | None = None) -> list[ValuesRow]:
    """The data rows of an .xlsx, .xls or .csv file whose header row is
    `indicator,region,year,quarter,value,note` (or the Chinese names of these columns), within
    its first rows. Raises ImportFileError with the reasons, in Chinese."""
    data, filename = _read_bytes(path_or_file, filename)
    suffix = Path(filename or "").suffix.lower()
    if data.startswith(ZIP_MAGIC):
        _refuse_zip_bomb(data)
        head, rest = _excel_table(data)
    elif data.startswith(OLE2_MAGIC):
        if _is_encrypted_ooxml(data):
            raise ImportFileError(ENCRYPTED_MESSAGE)
        head, rest = _excel_table(data)
    elif suffix in CSV_SUFFIXES:
        head, rest = _csv_table(data)
    elif suffix in EXCEL_SUFFIXES or not suffix:
        raise ImportFileError(CORRUPT_MESSAGE)
    else:
        raise ImportFileError(
            f"不支持的文件格式「{suffix}」：请上传 Excel 文件（.xlsx、.xls）或 CSV 文件。"
        )
    return _rows(head, rest)


def _no_header_message(where: str) -> str:
    return (
        f"{where}的前 {HEADER_SEARCH_ROWS} 行中找不到表头"
        f"（{TEMPLATE_HEADER}，或 序号、地区、年份、季度、数值、说明）。"
    )


def _excel_table(data: bytes):
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = workbook.sheet_names
    except PasswordError:
        raise ImportFileError(ENCRYPTED_MESSAGE) from None
    except Exception:  # calamine raises its own errors, and others on truly broken files
        raise ImportFileError(CORRUPT_MESSAGE) from None
    if not names:
        raise ImportFileError("文件中没有工作表。")
    for name in names:
        try:
            rows = iter(workbook.get_sheet_by_name(name).iter_rows())
            head = [r for r in (next(rows, None) for _ in range(HEADER_SEARCH_ROWS)) if r]
        except PasswordError:
            raise ImportFileError(ENCRYPTED_MESSAGE) from None
        except Exception:
            raise ImportFileError(CORRUPT_MESSAGE) from None
        if _find_header(head) is not None:
            return head, rows
    raise ImportFileError(_no_header_message("各工作表"))


def _csv_table(data: bytes):
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes nearly any byte string
        raise ImportFileError(
            "CSV 文件的编码无法识别，请另存为 UTF-8 或 GBK 编码的 CSV，或直接上传 .xlsx 文件。"
        )
    if "\x00" in text:
        raise ImportFileError(CORRUPT_MESSAGE)
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = csv.reader(io.StringIO(text, newline=""), dialect)
    head = [r for r in (next(rows, None) for _ in range(HEADER_SEARCH_ROWS)) if r is not None]
    if _find_header(head) is None:
        raise ImportFileError(_no_header_message("CSV 文件"))
    return head, rows


def _find_header(head: list) -> int | None:
    """The first row that names both the indicator and the value column."""
    for index, row in enumerate(head):
        keys = {header_key(cell) for cell in row}
        if {"indicator", "value"} <= keys:
            return index
    return None


def _rows(head: list, rest) -> list[ValuesRow]:
    header_index = _find_header(head)
    header_row = header_index + 1
    headers: dict[str, str] = {}
    positions: dict[str, int] = {}
    issues: list[ImportIssue] = []
    for position, cell in enumerate(head[header_index]):
        key = header_key(cell)
        if key is None:
            continue  # columns the import does not know are left alone
        text = " ".join(str(cell).split())
        if key in headers:
            issues.append(
                ImportIssue(
                    header_row,
                    text,
                    text,
                    f"「{text}」与「{headers[key]}」是同一列，出现了两次，请删除其中一列。",
                    position,
                )
            )
            continue
        headers[key] = text
        positions[key] = position
    width = len(head[header_index])
    for offset, column in enumerate(COLUMNS):
        if column.required and column.key not in headers:
            issues.append(
                ImportIssue(
                    header_row,
                    column.header,
                    "",
                    f"缺少必填列「{column.header}」，表头应为 {TEMPLATE_HEADER}。",
                    width + offset,
                )
            )
    if issues:
        raise ImportFileError("；".join(issue.message for issue in issues), issues)

    places = sorted(positions.items(), key=lambda item: item[1])
    result: list[ValuesRow] = []

    def take(number: int, raw) -> None:
        cells = {}
        for key, position in places:
            if position < len(raw):
                value = raw[position]
                if value is None or (isinstance(value, str) and not value.strip()):
                    continue
                cells[key] = value
        if cells:
            if len(result) >= MAX_ROWS:
                raise ImportFileError(
                    f"文件中的数据超过 {MAX_ROWS:,} 行，超过了单次导入的上限，"
                    "请拆分成几个文件分别导入。"
                )
            result.append(ValuesRow(number, cells, headers, positions))

    number = header_row
    for raw in head[header_index + 1 :]:
        number += 1
        take(number, raw)
    for raw in rest:
        number += 1
        take(number, raw)
    return result


# --- checking -----------------------------------------------------------------------


@dataclass(slots=True)
class ValueEntry:
    """One row parsed: the value it states for an indicator, region and period."""

    row: int
    indicator: Indicator
    region: Region
    year: int
    quarter: int
    value: Decimal
    note: str | None  # None when the file has no note column: the stored note is kept

    @property
    def key(self) -> tuple[int, int, int, int]:
        return (self.indicator.pk, self.region.pk, self.year, self.quarter)


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
                f"与第 {first} 行重复：同一指标、地区、年份和季度只能填写一行。",
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
        return "只有市级管理员和区县用户可以填报上报值。"
    if approve and not acts_as_city(user):
        return "只有市级管理员可以审核上报值，区县用户导入的数据须提交市级审核。"
    return None


def _parse_row(row, check, plan, user, indicators, by_name, region_names) -> ValueEntry | None:
    cells = row.cells
    for column in COLUMNS:
        if column.required and column.key not in cells:
            check.error(column.key, f"「{row.header(column.key)}」不能为空。")

    indicator = None
    if "indicator" in cells:
        text = compact(cells["indicator"])
        number = re.fullmatch(r"(\d+)(\.0+)?", text)
        if number is None:
            check.error(
                "indicator",
                f"指标应填写方案中的指标序号（如 19），填写的是「{display(cells['indicator'])}」。",
            )
        else:
            indicator = indicators.get(int(number.group(1)))
            if indicator is None:
                known = (
                    f"（本方案的指标序号为 {min(indicators)}—{max(indicators)}）"
                    if indicators
                    else ""
                )
                check.error("indicator", f"方案中没有序号为 {int(number.group(1))} 的指标{known}。")
            elif source_type(indicator) == ValueSource.ENTERPRISE:
                check.error(
                    "indicator",
                    f"指标 {indicator.number}「{indicator.name}」的实际值由企业年度数据计算，"
                    "不能填报上报值。",
                )
                indicator = None

    region = None
    if "region" in cells:
        name = "".join(unicodedata.normalize("NFKC", str(cells["region"])).split())
        region = by_name.get(name)
        if region is None:
            check.error("region", f"找不到地区「{name}」：应为 {region_names} 之一。")
        elif not may_report_for(user, region):
            check.error(
                "region",
                f"区县用户只能填报本区县（{user.region.name}）的数据，"
                f"不能填报「{region.name}」的数据。",
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
                    f"年份 {year} 不在方案年份内（{plan.base_year}—{plan.last_year}年）。",
                )
                year = None

    quarter = _parse_quarter(cells.get("quarter"), check)

    value = None
    if "value" in cells:
        value = _parse_value(cells["value"], indicator, check)

    note = None
    if "note" in row.headers:
        note = " ".join(str(cells.get("note", "")).split())
        if len(note) > NOTE_MAX:
            check.error("note", f"说明不能超过 {NOTE_MAX} 个字，现有 {len(note)} 个字。")

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
            f"季度应为 1—4（当年 1 月至该季度末的累计），全年数据请留空，"
            f"填写的是「{display(raw)}」。",
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
                f"指标 {indicator.number} 的单位是“{indicator.unit}”，不能填写百分比"
                f"「{display(raw)}」。",
            )
        else:
            check.error("value", f"数值应为数字，「{display(raw)}」不是有效的数字。")
        return None
    if indicator is None:
        return None
    if abs(value) >= VALUE_LIMIT:
        check.error("value", f"数值过大（{plain(value)}），请核对单位是否为{indicator.unit}。")
        return None
    if value < 0 and indicator.kind != IndicatorKind.GROWTH:
        check.error("value", f"数值不能为负数，填写的是「{display(raw)}」。")
        return None
    if indicator.unit.strip() in COUNT_UNITS and value != value.to_integral_value():
        check.error(
            "value",
            f"指标 {indicator.number} 以“{indicator.unit}”计，应为整数，填写的是 {plain(value)}。",
        )
        return None
    return value.quantize(VALUE_PLACES)


# --- planning and writing -----------------------------------------------------------


def _existing(entries: list[ValueEntry], *, lock: bool = False) -> dict[tuple, ReportedValue]:
    """The stored values the entries touch, in one query (the file's indicators × regions ×
    years, narrowed to its keys in Python)."""
    if not entries:
        return {}
    keys = {e.key for e in entries}
    found = ReportedValue.objects.filter(
        indicator_id__in={e.indicator.pk for e in entries},
        region_id__in={e.region.pk for e in entries},
        year__in={e.year for e in entries},
    )
    if lock:
        found = found.select_for_update()
    result = {}
    for stored in found:
        key = (stored.indicator_id, stored.region_id, stored.year, stored.quarter)
        if key in keys:
            result[key] = stored
    return result


@dataclass
class _Writes:
    outcomes: dict[int, str] = field(default_factory=dict)
    new: list[ReportedValue] = field(default_factory=list)
    changed: list[tuple[ReportedValue, tuple[str, ...]]] = field(default_factory=list)
    recompute_years: set[int] = field(default_factory=set)


def _actor(user):
    return user if getattr(user, "is_authenticated", False) else None


def _plan_writes(entries, existing: dict, user, approve: bool) -> _Writes:
    """What writing the entries changes. A new value is submitted, or approved with `approve`;
    a changed value of an approved one goes back to submitted unless `approve`."""
    actor = _actor(user)
    writes = _Writes()
    for entry in entries:
        stored = existing.get(entry.key)
        note = entry.note if entry.note is not None else (stored.note if stored else "")
        if stored is None:
            status = ReportedStatus.APPROVED if approve else ReportedStatus.SUBMITTED
            writes.new.append(
                ReportedValue(
                    indicator=entry.indicator,
                    region=entry.region,
                    year=entry.year,
                    quarter=entry.quarter,
                    value=entry.value,
                    note=note,
                    status=status,
                    reported_by=actor,
                    approved_by=actor if approve else None,
                )
            )
            writes.outcomes[entry.row] = "created"
            if approve:
                writes.recompute_years.add(entry.year)
            continue
        was_approved = stored.status == ReportedStatus.APPROVED
        value_changed = stored.value != entry.value
        changes: dict = {}
        if value_changed:
            changes["value"] = entry.value
            changes["reported_by"] = actor
        if stored.note != note:
            changes["note"] = note
        if approve and not was_approved:
            changes["status"] = ReportedStatus.APPROVED
            changes["approved_by"] = actor
        elif not approve and was_approved and value_changed:
            changes["status"] = ReportedStatus.SUBMITTED
            changes["approved_by"] = None
        if not changes:
            writes.outcomes[entry.row] = "unchanged"
            continue
        now_approved = changes.get("status", stored.status) == ReportedStatus.APPROVED
        if was_approved != now_approved or (now_approved and value_changed):
            writes.recompute_years.add(entry.year)
        for name, new in changes.items():
            setattr(stored, name, new)
        writes.changed.append((stored, tuple(sorted(changes))))
        writes.outcomes[entry.row] = "updated"
    return writes


def _count(preview: ValuesPreview, writes: _Writes) -> None:
    preview.outcomes = writes.outcomes
    outcomes = list(writes.outcomes.values())
    preview.created = outcomes.count("created")
    preview.updated = outcomes.count("updated")
    preview.unchanged = outcomes.count("unchanged")


def _same_user(a, b) -> bool:
    return getattr(a, "pk", a) == getattr(b, "pk", b)


def apply_values(preview: ValuesPreview, user, approve: bool = False) -> ValuesPreview:
    """Write the checked values in one transaction, with history, or nothing; then recompute
    the plan's indicator values for the years whose approved figures changed.

    The stored values are re-read and locked inside the transaction, so that what is written
    is decided against the data as it is then, not as it was at the preview."""
    if preview.errors:
        raise ValuesRefused(f"导入文件有 {len(preview.errors)} 处错误，未写入任何数据。")
    if preview.applied:
        raise ValuesRefused("这次导入已经写入过了。")
    if not _same_user(preview.user, user):
        raise ValuesRefused("预览与导入须由同一用户进行，请重新上传预览。")
    refusal = _user_refusal(user, approve)
    if refusal:
        raise ReportedValueForbidden(refusal)
    try:
        with transaction.atomic():
            writes = _plan_writes(
                preview.entries, _existing(preview.entries, lock=True), user, approve
            )
            _write(writes, user, preview.source)
            years = sorted(writes.recompute_years)
            if years:
                recompute(preview.plan, years=years)
    except IntegrityError:
        raise ValuesRefused(
            "写入时发现数据在预览之后已被他人修改（如同一指标、地区和期间已有上报值），"
            "未写入任何数据，请重新导入。"
        ) from None
    _count(preview, writes)
    preview.approve = approve
    preview.applied = True
    preview.recomputed_years = years
    return preview


def _write(writes: _Writes, user, source: str) -> None:
    history = {
        "default_user": _actor(user),
        "default_change_reason": (f"导入：{source}" if source else "导入")[:100],
        "default_date": timezone.now(),
    }
    if writes.new:
        bulk_create_with_history(writes.new, ReportedValue, batch_size=500, **history)
    groups: dict[tuple, list] = {}
    for stored, fields in writes.changed:
        groups.setdefault(fields, []).append(stored)
    for fields, objs in groups.items():
        bulk_update_with_history(objs, ReportedValue, list(fields), batch_size=500, **history)


def import_values(
    path, plan: Plan, user=None, *, approve: bool = False, filename: str | None = None
) -> ValuesPreview:
    """Read, check and (when there are no errors) write a file. A file that cannot be read,
    or a write that is refused, comes back as a preview whose errors say why."""
    source = filename or os.path.basename(str(getattr(path, "name", path)))
    try:
        rows = read_values_file(path, filename)
    except ImportFileError as exc:
        return ValuesPreview(plan=plan, errors=list(exc.issues), user=user, source=source)
    preview = check_values(rows, plan, user, approve=approve, source=source)
    if preview.ok:
        try:
            apply_values(preview, user, approve)
        except ReportedValueError as exc:
            preview.errors.append(ImportIssue(None, "", "", str(exc)))
    return preview


# --- approval -----------------------------------------------------------------------


@transaction.atomic
def approve_reported_value(value: ReportedValue, user) -> ReportedValue:
    """The city admin approves a submitted value, which makes it count: the indicator values
    of its year are recomputed in the same transaction."""
    if not is_city_admin(user):
        raise ReportedValueForbidden("只有市级管理员可以审核上报值。")
    value = (
        ReportedValue.objects.select_for_update()
        .select_related("indicator__plan", "region")
        .get(pk=value.pk)
    )
    if value.status == ReportedStatus.APPROVED:
        raise ReportedValueError("该上报值已审核通过，无需重复审核。")
    value.status = ReportedStatus.APPROVED
    value.approved_by = user
    value._history_user = user
    mark_change(value, "市级审核通过")
    value.save(update_fields=["status", "approved_by"])
    recompute(value.indicator.plan, years=[value.year])
    return value
