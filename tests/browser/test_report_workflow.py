"""An enterprise files and submits its report, the district approves it, the city approves and
locks the year: the whole path in Chromium."""

import pytest
from playwright.sync_api import expect

from tests.accounts.factories import make_city_admin, make_district_officer, make_user
from tests.browser.helpers import log_in
from tests.plans.factories import load_default_plan
from tests.reports.conftest import GOOD_VALUES, new_enterprise
from zhizao.core.roles import Role
from zhizao.enterprises.fields import FIELDS_BY_NAME
from zhizao.enterprises.models import ReportStatus, YearLock, YearlyReport

pytestmark = pytest.mark.browser


@pytest.fixture
def people(transactional_db):
    load_default_plan()
    enterprise = new_enterprise("越城区", 1, name="越城智造示范有限公司")
    member = make_user(Role.ENTERPRISE, "越城区", username="member")
    enterprise.members.add(member)
    make_district_officer("越城区", username="officer")
    make_city_admin(username="city")
    return enterprise


def test_report_goes_from_enterprise_to_city_and_the_year_is_locked(page, live_server, people):
    enterprise = people
    # the enterprise fills in its 2025 figures on the form and submits
    log_in(page, live_server, "member")
    # it lands on its 工作台, whose report card leads to its enterprise's page
    page.get_by_test_id("report-card").get_by_role("link", name="企业档案").click()
    expect(page.get_by_test_id("enterprise-name")).to_have_text("越城智造示范有限公司")
    page.get_by_test_id("fill-in-2025").click()
    for name, value in GOOD_VALUES.items():
        field = (
            page.get_by_label(FIELDS_BY_NAME[name].label, exact=True)
            if FIELDS_BY_NAME[name].kind != "bool"
            else None
        )
        if field is not None:
            field.fill(str(value))
    page.get_by_label("ERP（企业资源计划）").check()
    page.get_by_role("button", name="保存并提交").click()
    expect(page.get_by_test_id("report-status")).to_have_text("已提交，待区县审核")

    # the district officer finds it waiting in its 待办 and approves it
    log_in(page, live_server, "officer")
    page.get_by_test_id("inbox-link").click()
    page.get_by_test_id("inbox").get_by_role(
        "link", name="越城智造示范有限公司 2025年智能制造数据"
    ).click()
    page.get_by_label("审核意见（退回时必填）").fill("数据核实无误")
    page.get_by_role("button", name="区县审核通过").click()
    expect(page.get_by_test_id("report-status")).to_have_text("区县已审核，待市级审核")

    # the city approves it and locks the year
    log_in(page, live_server, "city")
    page.get_by_test_id("inbox-link").click()
    page.get_by_test_id("inbox").get_by_role(
        "link", name="越城智造示范有限公司 2025年智能制造数据"
    ).click()
    page.get_by_role("button", name="市级审核通过").click()
    expect(page.get_by_test_id("report-status")).to_have_text("市级已审核")
    steps = page.get_by_test_id("review-steps").inner_text()
    assert "区县审核通过" in steps and "数据核实无误" in steps
    page.locator("#main-nav").get_by_role("button", name="更多").click()
    page.get_by_role("link", name="年度锁定").click()
    row = page.locator('tr[data-year="2025"]')
    row.get_by_role("button", name="锁定").click()
    expect(page.locator('tr[data-year="2025"]')).to_contain_text("已锁定")

    report = YearlyReport.objects.get(enterprise=enterprise, year=2025)
    assert report.status == ReportStatus.CITY_APPROVED
    assert report.uses_erp is True and report.employees == 200
    assert YearLock.objects.get(year=2025).locked
