"""The cultivation API: title types, batches, the application workflow from draft to recognition,
titles and the ladder, scoped like the pages and written through the services."""

import datetime

import pytest

from tests.accounts.factories import make_user
from tests.cultivation.factories import make_application, make_batch, make_expert, make_title
from tests.plans.test_api import api
from tests.reports.conftest import new_enterprise
from zhizao.core.roles import Role
from zhizao.cultivation.models import (
    Application,
    ApplicationStatus,
    Batch,
    ExpertReview,
    Title,
)
from zhizao.cultivation.typefile import ensure_title_types

DOCUMENT = "绍市经信〔2026〕12号"


@pytest.fixture
def yuecheng_enterprise(plan):
    return new_enterprise("越城区", 1, name="越城智造示范有限公司")


@pytest.fixture
def keqiao_enterprise(plan):
    return new_enterprise("柯桥区", 2, name="柯桥印染科技有限公司")


@pytest.fixture
def member(yuecheng_enterprise):
    user = make_user(Role.ENTERPRISE, "越城区", username="member")
    yuecheng_enterprise.members.add(user)
    return user


@pytest.fixture
def keqiao_member(keqiao_enterprise):
    user = make_user(Role.ENTERPRISE, "柯桥区", username="keqiao-member")
    keqiao_enterprise.members.add(user)
    return user


@pytest.fixture
def batch(plan):
    return make_batch("municipal-digital-workshop", year=2026, number=1, required_attachments=[])


def detail(client, application) -> dict:
    response = client.get(f"/api/applications/{application.pk}/")
    assert response.status_code == 200
    return response.json()


# --- title types and batches ----------------------------------------------------------------


def test_anonymous_callers_are_refused(plan):
    for path in ["/api/title-types/", "/api/batches/", "/api/applications/", "/api/titles/"]:
        assert api().get(path).status_code == 403, path
    assert api().get("/api/ladder/?year=2023").status_code == 403


def test_title_types_are_read_by_every_signed_in_role(enterprise_user):
    # given
    ensure_title_types()
    # when
    response = api(enterprise_user).get("/api/title-types/")
    # then
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["code"] for row in rows] == [
        "municipal-digital-workshop",
        "municipal-smart-factory",
        "provincial-smart-factory",
        "future-factory-candidate",
        "provincial-future-factory",
        "demo-cluster",
        "transformation-completed",
    ]
    future = api(enterprise_user).get("/api/title-types/provincial-future-factory/").json()
    del future["id"]
    assert future == {
        "code": "provincial-future-factory",
        "name": "省级“未来工厂”",
        "level": "province",
        "level_display": "省级",
        "holder": "enterprise",
        "holder_display": "企业",
        "above_scale_only": False,
        "prerequisites": ["municipal-smart-factory", "provincial-smart-factory"],
        "expert_review": True,
        "indicator_number": 2,
        "description": "须已获智能工厂称号；由市经信局推荐，省经信厅认定。",
        "sort_order": 5,
    }


def test_title_types_cannot_be_written_through_the_api(city_admin):
    ensure_title_types()
    response = api(city_admin).post("/api/title-types/", {"code": "x", "name": "x"})
    assert response.status_code == 405


