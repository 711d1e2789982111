"""The district page: the district's annex items against its own floor and stretch, its
indicators as the overview shows them, its rank; scoped like every page, figures counted by
hand."""

import io

import pytest
from openpyxl import load_workbook

from tests.conftest import signed_in
from tests.cultivation.factories import make_title
from tests.monitoring.test_engine import above_scale
from tests.reports.conftest import new_enterprise, new_report
from zhizao.monitoring.engine import recompute

WORKSHOP = "municipal-digital-workshop"  # indicator 5; annex: 越城区 120, 柯桥区 240
CLUSTER = "demo-cluster"  # indicator 1; annex: 嵊州市 保1争2
YUECHENG = "/monitoring/districts/330602/"


@pytest.fixture
def workshops(plan):
    """越城区: 30 workshops in 2021, 28 in 2022; 柯桥区: 100 in 2022; 嵊州市: one cluster in 2022.
    The registry knows 2021 and 2022 only."""
    for _ in range(30):
        make_title(WORKSHOP, "越城区", 2021)
    for _ in range(28):
        make_title(WORKSHOP, "越城区", 2022)
    for _ in range(100):
        make_title(WORKSHOP, "柯桥区", 2022)
    make_title(CLUSTER, "嵊州市", 2022, holder_name="嵊州市厨具产业集群")
    recompute(plan)
    return plan


def _row(html: str, number: int) -> str:
    table = html.split('data-testid="annex-table"')[1].split("</table>")[0]
    return table.split(f'<tr data-indicator="{number}"')[1].split("</tr>")[0]


def _cell(row: str, testid: str) -> str:
    return row.split(f'data-testid="{testid}">')[1].split("</td>")[0]


def test_annex_items_against_the_districts_targets(admin_client_, workshops):
    html = admin_client_.get(f"{YUECHENG}?year=2022").content.decode()

    table = html.split('data-testid="annex-table"')[1].split("</table>")[0]
    assert table.count("<tr data-indicator=") == 6  # the annex's six items
    row = _row(html, 5)
    assert "市级数字化车间" in row
    assert _cell(row, "target") == "120个"
    # additions 30 + 28 = 58; 58 / 120 = 48.3 % of the floor and of the stretch (both 120)
    assert '<span class="fw-semibold">58</span>' in _cell(row, "additions")
    assert "2021：30</a></span> · " in row and "2022：28</a>" in row
    assert _cell(row, "floor-completion") == "48.3%"
    assert _cell(row, "stretch-completion") == "48.3%"
    # schedule: the city's path (200 + 200) / 964 scaled to the floor = 41.5 %; 48.3 ≥ 41.5
    assert _cell(row, "schedule") == "41.5%"
    assert 'data-status="green"' in html.split('<tr data-indicator="5"')[1][:30]


def test_a_floor_and_stretch_item_is_judged_against_both(admin_client_, workshops):
    html = admin_client_.get("/monitoring/districts/330683/?year=2022").content.decode()

    row = _row(html, 1)
    assert _cell(row, "target") == "保1争2个"
    # one cluster: 1 / 1 of the floor, 1 / 2 of the stretch; schedule (2 + 2) / 10 = 40 %
    assert _cell(row, "floor-completion") == "100.0%"
    assert _cell(row, "stretch-completion") == "50.0%"
    assert _cell(row, "schedule") == "40.0%"


def test_the_year_switcher_shows_the_additions_up_to_that_year(admin_client_, workshops):
    html = admin_client_.get(f"{YUECHENG}?year=2021").content.decode()

    row = _row(html, 5)
    # 30 / 120 = 25.0 %; schedule 200 / 964 = 0.2075 (ratios are kept to 4 places), shown to
    # one place as the workbook's 0.0% shows it: 20.8 %
    assert '<span class="fw-semibold">30</span>' in _cell(row, "additions")
    assert (_cell(row, "floor-completion"), _cell(row, "schedule")) == ("25.0%", "20.8%")
    assert '<option value="2021" selected>' in html
    # 2023: the registry knows nothing yet, so 无数据, not 0
    later = _row(admin_client_.get(f"{YUECHENG}?year=2023").content.decode(), 5)
    assert "无数据" in _cell(later, "additions")
    assert _cell(later, "floor-completion") == "—"


def test_the_indicator_table_is_the_overviews_own(admin_client_, workshops):
    district = admin_client_.get(f"{YUECHENG}?year=2022").content.decode()
    overview = admin_client_.get(
        "/monitoring/?region=330602&year=2022", HTTP_HX_REQUEST="true"
    ).content.decode()

    table = overview.split('<div id="publish-bar"')[0].strip()
    assert table.startswith('<div id="overview-table"')
    assert table in district
    assert district.count('data-indicator="') == 6 + 21 + 6  # annex, overview, ranked rows


