"""Tables as formatted workbooks: every table that matters downloads as a sheet officials can
work on (bold frozen header, widths that fit Chinese text, numbers stored as numbers)."""

import io
import unicodedata

from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_FILL = PatternFill("solid", fgColor="DDE7F3")


def display_width(text) -> int:
    """Columns a text needs: a CJK or full-width character takes two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(text))


def table_workbook_bytes(
    title: str,
    headers: list[str],
    rows: list[list],
    formats: dict[int, str] | None = None,
    fills: dict[tuple[int, int], str] | None = None,
) -> bytes:
    """One sheet: the title in row 1, the header in row 2 (frozen), then the rows; `formats`
    gives an Excel number format by column index (e.g. '0.0%' for ratios kept as fractions),
    `fills` a background colour (RRGGBB) by (row index in `rows`, column index)."""
    title, headers = str(title), [str(h) for h in headers]
    rows = [[str(v) if isinstance(v, Promise) else v for v in row] for row in rows]
    workbook = Workbook()
    ws = workbook.active
    # Excel refuses these characters in a sheet's name (not in its cells): 台/万人 would fail.
    ws.title = "".join("_" if ch in "[]:*?/\\" else ch for ch in title)[:31]
    ws.cell(row=1, column=1, value=title).font = Font(bold=True, size=13)
    for column, header in enumerate(headers, start=1):
        cell = ws.cell(row=2, column=column, value=header)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    widths = [display_width(h) for h in headers]
    for row_number, row in enumerate(rows, start=3):
        for column, value in enumerate(row, start=1):
            cell = ws.cell(row=row_number, column=column, value=value)
            if formats and column - 1 in formats and isinstance(value, int | float):
                cell.number_format = formats[column - 1]
            if fills and (row_number - 3, column - 1) in fills:
                cell.fill = PatternFill("solid", fgColor=fills[(row_number - 3, column - 1)])
            widths[column - 1] = max(
                widths[column - 1], display_width("" if value is None else value)
            )
    for column, width in enumerate(widths, start=1):
        ws.column_dimensions[ws.cell(row=2, column=column).column_letter].width = min(width + 2, 50)
    ws.freeze_panes = "A3"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
