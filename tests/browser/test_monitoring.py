"""A district officer opens the overview, sees only its district's figures, and drills down from
a figure to the enterprise behind it, in Chromium."""

import pytest
from playwright.sync_api import expect

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
    page.wait_for_url(f"{live_server.url}/")  # the officer lands on its 工作台
    page.locator("#main-nav").get_by_role("link", name="指标总览").click()
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
    # the link's page loads after the click: wait for its rows before reading them
    expect(rows.get_by_role("link")).to_have_text(["越城区示范智造有限公司"])
    assert "柯桥区" not in rows.inner_text()
    rows.get_by_role("link", name="越城区示范智造有限公司").click()
    assert page.get_by_test_id("report-status").inner_text() == "市级已审核"


@pytest.fixture
def city_figures(transactional_db):
    from tests.accounts.factories import make_city_admin

    plan = load_default_plan()
    firm = new_enterprise("柯桥区", 1, name="柯桥区示范智造有限公司")
    above_scale(firm, 2024)
    new_report(firm, 2024, employees=500, industrial_robots=25)
    recompute(plan)
    make_city_admin(username="city")


def test_city_admin_publishes_a_year_and_the_public_sees_it_without_login(
    browser, page, live_server, city_figures
):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("city")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/monitoring/cockpit/")  # the city lands on its 驾驶舱
    page.goto(f"{live_server.url}/monitoring/")
    page.select_option("#overview-year", "2023")
    page.wait_for_selector('[data-testid="publish-bar"][data-year="2023"]')
    page.select_option("#overview-year", "2024")
    # the publish bar follows the selected year without a reload
    page.wait_for_selector('[data-testid="publish-bar"][data-year="2024"][data-published="no"]')
    # a confirmation is asked; dismissing it publishes nothing
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_test_id("publish-button").click()
    assert page.get_by_test_id("publish-bar").get_attribute("data-published") == "no"
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("publish-button").click()
    page.wait_for_selector('[data-testid="publish-bar"][data-published="yes"]')
    # (a second message may follow: the year's titles published with it)
    assert page.get_by_role("alert").filter(has_text="2024年数据已发布").count() == 1

    # a visitor without an account finds the published figures from the login page
    visitor = browser.new_context(locale="zh-CN").new_page()
    visitor.goto(f"{live_server.url}/")
    visitor.get_by_test_id("public-dashboard-link").click()
    dashboard = visitor.get_by_test_id("public-dashboard")
    assert dashboard.get_attribute("data-year") == "2024"
    assert "500" in visitor.locator('tr[data-indicator="7"]').inner_text()
    visitor.get_by_test_id("public-regions").get_by_role("link", name="柯桥区").click()
    assert visitor.get_by_test_id("public-dashboard").get_attribute("data-region") == "柯桥区"
    assert "500" in visitor.locator('tr[data-indicator="7"]').inner_text()
    assert visitor.locator('a[href*="/monitoring/"]').count() == 0
    visitor.context.close()
