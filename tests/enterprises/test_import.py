import io
import json
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from openpyxl import Workbook

from tests.enterprises.factories import make_enterprise, make_report, make_uscc
from zhizao.enterprises.importing import (
    CITY_APPROVED_MESSAGE,
    COLUMNS,
    CORRUPT_MESSAGE,
    ENCRYPTED_MESSAGE,
    ImportFileError,
    ImportRefused,
    apply_import,
    import_file,
    preview_import,
    read_workbook,
)
from zhizao.enterprises.importing import files as import_files
from zhizao.enterprises.importing import preview as import_preview
from zhizao.enterprises.models import (
    Enterprise,
    ReportStatus,
    ReviewAction,
    ReviewStep,
    ScaleStatus,
    YearLock,
    YearlyReport,
)

FILES = Path(__file__).parent / "files"
HEADERS = {c.key: c.header for c in COLUMNS}


def row(uscc: str | None = None, year: int = 2023, **changes) -> dict:
    """A valid row, keyed by column."""
    values = {
        "uscc": uscc or make_uscc("330602"),
        "name": "绍兴测试纺织有限公司",
        "region": "越城区",
        "town": "东湖街道",
        "cluster": "现代纺织",
        "industry_code": "1711",
        "address": "测试路 8 号",
        "contact_name": "李四",
        "contact_phone": "13800000000",
        "year": year,
        "above_scale": "是",
        "employees": 200,
        "industrial_robots": 10,
        "key_processes": 20,
        "cnc_key_processes": 12,
        "networkable_equipment": 100,
        "networked_equipment": 80,
        "uses_erp": "是",
        "uses_mes": "否",
        "industrial_output": 30000,
        "revenue": 29000,
        "value_added": 7000,
        "land_area": 60,
        "energy_use": 3000,
        "rd_spending": 900,
        "transformation_investment": 500,
        "comment": None,
    }
    values.update(changes)
    return values


def write_xlsx(
    path: Path,
    rows: list[dict],
    *,
    headers: dict | None = None,
    before: list[list] = (),
    sheet: str = "年度数据",
    workbook: Workbook | None = None,
) -> Path:
    """A workbook with optional rows above the header; `headers` maps column key → header text."""
    headers = HEADERS if headers is None else headers
    workbook = workbook or Workbook()
    ws = workbook.active if workbook.active.title == "Sheet" else workbook.create_sheet()
    ws.title = sheet
    for line in before:
        ws.append(line)
    ws.append(list(headers.values()))
    for values in rows:
        ws.append([values.get(key) for key in headers])
    workbook.save(path)
    return path


def written() -> list[int]:
    """History rows of each imported model, and review steps."""
    histories = [m.history.count() for m in (Enterprise, YearlyReport, ScaleStatus)]
    return [*histories, ReviewStep.objects.count()]


def errors_of(preview) -> list[dict]:
    return [e.as_dict() for e in preview.errors]


# --- the happy path ------------------------------------------------------------------


def test_import_creates_enterprise_scale_status_report_and_review_step(plan, tmp_path):
    # given: one valid row
    code = make_uscc("330602")
    path = write_xlsx(tmp_path / "data.xlsx", [row(code)])

    # when: the city imports it from the command line (no user)
    preview = import_file(path, None)

    # then: one enterprise, its scale status and its city-approved report, with an import step
    assert preview.summary() == {
        "rows": 1,
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "errors": [],
    }
    enterprise = Enterprise.objects.get(uscc=code)
    assert (enterprise.name, enterprise.region.name, enterprise.cluster.name) == (
        "绍兴测试纺织有限公司",
        "越城区",
        "现代纺织",
    )
    assert (enterprise.industry_code, enterprise.industry_division) == ("1711", "17")
    assert ScaleStatus.objects.get(enterprise=enterprise, year=2023).above_scale is True
    report = YearlyReport.objects.get(enterprise=enterprise, year=2023)
    assert report.status == ReportStatus.CITY_APPROVED
    assert (report.employees, report.uses_erp, report.uses_mes) == (200, True, False)
    assert report.land_area == Decimal("60")
    step = ReviewStep.objects.get(report=report)
    assert (step.action, step.from_status, step.to_status, step.actor) == (
        ReviewAction.IMPORT,
        "",
        ReportStatus.CITY_APPROVED,
        None,
    )
    assert report.history.get().history_change_reason == "导入：data.xlsx"
    assert enterprise.history.count() == 1


