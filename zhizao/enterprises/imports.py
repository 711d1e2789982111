"""Import of enterprises and their yearly reports from a spreadsheet (.xlsx, .xls or .csv).

Three steps, so that a person sees what will happen before anything does:

1. `read_workbook` reads the file into `ImportRow`s, refusing files it cannot or should not read
   (corrupt, encrypted, too large, a zip bomb, no header) with `ImportFileError`;
2. `preview_import` parses and checks every row as the form would, against the database and the
   other rows of the file, and plans the writes: counts, every error (row, column, value, reason);
3. `apply_import` writes the plan in one transaction, or nothing when the preview has errors.

`import_file` runs the three for the command line. The key of a row is (统一社会信用代码, 年份):
importing the same file twice changes nothing and writes no history."""

import csv
import functools
import io
import math
import os
import re
import unicodedata
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from django.db import IntegrityError, transaction
from django.utils import timezone
from python_calamine import CalamineWorkbook, PasswordError
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from zhizao.core.models import IndustryCluster, Region, RegionLevel
from zhizao.core.numbers import NotANumber, parse_number, plain
from zhizao.core.roles import Role, is_city_admin
from zhizao.enterprises.checks import check_report
from zhizao.enterprises.fields import REPORT_FIELDS, report_values
from zhizao.enterprises.models import (
    Enterprise,
    ReportStatus,
    ReviewAction,
    ReviewStep,
    ScaleStatus,
    YearlyReport,
)
from zhizao.enterprises.services import (
    ReportError,
    ensure_year_open,
    locked_years,
    reporting_years,
    validate_uscc,
)

# --- limits -------------------------------------------------------------------------

MAX_UPLOAD_BYTES = 50 * 1024 * 1024  # what may be uploaded
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024  # an .xlsx's entries, unpacked, all together
MAX_COMPRESSION_RATIO = 100  # of one entry, once it is bigger than RATIO_FLOOR_BYTES
RATIO_FLOOR_BYTES = 1024 * 1024
MAX_ROWS = 1_000_000  # data rows in one file
HEADER_SEARCH_ROWS = 10  # title rows above the header are allowed, up to this
DATA_SHEET = "年度数据"
CHUNK = 500  # ids in one IN (...) list
WRITE_CHUNK = 2000  # objects (and their history rows) held in memory at once while writing

EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xltx", ".xls", ".xlsb", ".et", ".ods"}
CSV_SUFFIXES = {".csv", ".txt"}
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"

CORRUPT_MESSAGE = "文件已损坏或不是 Excel 文件，请用 Excel 打开确认后另存为 .xlsx 再导入。"
ENCRYPTED_MESSAGE = (
    "文件设有打开密码（已加密），无法读取。请在 Excel 中取消密码"
    "（文件 → 信息 → 保护工作簿 → 用密码进行加密，清空密码）后另存为 .xlsx 再导入。"
)
CITY_APPROVED_MESSAGE = "该报表已经市级审核通过，不能通过导入修改。"


# --- columns ------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of the import file and of its template."""

    key: str  # an Enterprise or YearlyReport field name, or "above_scale"
    header: str  # as the template writes it, with the unit
    kind: str  # uscc, text, region, cluster, industry, year, yesno, int, decimal, bool
    note: str  # for the template's 填写说明
    required: bool = False  # the column must be in the file (its cells may still be optional)
    filled: bool = False  # a cell must not be empty
    max_length: int | None = None
    aliases: tuple[str, ...] = ()

    @property
    def unit(self) -> str:
        """The unit in the header's last parentheses, for figures ("" for other columns)."""
        if self.kind not in ("int", "decimal"):
            return ""
        found = re.findall(r"\(([^()]*)\)", unicodedata.normalize("NFKC", self.header))
        return found[-1] if found else ""


KEEP = "留空则不修改系统中已有的内容。"


def _enterprise_column(name: str, kind: str, note: str, **options) -> Column:
    model_field = Enterprise._meta.get_field(name)
    return Column(
        name,
        str(model_field.verbose_name),
        kind,
        note,
        max_length=model_field.max_length if kind == "text" else None,
        **options,
    )


def _report_column(spec) -> Column:
    if spec.kind == "bool":
        note = "填“是”或“否”；留空视为“否”。"
    elif spec.kind == "int":
        note = "填不小于 0 的整数，没有的填 0；不能填百分比。"
    else:
        note = "填不小于 0 的数值，最多两位小数，没有的填 0。"
    return Column(
        spec.name,
        spec.label,
        spec.kind,
        note,
        required=True,
        filled=spec.kind != "bool",
        aliases=_FIGURE_ALIASES.get(spec.name, ()),
    )


_FIGURE_ALIASES = {
    "employees": ("从业人员数", "年末从业人员", "从业人数"),
    "industrial_robots": ("工业机器人", "工业机器人数", "在役工业机器人数"),
    "cnc_key_processes": ("数控化关键工序数",),
    "networked_equipment": ("已联网设备数",),
    "uses_erp": ("ERP",),
    "uses_mes": ("MES",),
    "uses_plm": ("PLM", "PDM", "PLM/PDM"),
    "uses_scm": ("SCM",),
    "uses_wms": ("WMS",),
    "uses_aps": ("APS",),
    "uses_qms": ("QMS",),
    "uses_ems": ("EMS",),
    "rd_spending": ("研发费用", "研发经费"),
    "transformation_investment": ("智能化改造投资", "技改投资"),
}

