"""A city official logs in, reads the plan page and downloads the workbook, in Chromium."""

import re

import pytest
from openpyxl import load_workbook

from tests.accounts.factories import PASSWORD, make_city_admin, make_district_officer
from tests.plans.factories import load_default_plan

pytestmark = pytest.mark.browser


@pytest.fixture
def loaded(transactional_db):
    load_default_plan()
    return make_city_admin(username="city-admin"), make_district_officer("柯桥区", username="kq")


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/")
    assert page.get_by_role("heading", name="登录智造平台").is_visible()
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r".*/(monitoring/cockpit/)?$"))  # 驾驶舱 or 工作台
    page.goto(f"{live_server.url}/plans/shaoxing-2021-2025/")


def test_city_admin_reads_the_plan_and_downloads_the_workbook(page, live_server, loaded, tmp_path):
    # when
    log_in(page, live_server, "city-admin")
    # then: the plan's two tables as the plan prints them
    indicator_rows = page.get_by_test_id("indicator-table").locator("tbody tr")
    assert indicator_rows.count() == 21
    assert indicator_rows.nth(7).locator("td").nth(2).inner_text() == "65%"
    assert indicator_rows.nth(19).locator("td").nth(4).inner_text() == "7（年均）"
    region_rows = page.get_by_test_id("region-table").locator("tbody tr")
    assert region_rows.nth(0).locator("td").nth(7).inner_text() == "保1争2"
    assert page.get_by_test_id("plan-history").is_visible()
    # and the one-click download is a real workbook with both tables
    with page.expect_download() as download_info:
        page.get_by_test_id("download-plan").click()
    download = download_info.value
    assert download.suggested_filename == "shaoxing-2021-2025.xlsx"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["主要目标", "目标任务表"]
    assert workbook["主要目标"]["J8"].value == 837
    page.screenshot(path=str(tmp_path / "plan-page.png"), full_page=True)


def test_district_officer_sees_only_its_column_and_no_history(page, live_server, loaded):
    log_in(page, live_server, "kq")
    header = page.get_by_test_id("region-table").locator("thead th").all_inner_texts()
    assert header == ["项目内容", "全市目标", "现有基数", "柯桥区"]
    assert page.get_by_test_id("plan-history").count() == 0
    assert "柯桥区" in page.get_by_test_id("current-user").inner_text()


def test_page_fits_a_phone_screen(browser, live_server, loaded):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    log_in(page, live_server, "city-admin")
    # the page itself does not scroll sideways: wide tables scroll inside their own box
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    context.close()
