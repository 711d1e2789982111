"""The overview page: every indicator's standing, scoped, swapped in place by the selectors."""

from tests.conftest import signed_in
from tests.monitoring.test_engine import above_scale
from tests.reports.conftest import new_enterprise, new_report
from zhizao.monitoring.engine import recompute


def grow_data(plan, firms: int):
    """Firms alternating between 柯桥区 and 越城区, each with 500 staff and robots: 10 in the
    base year 2020 (density 200, the districts' own base), 15 in 2023 and 25 in 2024 (500)."""
    for serial in range(1, firms + 1):
        firm = new_enterprise("柯桥区" if serial % 2 else "越城区", serial)
        above_scale(firm, 2020, 2023, 2024)
        new_report(firm, 2020, employees=500, industrial_robots=10)
        new_report(firm, 2023, employees=500, industrial_robots=15)
        new_report(firm, 2024, employees=500, industrial_robots=25)
    recompute(plan)


def test_city_overview_shows_every_indicator_with_its_status(admin_client_, plan):
    grow_data(plan, 2)
    html = admin_client_.get("/monitoring/?year=2024").content.decode()
    assert html.count('data-indicator="') == 21
    robots = html.split('data-indicator="7"')[1].split("</tr>")[0]
    # 2 firms × 25 robots / 1000 staff × 10000 = 500 ≥ the year's 355: green
    assert 'data-status="green"' in html.split('data-indicator="7"')[0][-40:] + robots[:40]
    assert ">500<" in robots
    assert 'data-indicator="19" data-status="no_data"' in html


def test_overview_queries_do_not_grow_with_the_data(
    admin_client_, plan, django_assert_max_num_queries
):
    grow_data(plan, 2)
    with django_assert_max_num_queries(18) as small:
        admin_client_.get("/monitoring/?year=2024")
    grow_data_more = 40
    for serial in range(100, 100 + grow_data_more):
        firm = new_enterprise("上虞区", serial)
        above_scale(firm, 2024)
        new_report(firm, 2024)
    recompute(plan)
    with django_assert_max_num_queries(len(small.captured_queries)):
        admin_client_.get("/monitoring/?year=2024")


def test_selectors_swap_only_the_table(admin_client_, plan):
    response = admin_client_.get("/monitoring/?year=2023&region=330603", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="overview-table"')
    assert 'data-region="柯桥区" data-year="2023"' in html
    assert "<html" not in html


def test_district_officer_sees_its_district_and_gets_404_for_another(yuecheng_client, plan):
    html = yuecheng_client.get("/monitoring/").content.decode()
    assert 'data-region="越城区"' in html
    assert "绍兴市</option>" not in html
    assert yuecheng_client.get("/monitoring/?region=330603").status_code == 404
    assert yuecheng_client.get("/monitoring/?region=330600").status_code == 404


def test_enterprise_users_have_no_overview(enterprise_user):
    assert signed_in(enterprise_user).get("/monitoring/").status_code == 404


def test_indicator_page_traces_a_figure_to_its_reports(admin_client_, plan):
    grow_data(plan, 2)
    page = admin_client_.get("/monitoring/indicators/7/").content.decode()
    # the formula in plain Chinese, generated from the plan's formula (kept as the tooltip)
    assert "在役工业机器人之和 ÷ 从业人员之和 × 10000" in page
    assert 'title="sum(industrial_robots) / sum(employees) * 10000"' in page
    keqiao = page.split('data-region="柯桥区"')[1].split("</tr>")[0]
    assert "/monitoring/indicators/7/rows/?region=330603&year=2024" in keqiao
    assert "1/1 家报送" in keqiao
    rows = admin_client_.get("/monitoring/indicators/7/rows/?region=330603&year=2024")
    html = rows.content.decode()
    assert "柯桥区测试企业1有限公司" in html and "越城区测试企业2有限公司" not in html
    assert "在役工业机器人（台）" in html


def test_district_officer_cannot_drill_into_another_district(yuecheng_client, plan):
    grow_data(plan, 2)
    assert (
        yuecheng_client.get("/monitoring/indicators/7/rows/?region=330603&year=2024").status_code
        == 404
    )
    own = yuecheng_client.get("/monitoring/indicators/7/rows/?region=330602&year=2024")
    assert "越城区测试企业2有限公司" in own.content.decode()


def test_map_colours_each_visible_district_by_its_progress(admin_client_, yuecheng_client, plan):
    grow_data(plan, 2)
    data = admin_client_.get("/monitoring/map-data/?indicator=7&year=2024").json()
    assert data["map"] == "绍兴"
    keqiao = next(d for d in data["districts"] if d["name"] == "柯桥区")
    # a rate, from 柯桥区's own 200 of 2020 to the city's 400: (500 − 200) / (400 − 200) = 150 %
    # (not from the city's 214: (500 − 214) / 186 = 153.8 %)
    assert (keqiao["actual"], keqiao["value"], keqiao["status"]) == (500, 150.0, "green")
    assert next(d for d in data["districts"] if d["name"] == "上虞区")["value"] is None
    own = yuecheng_client.get("/monitoring/map-data/?indicator=7&year=2024").json()
    assert [d["name"] for d in own["districts"]] == ["越城区"]


def test_map_boundaries_come_from_the_npm_package(admin_client_, plan):
    response = admin_client_.get("/monitoring/map.js")
    assert response["Content-Type"].startswith("text/javascript")
    assert "registerMap('绍兴'" in b"".join(response.streaming_content).decode()


def test_overview_downloads_as_a_workbook(admin_client_, plan):
    import io

    from openpyxl import load_workbook

    grow_data(plan, 2)
    response = admin_client_.get("/monitoring/?year=2024&region=330603&format=xlsx")
    ws = load_workbook(io.BytesIO(response.content)).active
    assert ws["A1"].value == "柯桥区2024年指标进度"
    robots = [c.value for c in ws[9]]
    # 柯桥区: 1 firm, 25 robots / 500 staff → 500; progress from its own 200 of 2020:
    # (500 − 200) / (400 − 200) = 1.5
    assert robots[:5] == ["智能普及", 7, "制造业机器人密度", "台/万人", 500]
    assert robots[8] == 1.5 and ws.cell(row=9, column=9).number_format == "0.0%"
    assert ws.freeze_panes == "A3"


def test_the_overview_never_shows_figures_older_than_the_last_recompute(admin_client_, plan):
    grow_data(plan, 2)
    before = admin_client_.get("/monitoring/?year=2024&region=330603").content.decode()
    assert ">500<" in before.split('data-indicator="7"')[1].split("</tr>")[0]
    # when 柯桥区's firm adds 25 robots and the values are recomputed
    from zhizao.enterprises.models import YearlyReport

    YearlyReport.objects.filter(year=2024, enterprise__region__name="柯桥区").update(
        industrial_robots=50
    )
    recompute(plan)
    after = admin_client_.get("/monitoring/?year=2024&region=330603").content.decode()
    assert ">1000<" in after.split('data-indicator="7"')[1].split("</tr>")[0]


def test_indicator_table_downloads_as_a_workbook(admin_client_, plan):
    import io

    from openpyxl import load_workbook

    grow_data(plan, 2)
    indicator = load_workbook(
        io.BytesIO(admin_client_.get("/monitoring/indicators/7/?format=xlsx").content)
    ).active
    assert [c.value for c in indicator[2]][:2] == ["地区", "2020年"]
    keqiao = next(r for r in indicator.iter_rows(min_row=3, values_only=True) if r[0] == "柯桥区")
    assert keqiao[5] == 500  # 2024: 25 robots / 500 staff × 10000