COLUMNS: tuple[Column, ...] = (
    _enterprise_column(
        "uscc",
        "uscc",
        "18 位，由数字和大写字母组成，末位为校验码。请保持本列为文本格式，以免 Excel 改成科学计数。",
        required=True,
        filled=True,
        aliases=("社会信用代码", "统一信用代码", "信用代码", "纳税人识别号"),
    ),
    _enterprise_column(
        "name",
        "text",
        "营业执照上的全称。",
        required=True,
        filled=True,
        aliases=("单位名称", "公司名称", "企业"),
    ),
    _enterprise_column(
        "region",
        "region",
        "从下拉列表中选择本市的区、县（市）。区县用户只能导入本区县的企业。",
        required=True,
        filled=True,
        aliases=("区县", "区、县", "所属区、县", "所在区县", "区县市"),
    ),
    _enterprise_column("town", "text", KEEP, aliases=("乡镇街道", "镇街", "所属乡镇", "乡镇/街道")),
    _enterprise_column(
        "cluster",
        "cluster",
        "从下拉列表中选择；不属于任何集群的留空。" + KEEP,
        aliases=("所属产业集群", "集群"),
    ),
    _enterprise_column(
        "industry_code",
        "industry",
        "GB/T 4754 制造业代码：2 位大类（13—43），或以大类开头的 3 位中类、4 位小类，"
        "如 17、171、1711。",
        required=True,
        filled=True,
        aliases=("行业代码", "国民经济行业分类代码", "行业分类代码"),
    ),
    _enterprise_column(
        "address", "text", KEEP, aliases=("企业地址", "详细地址", "注册地址", "生产经营地址")
    ),
    _enterprise_column("contact_name", "text", KEEP),
    _enterprise_column(
        "contact_phone", "text", "手机或座机。" + KEEP, aliases=("电话", "联系方式", "手机")
    ),
    Column(
        "year",
        str(YearlyReport._meta.get_field("year").verbose_name),
        "year",
        "数据所属年度，4 位数字，如 2023；须在方案年份内，且该年度未被市级锁定。"
        "同一企业同一年度只能有一行；再次导入同一企业同一年度会更新原有数据。",
        required=True,
        filled=True,
        aliases=("年度", "数据年份", "报告年份", "统计年度"),
    ),
    Column(
        "above_scale",
        "是否规上",
        "yesno",
        "该年度是否为规模以上工业企业，填“是”或“否”。",
        required=True,
        filled=True,
        aliases=("规上企业", "是否规上企业", "是否规模以上", "是否规模以上企业", "规上"),
    ),
    *(_report_column(spec) for spec in REPORT_FIELDS),
    Column(
        "comment",
        str(YearlyReport._meta.get_field("comment").verbose_name),
        "text",
        "从业人员、工业机器人、产值、营收、增加值、用地、能耗与上年相比超过 3 倍或不到 1/3 时"
        "必须说明原因；留空则保留系统中已有的说明。",
        aliases=("备注", "情况说明", "变化说明", "异常说明"),
    ),
)
COLUMNS_BY_KEY = {c.key: c for c in COLUMNS}
FIGURE_KEYS = tuple(spec.name for spec in REPORT_FIELDS)
KEEP_IF_EMPTY = ("town", "address", "contact_name", "contact_phone")
# Units a figure's header may carry besides the template's own (the rest are refused, since a
# figure in 元 read as 万元 would be ten thousand times too big).
UNIT_SYNONYMS = {"吨标准煤": {"吨标准煤", "吨标煤", "tce"}}


def header_key(text) -> str:
    """What a header means, whatever its form: half-width, no spaces or line breaks, no units
    in parentheses, no required-marks, lower case (从业人员（人） == 从 业 人 员 == 从业人员)."""
    normal = unicodedata.normalize("NFKC", str(text or ""))
    normal = re.sub(r"\([^()]*\)", "", normal)
    return re.sub(r"[\s*]", "", normal).lower()


def header_unit(text) -> str:
    found = re.findall(r"\(([^()]*)\)", unicodedata.normalize("NFKC", str(text or "")))
    return "".join(found[-1].split()).lower() if found else ""


HEADER_KEYS: dict[str, str] = {}
for _column in COLUMNS:
    for _text in (_column.header, *_column.aliases):
        HEADER_KEYS.setdefault(header_key(_text), _column.key)


# --- the rows of a file -------------------------------------------------------------


@dataclass(frozen=True)
class ImportIssue:
    """One error: the spreadsheet's row number (None for the file as a whole), the column's
    header as the file has it, the cell as typed, and why it cannot be imported."""

    row: int | None
    column: str
    value: str
    message: str
    position: int = -1  # the column's place in the file, to list a row's errors left to right

    def as_dict(self) -> dict:
        return {
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
        }


