"""Reading a file into `ImportRow`s: its bytes, the checks that refuse a file before it is
unpacked (size, zip bomb, encryption), the .xlsx/.xls and .csv readers, and finding the
header.

The limits live here, where they are read, so that a test that patches one patches this
module. `read_upload_bytes`, `refuse_zip_bomb`, `is_encrypted_ooxml` and `decode_csv` are
public because the reported-values reader (zhizao.monitoring.reported.reading) refuses and
decodes files with the same checks."""

import csv
import io
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from python_calamine import CalamineWorkbook, PasswordError

from zhizao.enterprises.importing.columns import (
    COLUMNS,
    COLUMNS_BY_KEY,
    HEADER_KEYS,
    UNIT_SYNONYMS,
    header_key,
    header_unit,
)
from zhizao.enterprises.importing.rows import (
    FileLayout,
    ImportFileError,
    ImportIssue,
    ImportRow,
)

# --- limits -------------------------------------------------------------------------

MAX_UPLOAD_BYTES = 50 * 1024 * 1024  # what may be uploaded
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024  # an .xlsx's entries, unpacked, all together
MAX_COMPRESSION_RATIO = 100  # of one entry, once it is bigger than RATIO_FLOOR_BYTES
RATIO_FLOOR_BYTES = 1024 * 1024
MAX_ROWS = 1_000_000  # data rows in one file
HEADER_SEARCH_ROWS = 10  # title rows above the header are allowed, up to this
DATA_SHEET = "年度数据"

EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xltx", ".xls", ".xlsb", ".et", ".ods"}
CSV_SUFFIXES = {".csv", ".txt"}
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"

CORRUPT_MESSAGE = gettext_lazy(
    "文件已损坏或不是 Excel 文件，请用 Excel 打开确认后另存为 .xlsx 再导入。"
)
ENCRYPTED_MESSAGE = gettext_lazy(
    "文件设有打开密码（已加密），无法读取。请在 Excel 中取消密码（文件 → 信息 → 保护工作簿 → 用密码进行加密，清空密码）后另存为 .xlsx 再导入。"
)


def read_workbook(path_or_file, filename: str | None = None) -> list[ImportRow]:
    """The data rows of an .xlsx, .xls or .csv file (a path, or an open binary file such as an
    upload); `filename` gives the format when a file object has no name. Raises ImportFileError."""
    data, filename = read_upload_bytes(path_or_file, filename)
    suffix = Path(filename or "").suffix.lower()
    if data.startswith(ZIP_MAGIC):
        refuse_zip_bomb(data)
        table_rows = _excel_rows(data)
    elif data.startswith(OLE2_MAGIC):
        if is_encrypted_ooxml(data):
            raise ImportFileError(ENCRYPTED_MESSAGE)
        table_rows = _excel_rows(data)
    elif suffix in CSV_SUFFIXES:
        table_rows = _csv_rows(data)
    elif suffix in EXCEL_SUFFIXES or not suffix:
        raise ImportFileError(CORRUPT_MESSAGE)
    else:
        raise ImportFileError(
            _("不支持的文件格式「%(suffix)s」：请上传 Excel 文件（.xlsx、.xls）或 CSV 文件。")
            % {"suffix": suffix}
        )
    return _rows_from_table(table_rows)


def read_upload_bytes(path_or_file, filename: str | None = None) -> tuple[bytes, str]:
    """The bytes of a path or an open binary file (an upload), and its name (`filename` when
    given). Never reads more than MAX_UPLOAD_BYTES + 1 bytes: a bigger file, a missing one or
    a directory raises ImportFileError."""
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
        raise ImportFileError(_("找不到文件「%(path)s」。") % {"path": path}) from None
    except IsADirectoryError:
        raise ImportFileError(_("「%(path)s」是目录，不是文件。") % {"path": path}) from None


