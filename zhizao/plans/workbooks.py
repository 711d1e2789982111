"""The plan's tables as Excel workbooks laid out like the plan: merged category cells, units,
frozen header, widths that fit Chinese text, and numbers stored as numbers."""

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from zhizao.core.xlsx import display_width
from zhizao.plans.tables import Figure, IndicatorTable, RegionTable

THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="DDE7F3")
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
HEADER_ROW = 2  # row 1 holds the table's title


def _write_figure(ws: Worksheet, row: int, column: int, fig: Figure) -> None:
    cell = ws.cell(row=row, column=column)
    if fig.value is None:
        cell.value = fig.text
    else:
        cell.value = int(fig.value) if fig.value == fig.value.to_integral_value() else fig.value
        cell.number_format = fig.number_format
    cell.alignment = CENTRE


def _title_and_header(ws: Worksheet, title: str, headers: list[str]) -> None:
    ws.cell(row=1, column=1, value=title).font = Font(bold=True, size=14)
    ws.cell(row=1, column=1).alignment = CENTRE
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    ws.row_dimensions[1].height = 28
    for column, header in enumerate(headers, start=1):
        cell = ws.cell(row=HEADER_ROW, column=column, value=header)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = CENTRE
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=1)


def _finish(ws: Worksheet, texts_by_column: dict[int, list[str]], *, max_width: int = 48) -> None:
    for row in ws.iter_rows(min_row=HEADER_ROW, max_row=ws.max_row):
        for cell in row:
            cell.border = BORDER
    for column, texts in texts_by_column.items():
        width = max(display_width(t) for t in texts) + 2
        ws.column_dimensions[get_column_letter(column)].width = min(max(width, 6), max_width)
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToHeight = 0


def write_indicator_sheet(ws: Worksheet, table: IndicatorTable) -> None:
    ws.title = _("主要目标")
    headers = table.headers
    _title_and_header(ws, table.title, headers)
    texts = {c: [h] for c, h in enumerate(headers, start=1)}
    row = HEADER_ROW + 1
    for group in table.groups:
        first = row
        for item in group.rows:
            indicator = item.indicator
            ws.cell(row=row, column=1, value=group.category).alignment = CENTRE
            ws.cell(row=row, column=2, value=indicator.number).alignment = CENTRE
            ws.cell(row=row, column=3, value=indicator.name_with_unit).alignment = LEFT
            texts[3].append(indicator.name_with_unit)
            figures = [item.base, item.target, *item.years]
            for offset, fig in enumerate(figures):
                _write_figure(ws, row, 4 + offset, fig)
                texts[4 + offset].append(fig.text)
            row += 1
        texts[1].append(group.category)
        if row - 1 > first:
            ws.merge_cells(start_row=first, start_column=1, end_row=row - 1, end_column=1)
    _finish(ws, texts)


def write_region_sheet(ws: Worksheet, table: RegionTable) -> None:
    ws.title = _("目标任务表")
    headers = table.headers
    _title_and_header(ws, table.title, headers)
    texts = {c: [h] for c, h in enumerate(headers, start=1)}
    for row, item in enumerate(table.rows, start=HEADER_ROW + 1):
        ws.cell(row=row, column=1, value=item.item).alignment = LEFT
        texts[1].append(item.item)
        for offset, fig in enumerate([item.city_target, item.base, *item.regions]):
            _write_figure(ws, row, 2 + offset, fig)
            texts[2 + offset].append(fig.text)
    _finish(ws, texts)


def workbook_bytes(*writers) -> bytes:
    """A workbook with one sheet per (writer, table) pair, as the bytes of an .xlsx file."""
    workbook = Workbook()
    first = True
    for writer, table in writers:
        ws = workbook.active if first else workbook.create_sheet()
        first = False
        writer(ws, table)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