class ImportFileError(Exception):
    """The file as a whole cannot be imported; `issues` says why, in Chinese."""

    def __init__(self, message: str, issues: list[ImportIssue] | None = None):
        super().__init__(message)
        self.issues = issues or [ImportIssue(None, "", "", message)]


class ImportRefused(ImportFileError):
    """apply_import refused to write (errors in the preview, or data changed since); a kind of
    ImportFileError so that a caller that reports file errors reports this one too."""


@dataclass(frozen=True)
class FileLayout:
    """Where the data is: the sheet, the header row, and each column's header as the file has it."""

    sheet: str
    header_row: int
    headers: dict[str, str]  # column key → header text in the file
    positions: dict[str, int]  # column key → 0-based column index


@dataclass(slots=True)
class ImportRow:
    """One data row as read: its row number in the spreadsheet and its non-empty cells by key."""

    number: int
    cells: dict
    layout: FileLayout | None = None

    def header(self, key: str) -> str:
        if self.layout and key in self.layout.headers:
            return self.layout.headers[key]
        return COLUMNS_BY_KEY[key].header

    def position(self, key: str) -> int:
        if self.layout and key in self.layout.positions:
            return self.layout.positions[key]
        return len(COLUMNS) + list(COLUMNS_BY_KEY).index(key)


def read_workbook(path_or_file, filename: str | None = None) -> list[ImportRow]:
    """The data rows of an .xlsx, .xls or .csv file (a path, or an open binary file such as an
    upload); `filename` gives the format when a file object has no name. Raises ImportFileError."""
    data, filename = _read_bytes(path_or_file, filename)
    suffix = Path(filename or "").suffix.lower()
    if data.startswith(ZIP_MAGIC):
        _refuse_zip_bomb(data)
        table_rows = _excel_rows(data)
    elif data.startswith(OLE2_MAGIC):
        if _is_encrypted_ooxml(data):
            raise ImportFileError(ENCRYPTED_MESSAGE)
        table_rows = _excel_rows(data)
    elif suffix in CSV_SUFFIXES:
        table_rows = _csv_rows(data)
    elif suffix in EXCEL_SUFFIXES or not suffix:
        raise ImportFileError(CORRUPT_MESSAGE)
    else:
        raise ImportFileError(
            f"不支持的文件格式「{suffix}」：请上传 Excel 文件（.xlsx、.xls）或 CSV 文件。"
        )
    return _rows_from_table(table_rows)


def _read_bytes(path_or_file, filename: str | None) -> tuple[bytes, str]:
    if hasattr(path_or_file, "read"):
        filename = filename or os.path.basename(str(getattr(path_or_file, "name", "") or ""))
        size = getattr(path_or_file, "size", None)
        if size is not None and size > MAX_UPLOAD_BYTES:
            _too_big(size)
        if hasattr(path_or_file, "seek"):
            path_or_file.seek(0)
        data = path_or_file.read(MAX_UPLOAD_BYTES + 1)
        if len(data) > MAX_UPLOAD_BYTES:
            _too_big(size or len(data))
        return data, filename
    path = Path(path_or_file)
    filename = filename or path.name
    try:
        size = path.stat().st_size
        if size > MAX_UPLOAD_BYTES:
            _too_big(size)
        return path.read_bytes(), filename
    except FileNotFoundError:
        raise ImportFileError(f"找不到文件「{path}」。") from None
    except IsADirectoryError:
        raise ImportFileError(f"「{path}」是目录，不是文件。") from None


def _too_big(size: int):
    raise ImportFileError(
        f"文件大小为 {size / 1024 / 1024:.1f} MB，超过了 {MAX_UPLOAD_BYTES / 1024 / 1024:.0f} MB "
        "的上限，请拆分成几个文件分别导入。"
    )


