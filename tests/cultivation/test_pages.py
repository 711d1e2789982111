"""The 梯度培育 pages as each role sees them: what renders for whom, 404 for what a user may not
see, the forms and action buttons driving the real services, downloads and query bounds."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from tests.accounts.factories import make_user
from tests.conftest import signed_in
from tests.cultivation.factories import (
    make_application,
    make_batch,
    make_expert,
    make_title,
    title_type,
)
from tests.enterprises.factories import make_enterprise
from tests.plans.test_pages import rows_of
from zhizao.core.roles import Role
from zhizao.cultivation import review
from zhizao.cultivation.attachments import attachment_path
from zhizao.cultivation.models import (
    Application,
    ApplicationStatus,
    ApplicationStep,
    Attachment,
    Batch,
    Title,
)
from zhizao.cultivation.services import add_attachment

PDF = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
)
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


def html_of(response) -> str:
    return response.content.decode()


def stored_files(var_dir) -> list:
    folder = var_dir / "attachments"
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


@pytest.fixture
def firm(enterprise_user):
    enterprise = make_enterprise("越城智造有限公司", region="越城区")
    enterprise.members.add(enterprise_user)
    return enterprise


@pytest.fixture
def keqiao_firm(plan):
    enterprise = make_enterprise("柯桥印染有限公司", region="柯桥区")
    enterprise.members.add(make_user(Role.ENTERPRISE, "柯桥区", username="keqiao-member"))
    return enterprise


@pytest.fixture
def batch(plan):
    return make_batch(number=1)


@pytest.fixture
def draft(firm, batch):
    return make_application(firm, batch, project_name="越城数字化车间")


@pytest.fixture
def keqiao_application(keqiao_firm, batch, city_admin):
    application = make_application(keqiao_firm, batch, project_name="柯桥数字化车间")
    add_attachment(application, city_admin, SimpleUploadedFile("申报书.pdf", PDF), "申报书")
    Application.objects.filter(pk=application.pk).update(status=ApplicationStatus.SUBMITTED)
    return application


def submitted(application, user):
    """A draft with its required file, through the real services."""
    add_attachment(application, user, SimpleUploadedFile("申报书.pdf", PDF), "申报书")
    review.submit_application(application, user)
    application.refresh_from_db()
    return application


def in_expert_review(application, enterprise_user, officer, city_admin, experts):
    submitted(application, enterprise_user)
    review.pass_district_review(application, officer)
    review.assign_experts(application, experts, city_admin)
    application.refresh_from_db()
    return application


# --- who sees which page --------------------------------------------------------------------


def test_every_page_renders_for_the_city_admin(city_admin, draft):
    title = make_title("municipal-digital-workshop", enterprise=draft.enterprise)
    client = signed_in(city_admin)
    for url in [
        "/cultivation/",
        "/cultivation/?year=2023",
        "/cultivation/batches/",
        "/cultivation/batches/new/",
        f"/cultivation/batches/{draft.batch_id}/",
        "/cultivation/applications/",
        "/cultivation/applications/?tab=waiting",
        f"/cultivation/applications/{draft.pk}/",
        "/cultivation/titles/",
        f"/cultivation/titles/{title.pk}/",
        "/notifications/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "梯度培育" in html_of(response), url


def test_district_officer_sees_its_own_ladder_and_applications(yuecheng_officer, draft):
    client = signed_in(yuecheng_officer)
    html = html_of(client.get("/cultivation/"))
    assert 'data-testid="ladder-330602"' in html  # 越城区
    assert 'data-region="绍兴市"' not in html and "柯桥区" not in html
    for url in [
        "/cultivation/batches/",
        f"/cultivation/batches/{draft.batch_id}/",
        "/cultivation/applications/",
        f"/cultivation/applications/{draft.pk}/",
        "/cultivation/titles/",
    ]:
        assert client.get(url).status_code == 200, url
    # the batch form is the city's
    assert client.get("/cultivation/batches/new/").status_code == 404


def test_enterprise_user_sees_its_pages_but_not_the_ladder(enterprise_user, draft):
    client = signed_in(enterprise_user)
    for url in [
        "/cultivation/batches/",
        f"/cultivation/batches/{draft.batch_id}/",
        "/cultivation/applications/",
        f"/cultivation/applications/{draft.pk}/",
        "/cultivation/titles/",
    ]:
        assert client.get(url).status_code == 200, url
    assert client.get("/cultivation/").status_code == 404
    assert client.get("/cultivation/batches/new/").status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, draft):
    for url in [
        "/cultivation/",
        "/cultivation/applications/",
        f"/cultivation/applications/{draft.pk}/",
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


# --- scoping: 404 for what is not one's own ---------------------------------------------------


def test_district_officer_gets_404_for_another_districts_application(
    keqiao_officer, draft, city_admin
):
    # given 越城's application with an attachment and a recognised 越城 title
    attachment = add_attachment(draft, city_admin, SimpleUploadedFile("申报书.pdf", PDF), "申报书")
    title = make_title("municipal-digital-workshop", enterprise=draft.enterprise)
    Application.objects.filter(pk=draft.pk).update(status=ApplicationStatus.SUBMITTED)
    client = signed_in(keqiao_officer)
    # when 柯桥's officer guesses the ids, then every door is a 404
    assert client.get(f"/cultivation/applications/{draft.pk}/").status_code == 404
    assert client.get(f"/cultivation/attachments/{attachment.pk}/").status_code == 404
    assert client.get(f"/cultivation/titles/{title.pk}/").status_code == 404
    response = client.post(f"/cultivation/applications/{draft.pk}/district_pass/")
    assert response.status_code == 404
    response = client.post(f"/cultivation/applications/{draft.pk}/return/", {"reason": "x"})
    assert response.status_code == 404
    response = client.post(
        f"/cultivation/titles/{title.pk}/revoke/",
        {"revoked_on": "2024-01-01", "reason": "违规"},
    )
    assert response.status_code == 404
    assert client.post(f"/cultivation/attachments/{attachment.pk}/delete/").status_code == 404
    # and nothing moved
    draft.refresh_from_db()
    title.refresh_from_db()
    assert draft.status == ApplicationStatus.SUBMITTED
    assert title.revoked_on is None
    assert Attachment.objects.filter(pk=attachment.pk).exists()
    # nor does the list or the title registry show it
    assert rows_of(html_of(client.get("/cultivation/applications/")), "application-table") == [
        ["没有符合条件的申报。"]
    ]
    assert "越城智造有限公司" not in html_of(client.get("/cultivation/titles/"))


def test_enterprise_user_cannot_see_another_enterprises_application(
    enterprise_user, draft, keqiao_application
):
    client = signed_in(enterprise_user)
    assert client.get(f"/cultivation/applications/{keqiao_application.pk}/").status_code == 404
    attachment = keqiao_application.attachments.get()
    assert client.get(f"/cultivation/attachments/{attachment.pk}/").status_code == 404
    response = client.post(f"/cultivation/applications/{keqiao_application.pk}/submit/")
    assert response.status_code == 404
    rows = rows_of(html_of(client.get("/cultivation/applications/")), "application-table")
    assert [r[1] for r in rows] == ["越城数字化车间"]


def test_expert_sees_only_the_applications_assigned_to_it(
    enterprise_user, yuecheng_officer, city_admin, draft, keqiao_application
):
    expert, other = make_expert("王"), make_expert("李")
    in_expert_review(draft, enterprise_user, yuecheng_officer, city_admin, [expert])
    client = signed_in(expert)
    rows = rows_of(html_of(client.get("/cultivation/applications/")), "application-table")
    assert [r[1] for r in rows] == ["越城数字化车间"]
    waiting = rows_of(
        html_of(client.get("/cultivation/applications/?tab=waiting")), "application-table"
    )
    assert [r[1] for r in waiting] == ["越城数字化车间"]
    assert client.get(f"/cultivation/applications/{draft.pk}/").status_code == 200
    assert client.get(f"/cultivation/applications/{keqiao_application.pk}/").status_code == 404
    # an expert not assigned sees nothing
    other_client = signed_in(other)
    assert other_client.get(f"/cultivation/applications/{draft.pk}/").status_code == 404
    assert rows_of(
        html_of(other_client.get("/cultivation/applications/")), "application-table"
    ) == [["没有符合条件的申报。"]]


def test_a_forbidden_action_on_a_visible_application_is_a_message_not_a_404(
    yuecheng_officer, enterprise_user, draft
):
    submitted(draft, enterprise_user)
    client = signed_in(yuecheng_officer)
    response = client.post(
        f"/cultivation/applications/{draft.pk}/recognise/", {"document_number": "绍经信〔2026〕1号"}
    )
    assert response.status_code == 302
    page = html_of(client.get(response["Location"]))
    assert "只有市级管理员可以认定称号。" in page
    assert 'class="alert alert-danger"' in page
    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.SUBMITTED


def test_an_unknown_action_is_404(city_admin, draft):
    assert (
        signed_in(city_admin).post(f"/cultivation/applications/{draft.pk}/explode/").status_code
        == 404
    )


# --- the application workflow through the pages -------------------------------------------------


def test_the_enterprise_drafts_uploads_and_submits_through_the_pages(
    enterprise_user, firm, batch, yuecheng_officer
):
    client = signed_in(enterprise_user)
    # the batch offers 申报 to its enterprise
    batch_page = html_of(client.get(f"/cultivation/batches/{batch.pk}/"))
    assert 'data-testid="apply"' in batch_page
    # when it creates a draft for its enterprise
    response = client.post(
        f"/cultivation/applications/new/?batch={batch.pk}",
        {"batch": batch.pk, "enterprise": firm.pk, "project_name": "越城数字化车间"},
    )
    application = Application.objects.get(enterprise=firm)
    assert response["Location"] == f"/cultivation/applications/{application.pk}/"
    # and fills in scenes and figures
    url = f"/cultivation/applications/{application.pk}/"
    response = client.post(
        url,
        {
            "project_name": "越城数字化车间",
            "summary": "建设立体库",
            "investment": "800.5",
            "scenes": "智能仓储：立体库与 AGV\n在线检测",
            "kf_productivity_before": "120",
            "kf_productivity_after": "150",
            "kf_defect_rate_after": "0.8",
            "save": "1",
        },
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.scenes == [
        {"name": "智能仓储", "description": "立体库与 AGV"},
        {"name": "在线检测", "description": ""},
    ]
    assert application.key_figures == {
        "productivity": {"before": "120", "after": "150"},
        "defect_rate": {"before": "", "after": "0.8"},
    }
    assert application.investment == Decimal("800.5")
    # submitting without the required file says what is missing and keeps the draft
    response = client.post(f"/cultivation/applications/{application.pk}/submit/")
    assert "还缺少附件：申报书。" in html_of(client.get(response["Location"]))
    # then it uploads the file and submits
    response = client.post(
        f"/cultivation/applications/{application.pk}/attachments/",
        {"requirement": "申报书", "file": SimpleUploadedFile("申报书.pdf", PDF)},
    )
    assert response.status_code == 302
    client.post(f"/cultivation/applications/{application.pk}/submit/")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    page = html_of(client.get(url))
    assert "已提交，待区县审核" in page
    assert 'data-testid="edit-form"' not in page  # no longer editable
    figures = rows_of(page, "key-figures")
    assert figures[0] == ["劳动生产率", "万元/人", "120", "150"]
    assert figures[1] == ["产品不良品率", "%", "—", "0.8"]
    # and the district officer finds it waiting
    officer = signed_in(yuecheng_officer)
    waiting = rows_of(
        html_of(officer.get("/cultivation/applications/?tab=waiting")), "application-table"
    )
    assert [r[1] for r in waiting] == ["越城数字化车间"]


def test_save_and_submit_in_one_go_keeps_the_draft_when_submission_fails(enterprise_user, draft):
    client = signed_in(enterprise_user)
    response = client.post(
        f"/cultivation/applications/{draft.pk}/",
        {"project_name": "改名后的项目", "scenes": "智能仓储", "submit": "1"},
    )
    page = html_of(client.get(response["Location"]))
    assert "申报已保存，但未能提交：还缺少附件：申报书。" in page
    draft.refresh_from_db()
    assert draft.project_name == "改名后的项目"
    assert draft.status == ApplicationStatus.DRAFT


def test_a_key_figure_that_is_not_a_number_is_shown_on_the_form(enterprise_user, draft):
    response = signed_in(enterprise_user).post(
        f"/cultivation/applications/{draft.pk}/",
        {"project_name": "项目", "scenes": "智能仓储", "kf_lead_time_before": "三十"},
    )
    assert response.status_code == 200
    assert "关键指标「产品研制周期」的改造前值「三十」不是数字。" in html_of(response)


def test_the_enterprise_cannot_apply_as_another_enterprise(
    enterprise_user, firm, keqiao_firm, batch
):
    client = signed_in(enterprise_user)
    response = client.post(
        f"/cultivation/applications/new/?batch={batch.pk}",
        {"batch": batch.pk, "enterprise": keqiao_firm.pk, "project_name": "冒名项目"},
    )
    assert response.status_code == 200
    assert "选择一个有效的选项" in html_of(response)
    assert not Application.objects.exists()


def test_a_second_open_application_is_refused_with_the_services_words(
    enterprise_user, firm, batch, draft
):
    response = signed_in(enterprise_user).post(
        f"/cultivation/applications/new/?batch={batch.pk}",
        {"batch": batch.pk, "enterprise": firm.pk, "project_name": "第二份"},
    )
    assert (
        "越城智造有限公司已有一份未办结的「市级数字化车间」申报（草稿），不能重复申报。"
        in html_of(response)
    )
    assert Application.objects.count() == 1


def test_a_district_applies_for_a_demonstration_cluster(yuecheng_officer, plan):
    batch = make_batch("demo-cluster", number=1)
    client = signed_in(yuecheng_officer)
    page = html_of(client.get(f"/cultivation/batches/{batch.pk}/"))
    assert 'data-testid="apply"' in page
    form = html_of(client.get(f"/cultivation/applications/new/?batch={batch.pk}"))
    assert "越城区" in form and "柯桥区" not in form.split('name="region"')[1].split("</select>")[0]
    response = client.post(
        f"/cultivation/applications/new/?batch={batch.pk}",
        {"batch": batch.pk, "region": yuecheng_officer.region_id, "project_name": "越城纺织集群"},
    )
    application = Application.objects.get()
    assert response["Location"] == f"/cultivation/applications/{application.pk}/"
    assert application.enterprise is None and application.region == yuecheng_officer.region
    # the officer's draft waits for it
    waiting = rows_of(
        html_of(client.get("/cultivation/applications/?tab=waiting")), "application-table"
    )
    assert [r[1] for r in waiting] == ["越城纺织集群"]


def test_a_closed_batch_offers_no_application(enterprise_user, firm, plan):
    closed = make_batch(
        number=1, opens_on=datetime.date(2020, 1, 1), closes_on=datetime.date(2020, 2, 1)
    )
    client = signed_in(enterprise_user)
    assert 'data-testid="apply"' not in html_of(client.get(f"/cultivation/batches/{closed.pk}/"))
    response = client.get(f"/cultivation/applications/new/?batch={closed.pk}")
    assert response["Location"] == f"/cultivation/batches/{closed.pk}/"


def test_city_admin_assigns_experts_with_the_conflicted_one_disabled(
    enterprise_user, yuecheng_officer, city_admin, draft
):
    linked, free = make_expert("关联"), make_expert("独立")
    draft.enterprise.linked_experts.add(linked)
    submitted(draft, enterprise_user)
    review.pass_district_review(draft, yuecheng_officer)
    client = signed_in(city_admin)
    page = html_of(client.get(f"/cultivation/applications/{draft.pk}/"))
    linked_box = page.split(f'id="expert-{linked.pk}"')[1].split(">", 1)[0]
    assert "disabled" in linked_box
    free_box = page.split(f'id="expert-{free.pk}"')[1].split(">", 1)[0]
    assert "disabled" not in free_box
    assert "需回避" in page.split(f'for="expert-{linked.pk}"')[1].split("</label>")[0]
    # posting the conflicted one anyway is refused with the service's words
    response = client.post(
        f"/cultivation/applications/{draft.pk}/assign/", {"experts": [linked.pk, free.pk]}
    )
    assert f"专家「{linked}」已声明与越城智造有限公司存在关联，须回避，不能分配。" in html_of(
        client.get(response["Location"])
    )
    client.post(f"/cultivation/applications/{draft.pk}/assign/", {"experts": [free.pk]})
    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.EXPERT_REVIEW
    assert list(draft.expert_reviews.values_list("expert_id", flat=True)) == [free.pk]


def test_experts_score_and_the_city_sees_the_mean_and_spread(
    enterprise_user, yuecheng_officer, city_admin, draft
):
    first, second = make_expert("王"), make_expert("李")
    in_expert_review(draft, enterprise_user, yuecheng_officer, city_admin, [first, second])
    # the first expert sees its own form, scores, and then sees only its own scores
    client = signed_in(first)
    page = html_of(client.get(f"/cultivation/applications/{draft.pk}/"))
    assert 'data-testid="score-form"' in page
    assert 'name="score_0" min="0" max="40"' in page
    client.post(
        f"/cultivation/applications/{draft.pk}/score/",
        {"score_0": "36", "score_1": "30", "score_2": "14", "comment": "示范性强"},
    )
    page = html_of(client.get(f"/cultivation/applications/{draft.pk}/"))
    assert 'data-testid="own-review"' in page and 'data-testid="score-form"' not in page
    # an out-of-range score is refused with the message
    second_client = signed_in(second)
    response = second_client.post(
        f"/cultivation/applications/{draft.pk}/score/",
        {"score_0": "45", "score_1": "30", "score_2": "10", "comment": "好"},
    )
    assert "「智能化水平」的得分 45 超出范围，应在 0 到 40 之间。" in html_of(
        second_client.get(response["Location"])
    )
    second_client.post(
        f"/cultivation/applications/{draft.pk}/score/",
        {"score_0": "30", "score_1": "30", "score_2": "10", "comment": "较好"},
    )
    # the second expert does not see the first one's scores
    second_page = html_of(second_client.get(f"/cultivation/applications/{draft.pk}/"))
    assert "示范性强" not in second_page and 'data-testid="expert-reviews"' not in second_page
    assert str(first) not in second_page
    # the city sees all of them, the mean and the spread
    city_page = html_of(signed_in(city_admin).get(f"/cultivation/applications/{draft.pk}/"))
    rows = rows_of(city_page, "expert-reviews")
    assert rows[0][:5] == [str(first), "36", "30", "14", "80"]
    assert rows[0][5].startswith("示范性强")
    assert rows[1][:5] == [str(second), "30", "30", "10", "70"]
    mean = city_page.split('data-testid="score-mean"')[1].split("</td>")[0]
    assert "<strong>75</strong>" in mean and "极差 10" in mean
    # the enterprise sees neither the experts' names nor their scores
    own_page = html_of(signed_in(enterprise_user).get(f"/cultivation/applications/{draft.pk}/"))
    assert str(first) not in own_page and "80 分" not in own_page
    assert "评审完成，待市级认定" in own_page


def test_city_recognises_and_the_enterprise_sees_its_title(
    enterprise_user, yuecheng_officer, city_admin, draft
):
    expert = make_expert()
    in_expert_review(draft, enterprise_user, yuecheng_officer, city_admin, [expert])
    review.score_application(draft.expert_reviews.get(), expert, [30, 30, 15], "好")
    client = signed_in(city_admin)
    # a recognition without a document number is refused
    response = client.post(f"/cultivation/applications/{draft.pk}/recognise/", {})
    assert "请填写认定文号。" in html_of(client.get(response["Location"]))
    client.post(
        f"/cultivation/applications/{draft.pk}/recognise/",
        {"document_number": "绍经信〔2026〕8号", "recognised_on": "2026-11-20"},
    )
    title = Title.objects.get(application=draft)
    assert title.document_number == "绍经信〔2026〕8号"
    assert title.recognised_on == datetime.date(2026, 11, 20)
    # the title is in the registry and the enterprise sees 已认定
    rows = rows_of(html_of(client.get("/cultivation/titles/")), "title-table")
    assert rows[0][:3] == ["越城智造有限公司", "市级数字化车间", "越城区"]
    page = html_of(signed_in(enterprise_user).get(f"/cultivation/applications/{draft.pk}/"))
    assert (
        '<span class="badge fs-6 text-bg-success" data-testid="application-status">已认定</span>'
        in page
    )
    assert "绍经信〔2026〕8号" in page


def test_a_bad_recognition_date_is_a_message(enterprise_user, yuecheng_officer, city_admin, draft):
    expert = make_expert()
    in_expert_review(draft, enterprise_user, yuecheng_officer, city_admin, [expert])
    review.score_application(draft.expert_reviews.get(), expert, [30, 30, 15], "好")
    client = signed_in(city_admin)
    response = client.post(
        f"/cultivation/applications/{draft.pk}/recognise/",
        {"document_number": "文号", "recognised_on": "2026-13-40"},
    )
    assert "认定日期「2026-13-40」不是有效日期，应为 年-月-日。" in html_of(
        client.get(response["Location"])
    )
    assert not Title.objects.exists()


def test_district_returns_with_a_reason_and_the_enterprise_sees_it(
    enterprise_user, yuecheng_officer, draft
):
    submitted(draft, enterprise_user)
    client = signed_in(yuecheng_officer)
    response = client.post(f"/cultivation/applications/{draft.pk}/return/", {"reason": ""})
    assert "退回必须填写原因。" in html_of(client.get(response["Location"]))
    client.post(f"/cultivation/applications/{draft.pk}/return/", {"reason": "请补充能耗数据"})
    page = html_of(signed_in(enterprise_user).get(f"/cultivation/applications/{draft.pk}/"))
    assert "退回原因：请补充能耗数据" in page
    assert 'data-testid="edit-form"' in page


def test_a_district_level_type_is_recognised_by_the_district_with_its_number(
    enterprise_user, yuecheng_officer, firm
):
    from zhizao.enterprises.models import ScaleStatus

    ScaleStatus.objects.create(enterprise=firm, year=2026, above_scale=True)
    batch = make_batch("transformation-completed", number=1)
    application = make_application(firm, batch)
    submitted(application, enterprise_user)
    client = signed_in(yuecheng_officer)
    page = html_of(client.get(f"/cultivation/applications/{application.pk}/"))
    assert "验收通过并认定" in page and 'name="document_number"' in page
    client.post(
        f"/cultivation/applications/{application.pk}/district_pass/",
        {"comment": "验收合格", "document_number": "越经信〔2026〕3号"},
    )
    title = Title.objects.get(application=application)
    assert title.document_number == "越经信〔2026〕3号"


def test_a_provincial_title_is_recommended_and_its_result_recorded(
    enterprise_user, yuecheng_officer, city_admin, firm
):
    batch = make_batch("provincial-smart-factory", number=1)
    application = make_application(firm, batch)
    expert = make_expert()
    in_expert_review(application, enterprise_user, yuecheng_officer, city_admin, [expert])
    review.score_application(application.expert_reviews.get(), expert, [30, 30, 15], "好")
    client = signed_in(city_admin)
    page = html_of(client.get(f"/cultivation/applications/{application.pk}/"))
    assert 'data-testid="action-recommend"' in page and "action-recognise" not in page
    client.post(f"/cultivation/applications/{application.pk}/recommend/", {"comment": "推荐"})
    response = client.post(f"/cultivation/applications/{application.pk}/province_result/", {})
    assert "请选择省级认定结果" in html_of(client.get(response["Location"]))
    client.post(
        f"/cultivation/applications/{application.pk}/province_result/",
        {"result": "yes", "document_number": "浙经信〔2026〕5号"},
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.RECOGNISED
    assert Title.objects.get(application=application).document_number == "浙经信〔2026〕5号"


def test_the_city_rejects_with_a_reason(enterprise_user, yuecheng_officer, city_admin, draft):
    submitted(draft, enterprise_user)
    review.pass_district_review(draft, yuecheng_officer)
    signed_in(city_admin).post(
        f"/cultivation/applications/{draft.pk}/reject/", {"reason": "场景不足"}
    )
    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.REJECTED
    page = html_of(signed_in(enterprise_user).get(f"/cultivation/applications/{draft.pk}/"))
    assert "场景不足" in page and "未通过" in page


# --- attachments -----------------------------------------------------------------------------


def test_an_exe_renamed_pdf_is_refused_beside_the_field_and_nothing_is_written(
    enterprise_user, draft, private_files
):
    response = signed_in(enterprise_user).post(
        f"/cultivation/applications/{draft.pk}/attachments/",
        {"requirement": "申报书", "file": SimpleUploadedFile("申报书.pdf", EXE)},
    )
    assert response.status_code == 400
    error = html_of(response).split('data-testid="upload-error"')[1].split("</div>")[0]
    assert error == ">「申报书.pdf」的内容不是 PDF 文件，可能只是改了扩展名，不能上传。"
    assert not Attachment.objects.exists()
    assert stored_files(private_files) == []


def test_the_download_is_the_file_as_an_attachment_with_nosniff(enterprise_user, draft):
    attachment = add_attachment(
        draft, enterprise_user, SimpleUploadedFile("可行性报告.pdf", PDF), "申报书"
    )
    response = signed_in(enterprise_user).get(f"/cultivation/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "%E5%8F%AF%E8%A1%8C%E6%80%A7%E6%8A%A5%E5%91%8A.pdf" in disposition  # 可行性报告.pdf
    # the page links to the view, never to a media URL
    page = html_of(signed_in(enterprise_user).get(f"/cultivation/applications/{draft.pk}/"))
    assert f'href="/cultivation/attachments/{attachment.pk}/"' in page
    assert attachment.stored_name not in page


def test_an_attachment_is_removed_while_the_draft_is_editable(
    enterprise_user, draft, django_capture_on_commit_callbacks
):
    attachment = add_attachment(
        draft, enterprise_user, SimpleUploadedFile("申报书.pdf", PDF), "申报书"
    )
    path = attachment_path(attachment.stored_name)
    client = signed_in(enterprise_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/cultivation/attachments/{attachment.pk}/delete/")
    assert not Attachment.objects.exists()
    assert not path.exists()


def test_an_attachment_of_a_submitted_application_stays(enterprise_user, draft):
    submitted(draft, enterprise_user)
    attachment = draft.attachments.get()
    client = signed_in(enterprise_user)
    response = client.post(f"/cultivation/attachments/{attachment.pk}/delete/")
    assert "该申报已提交，待区县审核，附件不能删除。" in html_of(client.get(response["Location"]))
    assert Attachment.objects.filter(pk=attachment.pk).exists()


# --- query bounds --------------------------------------------------------------------------


def test_the_application_page_runs_a_bounded_number_of_queries(
    enterprise_user, yuecheng_officer, city_admin, draft, django_assert_max_num_queries
):
    experts = [make_expert() for _ in range(2)]
    in_expert_review(draft, enterprise_user, yuecheng_officer, city_admin, experts[:1])
    client = signed_in(city_admin)
    url = f"/cultivation/applications/{draft.pk}/"
    client.get(url)  # warm the session
    with django_assert_max_num_queries(12) as few:
        assert client.get(url).status_code == 200
    # given many more steps, attachments and reviews
    for serial in range(10):
        ApplicationStep.objects.create(
            application=draft, action="assign", to_status=draft.status, actor=city_admin
        )
        Attachment.objects.create(
            application=draft,
            original_name=f"附件{serial}.pdf",
            stored_name=f"ab/ab{serial:030d}.pdf",
            kind="pdf",
            content_type="application/pdf",
            size=10,
            sha256="0" * 64,
            uploaded_by=enterprise_user,
        )
    review.assign_experts(draft, [make_expert() for _ in range(5)], city_admin)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_the_draft_page_runs_a_bounded_number_of_queries(
    enterprise_user, draft, django_assert_max_num_queries
):
    client = signed_in(enterprise_user)
    url = f"/cultivation/applications/{draft.pk}/"
    for serial in range(8):
        add_attachment(draft, enterprise_user, SimpleUploadedFile(f"附件{serial}.pdf", PDF))
    client.get(url)
    # 12, and the plan's years for the menu's 待办 badge (the report the enterprise is filing)
    with django_assert_max_num_queries(13):
        page = html_of(client.get(url))
    assert 'data-testid="edit-form"' in page and page.count("/cultivation/attachments/") >= 8


def test_the_lists_run_a_bounded_number_of_queries(
    city_admin, batch, plan, django_assert_max_num_queries
):
    client = signed_in(city_admin)
    firm = make_enterprise(region="越城区")
    make_application(firm, batch)
    make_title("municipal-digital-workshop", enterprise=firm)
    counts = {}
    for url in ["/cultivation/applications/", "/cultivation/titles/", "/cultivation/batches/"]:
        with django_assert_max_num_queries(15) as captured:
            client.get(url)
        counts[url] = len(captured.captured_queries)
    for serial in range(15):
        other = make_enterprise(region="柯桥区" if serial % 2 else "越城区")
        make_application(other, make_batch(number=100 + serial))
        make_title("municipal-smart-factory", enterprise=other)
    for url, count in counts.items():
        with django_assert_max_num_queries(count):
            client.get(url)


# --- the ladder --------------------------------------------------------------------------------


def test_the_ladder_counts_titles_against_the_annex_targets(city_admin, firm, batch):
    # given two 越城 city workshops in 2022 (one revoked in 2023) and one in 柯桥 in 2021
    make_title("municipal-digital-workshop", "越城区", 2022)
    make_title("municipal-digital-workshop", "越城区", 2022, revoked_on=datetime.date(2023, 5, 1))
    make_title("municipal-digital-workshop", "柯桥区", 2021)
    make_application(firm, batch, status=ApplicationStatus.SUBMITTED)
    html = html_of(signed_in(city_admin).get("/cultivation/?year=2024"))
    yuecheng = html.split('data-testid="ladder-330602"')[1].split("</table>")[0]
    row = yuecheng.split('data-type="municipal-digital-workshop"')[1].split("</tr>")[0]
    assert (
        '<td class="num" data-year="2022" data-label="2022年认定"><a href="/cultivation/titles/?title_type=municipal-digital-workshop&amp;region=330602&amp;year=2022">2</a></td>'
        in row
    )
    assert 'data-col="in-force"' in row and ">1</a>" in row.split('data-col="in-force"')[1]
    assert "已提交，待区县审核 1" in row
    city = html.split('data-region="绍兴市"')[1].split("</table>")[0]
    city_row = city.split('data-type="municipal-digital-workshop"')[1].split("</tr>")[0]
    assert '<td class="num" data-col="plan-additions" data-label="方案期净增">2</td>' in city_row


def test_the_city_ladder_sums_the_districts_pipelines(city_admin, batch, plan):
    make_application(make_enterprise(region="越城区"), batch, status=ApplicationStatus.SUBMITTED)
    make_application(make_enterprise(region="柯桥区"), batch, status=ApplicationStatus.SUBMITTED)
    html = html_of(signed_in(city_admin).get("/cultivation/?year=2025"))
    city = html.split('data-region="绍兴市"')[1].split("</table>")[0]
    row = city.split('data-type="municipal-digital-workshop"')[1].split("</tr>")[0]
    assert "已提交，待区县审核 2" in row


def test_the_ladder_downloads_as_a_workbook(city_admin, plan):
    make_title("municipal-digital-workshop", "越城区", 2022)
    make_title("municipal-digital-workshop", "越城区", 2023)
    response = signed_in(city_admin).get("/cultivation/?year=2023&format=xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "2023年梯度培育梯队"
    header = [c.value for c in sheet[2]]
    assert header[:6] == [
        "地区",
        "称号类型",
        "计入指标",
        "2020年及以前",
        "2021年认定",
        "2022年认定",
    ]
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=3)]
    yuecheng = next(r for r in rows if r[0] == "越城区" and r[1] == "市级数字化车间")
    in_force = header.index("在册")
    assert yuecheng[header.index("2022年认定")] == 1 and yuecheng[in_force] == 2
    assert yuecheng[2] == 5  # indicator 5
    assert {r[0] for r in rows} >= {"绍兴市", "越城区", "柯桥区"}


def test_a_district_officers_ladder_download_holds_only_its_district(yuecheng_officer, plan):
    title_type("municipal-digital-workshop")  # the types are loaded
    response = signed_in(yuecheng_officer).get("/cultivation/?format=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert {r[0].value for r in sheet.iter_rows(min_row=3)} == {"越城区"}


def test_revoking_a_title_lowers_the_ladder_count(city_admin, plan):
    title = make_title("municipal-digital-workshop", "越城区", 2022)
    client = signed_in(city_admin)

    def in_force():
        html = html_of(client.get("/cultivation/?year=2025"))
        table = html.split('data-testid="ladder-330602"')[1].split("</table>")[0]
        row = table.split('data-type="municipal-digital-workshop"')[1].split("</tr>")[0]
        return row.split('data-col="in-force"')[1].split("</a>")[0].rsplit(">", 1)[1]

    assert in_force() == "1"
    client.post(
        f"/cultivation/titles/{title.pk}/revoke/", {"revoked_on": "2024-03-01", "reason": "违规"}
    )
    assert in_force() == "0"


# --- titles ----------------------------------------------------------------------------------


def test_the_title_page_shows_its_history_and_the_city_revokes_it(
    city_admin, yuecheng_officer, plan
):
    title = make_title("municipal-smart-factory", "越城区", 2022, holder_name="越城精工")
    # the district officer sees the title but cannot revoke it
    officer = signed_in(yuecheng_officer)
    assert 'data-testid="revoke-form"' not in html_of(
        officer.get(f"/cultivation/titles/{title.pk}/")
    )
    response = officer.post(
        f"/cultivation/titles/{title.pk}/revoke/", {"revoked_on": "2024-01-01", "reason": "x"}
    )
    assert "只有市级管理员可以摘牌。" in html_of(officer.get(response["Location"]))
    # the city revokes it, and the history keeps both states
    client = signed_in(city_admin)
    client.post(
        f"/cultivation/titles/{title.pk}/revoke/",
        {"revoked_on": "2024-01-01", "reason": "企业迁出"},
    )
    title.refresh_from_db()
    assert title.revoke_reason == "企业迁出"
    page = html_of(client.get(f"/cultivation/titles/{title.pk}/"))
    history = page.split('data-testid="title-history"')[1].split("</ol>")[0]
    assert "摘牌：企业迁出" in history and history.count("<li") == 2
    assert "2024-01-01 · 企业迁出" in page


def test_the_titles_list_filters_and_downloads(city_admin, plan):
    make_title("municipal-digital-workshop", "越城区", 2022, holder_name="甲公司")
    make_title("municipal-smart-factory", "柯桥区", 2023, holder_name="乙公司")
    make_title(
        "municipal-digital-workshop",
        "越城区",
        2021,
        holder_name="丙公司",
        revoked_on=datetime.date(2022, 1, 1),
    )
    client = signed_in(city_admin)
    rows = rows_of(
        html_of(
            client.get("/cultivation/titles/?title_type=municipal-digital-workshop&revoked=false")
        ),
        "title-table",
    )
    assert [r[0] for r in rows] == ["甲公司"]
    response = client.get("/cultivation/titles/?region=330602&format=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[2]][:4] == ["称号持有者", "称号类型", "所属区县", "产业集群"]
    body = [[c.value for c in r] for r in sheet.iter_rows(min_row=3)]
    assert [r[0] for r in body] == ["甲公司", "丙公司"]
    assert body[1][9] == datetime.datetime(2022, 1, 1)  # revoked on
    assert body[0][9] is None


def test_publishing_puts_titles_on_the_public_list_without_login(client, city_admin, plan):
    shown = make_title("municipal-digital-workshop", "越城区", 2024, holder_name="公开企业")
    make_title("municipal-digital-workshop", "越城区", 2023, holder_name="未公开企业")
    revoked = make_title(
        "municipal-smart-factory",
        "柯桥区",
        2024,
        holder_name="已摘牌企业",
        revoked_on=datetime.date(2025, 1, 1),
    )
    assert "公开企业" not in html_of(client.get("/public/titles/"))
    admin = signed_in(city_admin)
    response = admin.post("/cultivation/titles/publish/", {"year": "2024"})
    assert "已公开2024年全部类型认定名单，新公开 2 项。" in html_of(admin.get(response["Location"]))
    shown.refresh_from_db()
    revoked.refresh_from_db()
    assert shown.published and revoked.published
    # then anyone sees the published titles in force, with no links
    response = client.get("/public/titles/")
    assert response.status_code == 200
    page = html_of(response)
    table = rows_of(page, "public-title-table")
    assert table == [["1", "公开企业", "市级数字化车间", "2024", "越城区", "—", "—"]]
    assert "未公开企业" not in page and "已摘牌企业" not in page
    assert "/cultivation/" not in page.split("<main")[1]


def test_only_the_city_publishes(yuecheng_officer, plan):
    response = signed_in(yuecheng_officer).post("/cultivation/titles/publish/", {"year": "2024"})
    assert response.status_code == 404


# --- batches --------------------------------------------------------------------------------


def test_the_city_opens_a_batch_with_its_criteria(city_admin, plan):
    client = signed_in(city_admin)
    data = {
        "title_type": title_type("municipal-smart-factory").pk,
        "year": "2026",
        "number": "2",
        "opens_on": "2026-11-01",
        "closes_on": "2026-12-31",
        "criteria": "智能化水平,50,装备与系统\n建设成效，30\n推广价值,10",
        "required_attachments": "申报书\n财务审计报告\n",
    }
    response = client.post("/cultivation/batches/new/", data)
    assert "评分细则各项分值合计应为 100，实际为 90。" in html_of(response)
    assert not Batch.objects.exists()
    data["criteria"] = "智能化水平,50,装备与系统\n建设成效，30\n推广价值,20"
    response = client.post("/cultivation/batches/new/", data)
    batch = Batch.objects.get()
    assert response["Location"] == f"/cultivation/batches/{batch.pk}/"
    assert batch.criteria == [
        {"name": "智能化水平", "max": 50, "note": "装备与系统"},
        {"name": "建设成效", "max": 30, "note": ""},
        {"name": "推广价值", "max": 20, "note": ""},
    ]
    assert batch.required_attachments == ["申报书", "财务审计报告"]
    assert batch.created_by == city_admin
    rows = rows_of(html_of(client.get("/cultivation/batches/")), "batch-table")
    assert rows[0][:2] == ["2026年第2批", "市级智能工厂"]


def test_a_criteria_line_without_points_is_named(city_admin, plan):
    response = signed_in(city_admin).post(
        "/cultivation/batches/new/",
        {
            "title_type": title_type("municipal-smart-factory").pk,
            "year": "2026",
            "number": "1",
            "opens_on": "2026-11-01",
            "closes_on": "2026-12-31",
            "criteria": "智能化水平",
        },
    )
    assert "第 1 行「智能化水平」应为：名称,分值,说明。" in html_of(response)
