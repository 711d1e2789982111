"""Reported values (上报值): the table import, its all-or-nothing checks, and the city's approval."""

import csv
import json
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from openpyxl import Workbook

from zhizao.monitoring.models import IndicatorValue, ReportedStatus, ReportedValue
from zhizao.monitoring.reported import (
    ReportedValueError,
    ReportedValueForbidden,
    apply_values,
    approve_reported_value,
    check_values,
    import_values,
    read_values_file,
)

HEADER = ["indicator", "region", "year", "quarter", "value", "note"]
DISTRICTS = ["越城区", "柯桥区", "上虞区", "诸暨市", "嵊州市", "新昌县"]
# 新建5G基站 in 2022 as the operators counted them; 柯桥区's figure is typed in full-width
# digits and 越城区's with a thousands separator, as officials do.
FIVE_G_2022 = [
    [19, "越城区", 2022, "", "1,200", "电信、移动、联通合计"],
    [19, "柯桥区", 2022, "", "１５００", ""],
    [19, "上虞区", 2022, "", "800", ""],
    [19, "诸暨市", 2022, "", "1100", ""],
    [19, "嵊州市", 2022, "", "600", ""],
    [19, "新昌县", 2022, "", "400", ""],
]


def write_csv(path: Path, rows: list[list], *, header=HEADER, encoding="utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[list], *, header=HEADER, before=()) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    for line in before:
        sheet.append(line)
    sheet.append(header)
    for row in rows:
        sheet.append([None if cell == "" else cell for cell in row])
    workbook.save(path)
    return path


def reported(number: int, region: str, year: int, quarter: int = 0) -> ReportedValue:
    return ReportedValue.objects.get(
        indicator__number=number, region__name=region, year=year, quarter=quarter
    )


def city_value(number: int, year: int) -> Decimal | None:
    found = IndicatorValue.objects.filter(
        indicator__number=number, region__name="绍兴市", year=year
    ).first()
    return None if found is None else found.value


def test_a_good_csv_lands_approved_and_the_city_is_the_sum_of_its_districts(plan, tmp_path):
    # given a CSV of 2022's new 5G base stations for all six districts
    path = write_csv(tmp_path / "5g.csv", FIVE_G_2022)
    # when it is imported as figures of record
    preview = import_values(path, plan, None, approve=True)
    # then every row is created, approved and counted
    assert preview.summary() == {
        "rows": 6, "created": 6, "updated": 0, "unchanged": 0, "errors": [],
    }  # fmt: skip
    yuecheng = reported(19, "越城区", 2022)
    assert (yuecheng.value, yuecheng.quarter, yuecheng.status) == (
        Decimal("1200"),
        0,
        ReportedStatus.APPROVED,
    )
    assert yuecheng.note == "电信、移动、联通合计"
    assert reported(19, "柯桥区", 2022).value == Decimal("1500")
    # 1200 + 1500 + 800 + 1100 + 600 + 400 = 5600 for the city, recomputed on import
    assert city_value(19, 2022) == Decimal("5600")
    assert preview.recomputed_years == [2022]


def test_a_good_xlsx_with_chinese_headers_lands_through_the_command(plan, city_admin, tmp_path):
    # given an .xlsx with a title row above Chinese headers and numbers as Excel stores them
    rows = [[19, name, 2023, None, float(100 * n), None] for n, name in enumerate(DISTRICTS, 1)]
    path = write_xlsx(
        tmp_path / "5g.xlsx",
        rows,
        header=["序号", "地区", "年份", "季度", "数值", "说明"],
        before=[["2023年新建5G基站"]],
    )
    # when the city admin imports it with --approve
    out = StringIO()
    call_command("values", "import", str(path), "--approve", "--user", "city-admin", stdout=out)
    # then the values are approved by the city admin, and the city's is 100 + 200 + … + 600
    assert json.loads(out.getvalue()) == {
        "rows": 6, "created": 6, "updated": 0, "unchanged": 0, "errors": [],
    }  # fmt: skip
    xinchang = reported(19, "新昌县", 2023)
    assert (xinchang.value, xinchang.status) == (Decimal("600"), ReportedStatus.APPROVED)
    assert (xinchang.reported_by, xinchang.approved_by) == (city_admin, city_admin)
    assert city_value(19, 2023) == Decimal("2100")


def test_reimporting_the_same_file_changes_nothing(plan, tmp_path):
    # given a file already imported
    path = write_csv(tmp_path / "5g.csv", FIVE_G_2022)
    import_values(path, plan, None, approve=True)
    history = ReportedValue.history.count()
    # when it is imported again
    preview = import_values(path, plan, None, approve=True)
    # then every row is unchanged, no history is written and nothing is recomputed
    assert preview.summary() == {
        "rows": 6, "created": 0, "updated": 0, "unchanged": 6, "errors": [],
    }  # fmt: skip
    assert ReportedValue.history.count() == history == 6
    assert preview.recomputed_years == []


def test_without_approve_values_wait_for_the_city_and_do_not_count(plan, city_admin, tmp_path):
    # given the six districts' figures imported without --approve
    path = write_csv(tmp_path / "5g.csv", FIVE_G_2022)
    import_values(path, plan, None)
    # then they are submitted and the city has no value yet
    assert set(ReportedValue.objects.values_list("status", flat=True)) == {"submitted"}
    assert city_value(19, 2022) is None
    # when the city admin approves 柯桥区's
    keqiao = approve_reported_value(reported(19, "柯桥区", 2022), city_admin)
    # then it counts for 柯桥区 at once; the city waits for the other five
    assert (keqiao.status, keqiao.approved_by) == (ReportedStatus.APPROVED, city_admin)
    assert IndicatorValue.objects.get(
        indicator__number=19, region__name="柯桥区", year=2022
    ).value == Decimal("1500")
    assert city_value(19, 2022) is None
    assert keqiao.history.first().history_change_reason == "市级审核通过"


def test_a_changed_value_of_an_approved_row_goes_back_to_submitted(plan, tmp_path):
    # given the six districts' figures approved (city 5600)
    import_values(write_csv(tmp_path / "a.csv", FIVE_G_2022), plan, None, approve=True)
    # when a corrected file changes 上虞区's 800 to 850, without --approve
    corrected = [[*row[:4], "850", *row[5:]] if row[1] == "上虞区" else row for row in FIVE_G_2022]
    preview = import_values(write_csv(tmp_path / "b.csv", corrected), plan, None)
    # then that row waits for approval again and the city no longer has every district
    assert (preview.created, preview.updated, preview.unchanged) == (0, 1, 5)
    shangyu = reported(19, "上虞区", 2022)
    assert (shangyu.value, shangyu.status, shangyu.approved_by) == (
        Decimal("850"),
        ReportedStatus.SUBMITTED,
        None,
    )
    assert city_value(19, 2022) is None
    # when it is loaded again with --approve: 1200 + 1500 + 850 + 1100 + 600 + 400 = 5650
    preview = import_values(write_csv(tmp_path / "b.csv", corrected), plan, None, approve=True)
    assert (preview.updated, preview.unchanged) == (1, 5)
    assert reported(19, "上虞区", 2022).status == ReportedStatus.APPROVED
    assert city_value(19, 2022) == Decimal("5650")


GOOD_ROW = [19, "越城区", 2022, "", "1200", ""]


@pytest.mark.parametrize(
    ("bad", "column", "value", "message"),
    [
        (
            [99, "柯桥区", 2022, "", "5", ""],
            "indicator",
            "99",
            "方案中没有序号为 99 的指标（本方案的指标序号为 1—21）。",
        ),
        (
            [19, "杭州市", 2022, "", "5", ""],
            "region",
            "杭州市",
            "找不到地区「杭州市」：应为 绍兴市、越城区、柯桥区、上虞区、诸暨市、嵊州市、新昌县 之一。",
        ),
        (
            [19, "柯桥区", 2026, "", "5", ""],
            "year",
            "2026",
            "年份 2026 不在方案年份内（2020—2025年）。",
        ),
        (
            [19, "柯桥区", 2022, "5", "5", ""],
            "quarter",
            "5",
            "季度应为 1—4（当年 1 月至该季度末的累计），全年数据请留空，填写的是「5」。",
        ),
        (
            [19, "柯桥区", 2022, "", "约五百", ""],
            "value",
            "约五百",
            "数值应为数字，「约五百」不是有效的数字。",
        ),
        (
            [19, "柯桥区", 2022, "", "12%", ""],
            "value",
            "12%",
            "指标 19 的单位是“个”，不能填写百分比「12%」。",
        ),
        (
            [19, "柯桥区", 2022, "", "12.5", ""],
            "value",
            "12.5",
            "指标 19 以“个”计，应为整数，填写的是 12.5。",
        ),
        (
            [19, "柯桥区", 2022, "", "-3", ""],
            "value",
            "-3",
            "数值不能为负数，填写的是「-3」。",
        ),
        (
            [19, "越城区", 2022, "", "1300", ""],
            "indicator",
            "19",
            "与第 2 行重复：同一指标、地区、年份和季度只能填写一行。",
        ),
        (
            [7, "柯桥区", 2022, "3", "300", ""],
            "quarter",
            "3",
            "指标 7「制造业机器人密度」的实际值由企业年度数据计算，"
            "只能填报全年的官方数（季度留空），填写的是「3」。",
        ),
        (
            [19, "柯桥区", "", "", "5", ""],
            "year",
            "",
            "「year」不能为空。",
        ),
    ],
    ids=[
        "unknown-indicator", "unknown-region", "year-outside-plan", "quarter-not-1-4",
        "non-numeric", "percent-on-a-count", "fraction-of-a-count", "negative", "duplicate",
        "quarter-of-an-enterprise-indicator", "empty-year",
    ],
)  # fmt: skip
def test_one_bad_row_refuses_the_whole_file(plan, tmp_path, bad, column, value, message):
    # given a good row (row 2) and a bad one (row 3)
    path = write_csv(tmp_path / "values.csv", [GOOD_ROW, bad])
    # when the file is imported
    preview = import_values(path, plan, None, approve=True)
    # then the bad cell is named with the reason and nothing at all is written
    assert preview.summary()["errors"] == [
        {"row": 3, "column": column, "value": value, "message": message}
    ]
    assert not ReportedValue.objects.exists()
    assert not IndicatorValue.objects.exists()


def test_every_error_of_a_row_is_listed_left_to_right(plan, tmp_path):
    # given a row with an unknown region, a year outside the plan and a non-numeric value
    path = write_csv(tmp_path / "values.csv", [[19, "杭州", "2030年", "", "abc", ""]])
    # when it is checked
    errors = check_values(read_values_file(path), plan, None).errors
    # then all three are reported, in the order of the columns
    assert [(e.row, e.column) for e in errors] == [(2, "region"), (2, "year"), (2, "value")]


def test_percent_values_are_accepted_for_a_reported_percent_indicator(plan, tmp_path):
    # given a plan whose CNC rate (%) is reported rather than computed from enterprise data
    plan.indicators.filter(number=8).update(source={"type": "reported"})
    path = write_csv(tmp_path / "cnc.csv", [[8, "绍兴市", 2024, "", "６５.５%", "统计局"]])
    # when it is imported
    preview = import_values(path, plan, None, approve=True)
    # then 65.5 is stored and is the city's value
    assert preview.errors == []
    assert reported(8, "绍兴市", 2024).value == Decimal("65.5")
    assert city_value(8, 2024) == Decimal("65.5")


def test_quarter_values_keep_their_quarter_and_stand_for_the_year_so_far(plan, tmp_path):
    # given all six districts' figures for January to September 2024 (quarter 3)
    rows = [[19, name, 2024, 3, 50 * n, ""] for n, name in enumerate(DISTRICTS, 1)]
    path = write_xlsx(tmp_path / "q3.xlsx", rows)
    # when they are imported and approved
    preview = import_values(path, plan, None, approve=True)
    # then they are stored as quarter 3, not as whole years
    assert preview.created == 6
    assert reported(19, "嵊州市", 2024, quarter=3).value == Decimal("250")
    assert not ReportedValue.objects.filter(quarter=0).exists()
    # and, with no whole-year figure yet, they stand as 2024's values so far, marked quarter 3:
    # the city is 50 + 100 + … + 300 = 1050
    city = IndicatorValue.objects.get(indicator__number=19, region__name="绍兴市", year=2024)
    assert (city.value, city.quarter) == (Decimal("1050"), 3)


def test_a_district_officer_may_not_import_another_districts_row(plan, yuecheng_officer, tmp_path):
    # given a 越城区 officer's file with a row for 越城区 and one for 柯桥区
    path = write_csv(tmp_path / "values.csv", [GOOD_ROW, [19, "柯桥区", 2022, "", "1500", ""]])
    # when the officer imports it
    preview = import_values(path, plan, yuecheng_officer)
    # then the 柯桥区 row is refused and nothing is written
    assert preview.summary()["errors"] == [
        {
            "row": 3,
            "column": "region",
            "value": "柯桥区",
            "message": "区县用户只能填报本区县（越城区）的数据，不能填报「柯桥区」的数据。",
        }
    ]
    assert not ReportedValue.objects.exists()


def test_a_district_officers_own_rows_are_submitted_for_the_city(plan, yuecheng_officer, tmp_path):
    path = write_csv(tmp_path / "values.csv", [GOOD_ROW])
    # when the officer imports its own district's figure
    preview = import_values(path, plan, yuecheng_officer)
    # then it is submitted, reported by the officer, and not yet counted
    assert preview.created == 1
    value = reported(19, "越城区", 2022)
    assert (value.status, value.reported_by, value.approved_by) == (
        ReportedStatus.SUBMITTED,
        yuecheng_officer,
        None,
    )
    assert value.history.get().history_user == yuecheng_officer
    assert not IndicatorValue.objects.exists()


def test_a_district_officer_may_not_approve_on_import(plan, yuecheng_officer, tmp_path):
    path = write_csv(tmp_path / "values.csv", [GOOD_ROW])
    preview = import_values(path, plan, yuecheng_officer, approve=True)
    assert [e.message for e in preview.errors] == [
        "只有市级管理员可以审核上报值，区县用户导入的数据须提交市级审核。"
    ]
    assert not ReportedValue.objects.exists()


def test_the_command_prints_the_errors_as_json_and_exits_1(plan, tmp_path):
    # given a file whose second row gives a quarter of an enterprise-sourced indicator
    path = write_csv(tmp_path / "values.csv", [GOOD_ROW, [20, "柯桥区", 2022, "2", "6.5", ""]])
    out = StringIO()
    # when the command imports it
    with pytest.raises(SystemExit) as exited:
        call_command("values", "import", str(path), "--approve", stdout=out)
    # then it exits 1 after printing the documented JSON, in readable Chinese
    assert exited.value.code == 1
    assert "规上企业全员劳动生产率增幅" in out.getvalue()
    assert json.loads(out.getvalue()) == {
        "rows": 2,
        "created": 0,
        "updated": 0,
        "unchanged": 0,
        "errors": [
            {
                "row": 3,
                "column": "quarter",
                "value": "2",
                "message": "指标 20「规上企业全员劳动生产率增幅」的实际值由企业年度数据计算，"
                "只能填报全年的官方数（季度留空），填写的是「2」。",
            }
        ],
    }
    assert not ReportedValue.objects.exists()


def test_a_file_without_the_value_column_is_refused(plan, tmp_path):
    path = write_csv(
        tmp_path / "values.csv",
        [[19, "越城区", 2022, "", ""]],
        header=[*HEADER[:4], "note", "amount"],
    )
    preview = import_values(path, plan, None)
    assert [e.message for e in preview.errors] == [
        "CSV 文件的前 10 行中找不到表头（indicator,region,year,quarter,value,note，"
        "或 序号、地区、年份、季度、数值、说明）。"
    ]


def test_a_file_without_a_required_column_is_refused_before_any_row_is_read(plan, tmp_path):
    path = write_csv(
        tmp_path / "values.csv",
        [[19, 2022, "", "5", ""]],
        header=["indicator", "year", "quarter", "value", "note"],
    )
    preview = import_values(path, plan, None)
    assert preview.summary()["errors"] == [
        {
            "row": 1,
            "column": "region",
            "value": "",
            "message": "缺少必填列「region」，表头应为 indicator,region,year,quarter,value,note。",
        }
    ]


def test_a_gbk_csv_with_chinese_headers_is_read(plan, tmp_path):
    # given a CSV saved by Excel on a Chinese Windows (GBK), with Chinese headers
    path = write_csv(
        tmp_path / "values.csv",
        [[19, "诸暨市", "2021年", "第2季度", "300", "移动"]],
        header=["指标序号", "地区", "年份", "季度", "数值", "备注"],
        encoding="gbk",
    )
    # then it is read as it reads in Excel
    preview = import_values(path, plan, None)
    assert preview.errors == []
    value = reported(19, "诸暨市", 2021, quarter=2)
    assert (value.value, value.note) == (Decimal("300"), "移动")


def test_checking_a_file_takes_the_same_few_queries_whatever_its_length(
    plan, tmp_path, django_assert_max_num_queries
):
    # given every reported indicator for every region and year: 14 × 7 × 6 = 588 rows
    regions = ["绍兴市", *DISTRICTS]
    numbers = [1, 2, 3, 4, 5, 6, 12, 13, 14, 15, 16, 17, 18, 19]
    rows = [[n, r, y, "", "1", ""] for n in numbers for r in regions for y in range(2020, 2026)]
    path = write_csv(tmp_path / "all.csv", rows)
    parsed = read_values_file(path)
    # when it is checked, then indicators, regions and stored values take three queries
    with django_assert_max_num_queries(3):
        preview = check_values(parsed, plan, None)
    assert (preview.rows, preview.created, preview.errors) == (588, 588, [])


def test_apply_values_refuses_a_preview_with_errors(plan, tmp_path):
    path = write_csv(tmp_path / "values.csv", [[99, "越城区", 2022, "", "1", ""]])
    preview = check_values(read_values_file(path), plan, None)
    with pytest.raises(ReportedValueError, match="导入文件有 1 处错误，未写入任何数据。"):
        apply_values(preview, None, approve=True)


def test_approval_by_a_district_officer_is_refused(plan, yuecheng_officer, tmp_path):
    # given 越城区's figure submitted by its officer
    import_values(write_csv(tmp_path / "values.csv", [GOOD_ROW]), plan, yuecheng_officer)
    value = reported(19, "越城区", 2022)
    # when the officer tries to approve it
    with pytest.raises(ReportedValueForbidden) as refused:
        approve_reported_value(value, yuecheng_officer)
    # then it is refused in Chinese and stays submitted
    assert str(refused.value) == "只有市级管理员可以审核上报值。"
    value.refresh_from_db()
    assert value.status == ReportedStatus.SUBMITTED


def test_approving_an_approved_value_again_is_refused(plan, city_admin, tmp_path):
    import_values(write_csv(tmp_path / "values.csv", [GOOD_ROW]), plan, None, approve=True)
    with pytest.raises(ReportedValueError, match="该上报值已审核通过，无需重复审核。"):
        approve_reported_value(reported(19, "越城区", 2022), city_admin)
