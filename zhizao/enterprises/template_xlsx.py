"""The enterprise import template: the「年度数据」sheet the import reads (headers with units, one
example row, drop-downs and input checks), a「填写说明」sheet that explains every column, and a
hidden「选项」sheet holding the drop-downs' lists, so that any city's districts fit."""

import io
from datetime import date
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from stdnum.cn import uscc as uscc_number

from zhizao.core.models import IndustryCluster, Region, RegionLevel
from zhizao.core.xlsx import display_width
from zhizao.enterprises.importing import (
    COLUMNS,
    DATA_SHEET,
    MAX_ROWS,
    MAX_UPLOAD_BYTES,
    Column,
)
from zhizao.enterprises.services import reporting_years
from zhizao.plans.workbooks import BORDER, CENTRE, HEADER_FILL, LEFT

NOTES_SHEET = "填写说明"
OPTIONS_SHEET = "选项"
LAST_ROW = 1_048_576  # Excel's last row: drop-downs and checks cover every row below the header
EXAMPLE_FONT = Font(color="7F7F7F", italic=True)
REQUIRED_FILL = PatternFill("solid", fgColor="FCE4D6")
TEXT_KINDS = ("uscc", "industry", "text")


def template_workbook_bytes() -> bytes:
    """The template as the bytes of an .xlsx file (what the download view sends)."""
    buffer = io.BytesIO()
    template_workbook().save(buffer)
    return buffer.getvalue()


def template_workbook() -> Workbook:
    counties = list(
        Region.objects.filter(level=RegionLevel.COUNTY).values_list("name", "code", named=True)
    )
    clusters = list(IndustryCluster.objects.values_list("name", flat=True))
    years = reporting_years()
    workbook = Workbook()
    data = workbook.active
    data.title = DATA_SHEET
    notes = workbook.create_sheet(NOTES_SHEET)
    options = workbook.create_sheet(OPTIONS_SHEET)
    lists = _write_options(options, [c.name for c in counties], clusters)
    _write_data_sheet(data, example_row(counties, clusters, years), lists, years)
    _write_notes(notes, [c.name for c in counties], clusters, years)
    options.sheet_state = "hidden"
    return workbook


def example_year(years: range) -> int:
    """Last year's figures are what people fill in: the latest plan year that is over."""
    if not years:
        return date.today().year - 1
    return max(years.start, min(years.stop - 1, date.today().year - 1))


def example_uscc(region_code: str = "330602") -> str:
    """A made-up code that passes the check digit, registered in the example's district."""
    body = f"91{region_code[:6]:0<6}MA2D3K4L5"
    return body + uscc_number.calc_check_digit(body)


def example_row(counties: list, clusters: list[str], years: range) -> dict:
    """One plausible row that passes every check, keyed by column."""
    county = counties[0] if counties else None
    values = {
        "uscc": example_uscc(county.code if county else "330602"),
        "name": "示例：绍兴某某纺织有限公司",
        "region": county.name if county else "",
        "town": "示例街道",
        "cluster": clusters[0] if clusters else "",
        "industry_code": "1711",
        "address": "示例路 1 号",
        "contact_name": "张三",
        "contact_phone": "0575-88000000",
        "year": example_year(years),
        "above_scale": "是",
        "employees": 320,
        "industrial_robots": 12,
        "key_processes": 20,
        "cnc_key_processes": 14,
        "networkable_equipment": 150,
        "networked_equipment": 120,
        "industrial_output": Decimal("52000"),
        "revenue": Decimal("50500"),
        "value_added": Decimal("11800"),
        "land_area": Decimal("85.5"),
        "energy_use": Decimal("6200"),
        "rd_spending": Decimal("1650"),
        "transformation_investment": Decimal("820"),
        "comment": "",
    }
    for column in COLUMNS:
        if column.kind == "bool":
            values[column.key] = "是" if column.key in ("uses_erp", "uses_mes") else "否"
    return values


def _write_options(ws: Worksheet, counties: list[str], clusters: list[str]) -> dict[str, str]:
    """The drop-downs' lists, one per column of the hidden sheet; returns their ranges."""
    ranges = {}
    for column, (key, title, items) in enumerate(
        (
            ("region", "所属区县", counties),
            ("cluster", "产业集群", clusters),
            ("yes", "是否", ["是", "否"]),
        ),
        start=1,
    ):
        ws.cell(row=1, column=column, value=title)
        for row, item in enumerate(items, start=2):
            ws.cell(row=row, column=column, value=item)
        letter = get_column_letter(column)
        ranges[key] = f"'{OPTIONS_SHEET}'!${letter}$2:${letter}${max(len(items), 1) + 1}"
    return ranges


