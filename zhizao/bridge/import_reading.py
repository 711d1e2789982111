"""Reading a library workbook: the file's checks shared with the enterprise import (size, zip
bomb, encryption), the sheets named as libraries, each sheet's header (found in its first rows,
matched with or without the unit, full-width or not) and its non-empty rows by field."""

import io
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook, PasswordError

from zhizao.bridge.import_cells import text_of
from zhizao.bridge.libraries import IMPORT_ORDER, LIBRARIES, LibrarySpec
from zhizao.enterprises.importing import files as enterprise_files
from zhizao.enterprises.importing.files import (
    CORRUPT_MESSAGE,
    ENCRYPTED_MESSAGE,
    is_encrypted_ooxml,
    read_upload_bytes,
    refuse_zip_bomb,
)
from zhizao.enterprises.importing.rows import ImportFileError

NOTES_SHEET = "填写说明"
HEADER_SEARCH_ROWS = 10


@dataclass(frozen=True)
class Issue:
    """One error: the sheet and row (None for the file as a whole), the column's header as the
    file has it, the cell as typed, and why it cannot be imported."""

    sheet: str
    row: int | None
    column: str
    value: str
    message: str

    def as_dict(self) -> dict:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
        }


class WorkbookError(Exception):
    def __init__(self, issues: list[Issue]):
        super().__init__("；".join(issue.message for issue in issues))
        self.issues = issues


@dataclass
class Sheet:
    """One library's sheet as read: where its header is and its non-empty rows by field."""

    spec: LibrarySpec
    name: str
    headers: dict[str, str]  # field → header text in the file
    rows: list[tuple[int, dict]]  # (row number, field → cell)


# --- reading the workbook --------------------------------------------------------------------


def read_sheets(path_or_file, filename: str | None = None) -> list[Sheet]:
    """The library sheets of an .xlsx (or .xls) workbook, in the order they are imported.
    Raises WorkbookError for a file that cannot or should not be read, or sheets and headers
    that are not the template's."""
    try:
        data, filename = read_upload_bytes(path_or_file, filename)
        if data.startswith(enterprise_files.ZIP_MAGIC):
            refuse_zip_bomb(data)
        elif data.startswith(enterprise_files.OLE2_MAGIC):
            if is_encrypted_ooxml(data):
                raise ImportFileError(ENCRYPTED_MESSAGE)
        elif Path(filename or "").suffix.lower() in enterprise_files.CSV_SUFFIXES:
            raise ImportFileError(
                _(
                    "资源库导入需要 Excel 工作簿（.xlsx），每个资源库一个工作表；请使用下载的导入模板。"
                )
            )
        else:
            raise ImportFileError(CORRUPT_MESSAGE)
    except ImportFileError as exc:
        raise WorkbookError([Issue("", None, "", "", str(exc))]) from None
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = workbook.sheet_names
    except PasswordError:
        raise WorkbookError([Issue("", None, "", "", str(ENCRYPTED_MESSAGE))]) from None
    except Exception:  # calamine raises its own errors on broken files
        raise WorkbookError([Issue("", None, "", "", str(CORRUPT_MESSAGE))]) from None
    by_label = {spec.label: spec for spec in LIBRARIES.values()}
    issues, found = [], {}
    for name in names:
        key = "".join(unicodedata.normalize("NFKC", name).split())
        if key in (NOTES_SHEET, "选项"):
            continue
        spec = by_label.get(key)
        if spec is None:
            labels = "、".join(by_label)
            issues.append(
                Issue(
                    name,
                    None,
                    "",
                    name,
                    _("未知的工作表「%(name)s」：工作表应以资源库命名（%(labels)s）。")
                    % {"name": name, "labels": labels},
                )
            )
        elif spec.library in found:
            issues.append(
                Issue(
                    name,
                    None,
                    "",
                    name,
                    _("工作表「%(name)s」与「%(value)s」重复。")
                    % {"name": name, "value": found[spec.library][0]},
                )
            )
        else:
            found[spec.library] = (name, spec)
    sheets = []
    for library in IMPORT_ORDER:
        if library in found:
            name, spec = found[library]
            try:
                rows = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
            except Exception:
                raise WorkbookError([Issue(name, None, "", "", str(CORRUPT_MESSAGE))]) from None
            sheet = _read_sheet(spec, name, rows, issues)
            if sheet is not None:
                sheets.append(sheet)
    if issues:
        raise WorkbookError(issues)
    if not sheets:
        labels = "、".join(by_label)
        raise WorkbookError(
            [
                Issue(
                    "",
                    None,
                    "",
                    "",
                    _("文件中没有资源库工作表（%(labels)s）。") % {"labels": labels},
                )
            ]
        )
    return sheets


def header_key(text) -> str:
    return "".join(unicodedata.normalize("NFKC", text_of(text)).split())


def _read_sheet(spec: LibrarySpec, name: str, rows: list, issues: list) -> Sheet | None:
    known = {}
    for column in spec.columns:
        known[header_key(column.header)] = column
        known.setdefault(header_key(column.label), column)
    first = spec.columns[0]
    header_index = next(
        (
            i
            for i, row in enumerate(rows[:HEADER_SEARCH_ROWS])
            if any(known.get(header_key(cell)) is first for cell in row)
        ),
        None,
    )
    if header_index is None:
        if any(text_of(cell).strip() for row in rows for cell in row):
            issues.append(
                Issue(
                    name,
                    None,
                    first.header,
                    "",
                    _(
                        "「%(name)s」工作表的前 %(HEADER_SEARCH_ROWS)s 行中找不到「%(header)s」列，无法识别表头。请使用下载的导入模板填写。"
                    )
                    % {
                        "name": name,
                        "HEADER_SEARCH_ROWS": HEADER_SEARCH_ROWS,
                        "header": first.header,
                    },
                )
            )
        return None
    header_row = header_index + 1
    headers, positions = {}, {}
    for position, cell in enumerate(rows[header_index]):
        text = " ".join(text_of(cell).split())
        if not text:
            continue
        column = known.get(header_key(text))
        if column is None:
            issues.append(
                Issue(
                    name,
                    header_row,
                    text,
                    text,
                    _("未知的列「%(text)s」，请使用下载的导入模板。") % {"text": text},
                )
            )
        elif column.field in headers:
            issues.append(
                Issue(
                    name,
                    header_row,
                    text,
                    text,
                    _("「%(text)s」与「%(value)s」是同一列，出现了两次。")
                    % {"text": text, "value": headers[column.field]},
                )
            )
        else:
            headers[column.field], positions[column.field] = text, position
    for column in spec.columns:
        if column.required and column.field not in headers:
            issues.append(
                Issue(
                    name,
                    header_row,
                    column.header,
                    "",
                    _("缺少必填列「%(header)s」。") % {"header": column.header},
                )
            )
    data = []
    for number, raw in enumerate(rows[header_index + 1 :], start=header_row + 1):
        cells = {}
        for key, position in positions.items():
            value = raw[position] if position < len(raw) else None
            if value is not None and text_of(value).strip():
                cells[key] = value
        if cells:
            data.append((number, cells))
    if len(data) > enterprise_files.MAX_ROWS:
        issues.append(
            Issue(
                name,
                None,
                "",
                "",
                _("「%(name)s」工作表超过 %(MAX_ROWS)s 行。")
                % {"name": name, "MAX_ROWS": format(enterprise_files.MAX_ROWS, ",")},
            )
        )
    return Sheet(spec, name, headers, data)