def test_city_admin_opens_a_batch_through_the_service(city_admin, yuecheng_officer):
    # given
    ensure_title_types()
    payload = {
        "title_type": "municipal-smart-factory",
        "year": 2026,
        "number": 2,
        "opens_on": "2026-01-01",
        "closes_on": "2026-03-31",
        "criteria": [
            {"name": "智能化水平", "max": 60, "note": " 设备联网与系统集成 "},
            {"name": "建设成效", "max": 40},
        ],
        "required_attachments": ["申报书", " ", "财务审计报告"],
        "notes": "请于截止日前提交。",
    }
    # when
    response = api(city_admin).post("/api/batches/", payload, format="json")
    # then
    assert response.status_code == 201, response.json()
    body = response.json()
    assert isinstance(body.pop("id"), int) and body.pop("created_at")
    assert body == {
        "title_type": "municipal-smart-factory",
        "title_type_name": "市级智能工厂",
        "year": 2026,
        "number": 2,
        "opens_on": "2026-01-01",
        "closes_on": "2026-03-31",
        "criteria": [
            {"name": "智能化水平", "max": 60, "note": "设备联网与系统集成"},
            {"name": "建设成效", "max": 40, "note": ""},
        ],
        "required_attachments": ["申报书", "财务审计报告"],
        "notes": "请于截止日前提交。",
        "max_score": 100,
        "is_open": False,
    }
    assert Batch.objects.get().created_by == city_admin
    listed = api(yuecheng_officer).get("/api/batches/?title_type=municipal-smart-factory")
    assert [b["number"] for b in listed.json()["results"]] == [2]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"criteria": [{"name": "智能化水平", "max": 90}]},
            "评分细则各项分值合计应为 100，实际为 90。",
        ),
        ({"criteria": []}, "评分细则至少应有一项。"),
        (
            {"criteria": [{"name": "建设成效", "max": "很多"}]},
            "评分细则「建设成效」的分值「很多」应为正整数。",
        ),
        ({"closes_on": "2026-10-01"}, "截止日期 2026-10-01 早于开始日期 2026-11-01。"),
        ({"number": 1}, "2026年第1批市级数字化车间已存在。"),
    ],
)
def test_a_batch_that_cannot_be_opened_is_refused_with_the_reason(
    city_admin, batch, changes, message
):
    payload = {
        "title_type": "municipal-digital-workshop",
        "year": 2026,
        "number": 3,
        "opens_on": "2026-11-01",
        "closes_on": "2026-12-31",
        "criteria": [{"name": "智能化水平", "max": 100}],
        **changes,
    }
    response = api(city_admin).post("/api/batches/", payload, format="json")
    assert response.status_code == 400
    assert response.json() == {"detail": message}
    assert Batch.objects.count() == 1


def test_only_the_city_admin_opens_a_batch(yuecheng_officer, member):
    ensure_title_types()
    payload = {
        "title_type": "municipal-digital-workshop",
        "year": 2026,
        "opens_on": "2026-11-01",
        "closes_on": "2026-12-31",
        "criteria": [{"name": "智能化水平", "max": 100}],
    }
    for user in (yuecheng_officer, member):
        response = api(user).post("/api/batches/", payload, format="json")
        assert response.status_code == 403
        assert response.json() == {"detail": "只有市级管理员可以发布申报批次。"}
    assert not Batch.objects.exists()


# --- drafting -------------------------------------------------------------------------------


def test_enterprise_drafts_an_application_with_its_content(member, yuecheng_enterprise, batch):
    # given
    payload = {
        "batch": batch.pk,
        "enterprise": yuecheng_enterprise.uscc,
        "project_name": " 纺织数字化车间 ",
        "summary": "新建智能仓储与在线检测。",
        "scenes": [{"name": "智能仓储", "description": "立体库"}, {"name": " "}],
        "key_figures": {"defect_rate": {"before": "2.5", "after": "1,2"}, "unknown": {}},
        "investment": "1200.50",
    }
    # when
    response = api(member).post("/api/applications/", payload, format="json")
    # then
    assert response.status_code == 201, response.json()
    body = response.json()
    application = Application.objects.get()
    assert body["id"] == application.pk
    assert body["status"] == "draft"
    assert body["status_display"] == "草稿"
    assert body["holder_name"] == "越城智造示范有限公司"
    assert body["enterprise"] == yuecheng_enterprise.uscc
    assert (body["region"], body["region_name"]) == ("330602", "越城区")
    assert body["project_name"] == "纺织数字化车间"
    assert body["scenes"] == [{"name": "智能仓储", "description": "立体库"}]
    assert body["key_figures"] == {"defect_rate": {"before": "2.5", "after": "12"}}
    assert body["investment"] == 1200.5
    assert body["batch_label"] == "2026年第1批市级数字化车间"
    assert body["title"] is None
    assert [s["action"] for s in body["steps"]] == ["create"]
    assert body["steps"][0]["actor"] == "member"
    assert body["next_actions"] == ["submit"]
    assert application.applicant == member