def test_importing_the_same_file_twice_changes_nothing(plan, tmp_path):
    # given: a file of two enterprises over two years, imported once
    a, b = make_uscc("330602"), make_uscc("330603")
    rows = [
        row(a, 2022),
        row(a, 2023, employees=210),
        row(b, 2023, region="柯桥区", cluster=None, town=None),
    ]
    path = write_xlsx(tmp_path / "data.xlsx", rows)
    first = import_file(path, None)
    assert (first.created, first.updated, first.unchanged) == (3, 0, 0)
    counts = written()

    # when: the same file is imported again
    second = import_file(path, None)

    # then: every row is unchanged and no history or review step is written
    assert (second.rows, second.created, second.updated, second.unchanged) == (3, 0, 0, 3)
    assert written() == counts


def test_a_changed_figure_updates_the_report_and_records_it(plan, city_admin, tmp_path):
    # given: a draft report an enterprise filled in
    report = make_report(year=2023)
    enterprise = report.enterprise
    path = write_xlsx(
        tmp_path / "data.xlsx",
        [row(enterprise.uscc, name=enterprise.name, employees=230, cluster=None)],
    )

    # when: the city admin imports a file with another headcount
    preview = import_file(path, city_admin)

    # then: the report is updated, approved by the import, and both are recorded
    assert (preview.created, preview.updated, preview.errors) == (0, 1, [])
    report.refresh_from_db()
    assert (report.employees, report.status) == (230, ReportStatus.CITY_APPROVED)
    step = report.steps.get(action=ReviewAction.IMPORT)
    assert (step.from_status, step.to_status, step.actor) == (
        ReportStatus.DRAFT,
        ReportStatus.CITY_APPROVED,
        city_admin,
    )
    latest = report.history.first()
    assert (latest.history_type, latest.history_user) == ("~", city_admin)


def test_empty_optional_cells_keep_what_the_registry_has(plan, tmp_path):
    # given: an enterprise with a contact and a cluster
    enterprise = make_enterprise(cluster="绿色化工", contact_name="王五", town="府山街道")
    values = row(enterprise.uscc, name=enterprise.name, cluster=None, contact_name=None, town=None)
    path = write_xlsx(tmp_path / "data.xlsx", [values])

    # when: a file leaves those cells empty
    preview = import_file(path, None)

    # then: they are kept
    assert preview.errors == []
    enterprise.refresh_from_db()
    assert (enterprise.cluster.name, enterprise.contact_name, enterprise.town) == (
        "绿色化工",
        "王五",
        "府山街道",
    )


# --- all or nothing ------------------------------------------------------------------


def test_one_bad_row_writes_nothing(plan, tmp_path):
    # given: three rows, the second with a headcount that is not a number
    rows = [row(make_uscc("330602")), row(make_uscc("330602"), employees="两百"), row()]
    path = write_xlsx(tmp_path / "data.xlsx", rows)

    # when
    preview = import_file(path, None)

    # then: the one error is reported with its row, column and value, and nothing is written
    assert errors_of(preview) == [
        {
            "row": 3,
            "column": "从业人员（人）",
            "value": "两百",
            "message": "「从业人员（人）」应填写数字，「两百」不是有效的数字。",
        }
    ]
    assert (preview.rows, preview.created, preview.invalid) == (3, 2, 1)
    assert Enterprise.objects.count() == 0
    assert YearlyReport.objects.count() == 0


def test_apply_refuses_a_preview_with_errors(plan, tmp_path):
    # given: a preview with an error
    path = write_xlsx(tmp_path / "data.xlsx", [row(employees=-1)])
    preview = preview_import(read_workbook(path), None)
    assert errors_of(preview)[0]["message"] == "「从业人员（人）」不能为负数（填写的是 -1）。"

    # when / then: applying it is refused
    with pytest.raises(ImportRefused, match="1 处错误"):
        apply_import(preview, None)
    assert Enterprise.objects.count() == 0


def test_a_failure_while_writing_rolls_everything_back(plan, tmp_path, monkeypatch):
    # given: a valid file whose writing fails at the last step
    path = write_xlsx(tmp_path / "data.xlsx", [row(), row()])
    preview = preview_import(read_workbook(path), None)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(ReviewStep.objects, "bulk_create", broken)

    # when
    with pytest.raises(RuntimeError):
        apply_import(preview, None)

    # then: not even the enterprises written before the failure are kept
    assert Enterprise.objects.count() == 0
    assert YearlyReport.objects.count() == 0


