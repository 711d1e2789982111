import io

from django.core.management import call_command
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from zhizao.enterprises.importing import COLUMNS, import_file
from zhizao.enterprises.models import Enterprise, ReportStatus, YearlyReport
from zhizao.enterprises.services import validate_uscc
from zhizao.enterprises.template_xlsx import example_uscc, template_workbook_bytes

DISTRICTS = ["越城区", "柯桥区", "上虞区", "诸暨市", "嵊州市", "新昌县"]


def _template():
    return load_workbook(io.BytesIO(template_workbook_bytes()))


def _letter(key: str) -> str:
    return get_column_letter([c.key for c in COLUMNS].index(key) + 1)


def _validation_for(ws, key: str):
    letter = _letter(key)
    found = [
        v
        for v in ws.data_validations.dataValidation
        if any(str(r).startswith(f"{letter}2:") for r in v.sqref.ranges)
    ]
    assert len(found) == 1, key
    return found[0]


def _options(workbook, formula: str) -> list[str]:
    sheet, cells = formula.split("!")
    ws = workbook[sheet.strip("'")]
    return [c.value for row in ws[cells.replace("$", "")] for c in row]


def test_filling_in_the_templates_example_row_imports_one_enterprise_and_report(plan, tmp_path):
    # given: the template, its example row filled in with another name
    workbook = _template()
    ws = workbook["年度数据"]
    ws.cell(row=2, column=[c.key for c in COLUMNS].index("name") + 1, value="绍兴样例纺织有限公司")
    path = tmp_path / "模板.xlsx"
    workbook.save(path)

    # when
    preview = import_file(path, None)

    # then
    assert preview.summary() == {
        "rows": 1,
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "errors": [],
    }
    enterprise = Enterprise.objects.get()
    assert (enterprise.name, enterprise.region.name, enterprise.cluster.name) == (
        "绍兴样例纺织有限公司",
        "越城区",
        "现代纺织",
    )
    report = YearlyReport.objects.get()
    assert (report.enterprise, report.status, report.uses_erp, report.uses_plm) == (
        enterprise,
        ReportStatus.CITY_APPROVED,
        True,
        False,
    )


def test_the_template_has_a_header_with_units_and_one_example_row(plan):
    # given / when
    workbook = _template()

    # then: the data sheet first, the notes, and the hidden lists
    assert workbook.sheetnames == ["年度数据", "填写说明", "选项"]
    assert workbook["选项"].sheet_state == "hidden"
    ws = workbook["年度数据"]
    headers = [c.value for c in ws[1]]
    assert headers == [c.header for c in COLUMNS]
    assert headers[:11] == [
        "统一社会信用代码",
        "企业名称",
        "所属区县",
        "乡镇（街道）",
        "产业集群",
        "国民经济行业代码",
        "地址",
        "联系人",
        "联系电话",
        "年份",
        "是否规上",
    ]
    assert {"从业人员（人）", "工业总产值（万元）", "用地面积（亩）", "说明"} <= set(headers)
    assert ws.max_row == 2
    validate_uscc(ws["A2"].value)
    assert ws["A2"].value == example_uscc("330602")
    assert ws["A2"].number_format == "@"


def test_the_template_offers_drop_downs_for_districts_clusters_and_yes_no(plan):
    # given
    workbook = _template()
    ws = workbook["年度数据"]

    # when
    district = _validation_for(ws, "region")
    cluster = _validation_for(ws, "cluster")

    # then
    assert _options(workbook, district.formula1) == DISTRICTS
    assert _options(workbook, cluster.formula1)[:2] == ["现代纺织", "绿色化工"]
    assert len(_options(workbook, cluster.formula1)) == 10
    yes_no_columns = [c.key for c in COLUMNS if c.kind in ("yesno", "bool")]
    assert len(yes_no_columns) == 9  # 是否规上 and the eight software columns
    for key in yes_no_columns:
        validation = _validation_for(ws, key)
        assert validation.type == "list"
        assert _options(workbook, validation.formula1) == ["是", "否"]
    year = _validation_for(ws, "year")
    assert (year.type, year.formula1, year.formula2) == ("whole", "2020", "2025")


def test_the_notes_sheet_explains_every_column(plan):
    # given
    ws = _template()["填写说明"]

    # when
    rows = {r[0]: r[1:] for r in ws.iter_rows(values_only=True) if r[0] and r[1]}

    # then: every column with its unit, whether it is required and what may be filled in
    for column in COLUMNS:
        assert column.header in rows, column.header
    assert rows["从业人员（人）"][:3] == ("人", "必填", "不小于 0 的整数")
    assert rows["工业总产值（万元）"][0] == "万元"
    assert rows["所属区县"][2] == "、".join(DISTRICTS)
    assert rows["是否规上"][1:3] == ("必填", "是、否")
    assert rows["使用 ERP（企业资源计划）"][1:3] == ("必须有此列，可留空", "是、否")
    assert rows["地址"][1] == "选填"
    assert rows["年份"][2] == "2020—2025"


def test_the_command_writes_the_template(plan, tmp_path):
    # given
    path = tmp_path / "template.xlsx"
    out = io.StringIO()

    # when
    call_command("enterprises", "template", str(path), stdout=out)

    # then
    assert load_workbook(path).sheetnames[0] == "年度数据"
    assert str(path) in out.getvalue()
