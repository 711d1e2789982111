"""`zhizao bridge import`: library entries in bulk from an Excel workbook with one sheet per
library (the sheet named as the library: 智造标准, 解决方案 …; the template has them all).

All or nothing: every row of every sheet is read, checked with the services' own rules and
written in one transaction, which is rolled back when any row has an error or for a preview
(dry run), so the preview's counts are exactly what the import does. Each error names the sheet,
row, column, the value as typed and why. A row whose natural key (标准号, 服务商名称 …) is
already in the library updates that entry instead of adding another; unchanged entries are not
written, so importing the same file twice changes nothing.

Entries imported without --publish wait for the city admin's review (待审核); with --publish
(city admin only) they are published at once. A provider or expert may import the libraries it
may create, and update only the entries it maintains."""

import os
from dataclasses import dataclass, field
from functools import cached_property

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from zhizao.bridge.entry_values import (
    BridgeError,
    changed_fields,
    check_values,
    normalise_values,
    subdomain_names,
)
from zhizao.bridge.import_cells import CellError, display, parse_cell, text_of
from zhizao.bridge.import_reading import (
    NOTES_SHEET,
    Issue,
    Sheet,
    WorkbookError,
    read_sheets,
)
from zhizao.bridge.libraries import (
    BOOL,
    CHOICE,
    LIST_KINDS,
    LONG_TEXT,
    PROVIDER,
    RESULTS,
    SOLUTION,
    TEXT,
    USCC,
    LibrarySpec,
)
from zhizao.bridge.models import EntryStatus, Library, Provider, Solution
from zhizao.bridge.services import (
    city_admins,
    creation_problem,
    default_maintainers,
    may_maintain,
    refuse_admin_only,
    store_entry,
)
from zhizao.core.models import IndustryCluster, Region, RegionLevel
from zhizao.core.notifications import notify
from zhizao.core.roles import is_city_admin
from zhizao.enterprises.models import Enterprise

__all__ = ["NOTES_SHEET", "ImportResult", "Issue", "import_workbook", "read_sheets"]

EXAMPLE_MARK = "示例"