# --- what people type ----------------------------------------------------------------


def test_full_width_characters_spaces_and_line_breaks_are_read(plan, tmp_path):
    # given: a code and figures in full-width characters, with spaces and line breaks
    code = make_uscc("330602")
    full_width = "".join(chr(ord(ch) + 0xFEE0) for ch in code)
    values = row(
        f" {full_width[:9]} {full_width[9:]}\n",
        name="绍兴某某\n纺织 有限公司 ",
        year="２０２３",
        employees="２ ３０",
        industrial_output="３０，０００．５",
        industry_code="１７ １１",
        contact_phone="１３８ 0000 0000",
    )
    path = write_xlsx(tmp_path / "data.xlsx", [values])

    # when
    preview = import_file(path, None)

    # then
    assert preview.errors == []
    enterprise = Enterprise.objects.get()
    assert (enterprise.uscc, enterprise.name, enterprise.industry_code) == (
        code,
        "绍兴某某纺织有限公司",
        "1711",
    )
    assert enterprise.contact_phone == "13800000000"
    report = enterprise.reports.get()
    assert (report.year, report.employees, report.industrial_output) == (
        2023,
        230,
        Decimal("30000.50"),
    )


def test_thousands_separators_and_numbers_stored_as_text(plan, tmp_path):
    # given: figures typed as text, with thousands separators
    values = row(employees="1,200", revenue="29,000.25", industrial_output="30,000", land_area="60")
    path = write_xlsx(tmp_path / "data.xlsx", [values])

    # when
    preview = import_file(path, None)

    # then
    assert preview.errors == []
    report = YearlyReport.objects.get()
    assert (report.employees, report.revenue) == (1200, Decimal("29000.25"))


def test_integral_floats_are_integers_and_fractions_in_counts_are_refused(plan, tmp_path):
    # given: a count stored by Excel as 200.0, and another with a fraction
    path = write_xlsx(tmp_path / "data.xlsx", [row(employees=200.0), row(industrial_robots=2.5)])

    # when
    preview = import_file(path, None, dry_run=True)

    # then
    assert errors_of(preview) == [
        {
            "row": 3,
            "column": "在役工业机器人（台）",
            "value": "2.5",
            "message": "「在役工业机器人（台）」应为整数，填写的是 2.5。",
        }
    ]


def test_a_percentage_in_a_count_column_is_an_error(plan, tmp_path):
    # given: a share typed where a count belongs
    path = write_xlsx(tmp_path / "data.xlsx", [row(networked_equipment="65%")])

    # when
    preview = import_file(path, None)

    # then
    assert errors_of(preview) == [
        {
            "row": 2,
            "column": "其中已联网设备数（台）",
            "value": "65%",
            "message": "「其中已联网设备数（台）」应填写数量（单位：台），不能填写百分比「65%」。",
        }
    ]
    assert Enterprise.objects.count() == 0


def test_a_bad_credit_code_is_refused_with_the_reason(plan, tmp_path):
    # given: a code with a wrong check digit, and one that is too short
    code = make_uscc("330602")
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    path = write_xlsx(tmp_path / "data.xlsx", [row(wrong), row("91330602123")])

    # when
    preview = import_file(path, None)

    # then
    assert errors_of(preview) == [
        {
            "row": 2,
            "column": "统一社会信用代码",
            "value": wrong,
            "message": f"统一社会信用代码「{wrong}」校验位不正确，请核对是否抄错。",
        },
        {
            "row": 3,
            "column": "统一社会信用代码",
            "value": "91330602123",
            "message": "统一社会信用代码「91330602123」应为 18 位，实际 11 位。",
        },
    ]


def test_a_credit_code_excel_turned_into_a_number_is_refused(plan, tmp_path):
    # given: an all-digit code Excel stored as a number, its last digits lost
    path = write_xlsx(tmp_path / "data.xlsx", [row(913306021234567890)])

    # when
    preview = import_file(path, None)

    # then
    assert errors_of(preview)[0]["message"] == (
        "统一社会信用代码被 Excel 存成了数字，末几位已经丢失；请把本列设为文本格式后重新填写。"
    )


