"""The library import template (`zhizao bridge template FILE.xlsx`): a「填写说明」sheet that
explains every sheet and column and lists the clusters, districts and sub-domains, then one sheet
per library named as the library, its headers with units (required ones shaded), an example row
(marked 示例, which the import refuses until it is deleted or overwritten) and drop-downs for the
columns that take a fixed list."""

import io

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from zhizao.bridge.importing import EXAMPLE_MARK, NOTES_SHEET
from zhizao.bridge.libraries import (
    BOOL,
    CHOICE,
    DATE,
    DECIMAL,
    INT,
    LIBRARIES,
    PERCENT,
    RATING,
    USCC,
    Column,
    LibrarySpec,
)
from zhizao.bridge.services import subdomain_names
from zhizao.core.models import IndustryCluster, Region, RegionLevel
from zhizao.core.xlsx import display_width
from zhizao.plans.workbooks import BORDER, CENTRE, HEADER_FILL, LEFT

LAST_ROW = 1_048_576
EXAMPLE_FONT = Font(color="7F7F7F", italic=True)
REQUIRED_FILL = PatternFill("solid", fgColor="FCE4D6")


def template_workbook_bytes() -> bytes:
    buffer = io.BytesIO()
    template_workbook().save(buffer)
    return buffer.getvalue()


def template_workbook() -> Workbook:
    workbook = Workbook()
    notes = workbook.active
    notes.title = NOTES_SHEET
    _write_notes(notes)
    for spec in LIBRARIES.values():
        _write_library_sheet(workbook.create_sheet(spec.label), spec)
    return workbook


def _allowed(column: Column) -> str:
    if column.kind == CHOICE:
        return "、".join(str(c.label) for c in column.choices)
    if column.kind == BOOL:
        return "是、否"
    if column.kind == INT:
        return "不小于 0 的整数"
    if column.kind == DECIMAL:
        return "不小于 0 的数值，最多两位小数"
    if column.kind == PERCENT:
        return "0—100 的数值，可带 %"
    if column.kind == RATING:
        return "0—5 的数值"
    if column.kind == DATE:
        return "日期，如 2021-05-01"
    return ""


def _write_library_sheet(ws: Worksheet, spec: LibrarySpec) -> None:
    for index, column in enumerate(spec.columns, start=1):
        letter = get_column_letter(index)
        header = ws.cell(row=1, column=index, value=column.header)
        header.font = Font(bold=True)
        header.fill = REQUIRED_FILL if column.required else HEADER_FILL
        header.alignment = CENTRE
        header.border = BORDER
        value = column.example
        if index == 1 and value is not None:
            value = f"{EXAMPLE_MARK}：{value}"
        cell = ws.cell(row=2, column=index, value=value)
        cell.font = EXAMPLE_FONT
        cell.alignment = LEFT
        if column.kind == USCC:
            ws.column_dimensions[letter].number_format = "@"
        hint = column.note or _allowed(column)
        if hint:
            header.comment = Comment(hint, "智造")
        validation = _validation(column)
        if validation is not None:
            validation.add(f"{letter}2:{letter}{LAST_ROW}")
            ws.add_data_validation(validation)
        width = max(display_width(column.header), display_width(str(value or ""))) + 2
        ws.column_dimensions[letter].width = min(max(width, 10), 40)
    ws.cell(row=2, column=1).comment = Comment(
        "第 2 行是示例，导入前请删除，或改成实际数据。各列的填写要求见「填写说明」。", "智造"
    )
    ws.row_dimensions[1].height = 36
    ws.freeze_panes = "B2"


def _validation(column: Column) -> DataValidation | None:
    if column.kind == CHOICE:
        items = [str(c.label) for c in column.choices]
    elif column.kind == BOOL:
        items = ["是", "否"]
    else:
        return None
    validation = DataValidation(type="list", formula1='"' + ",".join(items) + '"', allow_blank=True)
    validation.error = f"请从下拉列表中选择：{'、'.join(items)}。"
    validation.errorTitle = column.label
    validation.showErrorMessage = True
    return validation


def _write_notes(ws: Worksheet) -> None:
    labels = "、".join(f"「{spec.label}」" for spec in LIBRARIES.values())
    general = [
        "资源库条目导入模板 · 填写说明",
        f"1. 每个资源库一个工作表：{labels}；工作表名称不能修改，不需要的工作表可以删除或留空。",
        "2. 第 1 行是表头（底色较深的为必填列），第 2 行是示例，导入前请删除或改成实际数据。",
        "3. 整个文件一次检查：任何一行有错误，都不会写入任何数据，错误会指明工作表、行、列和原因。",
        "4. 已有的条目按关键字段更新而不是重复新建：标准按标准号，服务商按名称，装备按名称和生产企业，"
        "软件按名称和开发商，方案按名称和服务商，专家按姓名和工作单位，金融产品按名称和金融机构，案例按名称。",
        "5. 导入的条目须经市级管理员审核后公开；市级管理员可以导入并直接发布。",
        "6. 多个值用“、”分隔；数字可以是全角，多余的空格会自动去掉。",
        "",
    ]
    row = 1
    for line in general:
        cell = ws.cell(row=row, column=1, value=line)
        if row == 1:
            cell.font = Font(bold=True, size=13)
        row += 1
    headers = ["工作表", "列", "是否必填", "填写说明"]
    for spec in LIBRARIES.values():
        for index, text in enumerate(headers, start=1):
            cell = ws.cell(row=row, column=index, value=text)
            cell.font, cell.fill, cell.border = Font(bold=True), HEADER_FILL, BORDER
        row += 1
        for column in spec.columns:
            note = "；".join(part for part in (column.note, _allowed(column)) if part)
            values = [spec.label, column.header, "必填" if column.required else "选填", note]
            for index, text in enumerate(values, start=1):
                cell = ws.cell(row=row, column=index, value=text)
                cell.alignment, cell.border = LEFT, BORDER
            row += 1
        row += 1
    row = _write_list(
        ws, row, "产业集群（名称或代码）", IndustryCluster.objects.values_list("name", "code")
    )
    counties = Region.objects.filter(level=RegionLevel.COUNTY).values_list("name", "code")
    row = _write_list(ws, row, "区、县（市）", counties)
    _write_list(ws, row, "能力子域（代码或名称）", [(n, c) for c, n in subdomain_names().items()])
    for letter, width in zip("ABCD", (18, 28, 10, 90), strict=True):
        ws.column_dimensions[letter].width = width


def _write_list(ws: Worksheet, row: int, title: str, items) -> int:
    ws.cell(row=row, column=1, value=title).font = Font(bold=True)
    row += 1
    for name, code in items:
        ws.cell(row=row, column=1, value=name)
        ws.cell(row=row, column=2, value=code)
        row += 1
    return row + 1
