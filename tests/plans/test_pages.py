"""The plan page and its downloads, as each role sees them."""

import io

import pytest
from openpyxl import load_workbook

from tests.conftest import signed_in
from tests.plans.factories import DEFAULT_PLAN_CODE
from zhizao.plans.models import Indicator
from zhizao.plans.services import indicator_edits, update_plan_records

PAGE = f"/plans/{DEFAULT_PLAN_CODE}/"


def rows_of(html: str, testid: str) -> list[list[str]]:
    """The text of each body row of a table, cell by cell."""
    import re

    table = html.split(f'data-testid="{testid}"', 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1]
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, flags=re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)
        rows.append([re.sub(r"<[^>]+>", "", c).strip() for c in cells])
    return rows


def test_anonymous_visitor_is_sent_to_the_chinese_login_page(client, plan):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    login = client.get(response["Location"])
    assert "登录智造平台" in login.content.decode()


def test_wrong_password_gets_a_chinese_message(client, city_admin):
    response = client.post("/accounts/login/", {"username": "city-admin", "password": "wrong"})
    assert "用户名或密码不正确。请注意密码区分大小写。" in response.content.decode()


def test_indicator_table_prints_figures_as_the_plan_does(admin_client_):
    html = admin_client_.get(PAGE).content.decode()
    rows = rows_of(html, "indicator-table")
    assert len(rows) == 21
    # the first row of a category carries the merged category cell
    assert rows[0] == [
        "智能普及",
        "1",
        "建成智能制造示范集群（个）",
        "—",
        "10",
        "2",
        "2",
        "2",
        "2",
        "2",
    ]
    assert rows[1][2] == "培育企业1家"
    assert rows[7] == [
        "8", "规上企业关键工序核心装备数控化率（%）", "65%", "85%", "70%", "74%", "78%", "82%", "85%",
    ]  # fmt: skip
    assert rows[10] == ["产业规模", "11", "规上装备产业产值（亿元）", "1720", "2500",
                        "1850", "2000", "2150", "2340", "2500"]  # fmt: skip
    assert rows[19] == ["综合成效", "20", "规上企业全员劳动生产率增幅（%）", "6.5", "7（年均）",
                        "7", "7", "7", "7", "7"]  # fmt: skip
    assert rows[20][2:] == ["8.1", "7（年均）", "6.5", "7", "7", "7", "7"]
    assert 'rowspan="10"' in html  # 智能普及 spans its ten indicators


def test_district_table_shows_the_annex_with_bao_zheng(admin_client_):
    html = admin_client_.get(PAGE).content.decode()
    rows = rows_of(html, "region-table")
    assert rows == [
        ["智能制造示范集群", "10个", "—", "2", "2", "2", "2", "保1争2", "保1争2"],
        ["省级“未来工厂”", "10家", "—", "2", "2", "2", "2", "保1争2", "保1争2"],
        ["省级智能工厂（数字化车间）", "100家", "30", "12", "15", "12", "15", "10", "6"],
        ["市级智能工厂", "100家", "6", "14", "23", "16", "23", "10", "8"],
        ["市级数字化车间", "1000个", "36", "120", "240", "160", "240", "140", "64"],
        ["规上企业改造", "5000家", "563", "560", "1132", "710", "1145", "640", "250"],
    ]


def test_district_officer_sees_only_its_own_district_column(yuecheng_client):
    html = yuecheng_client.get(PAGE).content.decode()
    rows = rows_of(html, "region-table")
    assert rows[2] == ["省级智能工厂（数字化车间）", "100家", "30", "12"]
    assert "柯桥区" not in html.split('data-testid="region-table"')[1].split("</table>")[0]


def test_plan_page_runs_a_bounded_number_of_queries(admin_client_, django_assert_max_num_queries):
    # session, user, plan, its tables, and three queries per history type: fixed, whatever the size
    with django_assert_max_num_queries(24):
        response = admin_client_.get(PAGE)
    assert response.status_code == 200


def test_unknown_plan_is_404(admin_client_):
    assert admin_client_.get("/plans/hangzhou-2021-2025/").status_code == 404


def test_city_admin_sees_the_change_history_with_old_and_new_values(city_admin, admin_client_):
    # given an online change to one yearly value
    # given 10 workshops moved from 2025 to 2021, which adds up only as one change
    workshops = Indicator.objects.get(number=5)
    update_plan_records(indicator_edits(workshops, {}, {2021: 210, 2025: 174}), reason="测试修改")
    # when
    html = admin_client_.get(PAGE).content.decode()
    # then
    history = html.split('data-testid="plan-history"')[1]
    assert "年度目标：指标 5 2021年" in history
    assert "目标值：200 → 210" in history
    assert "测试修改" in history


def test_district_officer_does_not_see_the_history(yuecheng_client):
    assert 'data-testid="plan-history"' not in yuecheng_client.get(PAGE).content.decode()