def test_unknown_district_cluster_and_industry_code_name_the_allowed_values(plan, tmp_path):
    # given
    path = write_xlsx(
        tmp_path / "data.xlsx",
        [row(region="杭州市", cluster="纺织", industry_code="0511", above_scale="可能")],
    )

    # when
    preview = import_file(path, None)

    # then
    assert [(e["column"], e["message"]) for e in errors_of(preview)] == [
        (
            "所属区县",
            "「杭州市」不是本市的区、县（市），请从下拉列表中选择："
            "越城区、柯桥区、上虞区、诸暨市、嵊州市、新昌县。",
        ),
        (
            "产业集群",
            "「纺织」不是本市的产业集群，请从下拉列表中选择：现代纺织、绿色化工、集成电路、"
            "现代医药、金属加工、装备及关键零部件、珍珠饰品、智能厨电、现代住建、黄酒；"
            "不属于任何集群的留空。",
        ),
        (
            "国民经济行业代码",
            "「国民经济行业代码」应为 GB/T 4754 制造业代码：2 位大类（13—43），或以大类开头的 "
            "3 位中类、4 位小类，如 17、171、1711，填写的是「0511」。",
        ),
        ("是否规上", "「是否规上」只能填“是”或“否”，填写的是「可能」。"),
    ]


def test_the_same_enterprise_and_year_twice_in_a_file_is_an_error(plan, tmp_path):
    # given
    code = make_uscc("330602")
    path = write_xlsx(tmp_path / "data.xlsx", [row(code), row(code)])

    # when
    preview = import_file(path, None)

    # then
    assert errors_of(preview) == [
        {
            "row": 3,
            "column": "统一社会信用代码",
            "value": code,
            "message": "与第 2 行是同一企业同一年份（2023年），每家企业每年只能有一行。",
        }
    ]


def test_a_jump_needs_a_comment_whether_last_year_is_in_the_database_or_the_file(plan, tmp_path):
    # given: last year's headcount of one enterprise in the database, of another in the file
    report = make_report(year=2022, employees=100)
    other = make_uscc("330602")
    rows = [
        row(report.enterprise.uscc, name=report.enterprise.name, employees=400),
        row(other, 2022, employees=100),
        row(other, 2023, employees=400),
    ]
    path = write_xlsx(tmp_path / "data.xlsx", rows)

    # when
    preview = import_file(path, None)

    # then: both jumps need a comment
    message = "有同比变化异常的数据，请在“说明”中写明原因。"
    assert [(e["row"], e["column"], e["message"]) for e in errors_of(preview)] == [
        (2, "说明", message),
        (4, "说明", message),
    ]

    # when: the comments are written
    rows[0]["comment"] = "新建二期厂房"
    rows[2]["comment"] = "并购后合并报表"
    preview = import_file(write_xlsx(tmp_path / "fixed.xlsx", rows), None)

    # then
    assert preview.errors == []
    assert YearlyReport.objects.get(enterprise=report.enterprise, year=2023).comment == (
        "新建二期厂房"
    )


# --- what files look like ------------------------------------------------------------


def test_title_rows_merged_above_the_header_are_skipped(plan, tmp_path):
    # given: a merged title row and an empty row above the header (header on row 3)
    workbook = Workbook()
    path = write_xlsx(
        tmp_path / "data.xlsx",
        [row(), row(employees="x")],
        before=[["2023年规上工业企业智能制造数据"], []],
        workbook=workbook,
    )
    workbook["年度数据"].merge_cells("A1:H1")
    workbook.save(path)

    # when
    preview = import_file(path, None)

    # then: rows are numbered as the spreadsheet numbers them
    assert [(e["row"], e["column"]) for e in errors_of(preview)] == [(5, "从业人员（人）")]
    assert preview.rows == 2


def test_an_extra_column_is_ignored(plan, tmp_path):
    # given: a column the import does not know
    headers = {**HEADERS, "note": "填报人备注"}
    path = write_xlsx(tmp_path / "data.xlsx", [row(note="已核对")], headers=headers)

    # when
    preview = import_file(path, None)

    # then
    assert (preview.created, preview.errors) == (1, [])