def _refuse_zip_bomb(data: bytes) -> None:
    """Check what an .xlsx unpacks to before anything unpacks it."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise ImportFileError(CORRUPT_MESSAGE) from None
    total = sum(e.file_size for e in entries)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise ImportFileError(
            f"文件解压后有 {total / 1024 / 1024:.0f} MB，超过了 "
            f"{MAX_UNCOMPRESSED_BYTES / 1024 / 1024:.0f} MB 的上限，疑似异常文件，已拒绝读取；"
            "数据较多时请拆分成几个文件分别导入。"
        )
    for entry in entries:
        if entry.file_size > RATIO_FLOOR_BYTES:
            ratio = entry.file_size / max(entry.compress_size, 1)
            if ratio > MAX_COMPRESSION_RATIO:
                raise ImportFileError(
                    f"文件的压缩比异常（{entry.filename} 解压后是压缩时的 {ratio:.0f} 倍），"
                    "疑似恶意构造的文件，已拒绝读取。"
                )
    # The sizes above are what the file claims: unpack each entry once, in pieces, so that an
    # entry that claims less than it holds fails its check (zipfile stops at the claimed size).
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for entry in entries:
                with archive.open(entry) as stream:
                    while stream.read(1024 * 1024):
                        pass
    except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError, RuntimeError):
        raise ImportFileError(CORRUPT_MESSAGE) from None


def _is_encrypted_ooxml(data: bytes) -> bool:
    """A password-protected .xlsx is an OLE2 container holding an EncryptedPackage stream."""
    return any(name.encode("utf-16-le") in data for name in ("EncryptedPackage", "EncryptionInfo"))


def _excel_rows(data: bytes):
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = workbook.sheet_names
    except PasswordError:
        raise ImportFileError(ENCRYPTED_MESSAGE) from None
    except Exception:  # calamine raises its own errors, and others on truly broken files
        raise ImportFileError(CORRUPT_MESSAGE) from None
    if not names:
        raise ImportFileError("文件中没有工作表。")
    wanted = [n for n in names if n.strip() == DATA_SHEET]
    order = wanted or names
    for name in order:
        try:
            sheet = workbook.get_sheet_by_name(name)
            rows = sheet.iter_rows()
            head = [next(rows, None) for _ in range(HEADER_SEARCH_ROWS)]
        except PasswordError:
            raise ImportFileError(ENCRYPTED_MESSAGE) from None
        except Exception:
            raise ImportFileError(CORRUPT_MESSAGE) from None
        head = [r for r in head if r is not None]
        if _find_header(head) is not None:
            return _Table(name, head, rows)
    where = f"「{DATA_SHEET}」工作表" if wanted else "各工作表"
    raise ImportFileError(
        f"{where}的前 {HEADER_SEARCH_ROWS} 行中找不到「统一社会信用代码」列，"
        "无法识别表头。请使用下载的导入模板填写。"
    )


def _csv_rows(data: bytes):
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
    rows = iter(csv.reader(io.StringIO(text, newline=""), dialect))
    head = [r for r in (next(rows, None) for _ in range(HEADER_SEARCH_ROWS)) if r is not None]
    if _find_header(head) is None:
        raise ImportFileError(
            f"CSV 文件的前 {HEADER_SEARCH_ROWS} 行中找不到「统一社会信用代码」列，"
            "无法识别表头。请使用下载的导入模板填写。"
        )
    return _Table("CSV", head, rows)


@dataclass
class _Table:
    sheet: str
    head: list  # the first rows, the header among them
    rest: object  # an iterator over the rows after them


def _find_header(head: list) -> int | None:
    """The index of the first row that has the 统一社会信用代码 header."""
    for index, row in enumerate(head):
        if any(
            HEADER_KEYS.get(header_key(cell)) == "uscc"
            for cell in row
            if isinstance(cell, str) and cell.strip()
        ):
            return index
    return None


def _layout(table: _Table, header_index: int) -> FileLayout:
    header_row = header_index + 1
    headers: dict[str, str] = {}
    positions: dict[str, int] = {}
    issues: list[ImportIssue] = []
    for position, cell in enumerate(table.head[header_index]):
        text = " ".join(str(cell).split()) if cell not in ("", None) else ""
        key = HEADER_KEYS.get(header_key(text)) if text else None
        if key is None:
            continue  # columns the import does not know are left alone
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
        column = COLUMNS_BY_KEY[key]
        if column.kind == "decimal" and column.unit and header_unit(text):
            allowed = {column.unit.lower(), *UNIT_SYNONYMS.get(column.unit, ())}
            if header_unit(text) not in allowed:
                issues.append(
                    ImportIssue(
                        header_row,
                        text,
                        text,
                        f"「{text}」的单位与模板不同：本列应以“{column.unit}”为单位填写，"
                        f"请换算后把表头改为「{column.header}」。",
                        position,
                    )
                )
        headers[key] = text
        positions[key] = position
    for column in COLUMNS:
        if column.required and column.key not in headers:
            issues.append(
                ImportIssue(
                    header_row,
                    column.header,
                    "",
                    f"缺少必填列「{column.header}」，请使用下载的导入模板或补上这一列。",
                    len(table.head[header_index]) + list(COLUMNS_BY_KEY).index(column.key),
                )
            )
    if issues:
        raise ImportFileError("；".join(issue.message for issue in issues), issues)
    return FileLayout(table.sheet, header_row, headers, positions)


def _rows_from_table(table: _Table) -> list[ImportRow]:
    header_index = _find_header(table.head)
    layout = _layout(table, header_index)
    places = sorted(layout.positions.items(), key=lambda item: item[1])
    result: list[ImportRow] = []

    def take(number: int, raw: list) -> None:
        cells = {}
        width = len(raw)
        for key, position in places:
            if position < width:
                value = raw[position]
                if value is None or value == "" or (isinstance(value, str) and not value.strip()):
                    continue
                cells[key] = value
        if cells:
            if len(result) >= MAX_ROWS:
                raise ImportFileError(
                    f"文件中的数据超过 {MAX_ROWS:,} 行，超过了单次导入的上限，"
                    "请拆分成几个文件分别导入。"
                )
            result.append(ImportRow(number, cells, layout))

    number = header_index + 1
    for raw in table.head[header_index + 1 :]:
        number += 1
        take(number, raw)
    for raw in table.rest:
        number += 1
        take(number, raw)
    return result


# --- parsing one cell ---------------------------------------------------------------


class CellError(ValueError):
    """A cell that cannot be read as what its column holds; the message says why."""


def display(value) -> str:
    """A cell as the person typed or sees it, for error messages."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


