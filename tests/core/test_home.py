"""Each role lands on its work: the city on its cockpit; the district on its standing and its
queue; the enterprise on its to-do cards; the provider on the needs matched to it; the expert
on what waits for its score, with due dates."""

import datetime
import re

import pytest

from tests.accounts.factories import make_user
from tests.bridge.factories import make_match, make_need, make_provider_user, make_solution
from tests.conftest import signed_in
from tests.cultivation.factories import make_application, make_batch, make_expert
from tests.diagnosis.factories import make_assessment
from tests.enterprises.factories import make_enterprise, make_report
from zhizao.bridge.models import MatchStatus
from zhizao.core.roles import Role
from zhizao.cultivation.models import ApplicationStatus, ExpertReview
from zhizao.diagnosis.models import AssessmentStatus
from zhizao.enterprises.models import ReportStatus, ReviewAction, ReviewStep

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def firm(plan, enterprise_user):
    enterprise = make_enterprise("越城甲有限公司", "越城区")
    enterprise.members.add(enterprise_user)
    return enterprise


def card(html: str, testid: str) -> str:
    return html.split(f'data-testid="{testid}"')[1].split("</section>")[0]


def text_of(fragment: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", fragment).split())


def test_the_city_admin_lands_on_the_cockpit(admin_client_):
    response = admin_client_.get("/")

    assert (response.status_code, response["Location"]) == (302, "/monitoring/cockpit/")


def test_the_enterprise_lands_on_its_cards(firm, enterprise_user):
    # given its 2025 report returned with a reason, an unfinished self-assessment, a returned
    # application and a need with a match the provider has moved
    report = make_report(firm, 2025, ReportStatus.RETURNED)
    ReviewStep.objects.create(
        report=report,
        action=ReviewAction.RETURN,
        to_status=ReportStatus.RETURNED,
        comment="产值有误",
    )
    make_assessment(firm, 2026, status=AssessmentStatus.DRAFT)
    make_application(firm, make_batch(), ApplicationStatus.RETURNED)
    make_match(make_need(firm, title="冲压MES"), make_solution("方案一"))

    html = signed_in(enterprise_user).get("/").content.decode()

    report_card = text_of(card(html, "report-card"))
    assert "2025年智能制造数据" in report_card and "已退回" in report_card
    assert "退回原因：产值有误" in report_card
    assert "已逾期（截止 2026-03-31）" in report_card  # due 31 March of the next year
    assert f'href="/enterprises/{firm.pk}/reports/2025/"' in card(html, "report-card")
    assert "2026年自评估填写中" in text_of(card(html, "assessment-card"))
    assert "1 份被退回" in text_of(card(html, "applications-card"))
    assert "已推荐：1" in text_of(card(html, "needs-card"))
    # and its to-do list below: the returned report first
    assert 'data-tab="reports"' in html and "越城甲有限公司 2025年智能制造数据" in html


def test_an_enterprise_that_has_not_started_its_report_is_told_so(firm, enterprise_user):
    html = signed_in(enterprise_user).get("/").content.decode()

    assert "未填报" in text_of(card(html, "report-card"))
    assert "开始填报" in card(html, "report-card")
    inbox = signed_in(enterprise_user).get("/inbox/?tab=reports").content.decode()
    assert "越城甲有限公司 2025年智能制造数据" in inbox and "截止 2026-03-31" in inbox


def test_the_provider_lands_on_the_needs_matched_to_it(firm):
    provider = make_provider_user()
    make_match(make_need(firm, title="冲压MES"), make_solution("方案一", maintainers=[provider]))

    html = signed_in(provider).get("/").content.decode()

    assert "待响应：1" in text_of(card(html, "matched-card"))
    # the landing page's waiting list has the need once, with the entry it was matched through
    assert ">冲压MES</a>" in html and "方案一" in html


def test_the_provider_card_counts_needs_not_matches(firm):
    # given one need matched to the provider through two of its entries, and a second need
    # the provider is in contact about
    provider = make_provider_user()
    need = make_need(firm, title="冲压MES")
    make_match(need, make_solution("方案一", maintainers=[provider]))
    make_match(need, make_solution("方案二", maintainers=[provider]))
    make_match(
        make_need(firm, title="焊接MES"),
        make_solution("方案三", maintainers=[provider]),
        status=MatchStatus.CONTACTED,
    )

    html = signed_in(provider).get("/").content.decode()

    # then the card counts needs, as the matched-needs page's tabs do: one waits, one in contact
    matched = text_of(card(html, "matched-card"))
    assert "待响应：1" in matched and "对接中：1" in matched
    assert "待响应：2" not in matched


def test_the_expert_lands_on_what_waits_for_its_score(firm):
    expert = make_expert("王")
    application = make_application(firm, make_batch(), ApplicationStatus.EXPERT_REVIEW)
    ExpertReview.objects.create(
        application=application, expert=expert, due_on=datetime.date(2026, 12, 1)
    )

    html = signed_in(expert).get("/").content.decode()

    reviews = text_of(card(html, "reviews-card"))
    assert "1" in reviews and "已逾期（截止 2026-12-01）" in reviews
    assert "越城甲有限公司：市级数字化车间" in html


def test_the_district_lands_on_its_standing_and_its_queue(firm, yuecheng_client):
    make_report(firm, 2024, ReportStatus.SUBMITTED)

    html = yuecheng_client.get("/").content.decode()

    standing = text_of(card(html, "standing-card"))
    assert "越城区" in standing and "综合排名" in standing and "/ 6 名" in standing
    assert "越城甲有限公司 2024年智能制造数据" in html


def test_a_role_without_anything_waiting_is_told_so(plan):
    html = signed_in(make_user(Role.PROVIDER)).get("/").content.decode()

    assert 'data-testid="inbox-empty"' in html


def test_the_landing_page_runs_a_bounded_number_of_queries(
    firm, enterprise_user, django_assert_max_num_queries
):
    client = signed_in(enterprise_user)
    make_report(firm, 2025, ReportStatus.DRAFT)
    client.get("/")
    with django_assert_max_num_queries(40) as few:
        client.get("/")
    for serial in range(6):
        need = make_need(firm, title=f"需求{serial}")
        make_match(need, make_solution(f"方案{serial}"))
        batch = make_batch("municipal-smart-factory", number=100 + serial)
        make_application(firm, batch, ApplicationStatus.REJECTED)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/")