def test_a_missing_required_column_is_one_clear_error_and_nothing_is_written(plan, tmp_path):
    # given: a file without the headcount column
    headers = {k: v for k, v in HEADERS.items() if k != "employees"}
    path = write_xlsx(tmp_path / "data.xlsx", [row(), row()], headers=headers)

    # when
    preview = import_file(path, None)

    # then
    assert errors_of(preview) == [
        {
            "row": 1,
            "column": "从业人员（人）",
            "value": "",
            "message": "缺少必填列「从业人员（人）」，请使用下载的导入模板或补上这一列。",
        }
    ]
    assert Enterprise.objects.count() == 0
    with pytest.raises(ImportFileError, match="缺少必填列「从业人员（人）」"):
        read_workbook(path)


def test_columns_in_another_order_with_headers_without_units(plan, tmp_path):
    # given: reversed columns, headers without units, with spaces and half-width brackets
    plain_headers = {
        key: text.split("（")[0] if key not in ("uses_plm", "town") else text.replace("（", "(")
        for key, text in HEADERS.items()
    }
    plain_headers["employees"] = "从 业 人 员"
    headers = dict(reversed(list(plain_headers.items())))
    path = write_xlsx(tmp_path / "data.xlsx", [row(employees=321)], headers=headers)

    # when
    preview = import_file(path, None)

    # then
    assert preview.errors == []
    assert YearlyReport.objects.get().employees == 321


def test_a_figure_in_another_unit_is_refused(plan, tmp_path):
    # given: output in 元 where the template asks for 万元
    headers = {**HEADERS, "industrial_output": "工业总产值（元）"}
    path = write_xlsx(tmp_path / "data.xlsx", [row()], headers=headers)

    # when
    preview = import_file(path, None)

    # then
    assert [e["message"] for e in errors_of(preview)] == [
        "「工业总产值（元）」的单位与模板不同：本列应以“万元”为单位填写，"
        "请换算后把表头改为「工业总产值（万元）」。"
    ]


def test_empty_trailing_rows_are_ignored(plan, tmp_path):
    # given: a row, then rows of nothing but spaces and empty cells
    path = write_xlsx(tmp_path / "data.xlsx", [row(), {}, {"name": "  ", "comment": "\n"}, {}])

    # when
    preview = import_file(path, None)

    # then
    assert (preview.rows, preview.created, preview.errors) == (1, 1, [])


def test_the_sheet_named_for_the_data_is_used_wherever_it_is(plan, tmp_path):
    # given: a notes sheet first, then the data sheet
    workbook = Workbook()
    workbook.active.title = "说明"
    workbook.active.append(["统一社会信用代码 必须是 18 位"])
    path = write_xlsx(tmp_path / "data.xlsx", [row()], workbook=workbook)

    # when
    preview = import_file(path, None)

    # then
    assert (preview.created, preview.errors) == (1, [])


def test_without_a_data_sheet_the_first_sheet_with_the_header_is_used(plan, tmp_path):
    # given: a cover sheet without the header, then the data on a sheet with another name
    workbook = Workbook()
    workbook.active.title = "封面"
    workbook.active.append(["绍兴市企业数据"])
    path = write_xlsx(tmp_path / "data.xlsx", [row()], workbook=workbook, sheet="Sheet2")

    # when
    preview = import_file(path, None)

    # then
    assert (preview.created, preview.errors) == (1, [])


def test_a_file_without_the_header_says_so(plan, tmp_path):
    # given
    workbook = Workbook()
    workbook.active.append(["企业", "人数"])
    workbook.save(tmp_path / "data.xlsx")

    # when
    preview = import_file(tmp_path / "data.xlsx", None)

    # then
    assert errors_of(preview) == [
        {
            "row": None,
            "column": "",
            "value": "",
            "message": "各工作表的前 10 行中找不到「统一社会信用代码」列，无法识别表头。"
            "请使用下载的导入模板填写。",
        }
    ]


def _csv(rows: list[dict]) -> str:
    lines = [",".join(HEADERS.values())]
    for values in rows:
        lines.append(",".join(str(values.get(k) or "") for k in HEADERS))
    return "\r\n".join(lines) + "\r\n"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gbk"])
def test_a_csv_file_in_utf8_or_gbk(plan, tmp_path, encoding):
    # given: what Excel's "CSV" (GBK on Chinese Windows) and "CSV UTF-8" save
    path = tmp_path / "data.csv"
    path.write_bytes(_csv([row(name="绍兴纺织有限公司")]).encode(encoding))

    # when
    preview = import_file(path, None)

    # then
    assert (preview.created, preview.errors) == (1, [])
    assert Enterprise.objects.get().name == "绍兴纺织有限公司"