def clean_text(value) -> str:
    """Free text without line breaks or runs of spaces; a space is kept only between two
    characters that are not CJK (绍兴 某某 → 绍兴某某, Co.,  Ltd. → Co., Ltd.)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    parts = str(value).split()
    if not parts:
        return ""
    out = [parts[0]]
    for part in parts[1:]:
        if not (_is_wide(out[-1][-1]) or _is_wide(part[0])):
            out.append(" ")
        out.append(part)
    return "".join(out)


def _is_wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in "WF"


def compact(value) -> str:
    """Half-width text without any spaces or line breaks (for codes, years, yes/no)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "".join(unicodedata.normalize("NFKC", str(value)).split())


def parse_figure(value, label: str, kind: str, unit: str) -> Decimal | int:
    """A count (int) or an amount (Decimal, two places) from a cell."""
    if isinstance(value, bool | datetime | date | time | timedelta):
        raise CellError(f"「{label}」应填写数字，「{display(value)}」不是数字。")
    if isinstance(value, float) and not math.isfinite(value):
        raise CellError(f"「{label}」应填写数字，「{display(value)}」不是有效的数字。")
    if isinstance(value, str):
        text = compact(value)
        if text.endswith("%"):
            what = "数量" if kind == "int" else "数值"
            raise CellError(
                f"「{label}」应填写{what}（单位：{unit}），不能填写百分比「{value.strip()}」。"
            )
        value = text
    try:
        number = parse_number(value)
    except NotANumber:
        raise CellError(f"「{label}」应填写数字，「{display(value)}」不是有效的数字。") from None
    if kind == "int":
        if number != number.to_integral_value():
            raise CellError(f"「{label}」应为整数，填写的是 {plain(number)}。")
        if abs(number) > 2_147_483_647:
            raise CellError(f"「{label}」数值过大（{plain(number)}），请核对单位。")
        return int(number)
    number = number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if abs(number) >= Decimal(10) ** 12:
        raise CellError(f"「{label}」数值过大（{plain(number)}），请核对单位是否为{unit}。")
    return number


YES = {"是", "y", "yes", "true", "1", "√", "✓", "有", "t"}
NO = {"否", "n", "no", "false", "0", "×", "✗", "无", "f", "不是"}


def parse_yes_no(value, label: str) -> bool:
    if isinstance(value, bool):
        return value
    text = compact(value).lower()
    if text in YES:
        return True
    if text in NO:
        return False
    raise CellError(f"「{label}」只能填“是”或“否”，填写的是「{display(value)}」。")


def parse_year(value, label: str) -> int:
    text = compact(value)
    if text.endswith("年"):
        text = text[:-1]
    if re.fullmatch(r"\d{4}(\.0+)?", text):
        return int(float(text))
    raise CellError(f"「{label}」应为 4 位数字的年份，如 2023，填写的是「{display(value)}」。")


def parse_uscc(value) -> str:
    if isinstance(value, float | int) and not isinstance(value, bool):
        if isinstance(value, int) or abs(value) < 2**53:
            value = str(int(value))
        else:
            raise CellError(
                "统一社会信用代码被 Excel 存成了数字，末几位已经丢失；"
                "请把本列设为文本格式后重新填写。"
            )
    return validate_uscc(value)


def parse_industry_code(value, label: str) -> str:
    code = compact(value)
    if re.fullmatch(r"\d{2,4}", code) and 13 <= int(code[:2]) <= 43:
        return code
    raise CellError(
        f"「{label}」应为 GB/T 4754 制造业代码：2 位大类（13—43），或以大类开头的 3 位中类、"
        f"4 位小类，如 17、171、1711，填写的是「{display(value)}」。"
    )


# --- the preview --------------------------------------------------------------------

STATUS_RANK = {
    ReportStatus.DRAFT: 0,
    ReportStatus.RETURNED: 0,
    ReportStatus.SUBMITTED: 1,
    ReportStatus.DISTRICT_APPROVED: 2,
    ReportStatus.CITY_APPROVED: 3,
}


@dataclass
class PlannedWrites:
    """What apply_import will write: new objects to create, loaded ones with the fields changed."""

    new_enterprises: list = field(default_factory=list)
    changed_enterprises: list = field(default_factory=list)  # (Enterprise, fields)
    new_scales: list = field(default_factory=list)
    changed_scales: list = field(default_factory=list)
    new_reports: list = field(default_factory=list)
    changed_reports: list = field(default_factory=list)  # (YearlyReport, fields, from_status)


