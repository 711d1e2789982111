"""The application workflow through its services: who may do what at each step, what each step
records, who is notified, and the messages refusals give."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.accounts.factories import make_user
from tests.cultivation.factories import (
    make_batch,
    make_expert,
    make_title,
    title_type,
)
from tests.enterprises.factories import make_enterprise, make_report
from zhizao.core.models import Notification, Task
from zhizao.core.roles import Role
from zhizao.cultivation.models import ApplicationStatus, Title
from zhizao.cultivation.review import (
    assign_experts,
    next_actions,
    pass_district_review,
    recognise_application,
    recommend_to_province,
    reject_application,
    return_application,
    score_application,
    submit_application,
    waiting_for,
)
from zhizao.cultivation.services import (
    CultivationError,
    CultivationForbidden,
    add_attachment,
    create_application,
    open_batch,
    public_titles,
    publish_titles,
    revoke_title,
    update_application,
)
from zhizao.enterprises.models import ReportStatus

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def firm(enterprise_user):
    enterprise = make_enterprise("越城智造有限公司", region="越城区")
    enterprise.members.add(enterprise_user)
    return enterprise


def _ready_to_submit(firm, enterprise_user, batch=None):
    batch = batch or make_batch()
    application = create_application(
        batch, enterprise_user, enterprise=firm, project_name="数字化车间项目"
    )
    update_application(
        application,
        enterprise_user,
        project_name="数字化车间项目",
        scenes=[{"name": "智能仓储", "description": "立体库与 AGV"}],
        key_figures={"productivity": {"before": " 120 ", "after": "150"}},
        investment=Decimal("800"),
    )
    add_attachment(application, enterprise_user, SimpleUploadedFile("申报书.pdf", PDF), "申报书")
    return application


def test_an_application_walks_from_draft_to_recognition(
    firm, enterprise_user, yuecheng_officer, city_admin
):
    # given an enterprise's complete draft for a city-level title
    application = _ready_to_submit(firm, enterprise_user)
    experts = [make_expert("王"), make_expert("李")]

    # when each role takes its step
    submit_application(application, enterprise_user)
    pass_district_review(application, yuecheng_officer, "材料齐全")
    assign_experts(application, experts, city_admin)
    reviews = list(application.expert_reviews.order_by("pk"))
    score_application(reviews[0], experts[0], [36, 30, 16], "场景完整")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.EXPERT_REVIEW  # one expert still to score
    score_application(reviews[1], experts[1], ["30", "28.5", "15"], "成效可信")
    application.refresh_from_db()
    title = recognise_application(
        application,
        city_admin,
        document_number="绍市经信〔2026〕12号",
        recognised_on=datetime.date(2026, 11, 20),
    )

    # then the score is the mean of the totals (82 and 73.5) with their spread
    application.refresh_from_db()
    assert application.status == ApplicationStatus.RECOGNISED
    assert application.score == Decimal("77.75")
    assert application.score_spread == Decimal("8.5")
    # and the title counts for the enterprise's district in the batch's year
    assert (title.enterprise, title.region.name, title.year) == (firm, "越城区", 2026)
    assert title.document_number == "绍市经信〔2026〕12号"
    # and every step is recorded with who did it
    steps = [(s.action, s.to_status, s.actor) for s in application.steps.order_by("id")]
    assert steps == [
        ("create", "draft", enterprise_user),
        ("submit", "submitted", enterprise_user),
        ("district_pass", "district_passed", yuecheng_officer),
        ("assign", "expert_review", city_admin),
        ("score", "expert_review", experts[0]),
        ("score", "expert_review", experts[1]),
        ("score", "scored", experts[1]),
        ("recognise", "recognised", city_admin),
    ]
    # and the registry indicators are queued for a recount
    assert Task.objects.filter(name="monitoring.recompute", payload__registry=True).exists()


def test_each_step_notifies_the_people_it_now_waits_for(
    firm, enterprise_user, yuecheng_officer, keqiao_officer, city_admin
):
    application = _ready_to_submit(firm, enterprise_user)
    expert = make_expert()

    submit_application(application, enterprise_user)
    assert Notification.objects.filter(user=yuecheng_officer).count() == 1
    assert not Notification.objects.filter(user=keqiao_officer).exists()

    pass_district_review(application, yuecheng_officer)
    assert Notification.objects.filter(user=city_admin, text__contains="待分配评审专家").exists()

    assign_experts(application, [expert], city_admin)
    assert (
        Notification.objects.get(user=expert).url == f"/cultivation/applications/{application.pk}/"
    )


def test_the_enterprise_fixes_and_resubmits_a_returned_application(
    firm, enterprise_user, yuecheng_officer
):
    application = _ready_to_submit(firm, enterprise_user)
    submit_application(application, enterprise_user)

    with pytest.raises(CultivationError, match="退回必须填写原因"):
        return_application(application, yuecheng_officer, "  ")
    return_application(application, yuecheng_officer, "缺少设备清单")

    application.refresh_from_db()
    assert application.status == ApplicationStatus.RETURNED
    assert Notification.objects.filter(user=enterprise_user, text__contains="缺少设备清单").exists()
    update_application(
        application,
        enterprise_user,
        project_name="数字化车间项目（修改）",
        scenes=application.scenes,
    )
    submit_application(application, enterprise_user)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_another_district_cannot_review(firm, enterprise_user, keqiao_officer):
    application = _ready_to_submit(firm, enterprise_user)
    submit_application(application, enterprise_user)

    with pytest.raises(CultivationForbidden, match="只有申报所属区县的用户可以进行区县审核"):
        pass_district_review(application, keqiao_officer)
    assert next_actions(keqiao_officer, application) == []


def test_submission_needs_scenes_attachments_and_an_open_batch(firm, enterprise_user):
    batch = make_batch(required_attachments=["申报书", "财务审计报告"])
    application = create_application(batch, enterprise_user, enterprise=firm, project_name="项目")
    application.scenes = []
    application.save()

    with pytest.raises(CultivationError, match="请至少填写一个建设场景后再提交"):
        submit_application(application, enterprise_user)
    update_application(application, enterprise_user, project_name="项目", scenes=[{"name": "MES"}])
    add_attachment(application, enterprise_user, SimpleUploadedFile("a.pdf", PDF), "申报书")
    with pytest.raises(CultivationError, match="还缺少附件：财务审计报告。"):
        submit_application(application, enterprise_user)
    add_attachment(application, enterprise_user, SimpleUploadedFile("b.pdf", PDF), "财务审计报告")
    with pytest.raises(CultivationError, match="截止（或尚未开始），不能提交"):
        submit_application(application, enterprise_user, today=datetime.date(2100, 1, 1))


def test_one_open_application_per_enterprise_and_type(firm, enterprise_user):
    batch = make_batch()
    create_application(batch, enterprise_user, enterprise=firm, project_name="一期")

    with pytest.raises(CultivationError) as refused:
        create_application(batch, enterprise_user, enterprise=firm, project_name="二期")
    assert (
        str(refused.value)
        == "越城智造有限公司已有一份未办结的「市级数字化车间」申报（草稿），不能重复申报。"
    )


def test_a_closed_batch_takes_no_application(firm, enterprise_user):
    batch = make_batch(opens_on=datetime.date(2026, 1, 1), closes_on=datetime.date(2026, 3, 31))

    with pytest.raises(CultivationError) as refused:
        create_application(
            batch,
            enterprise_user,
            enterprise=firm,
            project_name="项目",
            today=datetime.date(2026, 4, 1),
        )
    assert "申报时间为 2026-01-01 至 2026-03-31，当前不在申报期内" in str(refused.value)


def test_a_future_factory_needs_a_smart_factory_title_first(firm, enterprise_user):
    batch = make_batch("provincial-future-factory")

    with pytest.raises(CultivationError) as refused:
        create_application(batch, enterprise_user, enterprise=firm, project_name="未来工厂")
    assert str(refused.value) == (
        "申报「省级“未来工厂”」须已获得「市级智能工厂」或「省级智能工厂（数字化车间）」称号，越城智造有限公司尚未获得。"
    )
    make_title("municipal-smart-factory", enterprise=firm, year=2024)
    assert create_application(batch, enterprise_user, enterprise=firm, project_name="未来工厂")


def test_a_revoked_prerequisite_no_longer_qualifies(firm, enterprise_user):
    make_title(
        "municipal-smart-factory", enterprise=firm, year=2022, revoked_on=datetime.date(2024, 5, 1)
    )
    batch = make_batch("provincial-future-factory")

    with pytest.raises(CultivationError, match="尚未获得"):
        create_application(batch, enterprise_user, enterprise=firm, project_name="未来工厂")


def test_a_transformation_is_for_above_scale_enterprises_and_recognised_by_the_district(
    firm, enterprise_user, yuecheng_officer
):
    batch = make_batch("transformation-completed", year=2026)
    with pytest.raises(CultivationError, match="仅限规上企业申报"):
        create_application(batch, enterprise_user, enterprise=firm, project_name="改造")
    make_report(firm, year=2025, status=ReportStatus.CITY_APPROVED)
    application = _ready_to_submit(firm, enterprise_user, batch)
    submit_application(application, enterprise_user)

    pass_district_review(
        application, yuecheng_officer, "验收合格", document_number="越经信〔2026〕3号"
    )

    application.refresh_from_db()
    assert application.status == ApplicationStatus.RECOGNISED
    assert Title.objects.get(application=application).document_number == "越经信〔2026〕3号"


def test_the_key_figures_before_come_from_the_latest_approved_report(firm, enterprise_user):
    make_report(firm, year=2024, status=ReportStatus.CITY_APPROVED, cnc_key_processes=15)

    application = create_application(
        make_batch(), enterprise_user, enterprise=firm, project_name="项目"
    )

    # 30000 万元 / 200 人; 15 / 20 key processes; 80 / 100 machines; 3000 t / 30000 万元
    assert application.key_figures == {
        "productivity": {"before": "150.00", "after": ""},
        "energy_per_unit": {"before": "0.10", "after": ""},
        "cnc_rate": {"before": "75.00", "after": ""},
        "networking_rate": {"before": "80.00", "after": ""},
    }


def test_a_key_figure_that_is_not_a_number_is_refused(firm, enterprise_user):
    application = create_application(
        make_batch(), enterprise_user, enterprise=firm, project_name="项目"
    )

    with pytest.raises(CultivationError) as refused:
        update_application(
            application,
            enterprise_user,
            project_name="项目",
            key_figures={"defect_rate": {"before": "约2%", "after": "1"}},
        )
    assert str(refused.value) == "关键指标「产品不良品率」的改造前值「约2%」不是数字。"


def test_a_linked_expert_cannot_be_assigned(firm, enterprise_user, yuecheng_officer, city_admin):
    application = _ready_to_submit(firm, enterprise_user)
    submit_application(application, enterprise_user)
    pass_district_review(application, yuecheng_officer)
    tied = make_expert("赵")
    firm.linked_experts.add(tied)

    with pytest.raises(CultivationError) as refused:
        assign_experts(application, [make_expert("钱"), tied], city_admin)
    assert (
        str(refused.value) == f"专家「{tied}」已声明与越城智造有限公司存在关联，须回避，不能分配。"
    )
    assert not application.expert_reviews.exists()


def test_scores_are_checked_against_the_criteria(
    firm, enterprise_user, yuecheng_officer, city_admin
):
    application = _ready_to_submit(firm, enterprise_user)
    submit_application(application, enterprise_user)
    pass_district_review(application, yuecheng_officer)
    expert, stranger = make_expert(), make_expert()
    (review,) = assign_experts(application, [expert], city_admin)

    with pytest.raises(CultivationForbidden):
        score_application(review, stranger, [40, 40, 20], "好")
    with pytest.raises(CultivationError) as refused:
        score_application(review, expert, [41, 40, 20], "好")
    assert str(refused.value) == "「智能化水平」的得分 41 超出范围，应在 0 到 40 之间。"
    with pytest.raises(CultivationError, match="应对 3 项评分细则逐项打分，实际 2 项"):
        score_application(review, expert, [40, 40], "好")
    with pytest.raises(CultivationError, match="请填写评审意见"):
        score_application(review, expert, [40, 40, 20], " ")


def test_a_provincial_title_is_recommended_then_recorded(
    firm, enterprise_user, yuecheng_officer, city_admin
):
    application = _ready_to_submit(firm, enterprise_user, make_batch("provincial-smart-factory"))
    submit_application(application, enterprise_user)
    pass_district_review(application, yuecheng_officer)
    expert = make_expert()
    (review,) = assign_experts(application, [expert], city_admin)
    score_application(review, expert, [35, 35, 15], "推荐")
    application.refresh_from_db()

    with pytest.raises(CultivationError, match="不能认定"):
        recognise_application(application, city_admin, document_number="浙经信〔2026〕1号")
    recommend_to_province(application, city_admin, "推荐上报")
    recognise_application(application, city_admin, document_number="浙经信〔2026〕1号")

    assert application.steps.filter(action="province_result").exists()
    assert Title.objects.get(application=application).title_type.code == "provincial-smart-factory"


def test_a_rejection_needs_a_reason_and_closes_the_application(
    firm, enterprise_user, yuecheng_officer, city_admin
):
    application = _ready_to_submit(firm, enterprise_user)
    submit_application(application, enterprise_user)
    pass_district_review(application, yuecheng_officer)

    reject_application(application, city_admin, "未达到数字化车间标准")

    application.refresh_from_db()
    assert application.status == ApplicationStatus.REJECTED
    # a closed application no longer blocks a new one
    assert create_application(
        application.batch, enterprise_user, enterprise=firm, project_name="再申报"
    )


def test_each_role_sees_its_own_queue(firm, enterprise_user, yuecheng_officer, city_admin):
    application = _ready_to_submit(firm, enterprise_user)
    assert list(waiting_for(enterprise_user)) == [application]
    submit_application(application, enterprise_user)
    assert list(waiting_for(yuecheng_officer)) == [application]
    pass_district_review(application, yuecheng_officer)
    assert list(waiting_for(city_admin)) == [application]
    expert = make_expert()
    assign_experts(application, [expert], city_admin)
    assert list(waiting_for(expert)) == [application]
    assert list(waiting_for(city_admin)) == []


def test_a_batch_needs_criteria_adding_up_to_100(city_admin):
    kind = title_type("municipal-smart-factory")
    dates = {"opens_on": datetime.date(2026, 9, 1), "closes_on": datetime.date(2026, 12, 31)}

    with pytest.raises(CultivationError) as refused:
        open_batch(
            kind,
            year=2026,
            number=1,
            criteria=[{"name": "水平", "max": 60}, {"name": "成效", "max": 30}],
            required_attachments=["申报书"],
            user=city_admin,
            **dates,
        )
    assert str(refused.value) == "评分细则各项分值合计应为 100，实际为 90。"
    with pytest.raises(CultivationForbidden):
        open_batch(
            kind,
            year=2026,
            number=1,
            criteria=[],
            required_attachments=[],
            user=make_user(Role.DISTRICT, "越城区"),
            **dates,
        )
    batch = open_batch(
        kind,
        year=2026,
        number=1,
        criteria=[{"name": "水平", "max": 60}, {"name": "成效", "max": "40"}],
        required_attachments=["申报书", " "],
        user=city_admin,
        **dates,
    )
    assert batch.criteria == [
        {"name": "水平", "max": 60, "note": ""},
        {"name": "成效", "max": 40, "note": ""},
    ]
    assert batch.required_attachments == ["申报书"]


def test_revoking_a_title_keeps_it_with_its_history(city_admin):
    title = make_title("municipal-digital-workshop", year=2022)

    with pytest.raises(CultivationError, match="摘牌必须填写原因"):
        revoke_title(title, city_admin, revoked_on=datetime.date(2023, 3, 1), reason="")
    revoke_title(title, city_admin, revoked_on=datetime.date(2023, 3, 1), reason="发生重大安全事故")

    title.refresh_from_db()
    assert title.revoked_on == datetime.date(2023, 3, 1)
    assert title.history.first().history_change_reason == "摘牌：发生重大安全事故"
    with pytest.raises(CultivationError, match="该称号已于 2023-03-01 摘牌"):
        revoke_title(title, city_admin, revoked_on=datetime.date(2023, 4, 1), reason="再次")


def test_the_public_list_holds_published_titles_in_force(city_admin):
    kept = make_title("municipal-digital-workshop", year=2023)
    revoked = make_title("municipal-digital-workshop", year=2023)
    unpublished = make_title("municipal-digital-workshop", year=2024)

    assert publish_titles(city_admin, year=2023) == 2
    revoke_title(revoked, city_admin, revoked_on=datetime.date(2024, 1, 10), reason="撤销")

    assert list(public_titles()) == [kept]
    assert unpublished not in public_titles()
