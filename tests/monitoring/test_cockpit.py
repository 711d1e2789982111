"""The 驾驶舱 and the ranking: who is behind, coloured by status, worst first, drilling down to
the rows behind each figure; the ranking sorted by place, for the city and the districts, and as
a workbook with its ranks and colours."""

import io

import pytest
from django.core.cache import cache
from openpyxl import load_workbook

from tests.conftest import signed_in
from tests.monitoring.test_engine import above_scale
from tests.reports.conftest import new_enterprise, new_report
from zhizao.monitoring.engine import recompute

COCKPIT = "/monitoring/cockpit/"
RANKING = "/monitoring/ranking/"


@pytest.fixture
def robots(plan):
    """Robot density (indicator 7), 2020 → 2024: 越城区 100 → 500 (past the city's 400: green
    whatever it is measured from); 柯桥区 300 → 100 (it fell: red). Every other field is the
    same in both districts, so they differ only on indicator 7."""
    for serial, district, before, after in ((1, "越城区", 2, 10), (2, "柯桥区", 6, 2)):
        firm = new_enterprise(district, serial)
        above_scale(firm, 2020, 2024)
        new_report(firm, 2020, employees=200, industrial_robots=before)
        new_report(firm, 2024, employees=200, industrial_robots=after)
    recompute(plan)
    return plan


def _row(html: str, district: str) -> str:
    return html.split(f'<tr data-region="{district}"')[1].split("</tr>")[0]


def _cell(row: str, number: int) -> str:
    return row.split(f'data-indicator="{number}"')[1].split("</td>")[0]


def test_the_cockpit_colours_each_district_and_puts_the_worst_first(admin_client_, robots):
    html = admin_client_.get(f"{COCKPIT}?year=2024").content.decode()

    grid = html.split('data-testid="cockpit-grid"')[1].split("</table>")[0]
    # 柯桥区 has one more red indicator than 越城区: its row comes first
    assert grid.index('data-region="柯桥区"') < grid.index('data-region="越城区"')
    keqiao, yuecheng = _row(grid, "柯桥区"), _row(grid, "越城区")
    assert 'data-status="red"' in _cell(keqiao, 7)[:30]
    assert 'data-status="green"' in _cell(yuecheng, 7)[:30]
    reds = int(keqiao.split('data-testid="red-count">')[1].split("<")[0])
    assert int(yuecheng.split('data-testid="red-count">')[1].split("<")[0]) == reds - 1
    # each cell links to the enterprises behind its figure, with the value in its tooltip
    cell = _cell(keqiao, 7)
    assert 'href="/monitoring/indicators/7/rows/?region=330603&amp;year=2024"' in cell
    assert "实际值 100 台/万人" in cell  # 2 robots / 200 staff × 10000
    # the city row and the city's counts by status (21 indicators in all)
    assert 'data-region="绍兴市"' in grid
    counts = html.split('data-testid="city-counts"')[1].split("</section>")[0]
    numbers = [int(part.split('"')[0]) for part in counts.split('data-count="')[1:]]
    assert sum(numbers) == 21


def test_the_red_cells_furthest_behind_are_listed(admin_client_, robots):
    html = admin_client_.get(f"{COCKPIT}?year=2024").content.decode()

    behind = html.split('data-testid="behind"')[1].split("</section>")[0]
    assert "柯桥区 · 7. 制造业机器人密度" in behind
    assert "越城区 · 7." not in behind


def test_cockpit_queries_are_bounded_whatever_the_data(
    admin_client_, robots, django_assert_max_num_queries
):
    cache.clear()
    with django_assert_max_num_queries(90) as cold:
        admin_client_.get(f"{COCKPIT}?year=2024")
    with django_assert_max_num_queries(10):
        admin_client_.get(f"{COCKPIT}?year=2024")  # the figures are cached per state
    for serial in range(10, 40):
        firm = new_enterprise(("上虞区", "诸暨市", "嵊州市")[serial % 3], serial)
        above_scale(firm, 2024)
        new_report(firm, 2024)
    recompute(robots)
    cache.clear()
    with django_assert_max_num_queries(len(cold.captured_queries)):
        admin_client_.get(f"{COCKPIT}?year=2024")


def test_a_district_officer_sees_its_own_row_and_its_place(yuecheng_client, robots):
    html = yuecheng_client.get(f"{COCKPIT}?year=2024").content.decode()

    grid = html.split('data-testid="cockpit-grid"')[1].split("</table>")[0]
    assert 'data-region="越城区"' in grid
    assert 'data-region="柯桥区"' not in grid and 'data-region="绍兴市"' not in grid
    assert 'data-testid="standing"' in html  # with its place among all districts
    # its landing page (the overview) gives its place among all districts
    overview = yuecheng_client.get("/monitoring/?year=2024").content.decode()
    standing = overview.split('data-testid="standing"')[1].split("</section>")[0]
    assert "越城区 2024年综合排名" in standing
    assert 'href="/monitoring/ranking/?year=2024"' in standing


def test_the_ranking_is_sorted_by_place_and_coloured(admin_client_, robots):
    html = admin_client_.get(f"{RANKING}?year=2024").content.decode()

    table = html.split('data-testid="ranking"')[1].split("</table>")[0]
    places = [
        (row.split('"')[0], row.split('data-place="')[1].split('"')[0])
        for row in table.split('<tr data-region="')[1:]
    ]
    assert [int(p) for _, p in places if p] == sorted(int(p) for _, p in places if p)
    names = [name for name, _ in places]
    assert names.index("越城区") < names.index("柯桥区")  # ahead on robots, level elsewhere
    keqiao = _cell(_row(table, "柯桥区"), 7)
    assert 'data-status="red"' in keqiao[:30] and "第2" in keqiao


def test_district_officers_see_the_whole_ranking_and_others_none(
    yuecheng_client, enterprise_user, robots
):
    response = yuecheng_client.get(f"{RANKING}?year=2024")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-region="柯桥区"' in html and 'data-region="越城区" data-place' in html
    assert 'data-testid="ranking-menu"' in html
    # another district's page stays closed to it
    assert 'href="/monitoring/districts/330603/' not in html
    visitor = signed_in(enterprise_user)
    assert visitor.get(RANKING).status_code == 404
    assert visitor.get(COCKPIT).status_code == 404


def test_the_ranking_workbook_has_the_places_and_the_colours(admin_client_, robots):
    response = admin_client_.get(f"{RANKING}?year=2024&format=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active

    assert sheet["A1"].value == "2024年区县五年进度排名"
    headers = [c.value for c in sheet[2]]
    assert headers[:3] == ["名次", "区县", "平均名次"]
    column = headers.index("7. 制造业机器人密度 五年进度") + 1
    assert headers[column] == "7. 名次"
    rows = {sheet.cell(row=r, column=2).value: r for r in range(3, sheet.max_row + 1)}
    yuecheng, keqiao = rows["越城区"], rows["柯桥区"]
    assert yuecheng < keqiao  # sorted by place
    assert sheet.cell(row=yuecheng, column=1).value < sheet.cell(row=keqiao, column=1).value
    assert sheet.cell(row=yuecheng, column=column + 1).value == 1
    assert sheet.cell(row=keqiao, column=column + 1).value == 2
    assert sheet.cell(row=keqiao, column=column).fill.fgColor.rgb == "00F8D7DA"  # red
    assert sheet.cell(row=yuecheng, column=column).fill.fgColor.rgb == "00D1E7DD"  # green
    assert sheet.cell(row=keqiao, column=column).number_format == "0.0%"
