"""The city admin opens the 驾驶舱, finds a red cell, drills down to the enterprises behind it,
sorts them and downloads them, in Chromium."""

import pytest
from openpyxl import load_workbook

from tests.accounts.factories import make_city_admin
from tests.browser.helpers import log_in
from tests.monitoring.test_engine import above_scale
from tests.plans.factories import load_default_plan
from tests.reports.conftest import new_enterprise, new_report
from zhizao.monitoring.engine import recompute

pytestmark = pytest.mark.browser


@pytest.fixture
def figures(transactional_db):
    """Robot density 2020 (and 2023) → 2024: 越城区 100 → 500 (green); 柯桥区 300 → 125 (red), where
    柯桥区示范智造 (1000 staff, 5 robots) holds the figure back more than 柯桥区精密机械
    (200 staff, 10 robots)."""
    plan = load_default_plan()
    firm = new_enterprise("越城区", 1)
    above_scale(firm, 2020, 2024)
    new_report(firm, 2020, employees=200, industrial_robots=2)
    new_report(firm, 2024, employees=200, industrial_robots=10)
    for serial, name, staff, before, after in (
        (2, "柯桥区示范智造有限公司", 1000, 30, 5),
        (3, "柯桥区精密机械有限公司", 200, 6, 10),
    ):
        firm = new_enterprise("柯桥区", serial, name=name)
        above_scale(firm, 2020, 2023, 2024)
        for year in (2020, 2023):
            new_report(firm, year, employees=staff, industrial_robots=before)
        new_report(firm, 2024, employees=staff, industrial_robots=after)
    recompute(plan)
    make_city_admin(username="city")


def test_the_city_finds_a_red_cell_and_exports_the_enterprises_behind_it(
    page, live_server, figures, tmp_path
):
    log_in(page, live_server, "city")
    page.get_by_test_id("cockpit-menu").click()
    page.select_option("#cockpit-year", "2024")
    page.wait_for_url("**/monitoring/cockpit/?year=2024")

    grid = page.get_by_test_id("cockpit-grid")
    rows = grid.locator("tbody tr[data-region]")
    # the city first, then the district with the most red
    assert rows.nth(1).get_attribute("data-region") == "柯桥区"
    cell = grid.locator('tr[data-region="柯桥区"] td[data-indicator="7"]')
    assert cell.get_attribute("data-status") == "red"
    assert "实际值 125 台/万人" in cell.locator("a").get_attribute("title")  # 15 / 1200
    cell.locator("a").click()
    page.wait_for_url("**/monitoring/indicators/7/rows/?region=330603&year=2024")

    table = page.get_by_test_id("indicator-rows")
    table.wait_for()
    names = table.locator("tbody tr").evaluate_all("rows => rows.map(r => r.dataset.enterprise)")
    # contribution to the shortfall at 355: 35.5 − 5 = 30.5 before 7.1 − 10 = −2.9
    assert names == ["柯桥区示范智造有限公司", "柯桥区精密机械有限公司"]
    page.select_option("#rows-sort", "value")
    page.wait_for_url("**sort=value**")
    names = table.locator("tbody tr").evaluate_all("rows => rows.map(r => r.dataset.enterprise)")
    assert names == ["柯桥区精密机械有限公司", "柯桥区示范智造有限公司"]  # 500 before 50

    with page.expect_download() as download:
        page.get_by_test_id("rows-xlsx").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    sheet = load_workbook(path).active
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert [r[0] for r in rows] == ["柯桥区精密机械有限公司", "柯桥区示范智造有限公司"]
    assert rows[1][2:5] == (50, 300, -250)  # its own density, last year's, the change