def test_an_old_xls_file(plan):
    # given: an Excel 97–2003 workbook (tests/enterprises/files/legacy.xls, made with xlwt)

    # when
    preview = import_file(FILES / "legacy.xls", None)

    # then
    assert (preview.created, preview.errors) == (1, [])
    report = YearlyReport.objects.get()
    assert (report.enterprise.name, report.enterprise.industry_code) == (
        "绍兴老格式机械有限公司",
        "3411",
    )
    assert report.industrial_output == Decimal("18000.50")


def test_a_corrupt_file(plan, tmp_path):
    # given: bytes that are not a workbook, and a zip that is not one either
    (tmp_path / "broken.xlsx").write_bytes(b"\x00\x01not a workbook" * 50)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    (tmp_path / "other.xlsx").write_bytes(buffer.getvalue())

    # when / then
    for name in ("broken.xlsx", "other.xlsx"):
        with pytest.raises(ImportFileError) as raised:
            read_workbook(tmp_path / name)
        assert str(raised.value) == CORRUPT_MESSAGE
    assert CORRUPT_MESSAGE.startswith("文件已损坏或不是 Excel 文件")


def test_an_unsupported_format(plan, tmp_path):
    # given
    (tmp_path / "data.pdf").write_bytes(b"%PDF-1.4 ...")

    # when / then
    with pytest.raises(ImportFileError) as raised:
        read_workbook(tmp_path / "data.pdf")
    assert str(raised.value) == (
        "不支持的文件格式「.pdf」：请上传 Excel 文件（.xlsx、.xls）或 CSV 文件。"
    )


def test_a_password_protected_file(plan):
    # given: an .xlsx encrypted with a password (an OLE2 container, not a real .xls)
    path = FILES / "encrypted.xlsx"
    assert path.read_bytes()[:4] == b"\xd0\xcf\x11\xe0"

    # when
    preview = import_file(path, None)

    # then
    assert [e["message"] for e in errors_of(preview)] == [ENCRYPTED_MESSAGE]


def test_a_zip_bomb_is_refused_before_it_is_unpacked(plan, tmp_path, monkeypatch):
    # given: a workbook with an entry that unpacks to a thousand times its size
    path = write_xlsx(tmp_path / "data.xlsx", [row()])
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", b"\0" * (4 * 1024 * 1024))

    # when / then: the ratio is refused
    with pytest.raises(ImportFileError, match="压缩比异常"):
        read_workbook(path)

    # and: so is a total unpacked size over the limit
    monkeypatch.setattr(import_files, "MAX_COMPRESSION_RATIO", 10_000)
    monkeypatch.setattr(import_files, "MAX_UNCOMPRESSED_BYTES", 1024 * 1024)
    with pytest.raises(ImportFileError) as raised:
        read_workbook(path)
    assert str(raised.value) == (
        "文件解压后有 4 MB，超过了 1 MB 的上限，疑似异常文件，已拒绝读取；"
        "数据较多时请拆分成几个文件分别导入。"
    )


def test_a_file_over_the_upload_limit_is_refused(plan, tmp_path, monkeypatch):
    # given: a limit of 1 KB (the real one is 50 MB)
    monkeypatch.setattr(import_files, "MAX_UPLOAD_BYTES", 1024)
    path = write_xlsx(tmp_path / "data.xlsx", [row()])

    # when / then: a path and an open file are both refused
    with pytest.raises(ImportFileError, match="超过了 0 MB 的上限"):
        read_workbook(path)
    with path.open("rb") as upload, pytest.raises(ImportFileError, match="的上限"):
        read_workbook(upload, "data.xlsx")


def test_more_rows_than_the_limit_are_refused(plan, tmp_path, monkeypatch):
    # given: a limit of two rows (the real one is a million)
    monkeypatch.setattr(import_files, "MAX_ROWS", 2)
    path = write_xlsx(tmp_path / "data.xlsx", [row(), row(), row()])

    # when
    preview = import_file(path, None)

    # then
    assert [e["message"] for e in errors_of(preview)] == [
        "文件中的数据超过 2 行，超过了单次导入的上限，请拆分成几个文件分别导入。"
    ]
    assert Enterprise.objects.count() == 0