def test_the_districts_rank_in_the_ranking(admin_client_, workshops):
    html = admin_client_.get(f"{YUECHENG}?year=2022").content.decode()

    rank = html.split('data-testid="rank-table"')[1].split("</table>")[0]
    workshops_rank = rank.split('<tr data-indicator="5">')[1].split("</tr>")[0]
    # indicator 5: 越城区 58 / 120 = 48 % before 柯桥区 100 / 240 = 42 % and four at 0
    assert "48%" in workshops_rank and "第 1 / 6" in workshops_rank
    keqiao = admin_client_.get("/monitoring/districts/330603/?year=2022").content.decode()
    keqiao_rank = keqiao.split('data-testid="rank-table"')[1].split('<tr data-indicator="5">')[1]
    assert "第 2 / 6" in keqiao_rank.split("</tr>")[0]
    # the four districts at 0 % share the third place
    shengzhou = admin_client_.get("/monitoring/districts/330683/?year=2022").content.decode()
    tied = shengzhou.split('data-testid="rank-table"')[1].split('<tr data-indicator="5">')[1]
    assert "第 3 / 6" in tied.split("</tr>")[0]
    assert "综合排名第 <strong>1</strong> 名（共 6 个区县" in html
    assert 'href="/monitoring/ranking/?year=2022" data-testid="ranking-link"' in html


def test_the_annex_table_downloads_as_a_workbook(admin_client_, workshops):
    response = admin_client_.get(f"{YUECHENG}?year=2022&format=xlsx")

    ws = load_workbook(io.BytesIO(response.content)).active
    assert ws["A1"].value == "越城区2022年目标任务完成情况"
    assert [c.value for c in ws[2]] == [
        "序号", "项目内容", "单位", "五年目标", "保底目标", "争取目标", "规划期累计新增",
        "保底完成率", "争取完成率", "序时进度", "状态",
    ]  # fmt: skip
    (row,) = [r for r in ws.iter_rows(min_row=3) if r[0].value == 5]
    assert [c.value for c in row] == [
        5, "市级数字化车间", "个", "120", 120, 120, 58, 0.4833, 0.4833, 0.4149, "达到序时",
    ]  # fmt: skip
    assert row[7].number_format == "0.0%"
    (cluster,) = [r for r in ws.iter_rows(min_row=3, values_only=True) if r[0] == 1]
    assert cluster[3:7] == ("2", 2, 2, 0)  # 越城区: 保2, no cluster yet
    assert response["Content-Disposition"] == 'attachment; filename="district-330602-2022.xlsx"'


def test_a_district_officer_sees_only_its_own_district(yuecheng_client, workshops):
    own = yuecheng_client.get(f"{YUECHENG}?year=2022")
    assert own.status_code == 200
    html = own.content.decode()
    assert _cell(_row(html, 5), "floor-completion") == "48.3%"
    # its place among all districts, and the ranking (published in the 通报 anyway)
    rank = html.split('data-testid="rank-table"')[1].split('<tr data-indicator="5">')[1]
    assert "第 1 / 6" in rank.split("</tr>")[0]
    assert 'data-testid="ranking-link"' in html
    assert yuecheng_client.get("/monitoring/districts/330603/").status_code == 404
    assert yuecheng_client.get("/monitoring/districts/330603/?format=xlsx").status_code == 404
    assert yuecheng_client.get("/monitoring/districts/330600/").status_code == 404


def test_no_one_else_has_district_pages(admin_client_, enterprise_user, client, workshops):
    assert signed_in(enterprise_user).get(YUECHENG).status_code == 404
    assert admin_client_.get("/monitoring/districts/330600/").status_code == 404  # the city
    assert admin_client_.get("/monitoring/districts/999999/").status_code == 404
    assert client.get(YUECHENG).status_code == 302  # to the login page


def test_districts_are_linked_from_the_overview_and_the_ranking(admin_client_, workshops):
    table = admin_client_.get(
        "/monitoring/?region=330603&year=2022", HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'href="/monitoring/districts/330603/?year=2022"' in table
    ranking = admin_client_.get("/monitoring/ranking/?year=2022").content.decode()
    for code in ("330602", "330603", "330604", "330681", "330683", "330624"):
        assert f'href="/monitoring/districts/{code}/?year=2022"' in ranking
    overview = admin_client_.get("/monitoring/?year=2022").content.decode()
    assert '"/monitoring/districts/CODE/"' in overview  # the map and its table link each one


def test_district_page_queries_do_not_grow_with_the_data(
    admin_client_, workshops, django_assert_max_num_queries
):
    with django_assert_max_num_queries(55) as small:
        admin_client_.get(f"{YUECHENG}?year=2022")
    for serial in range(1, 41):
        firm = new_enterprise("越城区" if serial % 2 else "上虞区", serial)
        above_scale(firm, 2021, 2022)
        new_report(firm, 2021, employees=500, industrial_robots=15)
        new_report(firm, 2022, employees=500, industrial_robots=20)
    for district in ("越城区", "上虞区", "诸暨市"):
        for _ in range(10):
            make_title(WORKSHOP, district, 2022)
            make_title("municipal-smart-factory", district, 2021)
    recompute(workshops)
    with django_assert_max_num_queries(len(small.captured_queries)):
        html = admin_client_.get(f"{YUECHENG}?year=2022").content.decode()
    assert '<span class="fw-semibold">68</span>' in _cell(_row(html, 5), "additions")