def test_a_refused_content_leaves_no_draft_behind(member, yuecheng_enterprise, batch):
    payload = {
        "batch": batch.pk,
        "enterprise": yuecheng_enterprise.uscc,
        "project_name": "纺织数字化车间",
        "key_figures": {"lead_time": {"before": "三十", "after": "20"}},
    }
    response = api(member).post("/api/applications/", payload, format="json")
    assert response.status_code == 400
    assert response.json() == {"detail": "关键指标「产品研制周期」的改造前值「三十」不是数字。"}
    assert not Application.objects.exists()


def test_draft_refusals_carry_the_services_messages(member, yuecheng_enterprise, batch):
    client = api(member)
    base = {"batch": batch.pk, "enterprise": yuecheng_enterprise.uscc}
    blank = client.post("/api/applications/", {**base, "project_name": "  "}, format="json")
    assert blank.json() == {"detail": "请填写项目名称。"}
    first = client.post("/api/applications/", {**base, "project_name": "一期"}, format="json")
    assert first.status_code == 201
    second = client.post("/api/applications/", {**base, "project_name": "二期"}, format="json")
    assert second.status_code == 400
    assert second.json() == {
        "detail": "越城智造示范有限公司已有一份未办结的「市级数字化车间」申报（草稿），不能重复申报。"
    }
    closed = make_batch(opens_on=datetime.date(2020, 1, 1), closes_on=datetime.date(2020, 2, 1))
    late = client.post(
        "/api/applications/",
        {"batch": closed.pk, "enterprise": yuecheng_enterprise.uscc, "project_name": "三期"},
        format="json",
    )
    assert late.json() == {
        "detail": f"{closed}的申报时间为 2020-01-01 至 2020-02-01，当前不在申报期内。"
    }