def test_an_uploaded_file_object_is_read(plan, tmp_path):
    # given: the bytes of a workbook, as an upload hands them over
    path = write_xlsx(tmp_path / "data.xlsx", [row()])
    upload = io.BytesIO(path.read_bytes())

    # when
    rows = read_workbook(upload, "企业数据.xlsx")

    # then
    assert [r.number for r in rows] == [2]


def restated(report) -> dict:
    """A row that states the report and its enterprise exactly as the database has them."""
    enterprise = report.enterprise
    blanks = dict.fromkeys(("cluster", "town", "address", "contact_name", "contact_phone"))
    return row(enterprise.uscc, report.year, name=enterprise.name, **blanks)


# --- who may import what -------------------------------------------------------------


def test_a_district_officer_imports_its_own_district_as_district_approved(
    plan, yuecheng_officer, tmp_path
):
    # given
    path = write_xlsx(tmp_path / "data.xlsx", [row()])

    # when
    preview = import_file(path, yuecheng_officer)

    # then
    assert preview.errors == []
    report = YearlyReport.objects.get()
    assert report.status == ReportStatus.DISTRICT_APPROVED
    assert report.steps.get().actor == yuecheng_officer


def test_a_district_officer_may_not_import_another_districts_enterprises(
    plan, yuecheng_officer, tmp_path
):
    # given: a row in 柯桥区, and a row moving a 柯桥区 enterprise into 越城区
    keqiao = make_enterprise(region="柯桥区")
    rows = [row(make_uscc("330603"), region="柯桥区"), row(keqiao.uscc, region="越城区")]
    path = write_xlsx(tmp_path / "data.xlsx", rows)

    # when
    preview = import_file(path, yuecheng_officer)

    # then
    assert errors_of(preview) == [
        {
            "row": 2,
            "column": "所属区县",
            "value": "柯桥区",
            "message": "该企业属于柯桥区，您只能导入越城区的企业。",
        },
        {
            "row": 3,
            "column": "所属区县",
            "value": "越城区",
            "message": "该企业在系统中属于柯桥区，您只能导入越城区的企业。",
        },
    ]
    keqiao.refresh_from_db()
    assert keqiao.region.name == "柯桥区"


def test_an_enterprise_user_may_not_import(plan, enterprise_user, tmp_path):
    # given
    path = write_xlsx(tmp_path / "data.xlsx", [row()])

    # when
    preview = import_file(path, enterprise_user)

    # then
    assert [e["message"] for e in errors_of(preview)] == [
        "只有市级管理员和区县用户可以导入企业数据；企业请在“年度数据”页面逐年填报。"
    ]
    assert Enterprise.objects.count() == 0


def test_every_row_of_a_locked_year_is_an_error(plan, tmp_path):
    # given: 2023 is locked; a file with two 2023 rows (one already imported) and a 2024 row
    code = make_uscc("330602")
    rows = [row(code, 2023), row(make_uscc("330602"), 2023), row(code, 2024)]
    import_file(write_xlsx(tmp_path / "first.xlsx", rows[:1]), None)
    YearLock.objects.create(year=2023)

    # when
    preview = import_file(write_xlsx(tmp_path / "data.xlsx", rows), None)

    # then
    message = "2023年的数据已由市级锁定，不能修改或导入；如需修改请联系市经信局解锁。"
    assert [(e["row"], e["column"], e["message"]) for e in errors_of(preview)] == [
        (2, "年份", message),
        (3, "年份", message),
    ]
    assert YearlyReport.objects.count() == 1


def test_a_city_approved_report_may_not_be_changed_by_an_import(plan, tmp_path):
    # given: a report the city has approved
    report = make_report(year=2023, status=ReportStatus.CITY_APPROVED)
    same = restated(report)

    # when: a file restates it unchanged, then with another robot count
    unchanged = import_file(write_xlsx(tmp_path / "same.xlsx", [same]), None)
    changed = import_file(
        write_xlsx(tmp_path / "changed.xlsx", [{**same, "industrial_robots": 11}]), None
    )

    # then: unchanged is fine, the change is refused
    assert (unchanged.unchanged, unchanged.errors) == (1, [])
    assert errors_of(changed) == [
        {
            "row": 2,
            "column": "在役工业机器人（台）",
            "value": "11",
            "message": CITY_APPROVED_MESSAGE,
        }
    ]
    report.refresh_from_db()
    assert report.industrial_robots == 10
    assert CITY_APPROVED_MESSAGE == "该报表已经市级审核通过，不能通过导入修改。"


