"""`zhizao demo` leaves yearly reports in every state of the review loop (issue 12, checks)."""

from zhizao.accounts.models import User
from zhizao.accounts.services import create_demo_accounts
from zhizao.core.models import Notification
from zhizao.enterprises.demo import generate_demo
from zhizao.enterprises.demo.states import RETURN_REASON, report_states_demo_step
from zhizao.enterprises.models import ReportStatus, ReviewStep, YearlyReport
from zhizao.enterprises.services import reports_lacking_scale_status


def test_the_demo_leaves_a_report_in_every_state_of_the_loop(plan):
    # given the demo accounts and a small demo with approved reports up to 2024
    create_demo_accounts()
    generate_demo(200, years=range(2023, 2025))
    # when the report states step runs
    summary = report_states_demo_step(seed=1, years=range(2023, 2025))
    # then the demo enterprise account's 2025 report is returned with its reason
    member = User.objects.get(username="enterprise")
    own = YearlyReport.objects.get(enterprise__members=member, year=2025)
    assert own.status == ReportStatus.RETURNED
    assert own.steps.filter(action="return").get().comment == RETURN_REASON
    assert Notification.objects.filter(user=member, text__contains=RETURN_REASON).exists()
    # one is withdrawn, a draft again
    withdrawn = ReviewStep.objects.get(action="withdraw").report
    assert withdrawn.status == ReportStatus.DRAFT
    # reports wait for 越城区, for 柯桥区 and for the city
    submitted = YearlyReport.objects.filter(year=2025, status=ReportStatus.SUBMITTED)
    assert submitted.filter(enterprise__region__name="越城区").count() == 5
    assert submitted.filter(enterprise__region__name="柯桥区").count() == 6
    assert YearlyReport.objects.filter(status=ReportStatus.DISTRICT_APPROVED).count() == 4
    # one of them with a year-on-year jump and its comment
    assert submitted.exclude(comment="").count() == 2
    # and three approved reports lack an above-scale status
    city = User.objects.get(username="admin")
    assert reports_lacking_scale_status(city).count() == 3
    assert summary == (
        "年度报表流程：2025年退回 1 份、撤回 1 份、待区县审核 11 份、待市级审核 4 份；"
        "3 份已审核报表缺少规上状态。"
    )
    # and a second run leaves it all as it is
    again = report_states_demo_step(seed=1, years=range(2023, 2025))
    assert again == "年度报表流程：库中已有2025年报表，保留现有数据，不再生成。"
