"""Reading a reported-values file into `ValuesRow`s: the columns and their headers, the
.xlsx/.xls and .csv readers, and finding the header row.

A file is refused with the enterprise import's checks (size, zip bomb, encryption, encoding),
imported from enterprises.importing.files so that the two imports refuse the same files with
the same messages."""

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook, PasswordError

from zhizao.enterprises.importing.files import (
    CORRUPT_MESSAGE,
    CSV_SUFFIXES,
    ENCRYPTED_MESSAGE,
    EXCEL_SUFFIXES,
    HEADER_SEARCH_ROWS,
    MAX_ROWS,
    OLE2_MAGIC,
    ZIP_MAGIC,
    decode_csv,
    is_encrypted_ooxml,
    read_upload_bytes,
    refuse_zip_bomb,
)
from zhizao.enterprises.importing.rows import ImportFileError, ImportIssue

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


def header_key(text) -> str | None:
    """The column a header names: English or Chinese, any case, without what is in brackets
    (季度（留空为全年） → quarter)."""
    if not isinstance(text, str):
        return None
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"[(\[].*?[)\]]", "", text)
    text = "".join(text.split()).lower()
    return HEADER_KEYS.get(text)


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
    data, filename = read_upload_bytes(path_or_file, filename)
    suffix = Path(filename or "").suffix.lower()
    if data.startswith(ZIP_MAGIC):
        refuse_zip_bomb(data)
        head, rest = _excel_table(data)
    elif data.startswith(OLE2_MAGIC):
        if is_encrypted_ooxml(data):
            raise ImportFileError(ENCRYPTED_MESSAGE)
        head, rest = _excel_table(data)
    elif suffix in CSV_SUFFIXES:
        head, rest = _csv_table(data)
    elif suffix in EXCEL_SUFFIXES or not suffix:
        raise ImportFileError(CORRUPT_MESSAGE)
    else:
        raise ImportFileError(
            _("不支持的文件格式「%(suffix)s」：请上传 Excel 文件（.xlsx、.xls）或 CSV 文件。")
            % {"suffix": suffix}
        )
    return _rows(head, rest)


def _no_header_message(where: str) -> str:
    return _(
        "%(where)s的前 %(HEADER_SEARCH_ROWS)s 行中找不到表头（%(TEMPLATE_HEADER)s，或 序号、地区、年份、季度、数值、说明）。"
    ) % {
        "where": where,
        "HEADER_SEARCH_ROWS": HEADER_SEARCH_ROWS,
        "TEMPLATE_HEADER": TEMPLATE_HEADER,
    }


def _excel_table(data: bytes):
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = workbook.sheet_names
    except PasswordError:
        raise ImportFileError(ENCRYPTED_MESSAGE) from None
    except Exception:  # calamine raises its own errors, and others on truly broken files
        raise ImportFileError(CORRUPT_MESSAGE) from None
    if not names:
        raise ImportFileError(_("文件中没有工作表。"))
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
    raise ImportFileError(_no_header_message(_("各工作表")))


def _csv_table(data: bytes):
    text = decode_csv(data)
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = csv.reader(io.StringIO(text, newline=""), dialect)
    head = [r for r in (next(rows, None) for _ in range(HEADER_SEARCH_ROWS)) if r is not None]
    if _find_header(head) is None:
        raise ImportFileError(_no_header_message(_("CSV 文件")))
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
                    _("「%(text)s」与「%(value)s」是同一列，出现了两次，请删除其中一列。")
                    % {"text": text, "value": headers[key]},
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
                    _("缺少必填列「%(header)s」，表头应为 %(TEMPLATE_HEADER)s。")
                    % {"header": column.header, "TEMPLATE_HEADER": TEMPLATE_HEADER},
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
                    _(
                        "文件中的数据超过 %(MAX_ROWS)s 行，超过了单次导入的上限，请拆分成几个文件分别导入。"
                    )
                    % {"MAX_ROWS": format(MAX_ROWS, ",")}
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