@pytest.mark.parametrize(
    ("path", "sheets"),
    [
        ("indicators.xlsx", ["主要目标"]),
        ("region-targets.xlsx", ["目标任务表"]),
        ("plan.xlsx", ["主要目标", "目标任务表"]),
    ],
)
def test_downloads_are_workbooks(admin_client_, path, sheets):
    response = admin_client_.get(PAGE + path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    assert load_workbook(io.BytesIO(response.content)).sheetnames == sheets


def test_indicator_workbook_has_the_plans_layout(admin_client_):
    # when
    content = admin_client_.get(PAGE + "indicators.xlsx").content
    ws = load_workbook(io.BytesIO(content))["主要目标"]
    # then: title, header, frozen below the header
    assert ws["A1"].value == "智能制造五年提升行动主要目标"
    assert [c.value for c in ws[2]] == [
        "类别", "序号", "指标", "2020年基数", "五年目标",
        "2021年", "2022年", "2023年", "2024年", "2025年",
    ]  # fmt: skip
    assert ws.freeze_panes == "A3"
    # category cells merged over their indicators
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A1:J1", "A3:A12", "A13:A14", "A15:A17", "A18:A21", "A22:A23"} <= merged
    # numbers stored as numbers, printed as the plan prints them
    assert ws["D3"].value == "—"
    assert ws["D4"].value == "培育企业1家"
    assert ws["D10"].value == 65 and ws["D10"].number_format == '0"%"'
    assert ws["E22"].value == 7 and ws["E22"].number_format == '0"（年均）"'
    assert ws["D22"].value == 6.5 and ws["D22"].number_format == "0.0"
    assert ws["J21"].value == 1000
    assert ws["C10"].value == "规上企业关键工序核心装备数控化率（%）"
    # the 指标 column is wide enough for its longest Chinese name
    assert ws.column_dimensions["C"].width >= 2 * len("规上企业关键工序核心装备数控化率（%）") - 2


def test_region_workbook_has_the_annex_layout(admin_client_):
    content = admin_client_.get(PAGE + "region-targets.xlsx").content
    ws = load_workbook(io.BytesIO(content))["目标任务表"]
    assert ws["A1"].value == "绍兴市智能制造五年提升行动目标任务表"
    assert [c.value for c in ws[2]] == [
        "项目内容", "全市目标", "现有基数", "越城区", "柯桥区", "上虞区", "诸暨市", "嵊州市", "新昌县",
    ]  # fmt: skip
    assert ws["B3"].value == 10 and ws["B3"].number_format == '0"个"'
    assert ws["C3"].value == "—"
    assert ws["H3"].value == "保1争2"
    assert [c.value for c in ws[8]] == ["规上企业改造", 5000, 563, 560, 1132, 710, 1145, 640, 250]
    assert ws.freeze_panes == "A3"


def test_district_officer_workbook_holds_only_its_district(yuecheng_client):
    content = yuecheng_client.get(PAGE + "region-targets.xlsx").content
    ws = load_workbook(io.BytesIO(content))["目标任务表"]
    assert [c.value for c in ws[2]] == ["项目内容", "全市目标", "现有基数", "越城区"]


def test_enterprise_user_sees_no_district_targets(enterprise_user):
    html = signed_in(enterprise_user).get(PAGE).content.decode()
    assert "没有您可以查看的区县目标。" in html


def test_a_plan_load_shows_as_one_history_line(admin_client_):
    html = admin_client_.get(PAGE).content.decode()
    history = rows_of(html, "plan-history")
    assert len(history) == 1
    assert history[0][1:3] == ["系统（命令行）", "新建"]
    record = history[0][3]
    for part in ("行动方案 1 条", "指标 21 条", "年度目标 105 条", "区县目标 36 条"):
        assert part in record


def test_district_officer_opens_its_own_district_page(yuecheng_client):
    response = yuecheng_client.get(PAGE + "regions/330602/")
    assert response.status_code == 200
    rows = rows_of(response.content.decode(), "district-targets")
    assert rows[0] == ["智能制造示范集群", "2", "10个"]
    assert rows[5] == ["规上企业改造", "560", "4437家"]


def test_district_officer_gets_404_for_another_districts_page(yuecheng_client):
    # 柯桥区 exists, but it is not the officer's district: indistinguishable from absent
    assert yuecheng_client.get(PAGE + "regions/330603/").status_code == 404
    assert yuecheng_client.get(PAGE + "regions/999999/").status_code == 404


def test_city_admin_opens_any_district_page(admin_client_):
    response = admin_client_.get(PAGE + "regions/330683/")
    rows = rows_of(response.content.decode(), "district-targets")
    assert rows[0] == ["智能制造示范集群", "保1争2", "10个"]


def test_home_without_a_loaded_plan_explains_how_to_load_one(db):
    from tests.accounts.factories import make_city_admin

    client = signed_in(make_city_admin())
    response = client.get("/", follow=True)
    assert (
        "还没有加载任何行动方案。请在命令行运行：zhizao plan load default"
        in response.content.decode()
    )