def test_a_district_officers_unchanged_import_does_not_demote_a_city_approved_report(
    plan, yuecheng_officer, tmp_path
):
    # given
    report = make_report(year=2023, status=ReportStatus.CITY_APPROVED)
    same = restated(report)

    # when
    preview = import_file(write_xlsx(tmp_path / "same.xlsx", [same]), yuecheng_officer)

    # then
    assert (preview.unchanged, preview.errors) == (1, [])
    report.refresh_from_db()
    assert report.status == ReportStatus.CITY_APPROVED


# --- queries ---------------------------------------------------------------------------


def test_checking_a_file_takes_a_bounded_number_of_queries(
    plan, tmp_path, django_assert_max_num_queries, monkeypatch
):
    # given: 30 rows of existing enterprises, with IN lists of 10
    monkeypatch.setattr(import_preview, "CHUNK", 10)
    reports = [make_report(year=2023) for _ in range(30)]
    rows = [row(r.enterprise.uscc, name=r.enterprise.name, employees=250) for r in reports]
    parsed = read_workbook(write_xlsx(tmp_path / "data.xlsx", rows))

    # when / then: a query per chunk of ten, not one per row
    with django_assert_max_num_queries(16):
        preview = preview_import(parsed, None)
    assert preview.updated == 30


# --- the command -----------------------------------------------------------------------


def test_the_command_prints_the_summary_as_json_and_exits_1_on_errors(plan, tmp_path):
    # given
    path = write_xlsx(tmp_path / "data.xlsx", [row(), row(employees="65%")])
    out = io.StringIO()

    # when
    with pytest.raises(SystemExit) as exited:
        call_command("enterprises", "import", str(path), stdout=out)

    # then
    assert exited.value.code == 1
    assert json.loads(out.getvalue()) == {
        "rows": 2,
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "errors": [
            {
                "row": 3,
                "column": "从业人员（人）",
                "value": "65%",
                "message": "「从业人员（人）」应填写数量（单位：人），不能填写百分比「65%」。",
            }
        ],
    }
    assert "65%" in out.getvalue()  # ensure_ascii=False: Chinese stays readable
    assert "「从业人员（人）」" in out.getvalue()
    assert Enterprise.objects.count() == 0


def test_the_command_dry_run_writes_nothing_and_a_real_run_writes(plan, tmp_path):
    # given
    path = write_xlsx(tmp_path / "data.xlsx", [row()])

    # when: a dry run
    out = io.StringIO()
    call_command("enterprises", "import", str(path), "--dry-run", stdout=out)

    # then
    assert json.loads(out.getvalue())["created"] == 1
    assert Enterprise.objects.count() == 0

    # when: a real run
    call_command("enterprises", "import", str(path), stdout=io.StringIO())

    # then
    assert YearlyReport.objects.get().status == ReportStatus.CITY_APPROVED


def test_the_command_acts_as_the_user_given(plan, keqiao_officer, tmp_path):
    # given: a 越城区 row imported as the 柯桥区 officer
    path = write_xlsx(tmp_path / "data.xlsx", [row()])
    out = io.StringIO()

    # when
    with pytest.raises(SystemExit):
        call_command(
            "enterprises", "import", str(path), "--user", keqiao_officer.username, stdout=out
        )

    # then
    assert json.loads(out.getvalue())["errors"][0]["message"] == (
        "该企业属于越城区，您只能导入柯桥区的企业。"
    )


def test_the_command_reports_an_unreadable_file_in_the_same_json(plan, tmp_path):
    # given
    path = tmp_path / "data.xlsx"
    path.write_bytes(b"not a workbook")
    out = io.StringIO()

    # when
    with pytest.raises(SystemExit) as exited:
        call_command("enterprises", "import", str(path), stdout=out)

    # then
    assert exited.value.code == 1
    assert json.loads(out.getvalue()) == {
        "rows": 0,
        "created": 0,
        "updated": 0,
        "unchanged": 0,
        "errors": [{"row": None, "column": "", "value": "", "message": CORRUPT_MESSAGE}],
    }
