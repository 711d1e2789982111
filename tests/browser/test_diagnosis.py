"""An enterprise completes its self-assessment on a phone-sized screen and opens the report: most
answers were given in earlier sittings (saved through the service), the rest are clicked here,
each saved as it is clicked and still there after the page is loaded again; then it submits,
sees S and its level, the radar chart drawn, and downloads the PDF."""

import pytest

from tests.accounts.factories import make_user
from tests.browser.helpers import log_in
from tests.diagnosis.test_pages import answers_up_to
from tests.enterprises.factories import make_enterprise
from tests.plans.factories import load_default_plan
from zhizao.core.roles import Role
from zhizao.diagnosis.models import AssessmentStatus, SelfAssessment
from zhizao.diagnosis.services import save_answers, start_assessment

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
LEFT_FOR_THE_BROWSER = ("OS-1-01", "OS-2-01", "PV-2-01")  # 组织战略 (section 1), 服务 (12)


@pytest.fixture
def draft(transactional_db):
    load_default_plan()
    enterprise = make_enterprise("越城智造示范有限公司", region="越城区", cluster="现代纺织")
    member = make_user(Role.ENTERPRISE, "越城区", username="member")
    enterprise.members.add(member)
    assessment = start_assessment(enterprise, member, "离散型", 2025)
    answers = answers_up_to(2)
    for rid in LEFT_FOR_THE_BROWSER:
        del answers[rid]
    save_answers(assessment, member, answers)
    return assessment


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    yield page
    context.close()


def answer(page, rid: str, label: str) -> None:
    page.locator(f"#q-{rid}").get_by_text(label, exact=True).click()
    # saved by htmx as it is clicked
    page.locator(f"#saved-{rid}").get_by_text("已保存").wait_for()


def test_an_enterprise_completes_its_self_assessment_and_opens_the_report(
    phone, live_server, draft
):
    page = phone
    log_in(page, live_server, "member")
    page.goto(f"{live_server.url}/diagnosis/")
    assert "已答 148/151" in page.get_by_test_id("own-enterprise").inner_text()
    page.get_by_test_id("continue").click()

    # the first section: two answers left, clicked here
    assert "组织战略" in page.get_by_test_id("section-title").inner_text()
    answer(page, "OS-1-01", "全部满足")
    answer(page, "OS-2-01", "部分满足")
    assert page.get_by_test_id("answered").inner_text() == "150"

    # a second page load finds them kept
    page.reload()
    assert page.locator('#q-OS-1-01 input[value="全部满足"]').is_checked()
    assert page.locator('#q-OS-2-01 input[value="部分满足"]').is_checked()
    # changing one's mind is saved too
    answer(page, "OS-2-01", "全部满足")

    # submitting with one left names it
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("submit").click()
    page.wait_for_load_state()
    assert "PV-2-01" in page.get_by_test_id("missing").inner_text()
    assert "服务" in page.get_by_test_id("section-title").inner_text()

    # the last one, then submit
    answer(page, "PV-2-01", "全部满足")
    assert page.get_by_test_id("answered").inner_text() == "151"
    page.get_by_test_id("submit").click()
    page.wait_for_url(f"**/diagnosis/assessments/{draft.pk}/")

    # the report: S and the level, the radar drawn with the 12 domains
    assert page.get_by_test_id("score-level").inner_text() == "2.00 · 二级 规范级"
    page.locator("#radar-chart canvas").wait_for()
    domains = page.evaluate(
        "echarts.getInstanceByDom(document.getElementById('radar-chart'))"
        ".getOption().radar[0].indicator.length"
    )
    assert domains == 12
    # the PDF link answers a PDF
    href = page.get_by_test_id("report-pdf").get_attribute("href")
    response = page.request.get(f"{live_server.url}{href}")
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")

    draft.refresh_from_db()
    assert draft.status == AssessmentStatus.SUBMITTED
    assert SelfAssessment.objects.get(pk=draft.pk).answers["OS-2-01"] == "全部满足"