@dataclass
class ImportPreview:
    """The outcome of checking a file: counts of rows, what each row would do, and every error."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    invalid: int = 0
    errors: list[ImportIssue] = field(default_factory=list)
    # What each row would do: row number → created, updated, unchanged or invalid.
    outcomes: dict[int, str] = field(default_factory=dict)
    writes: PlannedWrites = field(default_factory=PlannedWrites)
    source: str = ""
    user: object = None
    applied: bool = False

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
        return f"{year}年的数据已由市级锁定，不能导入。"  # pragma: no cover - unlocked meanwhile

    def in_district(self, region: Region) -> bool:
        return self.city or region.path.startswith(self.district.path)


def _refusal(user) -> str | None:
    if user is None or is_city_admin(user):
        return None
    if not getattr(user, "is_authenticated", False):
        return "请先登录后再导入。"
    if getattr(user, "role", None) == Role.DISTRICT:
        if user.region_id is None:
            return "您的账号没有所属区县，不能导入企业数据；请联系市级管理员。"
        return None
    return "只有市级管理员和区县用户可以导入企业数据；企业请在“年度数据”页面逐年填报。"


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
        parsed.error("name", f"「{COLUMNS_BY_KEY['name'].header}」不能为空。")
    enterprise["name"] = name
    raw_region = cells.get("region")
    region = ctx.counties.get(compact(raw_region or ""))
    label = COLUMNS_BY_KEY["region"].header
    if raw_region is None:
        parsed.error("region", f"「{label}」不能为空。")
    elif region is None:
        parsed.error(
            "region",
            f"「{display(raw_region)}」不是本市的区、县（市），请从下拉列表中选择："
            f"{'、'.join(ctx.county_names)}。",
        )
    elif not ctx.in_district(region):
        parsed.error(
            "region",
            f"该企业属于{region.name}，您只能导入{ctx.district.name}的企业。",
        )
    enterprise["region"] = region
    if "cluster" in cells:
        cluster = ctx.clusters.get(compact(cells["cluster"]))
        if cluster is None:
            parsed.error(
                "cluster",
                f"「{display(cells['cluster'])}」不是本市的产业集群，请从下拉列表中选择："
                f"{'、'.join(ctx.cluster_names)}；不属于任何集群的留空。",
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
                key, f"「{column.header}」不能超过 {column.max_length} 个字，现有 {len(text)} 个。"
            )
        if text:
            enterprise[key] = text
    if len(name) > COLUMNS_BY_KEY["name"].max_length:
        column = COLUMNS_BY_KEY["name"]
        parsed.error(
            "name", f"「{column.header}」不能超过 {column.max_length} 个字，现有 {len(name)} 个。"
        )
    parsed.enterprise = enterprise
    year_label = COLUMNS_BY_KEY["year"].header
    if "year" not in cells:
        parsed.error("year", f"「{year_label}」不能为空。")
    else:
        try:
            parsed.year = parse_year(cells["year"], year_label)
        except CellError as exc:
            parsed.error("year", str(exc))
    scale_label = COLUMNS_BY_KEY["above_scale"].header
    if "above_scale" not in cells:
        parsed.error("above_scale", f"「{scale_label}」不能为空，请填“是”或“否”。")
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


def _chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _load_existing(usccs: list[str], years: set[int]):
    """The enterprises, reports and scale statuses a file touches, in a few queries."""
    enterprises: dict[str, Enterprise] = {}
    for chunk in _chunks(usccs):
        for enterprise in Enterprise.objects.filter(uscc__in=chunk):
            enterprises[enterprise.uscc] = enterprise
    ids = [e.pk for e in enterprises.values()]
    wanted = sorted(years | {y - 1 for y in years})
    reports: dict[tuple[int, int], YearlyReport] = {}
    scales: dict[tuple[int, int], ScaleStatus] = {}
    for chunk in _chunks(ids):
        for report in YearlyReport.objects.filter(enterprise_id__in=chunk, year__in=wanted):
            reports[(report.enterprise_id, report.year)] = report
        for scale in ScaleStatus.objects.filter(enterprise_id__in=chunk, year__in=wanted):
            scales[(scale.enterprise_id, scale.year)] = scale
    return enterprises, reports, scales


def preview_import(rows: list[ImportRow], user, *, source: str = "") -> ImportPreview:
    """Check every row and plan the writes; writes nothing. `user` None acts as the city."""
    preview = ImportPreview(rows=len(rows), source=source, user=user)
    refusal = _refusal(user)
    if refusal:
        preview.errors.append(ImportIssue(None, "", "", refusal))
        preview.invalid = len(rows)
        return preview
    if not rows:
        preview.errors.append(ImportIssue(None, "", "", "文件中没有可导入的数据行。"))
        return preview
    ctx = _Context(user)
    parsed = [_parse_row(row, ctx) for row in rows]

    # The key is (统一社会信用代码, 年份): a second row with the same key is an error.
    by_key: dict[tuple[str, int], _Parsed] = {}
    for p in parsed:
        if p.uscc is None or p.year is None:
            continue
        first = by_key.get((p.uscc, p.year))
        if first is not None:
            p.error(
                "uscc",
                f"与第 {first.row.number} 行是同一企业同一年份（{p.year}年），"
                "每家企业每年只能有一行。",
            )
        else:
            by_key[(p.uscc, p.year)] = p

    usccs = sorted({p.uscc for p in parsed if p.uscc})
    years = {p.year for p in parsed if p.year is not None}
    enterprises, reports, scales = _load_existing(usccs, years)
    for p in parsed:
        _check_row(p, ctx, by_key, enterprises, reports)

    # Each enterprise takes its details from its latest year's row in the file.
    source_rows: dict[str, _Parsed] = {}
    for p in parsed:
        if p.uscc is None:
            continue
        best = source_rows.get(p.uscc)
        if best is None or (p.year or 0) >= (best.year or 0):
            source_rows[p.uscc] = p
    planned_enterprises: dict[str, tuple[Enterprise, tuple]] = {}
    for uscc, p in source_rows.items():
        planned_enterprises[uscc] = _plan_enterprise(p, enterprises.get(uscc), ctx)

    writes = preview.writes
    for p in parsed:
        if p.errors:
            preview.invalid += 1
            preview.outcomes[p.row.number] = "invalid"
            preview.errors.extend(p.errors)
            continue
        enterprise, enterprise_changed = planned_enterprises[p.uscc]
        existing = enterprises.get(p.uscc)
        outcome = _plan_report(p, ctx, enterprise, existing, reports, scales, writes)
        if outcome == "unchanged" and enterprise_changed and source_rows[p.uscc] is p:
            outcome = "updated"
        if p.errors:  # a change to a report the city has approved
            preview.invalid += 1
            preview.outcomes[p.row.number] = "invalid"
            preview.errors.extend(p.errors)
            continue
        setattr(preview, outcome, getattr(preview, outcome) + 1)
        preview.outcomes[p.row.number] = outcome
    for enterprise, changed in planned_enterprises.values():
        if enterprise.pk is None:
            writes.new_enterprises.append(enterprise)
        elif changed:
            writes.changed_enterprises.append((enterprise, changed))
    preview.errors.sort(key=lambda e: (e.row or 0, e.position))
    return preview


def _plan_enterprise(p: _Parsed, existing: Enterprise | None, ctx: _Context):
    """The enterprise as the file states it (new, or the loaded one with the changes applied)
    and the fields that change."""
    given = p.enterprise or {}
    values = {
        "name": given.get("name") or (existing.name if existing else ""),
        "region_id": given["region"].pk if given.get("region") else None,
        "industry_code": given.get("industry_code"),
    }
    if "cluster" in given and given["cluster"] is not None:
        values["cluster_id"] = given["cluster"].pk
    for key in KEEP_IF_EMPTY:
        if key in given:
            values[key] = given[key]
    if existing is None:
        values = {k: v for k, v in values.items() if v is not None}
        enterprise = Enterprise(uscc=p.uscc, **values)
        enterprise.industry_division = (enterprise.industry_code or "")[:2]
        return enterprise, ("created",)
    changed = tuple(
        name
        for name, value in values.items()
        if value is not None and getattr(existing, name) != value
    )
    for name in changed:
        setattr(existing, name, values[name])
    if "industry_code" in changed:
        existing.industry_division = existing.industry_code[:2]
        changed = (*changed, "industry_division")
    return existing, changed


def _check_row(p: _Parsed, ctx: _Context, by_key, enterprises, reports) -> None:
    """The checks that need the database or the other rows: scope, year locks, report checks."""
    existing = enterprises.get(p.uscc) if p.uscc else None
    if existing is not None and not ctx.city:
        region = ctx.regions_by_id.get(existing.region_id)
        if region is not None and not ctx.in_district(region) and not p.has_error("region"):
            p.error(
                "region",
                f"该企业在系统中属于{region.name}，您只能导入{ctx.district.name}的企业。",
            )
    if p.year is not None and p.year in ctx.locked:
        p.error("year", ctx.locked_message(p.year))
    year = p.year if p.year is not None else (ctx.years.start if ctx.years else 0)
    previous = None
    if p.uscc is not None and p.year is not None:
        earlier = by_key.get((p.uscc, p.year - 1))
        if earlier is not None:
            previous = earlier.values
        elif existing is not None and (existing.pk, p.year - 1) in reports:
            previous = report_values(reports[(existing.pk, p.year - 1)])
    comment = p.comment
    if not comment and existing is not None and p.year is not None:
        report = reports.get((existing.pk, p.year))
        comment = report.comment if report else ""
    check = check_report(p.values, year=year, years=ctx.years, previous=previous, comment=comment)
    for key, message in check.errors.items():
        if key == "year" and (p.year is None or p.has_error("year")):
            continue
        if key != "year" and key != "comment" and p.has_error(key):
            continue
        p.error(key, message)


def _plan_report(p: _Parsed, ctx, enterprise, existing, reports, scales, writes) -> str:
    report = reports.get((existing.pk, p.year)) if existing is not None else None
    scale = scales.get((existing.pk, p.year)) if existing is not None else None
    comment = p.comment or (report.comment if report else "")
    if report is None:
        report = YearlyReport(
            enterprise=enterprise, year=p.year, status=ctx.target, comment=comment, **p.values
        )
        writes.new_reports.append(report)
        outcome = "created"
    else:
        changed = [n for n in FIGURE_KEYS if getattr(report, n) != p.values[n]]
        if report.comment != comment:
            changed.append("comment")
        if changed and report.status == ReportStatus.CITY_APPROVED:
            p.error(changed[0], CITY_APPROVED_MESSAGE)
            return "invalid"
        if changed or STATUS_RANK[report.status] < STATUS_RANK[ctx.target]:
            from_status = report.status
            for name in changed:
                setattr(report, name, p.values[name] if name != "comment" else comment)
            if report.status != ctx.target:
                report.status = ctx.target
                changed.append("status")
            writes.changed_reports.append((report, tuple(changed), from_status))
            outcome = "updated"
        else:
            outcome = "unchanged"
    if scale is None:
        writes.new_scales.append(
            ScaleStatus(enterprise=enterprise, year=p.year, above_scale=p.above_scale)
        )
        outcome = "updated" if outcome == "unchanged" else outcome
    elif scale.above_scale != p.above_scale:
        reported = reports.get((existing.pk, p.year))
        if reported is not None and reported.status == ReportStatus.CITY_APPROVED:
            p.error("above_scale", CITY_APPROVED_MESSAGE)
            return "invalid"
        scale.above_scale = p.above_scale
        writes.changed_scales.append(scale)
        outcome = "updated" if outcome == "unchanged" else outcome
    return outcome


# --- writing ------------------------------------------------------------------------


def _actor(user):
    return user if getattr(user, "is_authenticated", False) else None


def _same_user(a, b) -> bool:
    return getattr(a, "pk", a) == getattr(b, "pk", b)


def apply_import(preview: ImportPreview, user) -> ImportPreview:
    """Write what the preview planned, all in one transaction; refuses a preview with errors."""
    if preview.errors:
        raise ImportRefused(f"导入文件有 {len(preview.errors)} 处错误，未写入任何数据。")
    if preview.applied:
        raise ImportRefused("这次导入已经写入过了。")
    if not _same_user(preview.user, user):
        raise ImportRefused("预览与导入须由同一用户进行，请重新上传预览。")
    try:
        with transaction.atomic():
            _write(preview, user)
    except IntegrityError:
        raise ImportRefused(
            "写入时发现数据在预览之后已被修改（如同一企业已被他人新建），"
            "未写入任何数据，请重新上传预览。"
        ) from None
    preview.applied = True
    return preview


def _write(preview: ImportPreview, user) -> None:
    writes = preview.writes
    actor = _actor(user)
    stamp = timezone.now()
    reason = f"导入：{preview.source}" if preview.source else "导入"
    reason = reason[:100]
    history = {"default_user": actor, "default_change_reason": reason, "default_date": stamp}

    for chunk in _chunks(writes.new_enterprises, WRITE_CHUNK):
        bulk_create_with_history(chunk, Enterprise, batch_size=CHUNK, **history)
    _bulk_update(writes.changed_enterprises, Enterprise, history)

    for scale in writes.new_scales:
        scale.enterprise_id = scale.enterprise.pk
    for chunk in _chunks(writes.new_scales, WRITE_CHUNK):
        bulk_create_with_history(chunk, ScaleStatus, batch_size=CHUNK, **history)
    for chunk in _chunks(writes.changed_scales, WRITE_CHUNK):
        bulk_update_with_history(chunk, ScaleStatus, ["above_scale"], batch_size=CHUNK, **history)

    comment = f"从文件「{preview.source}」导入" if preview.source else "导入"
    for chunk in _chunks(writes.new_reports, WRITE_CHUNK):
        for report in chunk:
            report.enterprise_id = report.enterprise.pk
        created = bulk_create_with_history(chunk, YearlyReport, batch_size=CHUNK, **history)
        ReviewStep.objects.bulk_create(
            [_step(r, "", actor, comment) for r in created], batch_size=CHUNK
        )
    for report, _, _ in writes.changed_reports:
        report.updated_at = stamp
    changed = [(r, (*fields, "updated_at")) for r, fields, _ in writes.changed_reports]
    _bulk_update(changed, YearlyReport, history)
    steps = [_step(r, from_status, actor, comment) for r, _, from_status in writes.changed_reports]
    ReviewStep.objects.bulk_create(steps, batch_size=CHUNK)


def _step(report: YearlyReport, from_status: str, actor, comment: str) -> ReviewStep:
    return ReviewStep(
        report=report,
        action=ReviewAction.IMPORT,
        from_status=from_status,
        to_status=report.status,
        actor=actor,
        comment=comment,
    )


def _bulk_update(changes: list, model, history: dict) -> None:
    """bulk_update by the set of fields that change, so that each statement sets only those."""
    groups: dict[tuple, list] = defaultdict(list)
    for obj, fields in changes:
        groups[tuple(sorted(set(fields)))].append(obj)
    for fields, objs in groups.items():
        for chunk in _chunks(objs, WRITE_CHUNK):
            bulk_update_with_history(chunk, model, list(fields), batch_size=CHUNK, **history)


# --- all three at once --------------------------------------------------------------


def import_file(
    path, user=None, dry_run: bool = False, filename: str | None = None
) -> ImportPreview:
    """Read, check and (unless `dry_run` or there are errors) write a file. A file that cannot
    be read comes back as a preview whose errors say why, so every caller reports one way."""
    path_name = filename or os.path.basename(str(getattr(path, "name", path)))
    try:
        rows = read_workbook(path, filename)
    except ImportFileError as exc:
        return ImportPreview(errors=list(exc.issues), source=path_name, user=user)
    preview = preview_import(rows, user, source=path_name)
    del rows
    if preview.ok and not dry_run:
        try:
            apply_import(preview, user)
        except ImportRefused as exc:
            preview.errors.append(ImportIssue(None, "", "", str(exc)))
    return preview
