"""梯度培育 in Chromium: one application walks from draft to recognition through all four roles,
and a district officer who types another district's addresses gets 404 pages."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.accounts.factories import make_city_admin, make_district_officer, make_user
from tests.browser.helpers import log_in
from tests.cultivation.factories import make_application, make_batch
from tests.cultivation.test_attachments import pdf_bytes
from tests.enterprises.factories import make_enterprise
from tests.plans.factories import load_default_plan
from zhizao.core.roles import Role
from zhizao.cultivation.models import ApplicationStatus, Title
from zhizao.cultivation.services import add_attachment

pytestmark = pytest.mark.browser


def open_waiting(page, live_server, project):
    page.goto(f"{live_server.url}/cultivation/applications/?tab=waiting")
    page.get_by_test_id("application-table").get_by_role("link", name=project).click()


@pytest.fixture
def people(transactional_db):
    load_default_plan()
    firm = make_enterprise("越城智造示范有限公司", region="越城区")
    firm.members.add(make_user(Role.ENTERPRISE, "越城区", username="member"))
    make_district_officer("越城区", username="officer")
    make_city_admin(username="city")
    for username, name in (("expert-wang", "王专家"), ("expert-li", "李专家")):
        make_user(Role.EXPERT, username=username, full_name=name)
    today = timezone.localdate()
    make_batch(
        "municipal-digital-workshop",
        year=today.year,
        number=1,
        opens_on=today,
        closes_on=today + datetime.timedelta(days=30),
        required_attachments=["申报书"],
    )
    return firm


def test_an_application_walks_from_draft_to_recognition(page, live_server, people, tmp_path):
    firm = people
    project = "智能仓储数字化车间"
    pdf = tmp_path / "申报书.pdf"
    pdf.write_bytes(pdf_bytes())

    # the enterprise finds the open batch in the menu and drafts an application
    log_in(page, live_server, "member")
    page.locator("#main-nav").get_by_role("button", name="梯度培育").click()
    page.locator("#main-nav").get_by_role("link", name="申报批次").click()
    page.get_by_test_id("batch-table").get_by_role("link").first.click()
    page.get_by_test_id("apply").click()
    assert page.get_by_label("申报企业").locator("option").all_inner_texts() == [firm.name]
    page.get_by_label("项目名称").fill(project)
    page.get_by_role("button", name="创建申报草稿").click()
    assert page.get_by_test_id("application-status").inner_text() == "草稿"

    # it fills in a scene and its key figures, and saves
    form = page.get_by_test_id("edit-form")
    form.get_by_label("建设场景").fill("智能仓储：立体库与 AGV 联动")
    form.get_by_label("项目投资（万元）").fill("860")
    form.get_by_label("劳动生产率（万元/人）改造前").fill("120")
    form.get_by_label("劳动生产率（万元/人）改造后").fill("156")
    form.get_by_label("产品不良品率（%）改造前").fill("2.1")
    form.get_by_label("产品不良品率（%）改造后").fill("0.9")
    form.get_by_role("button", name="保存草稿").click()
    figures = page.get_by_test_id("key-figures")
    assert "156" in figures.locator('tr[data-figure="productivity"]').inner_text()

    # it uploads the required file (a real PDF) and submits
    page.get_by_test_id("upload-form").get_by_label("材料类别").select_option("申报书")
    page.locator('input[type="file"]').set_input_files(str(pdf))
    page.get_by_role("button", name="上传").click()
    assert page.get_by_test_id("attachments").get_by_role("link", name="申报书.pdf").is_visible()
    page.get_by_test_id("action-submit").click()
    assert page.get_by_test_id("application-status").inner_text() == "已提交，待区县审核"

    # the district officer sees it in its bell, opens it and passes it
    log_in(page, live_server, "officer")
    assert page.get_by_test_id("unread-count").inner_text() == "1"
    page.get_by_test_id("notification-bell").click()
    page.get_by_test_id("notifications").get_by_role("button").first.click()
    assert page.get_by_test_id("project-name").inner_text() == project
    page.get_by_label("审核意见").fill("材料齐全，同意推荐")
    page.get_by_test_id("action-district_pass").click()
    assert page.get_by_test_id("application-status").inner_text() == "区县已推荐，待分配专家"

    # the city admin assigns two experts
    log_in(page, live_server, "city")
    open_waiting(page, live_server, project)
    page.get_by_label("王专家").check()
    page.get_by_label("李专家").check()
    page.get_by_test_id("action-assign").click()
    assert page.get_by_test_id("application-status").inner_text() == "专家评审中"

    # each expert scores the criteria sheet
    for username, points, comment in (
        ("expert-wang", ("36", "34", "16"), "场景完整，成效明显"),
        ("expert-li", ("32", "30", "14"), "数据可信，推广价值一般"),
    ):
        log_in(page, live_server, username)
        open_waiting(page, live_server, project)
        page.get_by_label("智能化水平（满分 40）").fill(points[0])
        page.get_by_label("建设成效（满分 40）").fill(points[1])
        page.get_by_label("示范推广价值（满分 20）").fill(points[2])
        page.get_by_label("评审意见（必填）").fill(comment)
        page.get_by_test_id("action-score").click()
        assert "评分已提交" in page.locator("main").inner_text()
    assert page.get_by_test_id("application-status").inner_text() == "评审完成，待市级认定"

    # the city admin sees the mean and spread, and recognises it with a document number
    log_in(page, live_server, "city")
    open_waiting(page, live_server, project)
    mean = page.get_by_test_id("score-mean").inner_text()
    assert "81" in mean and "极差 10" in mean  # (86 + 76) / 2, 86 − 76
    page.get_by_label("认定文号（必填）").fill("绍经信〔2026〕12号")
    page.get_by_test_id("action-recognise").click()
    assert page.get_by_test_id("application-status").inner_text() == "已认定"

    # the title is in the registry
    page.goto(f"{live_server.url}/cultivation/titles/")
    row = page.get_by_test_id("title-table").locator("tbody tr").first
    assert firm.name in row.inner_text() and "绍经信〔2026〕12号" in row.inner_text()

    # and the enterprise sees 已认定 on its application
    log_in(page, live_server, "member")
    page.goto(f"{live_server.url}/cultivation/applications/")
    page.get_by_test_id("application-table").get_by_role("link", name=project).click()
    assert page.get_by_test_id("application-status").inner_text() == "已认定"
    assert "绍经信〔2026〕12号" in page.get_by_test_id("recognised").inner_text()

    title = Title.objects.get(enterprise=firm)
    assert title.application.status == ApplicationStatus.RECOGNISED
    assert title.document_number == "绍经信〔2026〕12号"


@pytest.fixture
def yuecheng_application(transactional_db):
    load_default_plan()
    firm = make_enterprise("越城智造示范有限公司", region="越城区")
    admin = make_city_admin(username="city")
    make_district_officer("柯桥区", username="keqiao")
    application = make_application(firm, make_batch(number=1), project_name="越城数字化车间")
    attachment = add_attachment(
        application, admin, SimpleUploadedFile("申报书.pdf", pdf_bytes()), "申报书"
    )
    return application, attachment


def test_keqiao_officer_gets_404_for_a_yuecheng_application_and_its_file(
    page, live_server, yuecheng_application
):
    application, attachment = yuecheng_application
    log_in(page, live_server, "keqiao")
    response = page.goto(f"{live_server.url}/cultivation/applications/{application.pk}/")
    assert response.status == 404
    assert "越城数字化车间" not in page.content()
    response = page.goto(f"{live_server.url}/cultivation/attachments/{attachment.pk}/")
    assert response.status == 404
    # and its own list shows nothing of 越城
    page.goto(f"{live_server.url}/cultivation/applications/")
    assert "越城数字化车间" not in page.get_by_test_id("application-table").inner_text()