@dataclass
class ImportResult:
    """The outcome: counts by sheet, and every error. Nothing is written unless `applied`."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    sheets: dict[str, dict] = field(default_factory=dict)
    errors: list[Issue] = field(default_factory=list)
    source: str = ""
    dry_run: bool = False
    publish: bool = False
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def count(self, sheet: str, outcome: str) -> None:
        counts = self.sheets.setdefault(
            sheet, {"rows": 0, "created": 0, "updated": 0, "unchanged": 0}
        )
        counts["rows"] += 1
        self.rows += 1
        if outcome in counts:
            counts[outcome] += 1
            setattr(self, outcome, getattr(self, outcome) + 1)

    def summary(self) -> dict:
        """The shape the command prints (that of `zhizao enterprises import`, by sheet too)."""
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "applied": self.applied,
            "sheets": self.sheets,
            "errors": [e.as_dict() for e in self.errors],
        }


# --- checking and writing --------------------------------------------------------------------


class Lookups:
    """Names a cell may give, resolved once per import."""

    @cached_property
    def clusters(self) -> dict:
        table = {}
        for cluster in IndustryCluster.objects.all():
            table[cluster.name], table[cluster.code] = cluster, cluster
        return table

    @cached_property
    def regions(self) -> dict:
        table = {}
        for region in Region.objects.filter(level=RegionLevel.COUNTY):
            table[region.name], table[region.code] = region, region
        return table

    @cached_property
    def subdomains(self) -> dict:
        return {name: code for code, name in subdomain_names().items()}

    @cached_property
    def users(self) -> dict:
        return _UserTable()

    def enterprises(self, uscc: str):
        return Enterprise.objects.filter(uscc=uscc).first()


class _UserTable(dict):
    def __missing__(self, username):
        raise KeyError(username)

    def __contains__(self, username) -> bool:
        if not dict.__contains__(self, username):
            user = get_user_model().objects.filter(username=username).first()
            if user is None:
                return False
            self[username] = user
        return True


def import_workbook(
    path_or_file, user=None, *, dry_run: bool = False, publish: bool = False, filename=None
) -> ImportResult:
    """Read, check and (unless `dry_run` or any error) write a workbook. `user` None acts as
    the city (the command line without --user)."""
    source = filename or os.path.basename(str(getattr(path_or_file, "name", path_or_file)))
    result = ImportResult(source=source, dry_run=dry_run, publish=publish)
    if publish and user is not None and not is_city_admin(user):
        result.errors.append(
            Issue("", None, "", "", "只有市级管理员可以导入并直接发布（--publish）。")
        )
        return result
    try:
        sheets = read_sheets(path_or_file, filename)
    except WorkbookError as exc:
        result.errors.extend(exc.issues)
        return result
    try:
        with transaction.atomic():
            _import(sheets, user, result)
            if result.errors or dry_run:
                transaction.set_rollback(True)
            else:
                result.applied = True
    except IntegrityError:
        result.applied = False
        result.errors.append(
            Issue("", None, "", "", "写入时发现数据已被他人同时修改，未写入任何数据，请重新导入。")
        )
    return result


def _import(sheets: list[Sheet], user, result: ImportResult) -> None:
    lookups = Lookups()
    in_file = {
        spec_sheet.spec.library: {
            _first_text(cells, spec_sheet.spec) for _, cells in spec_sheet.rows
        }
        for spec_sheet in sheets
    }
    pending = 0
    for sheet in sheets:
        seen: dict[tuple, int] = {}
        for number, cells in sheet.rows:
            outcome = _import_row(sheet, number, cells, user, result, lookups, seen, in_file)
            result.count(sheet.name, outcome)
            pending += outcome in ("created", "updated") and not result.publish
    if pending and user is not None and not is_city_admin(user) and not result.errors:
        notify(city_admins(), f"{user}导入了 {pending} 个资源库条目，等待审核。")


def _first_text(cells: dict, spec: LibrarySpec) -> str:
    return text_of(cells.get(spec.title_field, "")).strip()


def _import_row(sheet, number, cells, user, result, lookups, seen, in_file) -> str:
    spec = sheet.spec
    errors = []

    def error(name: str, message: str) -> None:
        header = sheet.headers.get(
            name, spec.column(name).header if name in spec.columns_by_field else ""
        )
        errors.append(Issue(sheet.name, number, header, display(cells.get(name)), message))

    first = text_of(cells.get(spec.columns[0].field, "")).strip()
    if first.startswith(EXAMPLE_MARK):
        error(spec.columns[0].field, "这一行是模板中的示例，请删除或改成实际数据后再导入。")
        result.errors.extend(errors)
        return "invalid"
    values, failed = {}, set()
    for name in sheet.headers:
        column = spec.column(name)
        try:
            values[name] = parse_cell(column, cells[name], lookups) if name in cells else None
        except CellError as exc:
            error(name, str(exc))
            failed.add(name)
        if name not in cells:
            values[name] = empty_value(column)
    values = {name: value for name, value in values.items() if name not in failed}
    _resolve_relations(spec, values, error, in_file, failed)
    if user is not None and not is_city_admin(user):
        _own_defaults(spec, values, user, failed)
    values = normalise_values(spec, values)
    if not failed.intersection(spec.key):
        key = spec.key_of(values)
        if key in seen:
            label = spec.column(spec.key[0]).label
            error(spec.key[0], f"{label}重复：与第 {seen[key]} 行相同。")
            result.errors.extend(errors)
            return "invalid"
        seen[key] = number
    outcome = _write_row(spec, values, user, result, error, errors, failed)
    # A row's errors left to right, as the person reads the row.
    order = list(sheet.headers.values())
    errors.sort(key=lambda e: order.index(e.column) if e.column in order else len(order))
    result.errors.extend(errors)
    return outcome


def _own_defaults(spec: LibrarySpec, values: dict, user, failed: set) -> None:
    """As when creating one by one: a provider's solutions and cases are its provider's unless
    the row names one."""
    columns = spec.columns_by_field
    if "provider" in columns and "provider" not in failed and values.get("provider") is None:
        values["provider"] = Provider.objects.filter(maintainers=user).first()


def _resolve_relations(spec, values, error, in_file, failed: set) -> None:
    """服务商 and 所用方案 by name: in the library, or written earlier from this file."""
    for column in spec.columns:
        if column.kind not in (PROVIDER, SOLUTION) or column.field not in values:
            continue
        text = values[column.field]
        if not text:
            values[column.field] = None
            continue
        if column.kind == PROVIDER:
            found = Provider.objects.filter(name=" ".join(text.split())).first()
            if found is None:
                broken = text in in_file.get(Library.PROVIDER, ())
                where = "（该服务商所在的行有错误，请先更正）" if broken else ""
                error(
                    column.field,
                    f"找不到服务商「{text}」{where}：须已在服务商库中，"
                    "或在本文件的「信息工程服务商」工作表中。",
                )
        else:
            found = _solution(text, values.get("provider"), column, error)
        if found is None:
            failed.add(column.field)
            del values[column.field]
        else:
            values[column.field] = found


def _solution(title: str, provider, column, error):
    candidates = Solution.objects.filter(title=title)
    if provider is not None:
        candidates = candidates.filter(provider=provider)
    matches = list(candidates[:2])
    if len(matches) == 1:
        return matches[0]
    why = "有多个同名方案，请同时填写服务商" if matches else "找不到该方案"
    error(column.field, f"所用方案「{title}」：{why}。")
    return None


def empty_value(column):
    """What an empty cell sets: no text, an empty list, no, the default choice or nothing."""
    if column.kind in LIST_KINDS or column.kind == RESULTS:
        return []
    if column.kind == BOOL:
        return False
    if column.kind in (TEXT, LONG_TEXT, USCC, CHOICE):
        return ""
    return None  # numbers, dates and relations


def _write_row(
    spec: LibrarySpec, values: dict, user, result: ImportResult, error, errors, failed: set
) -> str:
    admin = user is None or is_city_admin(user)
    entry = spec.model.objects.filter(**spec.key_filter(values)).first()
    if entry is None and not admin and spec.library == Library.EXPERT:
        values["user"] = values.get("user") or user  # an expert's new profile is its own
    if not admin:
        problem = None
        if entry is None:
            problem = creation_problem(spec, user)
        elif not may_maintain(entry, user):
            problem = f"{spec.label}{spec.describe_key(values)}由他人维护，您不能通过导入修改。"
        if problem is None:
            try:
                refuse_admin_only(spec, user, values, entry)
            except BridgeError as exc:
                problem = str(exc)
        if problem:
            error(spec.key[0], problem)
            return "invalid"
    for name, message in check_values(spec, values, entry):
        if name not in failed:
            error(name, message)
    if errors:
        return "invalid"
    reason = f"导入：{result.source}" if result.source else "导入"
    if entry is None:
        entry = spec.model()
        values["maintainers"] = default_maintainers(values, user)
        status = EntryStatus.PUBLISHED if result.publish else EntryStatus.PENDING
    elif result.publish:
        status = EntryStatus.PUBLISHED
    elif not admin and entry.status == EntryStatus.PUBLISHED and changed_fields(entry, values):
        status = EntryStatus.PENDING
    else:
        status = None
    return store_entry(entry, values, user, reason, status)
