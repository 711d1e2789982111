"""The review loop in Chromium (issue 12): the district returns a report with a reason, the
enterprise sees the reason, corrects the figure and submits again, the district and the city
approve, and the district's figure for the year changes."""

import pytest

from tests.accounts.factories import make_city_admin, make_district_officer, make_user
from tests.browser.test_report_workflow import log_in
from tests.plans.factories import load_default_plan
from tests.reports.conftest import GOOD_VALUES, new_enterprise, new_report
from zhizao.core.roles import Role
from zhizao.enterprises.models import ReportStatus, ScaleStatus
from zhizao.enterprises.services import save_report, submit_report
from zhizao.monitoring.engine import recompute
from zhizao.monitoring.models import IndicatorValue

pytestmark = pytest.mark.browser


def robot_density(year: int):
    value = IndicatorValue.objects.get(
        indicator__name="制造业机器人密度", region__name="越城区", year=year
    )
    return value.value


@pytest.fixture
def loop(transactional_db, settings):
    settings.ZHIZAO_TASKS_INLINE = True  # the recompute runs as the city approves
    plan = load_default_plan()
    # another 越城 enterprise counts for 2025: 25 robots, 500 employees → 500 台/万人
    counted = new_enterprise("越城区", 2, name="越城已审核企业有限公司")
    new_report(counted, 2025, employees=500, industrial_robots=25)
    ScaleStatus.objects.create(enterprise=counted, year=2025, above_scale=True)
    # this one was above scale in 2024 and submits 2025 (8 robots, 200 employees)
    enterprise = new_enterprise("越城区", 1, name="越城智造示范有限公司")
    new_report(enterprise, 2024)
    ScaleStatus.objects.create(enterprise=enterprise, year=2024, above_scale=True)
    member = make_user(Role.ENTERPRISE, "越城区", username="member")
    enterprise.members.add(member)
    submit_report(save_report(enterprise, 2025, GOOD_VALUES, member), member)
    make_district_officer("越城区", username="officer")
    make_city_admin(username="city")
    recompute(plan)
    return enterprise


def test_returned_report_is_corrected_resubmitted_approved_and_the_figure_changes(
    page, live_server, loop
):
    enterprise = loop
    assert robot_density(2025) == 500
    report_url = f"{live_server.url}/enterprises/{enterprise.pk}/reports/2025/"
    # the district officer finds it waiting and returns it with a reason
    log_in(page, live_server, "officer")
    page.goto(f"{live_server.url}/enterprises/reviews/")
    page.get_by_test_id("review-queue").get_by_role("link", name="越城智造示范有限公司").click()
    page.get_by_label("审核意见（退回时必填）").fill("在役机器人数与设备台账不符，应为 12 台")
    page.get_by_role("button", name="退回").click()
    assert page.get_by_test_id("report-status").inner_text() == "已退回"

    # the enterprise sees the reason, corrects the figure and submits again
    log_in(page, live_server, "member")
    page.goto(report_url)
    assert "应为 12 台" in page.get_by_test_id("return-reason").inner_text()
    assert page.get_by_test_id("previous-industrial_robots").inner_text() == "上年 8"
    page.get_by_label("在役工业机器人（台）", exact=True).fill("12")
    page.get_by_role("button", name="保存并提交").click()
    assert page.get_by_test_id("report-status").inner_text() == "已提交，待区县审核"

    # the district approves it, seeing 上年 / 本年 / 变化
    log_in(page, live_server, "officer")
    page.goto(report_url)
    robots = page.locator('[data-testid="report-figures"] tr[data-field="industrial_robots"]')
    assert robots.locator("td").all_inner_texts()[:2] == ["8", "12"]
    page.get_by_role("button", name="区县审核通过").click()
    assert page.get_by_test_id("report-status").inner_text() == "区县已审核，待市级审核"

    # the city approves it; the history shows each step
    log_in(page, live_server, "city")
    page.goto(report_url)
    page.get_by_role("button", name="市级审核通过").click()
    assert page.get_by_test_id("report-status").inner_text() == "市级已审核"
    steps = page.get_by_test_id("review-steps").inner_text()
    assert steps.count("提交") >= 2 and "应为 12 台" in steps
    assert enterprise.reports.get(year=2025).status == ReportStatus.CITY_APPROVED

    # and 越城区's 2025 robot density counts it: (25 + 12) / (500 + 200) × 10,000 = 528.57…
    assert round(float(robot_density(2025)), 2) == 528.57