def test_enterprise_cannot_apply_in_the_name_of_an_enterprise_it_cannot_see(
    member, keqiao_enterprise, batch
):
    payload = {"batch": batch.pk, "enterprise": keqiao_enterprise.uscc, "project_name": "冒名"}
    response = api(member).post("/api/applications/", payload, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["enterprise"]
    assert not Application.objects.exists()


def test_district_officer_sees_the_enterprise_draft_but_may_not_edit_it(
    yuecheng_officer, yuecheng_enterprise, batch
):
    application = make_application(yuecheng_enterprise, batch)
    response = api(yuecheng_officer).patch(
        f"/api/applications/{application.pk}/", {"project_name": "改名"}, format="json"
    )
    assert response.status_code == 403
    assert response.json() == {"detail": "您不能修改该申报。"}


def test_applicant_edits_part_of_its_draft(member, yuecheng_enterprise, batch):
    # given
    application = make_application(yuecheng_enterprise, batch, summary="旧简介")
    # when
    response = api(member).patch(
        f"/api/applications/{application.pk}/", {"investment": "300"}, format="json"
    )
    # then
    assert response.status_code == 200, response.json()
    application.refresh_from_db()
    assert application.investment == 300
    assert application.summary == "旧简介"
    assert application.scenes == [{"name": "智能仓储", "description": "立体库"}]
    negative = api(member).patch(
        f"/api/applications/{application.pk}/", {"investment": "-1"}, format="json"
    )
    assert negative.json() == {"detail": "项目投资「-1.00」不能为负数。"}


def test_a_submitted_application_can_no_longer_be_edited(member, yuecheng_enterprise, batch):
    application = make_application(yuecheng_enterprise, batch, status=ApplicationStatus.SUBMITTED)
    response = api(member).put(
        f"/api/applications/{application.pk}/", {"project_name": "改名"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "该申报已提交，待区县审核，不能再修改。"}


# --- the workflow ---------------------------------------------------------------------------


def test_one_application_walks_from_draft_to_recognition(
    member, yuecheng_officer, city_admin, yuecheng_enterprise, batch
):
    # given
    application = make_application(yuecheng_enterprise, batch, project_name="数字化车间")
    first, second = make_expert("张"), make_expert("李")
    enterprise, officer, city = api(member), api(yuecheng_officer), api(city_admin)
    url = f"/api/applications/{application.pk}"
    # when the enterprise submits and the district passes it
    submitted = enterprise.post(f"{url}/submit/")
    assert submitted.status_code == 200, submitted.json()
    assert submitted.json()["status"] == "submitted"
    assert officer.get(url + "/").json()["next_actions"] == ["district_pass", "return"]
    passed = officer.post(f"{url}/district-pass/", {"comment": "材料齐全"})
    assert passed.json()["status"] == "district_passed"
    # and the city assigns two experts, who score
    assigned = city.post(
        f"{url}/assign-experts/", {"experts": [first.pk, second.pk]}, format="json"
    )
    assert assigned.status_code == 200, assigned.json()
    assert assigned.json()["status"] == "expert_review"
    assert [r["expert_name"] for r in assigned.json()["expert_reviews"]] == [
        str(first),
        str(second),
    ]
    one = api(first).post(
        f"{url}/score/", {"scores": [35, "30", 15], "comment": "成效明显"}, format="json"
    )
    assert one.status_code == 200, one.json()
    assert one.json()["status"] == "expert_review"
    # an expert sees only its own review
    assert [r["total"] for r in one.json()["expert_reviews"]] == [80.0]
    two = api(second).post(
        f"{url}/score/", {"scores": ["30", "32", "16"], "comment": "可推广"}, format="json"
    )
    assert two.json()["status"] == "scored"
    assert (two.json()["score"], two.json()["score_spread"]) == (79.0, 2.0)
    # and the city recognises it
    recognised = city.post(
        f"{url}/recognise/",
        {"document_number": DOCUMENT, "recognised_on": "2026-12-20", "comment": "同意"},
        format="json",
    )
    # then
    assert recognised.status_code == 200, recognised.json()
    body = recognised.json()
    assert body["status"] == "recognised"
    assert [s["action"] for s in body["steps"]] == [
        "submit", "district_pass", "assign", "score", "score", "score", "recognise",
    ]  # fmt: skip
    assert body["steps"][1]["comment"] == "材料齐全"
    title = Title.objects.get()
    assert body["title"] == title.pk
    shown = enterprise.get(f"/api/titles/{title.pk}/").json()
    assert shown == {
        "id": title.pk,
        "title_type": "municipal-digital-workshop",
        "title_type_name": "市级数字化车间",
        "level": "city",
        "enterprise": yuecheng_enterprise.uscc,
        "region": "330602",
        "region_name": "越城区",
        "cluster": None,
        "holder_name": "越城智造示范有限公司",
        "project_name": "数字化车间",
        "year": 2026,
        "batch": batch.pk,
        "batch_label": "第1批",
        "document_number": DOCUMENT,
        "recognised_on": "2026-12-20",
        "application": application.pk,
        "is_revoked": False,
        "revoked_on": None,
        "revoke_reason": "",
        "published": False,
    }
    # the enterprise sees the score but no expert's review
    assert enterprise.get(url + "/").json()["expert_reviews"] == []


def test_provincial_title_is_recommended_then_the_province_result_recorded(
    city_admin, yuecheng_enterprise
):
    batch = make_batch("provincial-smart-factory", required_attachments=[])
    application = make_application(yuecheng_enterprise, batch, status=ApplicationStatus.SCORED)
    city = api(city_admin)
    url = f"/api/applications/{application.pk}"
    early = city.post(f"{url}/recognise/", {"document_number": "浙经信〔2026〕8号"})
    assert early.json() == {"detail": "该申报评审完成，待市级认定，不能认定。"}
    recommended = city.post(f"{url}/recommend/", {"comment": "推荐"})
    assert recommended.json()["status"] == "recommended"
    assert recommended.json()["next_actions"] == ["province_result", "reject"]
    result = city.post(f"{url}/recognise/", {"document_number": "浙经信〔2026〕8号"})
    assert result.json()["status"] == "recognised"
    assert result.json()["steps"][-1]["action"] == "province_result"


def test_city_level_title_needs_no_recommendation(city_admin, yuecheng_enterprise, batch):
    application = make_application(yuecheng_enterprise, batch, status=ApplicationStatus.SCORED)
    response = api(city_admin).post(f"/api/applications/{application.pk}/recommend/")
    assert response.status_code == 400
    assert response.json() == {"detail": "「市级数字化车间」由市级认定，无需推荐省级。"}


def test_district_returns_and_the_city_rejects_with_reasons(
    yuecheng_officer, city_admin, yuecheng_enterprise, batch
):
    application = make_application(yuecheng_enterprise, batch, status=ApplicationStatus.SUBMITTED)
    officer, city = api(yuecheng_officer), api(city_admin)
    url = f"/api/applications/{application.pk}"
    assert officer.post(f"{url}/return/", {"reason": " "}).json() == {
        "detail": "退回必须填写原因。"
    }
    returned = officer.post(f"{url}/return/", {"reason": "缺少能耗数据"})
    assert returned.json()["status"] == "returned"
    assert returned.json()["steps"][-1]["comment"] == "缺少能耗数据"
    Application.objects.filter(pk=application.pk).update(status=ApplicationStatus.SCORED)
    assert city.post(f"{url}/reject/", {}).json() == {"detail": "不予认定必须填写原因。"}
    assert city.post(f"{url}/recognise/", {"document_number": " "}).json() == {
        "detail": "请填写认定文号。"
    }
    rejected = city.post(f"{url}/reject/", {"reason": "得分低于认定线"})
    assert rejected.json()["status"] == "rejected"
    assert not Title.objects.exists()


def test_a_district_recognised_type_is_recognised_at_the_district_review(
    yuecheng_officer, yuecheng_enterprise
):
    batch = make_batch("transformation-completed", required_attachments=[])
    application = make_application(yuecheng_enterprise, batch, status=ApplicationStatus.SUBMITTED)
    response = api(yuecheng_officer).post(
        f"/api/applications/{application.pk}/district-pass/",
        {"comment": "验收通过", "document_number": "越经信〔2026〕3号"},
    )
    assert response.json()["status"] == "recognised"
    title = Title.objects.get()
    assert (title.document_number, title.region.name) == ("越经信〔2026〕3号", "越城区")


def test_only_the_city_admin_assigns_experts(yuecheng_officer, city_admin, yuecheng_enterprise):
    batch = make_batch(required_attachments=[])
    application = make_application(
        yuecheng_enterprise, batch, status=ApplicationStatus.DISTRICT_PASSED
    )
    expert = make_expert()
    url = f"/api/applications/{application.pk}/assign-experts/"
    refused = api(yuecheng_officer).post(url, {"experts": [expert.pk]}, format="json")
    assert refused.status_code == 403
    assert refused.json() == {"detail": "只有市级管理员可以分配评审专家。"}
    unknown = api(city_admin).post(url, {"experts": [expert.pk, 999999]}, format="json")
    assert unknown.status_code == 400
    assert unknown.json() == {"detail": "找不到编号为 999999 的专家。"}
    not_expert = api(city_admin).post(url, {"experts": [yuecheng_officer.pk]}, format="json")
    assert not_expert.json() == {"detail": f"「{yuecheng_officer}」不是在册专家，不能分配。"}
    yuecheng_enterprise.linked_experts.add(expert)
    linked = api(city_admin).post(url, {"experts": [expert.pk]}, format="json")
    assert linked.json() == {
        "detail": f"专家「{expert}」已声明与越城智造示范有限公司存在关联，须回避，不能分配。"
    }
    assert not ExpertReview.objects.exists()


def test_scores_are_checked_against_the_criteria(yuecheng_enterprise):
    batch = make_batch(required_attachments=[])
    application = make_application(
        yuecheng_enterprise, batch, status=ApplicationStatus.EXPERT_REVIEW
    )
    expert = make_expert()
    ExpertReview.objects.create(application=application, expert=expert)
    client = api(expert)
    url = f"/api/applications/{application.pk}/score/"
    cases = [
        ({"scores": [30, 30], "comment": "好"}, "应对 3 项评分细则逐项打分，实际 2 项。"),
        ({"scores": [30, "三十", 10], "comment": "好"}, "「建设成效」的得分「三十」不是数字。"),
        (
            {"scores": [41, 30, 10], "comment": "好"},
            "「智能化水平」的得分 41 超出范围，应在 0 到 40 之间。",
        ),
        ({"scores": [30, 30, 10], "comment": " "}, "请填写评审意见。"),
    ]
    for payload, message in cases:
        response = client.post(url, payload, format="json")
        assert response.status_code == 400
        assert response.json() == {"detail": message}
    assert ExpertReview.objects.get().submitted_at is None


def test_an_expert_cannot_score_an_application_it_is_not_assigned_to(
    city_admin, yuecheng_enterprise
):
    batch = make_batch(required_attachments=[])
    application = make_application(
        yuecheng_enterprise, batch, status=ApplicationStatus.EXPERT_REVIEW
    )
    ExpertReview.objects.create(application=application, expert=make_expert())
    outsider = make_expert()
    payload = {"scores": [30, 30, 10], "comment": "好"}
    url = f"/api/applications/{application.pk}/score/"
    assert api(outsider).post(url, payload, format="json").status_code == 404
    assert api(outsider).get(f"/api/applications/{application.pk}/").status_code == 404
    # the city admin sees the application but is no assigned expert
    refused = api(city_admin).post(url, payload, format="json")
    assert refused.status_code == 403
    assert refused.json() == {"detail": "只有被分配的专家本人可以评分。"}


# --- scoping --------------------------------------------------------------------------------


def test_district_officer_gets_404_for_another_districts_application_and_title(
    yuecheng_officer, keqiao_enterprise, batch
):
    application = make_application(keqiao_enterprise, batch, status=ApplicationStatus.SUBMITTED)
    title = make_title("municipal-digital-workshop", enterprise=keqiao_enterprise)
    client = api(yuecheng_officer)
    assert client.get(f"/api/applications/{application.pk}/").status_code == 404
    assert client.post(f"/api/applications/{application.pk}/district-pass/").status_code == 404
    assert (
        client.post(f"/api/applications/{application.pk}/return/", {"reason": "x"}).status_code
        == 404
    )
    # the body is not even read for an application out of sight
    assert client.post(f"/api/applications/{application.pk}/recognise/", {}).status_code == 404
    assert client.get(f"/api/titles/{title.pk}/").status_code == 404
    assert client.post(f"/api/titles/{title.pk}/revoke/", {}).status_code == 404
    assert client.get("/api/applications/").json()["results"] == []
    assert client.get("/api/titles/").json()["results"] == []
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_enterprise_user_gets_404_for_another_enterprises_application(
    member, keqiao_enterprise, yuecheng_enterprise, batch
):
    other = make_application(keqiao_enterprise, batch)
    own = make_application(yuecheng_enterprise, batch)
    client = api(member)
    assert client.get(f"/api/applications/{other.pk}/").status_code == 404
    assert (
        client.patch(
            f"/api/applications/{other.pk}/", {"project_name": "改名"}, format="json"
        ).status_code
        == 404
    )
    assert client.post(f"/api/applications/{other.pk}/submit/").status_code == 404
    assert [a["id"] for a in client.get("/api/applications/").json()["results"]] == [own.pk]


def test_application_list_filters(city_admin, yuecheng_enterprise, keqiao_enterprise, batch):
    make_application(yuecheng_enterprise, batch, status=ApplicationStatus.SUBMITTED)
    keqiao = make_application(keqiao_enterprise, batch, project_name="印染车间")
    client = api(city_admin)
    by_region = client.get("/api/applications/?region=330603").json()["results"]
    assert [a["id"] for a in by_region] == [keqiao.pk]
    by_status = client.get("/api/applications/?status=draft").json()["results"]
    assert [a["id"] for a in by_status] == [keqiao.pk]
    by_name = client.get("/api/applications/?q=印染").json()["results"]
    assert [a["id"] for a in by_name] == [keqiao.pk]


def test_application_list_query_count_is_bounded(
    city_admin, plan, batch, django_assert_max_num_queries
):
    for serial in range(10, 30):
        make_application(new_enterprise("诸暨市", serial), batch)
    client = api(city_admin)
    with django_assert_max_num_queries(5):
        response = client.get("/api/applications/?region=330681")
    assert response.json()["count"] == 20


def test_title_list_query_count_is_bounded(city_admin, plan, django_assert_max_num_queries):
    for serial in range(10, 30):
        make_title("municipal-smart-factory", enterprise=new_enterprise("诸暨市", serial))
    client = api(city_admin)
    with django_assert_max_num_queries(5):
        response = client.get("/api/titles/?title_type=municipal-smart-factory")
    assert response.json()["count"] == 20


# --- titles ---------------------------------------------------------------------------------


def test_city_admin_revokes_a_title_and_it_keeps_its_record(
    city_admin, yuecheng_officer, yuecheng_enterprise
):
    # given
    title = make_title("municipal-digital-workshop", enterprise=yuecheng_enterprise, year=2022)
    url = f"/api/titles/{title.pk}/revoke/"
    # when
    refused = api(yuecheng_officer).post(url, {"reason": "不再符合条件"})
    no_reason = api(city_admin).post(url, {"reason": " ", "revoked_on": "2023-05-01"})
    too_early = api(city_admin).post(url, {"reason": "不符", "revoked_on": "2022-01-01"})
    revoked = api(city_admin).post(url, {"reason": "不再符合条件", "revoked_on": "2023-05-01"})
    again = api(city_admin).post(url, {"reason": "重复", "revoked_on": "2023-06-01"})
    # then
    assert refused.status_code == 403
    assert refused.json() == {"detail": "只有市级管理员可以摘牌。"}
    assert no_reason.json() == {"detail": "摘牌必须填写原因。"}
    assert too_early.json() == {"detail": "摘牌日期 2022-01-01 早于认定日期 2022-06-30。"}
    assert revoked.status_code == 200
    assert (revoked.json()["revoked_on"], revoked.json()["is_revoked"]) == ("2023-05-01", True)
    assert revoked.json()["revoke_reason"] == "不再符合条件"
    assert again.json() == {"detail": "该称号已于 2023-05-01 摘牌。"}
    assert title.history.first().history_change_reason == "摘牌：不再符合条件"
    assert api(city_admin).get("/api/titles/?revoked=true").json()["count"] == 1


def test_city_admin_publishes_a_years_titles(city_admin, yuecheng_officer, plan):
    make_title("municipal-digital-workshop", year=2025)
    make_title("municipal-smart-factory", year=2025)
    make_title("municipal-smart-factory", year=2024)
    refused = api(yuecheng_officer).post("/api/titles/publish/", {"year": 2025})
    assert refused.status_code == 403
    assert refused.json() == {"detail": "只有市级管理员可以公开认定名单。"}
    unknown = api(city_admin).post("/api/titles/publish/", {"year": 2025, "title_type": "x"})
    assert unknown.json() == {"detail": "找不到代码为「x」的称号类型。"}
    one_type = api(city_admin).post(
        "/api/titles/publish/", {"year": 2025, "title_type": "municipal-smart-factory"}
    )
    assert one_type.json() == {"published": 1}
    rest = api(city_admin).post("/api/titles/publish/", {"year": 2025})
    assert rest.json() == {"published": 1}
    assert sorted(Title.objects.filter(published=True).values_list("year", flat=True)) == [
        2025,
        2025,
    ]


# --- the ladder -----------------------------------------------------------------------------


@pytest.fixture
def workshops(plan):
    """越城区: 3 municipal digital workshops recognised in 2021, 2 in 2022, one of these
    revoked in 2023; 柯桥区: 1 in 2020 (the base year) and 2 in 2023."""
    code = "municipal-digital-workshop"
    for _ in range(3):
        make_title(code, "越城区", 2021)
    make_title(code, "越城区", 2022)
    make_title(code, "越城区", 2022, revoked_on=datetime.date(2023, 3, 1))
    make_title(code, "柯桥区", 2020)
    make_title(code, "柯桥区", 2023)
    make_title(code, "柯桥区", 2023)


def workshop_row(region: dict) -> dict:
    return next(t for t in region["types"] if t["code"] == "municipal-digital-workshop")


def test_ladder_for_the_city_admin_covers_the_city_and_every_district(city_admin, workshops):
    response = api(city_admin).get("/api/ladder/?year=2023")
    assert response.status_code == 200
    regions = response.json()
    assert [r["region"] for r in regions] == [
        "绍兴市", "越城区", "柯桥区", "上虞区", "诸暨市", "嵊州市", "新昌县",
    ]  # fmt: skip
    assert workshop_row(regions[1]) == {
        "code": "municipal-digital-workshop",
        "name": "市级数字化车间",
        "indicator": 5,
        "recognised_by_year": {"2021": 3, "2022": 2},
        "revoked_by_year": {"2023": 1},
        "cumulative": 4,
        "plan_additions": 4,
        "target_floor": 120,
        "target_stretch": 120,
        "completion": 0.0333,
        "stretch_completion": 0.0333,
        "pipeline": {},
    }
    city = workshop_row(regions[0])
    assert city["recognised_by_year"] == {"2020": 1, "2021": 3, "2022": 2, "2023": 2}
    assert (city["cumulative"], city["plan_additions"]) == (7, 6)
    assert (city["target_floor"], city["completion"]) == (964, 0.0062)


def test_ladder_for_a_district_officer_is_its_own_district(
    yuecheng_officer, keqiao_officer, workshops
):
    regions = api(yuecheng_officer).get("/api/ladder/?year=2023").json()
    assert [r["region"] for r in regions] == ["越城区"]
    assert workshop_row(regions[0])["cumulative"] == 4
    assert api(yuecheng_officer).get("/api/ladder/?year=2023&region=330602").status_code == 200
    assert api(yuecheng_officer).get("/api/ladder/?year=2023&region=330603").status_code == 404
    keqiao = api(keqiao_officer).get("/api/ladder/?year=2023").json()
    assert workshop_row(keqiao[0])["plan_additions"] == 2


def test_ladder_of_one_region_for_the_city_admin(city_admin, workshops):
    regions = api(city_admin).get("/api/ladder/?year=2022&region=330602").json()
    assert [r["region"] for r in regions] == ["越城区"]
    assert workshop_row(regions[0])["revoked_by_year"] == {}
    assert workshop_row(regions[0])["cumulative"] == 5


def test_ladder_is_refused_to_enterprises_providers_and_experts(enterprise_user, plan):
    for user in (enterprise_user, make_user(Role.PROVIDER), make_expert()):
        response = api(user).get("/api/ladder/?year=2023")
        assert response.status_code == 403
        assert response.json() == {"detail": "只有市级管理员和区县用户可以查看培育梯队。"}


def test_ladder_refuses_a_year_that_is_not_a_number(city_admin, plan):
    response = api(city_admin).get("/api/ladder/?year=今年")
    assert response.status_code == 400
    assert response.json() == {"detail": "年份「今年」不是整数。"}
    assert api(city_admin).get("/api/ladder/?plan=nowhere").status_code == 404
