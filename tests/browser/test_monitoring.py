"""A district officer opens the overview, sees only its district's figures, and drills down from
a figure to the enterprise behind it, in Chromium."""

import pytest

from tests.accounts.factories import PASSWORD, make_district_officer
from tests.monitoring.test_engine import above_scale
from tests.plans.factories import load_default_plan
from tests.reports.conftest import new_enterprise, new_report
from zhizao.monitoring.engine import recompute

pytestmark = pytest.mark.browser


@pytest.fixture
def figures(transactional_db):
    plan = load_default_plan()
    for serial, district in ((1, "越城区"), (2, "柯桥区")):
        firm = new_enterprise(district, serial, name=f"{district}示范智造有限公司")
        above_scale(firm, 2024)
        new_report(firm, 2024, employees=500, industrial_robots=25 * serial)
    recompute(plan)
    make_district_officer("越城区", username="officer")


def test_district_officer_drills_down_from_a_figure_to_an_enterprise(page, live_server, figures):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("officer")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/monitoring/")
    # only its own district is offered and shown
    assert page.locator("#overview-region option").all_inner_texts() == ["越城区"]
    page.select_option("#overview-year", "2024")
    page.wait_for_selector('[data-testid="overview"][data-year="2024"]')
    robots = page.locator('tr[data-indicator="7"]')
    assert "500" in robots.inner_text()  # 25 robots / 500 staff × 10000
    robots.get_by_role("link").click()
    page.get_by_test_id("indicator-values").get_by_role("link", name="500").click()
    rows = page.get_by_test_id("indicator-rows")
    assert rows.get_by_role("link").all_inner_texts() == ["越城区示范智造有限公司"]
    assert "柯桥区" not in rows.inner_text()
    rows.get_by_role("link", name="越城区示范智造有限公司").click()
    assert page.get_by_test_id("report-status").inner_text() == "市级已审核"