def _too_big(size: int):
    raise ImportFileError(
        _("文件大小为 %(value)s MB，超过了 %(value2)s MB 的上限，请拆分成几个文件分别导入。")
        % {
            "value": format(size / 1024 / 1024, ".1f"),
            "value2": format(MAX_UPLOAD_BYTES / 1024 / 1024, ".0f"),
        }
    )


def refuse_zip_bomb(data: bytes) -> None:
    """Check what an .xlsx unpacks to before anything unpacks it."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise ImportFileError(CORRUPT_MESSAGE) from None
    total = sum(e.file_size for e in entries)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise ImportFileError(
            _(
                "文件解压后有 %(value)s MB，超过了 %(value2)s MB 的上限，疑似异常文件，已拒绝读取；数据较多时请拆分成几个文件分别导入。"
            )
            % {
                "value": format(total / 1024 / 1024, ".0f"),
                "value2": format(MAX_UNCOMPRESSED_BYTES / 1024 / 1024, ".0f"),
            }
        )
    for entry in entries:
        if entry.file_size > RATIO_FLOOR_BYTES:
            ratio = entry.file_size / max(entry.compress_size, 1)
            if ratio > MAX_COMPRESSION_RATIO:
                raise ImportFileError(
                    _(
                        "文件的压缩比异常（%(filename)s 解压后是压缩时的 %(ratio)s 倍），疑似恶意构造的文件，已拒绝读取。"
                    )
                    % {"filename": entry.filename, "ratio": format(ratio, ".0f")}
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


def is_encrypted_ooxml(data: bytes) -> bool:
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
        raise ImportFileError(_("文件中没有工作表。"))
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
    where = _("「%(DATA_SHEET)s」工作表") % {"DATA_SHEET": DATA_SHEET} if wanted else _("各工作表")
    raise ImportFileError(
        _(
            "%(where)s的前 %(HEADER_SEARCH_ROWS)s 行中找不到「统一社会信用代码」列，无法识别表头。请使用下载的导入模板填写。"
        )
        % {"where": where, "HEADER_SEARCH_ROWS": HEADER_SEARCH_ROWS}
    )


def decode_csv(data: bytes) -> str:
    """The text of a CSV file: UTF-8 (with or without a BOM), else GB18030, which is what Excel
    saves on a Chinese Windows. A NUL byte means the file is not text at all, so it is refused
    as corrupt rather than read as a table of garbage."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes nearly any byte string
        raise ImportFileError(
            _("CSV 文件的编码无法识别，请另存为 UTF-8 或 GBK 编码的 CSV，或直接上传 .xlsx 文件。")
        )
    if "\x00" in text:
        raise ImportFileError(CORRUPT_MESSAGE)
    return text


def _csv_rows(data: bytes):
    text = decode_csv(data)
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = iter(csv.reader(io.StringIO(text, newline=""), dialect))
    head = [r for r in (next(rows, None) for _ in range(HEADER_SEARCH_ROWS)) if r is not None]
    if _find_header(head) is None:
        raise ImportFileError(
            _(
                "CSV 文件的前 %(HEADER_SEARCH_ROWS)s 行中找不到「统一社会信用代码」列，无法识别表头。请使用下载的导入模板填写。"
            )
            % {"HEADER_SEARCH_ROWS": HEADER_SEARCH_ROWS}
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
                    _("「%(text)s」与「%(value)s」是同一列，出现了两次，请删除其中一列。")
                    % {"text": text, "value": headers[key]},
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
                        _(
                            "「%(text)s」的单位与模板不同：本列应以“%(unit)s”为单位填写，请换算后把表头改为「%(header)s」。"
                        )
                        % {"text": text, "unit": column.unit, "header": column.header},
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
                    _("缺少必填列「%(header)s」，请使用下载的导入模板或补上这一列。")
                    % {"header": column.header},
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
                    _(
                        "文件中的数据超过 %(MAX_ROWS)s 行，超过了单次导入的上限，请拆分成几个文件分别导入。"
                    )
                    % {"MAX_ROWS": format(MAX_ROWS, ",")}
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