def _validation(column: Column, lists: dict[str, str], years: range) -> DataValidation | None:
    options = {"allow_blank": True, "showErrorMessage": True, "errorTitle": column.header}
    if column.kind == "region":
        return DataValidation(
            type="list",
            formula1=lists["region"],
            error="请从下拉列表中选择区、县（市）。",
            **options,
        )
    if column.kind == "cluster":
        return DataValidation(
            type="list", formula1=lists["cluster"], error="请从下拉列表中选择产业集群。", **options
        )
    if column.kind in ("yesno", "bool"):
        return DataValidation(
            type="list", formula1=lists["yes"], error="请选择“是”或“否”。", **options
        )
    if column.kind == "year" and years:
        return DataValidation(
            type="whole",
            operator="between",
            formula1=str(years.start),
            formula2=str(years.stop - 1),
            error=f"年份应在 {years.start} 至 {years.stop - 1} 之间。",
            **options,
        )
    if column.kind == "int":
        return DataValidation(
            type="whole",
            operator="greaterThanOrEqual",
            formula1="0",
            error="请填写不小于 0 的整数。",
            **options,
        )
    if column.kind == "decimal":
        return DataValidation(
            type="decimal",
            operator="greaterThanOrEqual",
            formula1="0",
            error="请填写不小于 0 的数值。",
            **options,
        )
    if column.kind == "uscc":
        return DataValidation(
            type="textLength",
            operator="equal",
            formula1="18",
            error="统一社会信用代码应为 18 位。",
            **options,
        )
    return None


def _write_data_sheet(ws: Worksheet, example: dict, lists: dict[str, str], years: range) -> None:
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        header = ws.cell(row=1, column=index, value=column.header)
        header.font = Font(bold=True)
        header.fill = REQUIRED_FILL if column.filled else HEADER_FILL
        header.alignment = CENTRE
        header.border = BORDER
        value = example.get(column.key, "")
        cell = ws.cell(row=2, column=index, value=value if value != "" else None)
        cell.font = EXAMPLE_FONT
        cell.alignment = LEFT if column.kind == "text" else CENTRE
        if column.kind in TEXT_KINDS:
            cell.number_format = "@"
            ws.column_dimensions[letter].number_format = "@"
        elif column.kind == "decimal":
            cell.number_format = "#,##0.00"
        validation = _validation(column, lists, years)
        if validation is not None:
            validation.add(f"{letter}2:{letter}{LAST_ROW}")
            ws.add_data_validation(validation)
        width = max(display_width(column.header), display_width(str(value))) + 2
        ws.column_dimensions[letter].width = min(max(width, 8), 40)
    ws.cell(row=2, column=1).comment = Comment(
        "第 2 行是示例，导入前请删除，或改成实际数据。各列的填写要求见「填写说明」。", "智造"
    )
    ws.row_dimensions[1].height = 36
    ws.freeze_panes = "C2"


def _allowed(column: Column, counties: list[str], clusters: list[str], years: range) -> str:
    if column.kind == "uscc":
        return "18 位统一社会信用代码"
    if column.kind == "region":
        return "、".join(counties)
    if column.kind == "cluster":
        return "、".join(clusters) + "；或留空"
    if column.kind == "industry":
        return "13—43 开头的 2 至 4 位数字"
    if column.kind == "year":
        return f"{years.start}—{years.stop - 1}" if years else "4 位年份"
    if column.kind in ("yesno", "bool"):
        return "是、否"
    if column.kind == "int":
        return "不小于 0 的整数"
    if column.kind == "decimal":
        return "不小于 0 的数值，最多两位小数"
    return f"文字，不超过 {column.max_length} 个字" if column.max_length else "文字"


def _requirement(column: Column) -> str:
    if column.filled:
        return "必填"
    if column.required:
        return "必须有此列，可留空"
    return "选填"


def _write_notes(ws: Worksheet, counties: list[str], clusters: list[str], years: range) -> None:
    general = [
        f"1. 在「{DATA_SHEET}」工作表中填写，每行是一家企业一个年度的数据；"
        "“统一社会信用代码 + 年份”相同即为同一条记录，再次导入会更新原有数据，数据相同则不做任何修改。",
        "2. 请保留第 1 行表头；列的顺序可以调整，表头可以不带单位，多出的列导入时忽略。",
        "3. 第 2 行是示例，导入前请删除，或改成实际数据。",
        "4. 导入前系统会逐行检查并给出预览；只要有一处错误就不会写入任何数据，"
        "请按错误清单（行号、列名、填写内容、原因）修改后重新导入。",
        "5. 区县用户只能导入本区县的企业，导入后为“区县已审核”；市级管理员导入后为“市级已审核”。"
        "已经市级审核通过的数据、已锁定年度的数据不能通过导入修改。",
        f"6. 支持 .xlsx、.xls 和 .csv（UTF-8 或 GBK 编码）文件，文件不超过 "
        f"{MAX_UPLOAD_BYTES // 1024 // 1024} MB，不超过 {MAX_ROWS:,} 行。",
    ]
    ws.cell(row=1, column=1, value="企业年度智能制造数据导入模板 · 填写说明").font = Font(
        bold=True, size=14
    )
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=5)
    row = 2
    for text in general:
        ws.cell(row=row, column=1, value=text).alignment = LEFT
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=5)
        ws.row_dimensions[row].height = 32
        row += 1
    row += 1
    headers = ["列名", "单位", "是否必填", "可填内容", "说明"]
    for index, text in enumerate(headers, start=1):
        cell = ws.cell(row=row, column=index, value=text)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = CENTRE
        cell.border = BORDER
    for column in COLUMNS:
        row += 1
        texts = [
            column.header,
            column.unit or "—",
            _requirement(column),
            _allowed(column, counties, clusters, years),
            column.note,
        ]
        for index, text in enumerate(texts, start=1):
            cell = ws.cell(row=row, column=index, value=text)
            cell.alignment = LEFT
            cell.border = BORDER
    for letter, width in zip("ABCDE", (30, 10, 18, 40, 70), strict=True):
        ws.column_dimensions[letter].width = width
