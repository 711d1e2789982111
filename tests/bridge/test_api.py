"""The library API: published entries are public, drafts are their maintainers' (404 for anyone
else), writes and the review go through the services with their exact messages."""

import pytest

from tests.bridge.factories import (
    make_expert_profile,
    make_financial_product,
    make_provider,
    make_provider_user,
    make_solution,
    make_standard,
)
from tests.plans.test_api import api
from zhizao.bridge.models import EntryStatus, Solution


@pytest.fixture
def provider_user(plan):
    return make_provider_user(username="zhilian-user")


@pytest.fixture
def provider(provider_user):
    return make_provider("绍兴智联科技有限公司", maintainers=[provider_user])


@pytest.fixture
def other_user(plan):
    return make_provider_user(username="other-user")


@pytest.fixture
def other_provider(other_user):
    return make_provider("柯桥某某科技有限公司", maintainers=[other_user])


def titles(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row.get("title") or row.get("name") for row in response.json()["results"]]


# --- reading ----------------------------------------------------------------------------------


def test_anonymous_visitors_read_published_entries_only(provider, other_provider):
    # given
    make_solution("已发布的方案", provider=provider)
    draft = make_solution("草稿方案", provider=provider, status=EntryStatus.DRAFT)
    make_solution("待审核方案", provider=other_provider, status=EntryStatus.PENDING)
    # when
    listed = api().get("/api/bridge-solutions/")
    # then
    assert titles(listed) == ["已发布的方案"]
    row = listed.json()["results"][0]
    assert (row["library"], row["status"], row["provider_name"]) == (
        "solution",
        "published",
        "绍兴智联科技有限公司",
    )
    assert row["next_actions"] == []
    assert api().get(f"/api/bridge-solutions/{draft.pk}/").status_code == 404


def test_every_library_has_a_public_endpoint(plan):
    make_standard("GB/T 39116-2020", title="智能制造能力成熟度模型")
    make_expert_profile("王工")
    make_financial_product("智改贷")
    paths = [
        "standards", "equipment", "software", "solutions", "providers", "experts", "finance",
        "cases",
    ]  # fmt: skip
    for path in paths:
        assert api().get(f"/api/bridge-{path}/").status_code == 200, path
    assert titles(api().get("/api/bridge-standards/")) == ["智能制造能力成熟度模型"]
    assert titles(api().get("/api/bridge-experts/")) == ["王工"]


def test_a_provider_sees_its_own_drafts_but_not_another_providers(
    provider_user, provider, other_provider
):
    # given
    mine = make_solution("我的草稿", provider=provider, status=EntryStatus.DRAFT)
    theirs = make_solution("别人的草稿", provider=other_provider, status=EntryStatus.DRAFT)
    make_solution("公开方案", provider=other_provider)
    client = api(provider_user)
    # then
    assert titles(client.get("/api/bridge-solutions/")) == ["公开方案", "我的草稿"]
    assert titles(client.get("/api/bridge-solutions/?mine=true")) == ["我的草稿"]
    assert client.get(f"/api/bridge-solutions/{mine.pk}/").json()["next_actions"] == [
        "edit",
        "submit",
    ]
    assert client.get(f"/api/bridge-solutions/{theirs.pk}/").status_code == 404
    assert client.post(f"/api/bridge-solutions/{theirs.pk}/submit/").status_code == 404
    assert client.patch(f"/api/bridge-solutions/{theirs.pk}/", {}).status_code == 404


def test_a_list_asks_the_database_a_fixed_number_of_times(
    provider_user, provider, django_assert_max_num_queries
):
    for number in range(20):
        make_solution(f"方案{number:02d}", provider=provider, clusters=["现代纺织"])
    client = api(provider_user)
    with django_assert_max_num_queries(8):
        assert len(titles(client.get("/api/bridge-solutions/"))) == 20


def test_the_city_admin_sees_every_entry(city_admin, provider, other_provider):
    make_solution("甲", provider=provider, status=EntryStatus.DRAFT)
    make_solution("乙", provider=other_provider, status=EntryStatus.UNPUBLISHED)
    assert titles(api(city_admin).get("/api/bridge-solutions/")) == ["乙", "甲"]


def test_filters_by_cluster_subdomain_and_words(provider):
    make_solution("印染MES方案", provider=provider, clusters=["现代纺织"], subdomains=["PO", "PS"])
    make_solution("黄酒酿造方案", provider=provider, clusters=["黄酒"], subdomains=["EN"])
    assert titles(api().get("/api/bridge-solutions/?cluster=textile")) == ["印染MES方案"]
    assert titles(api().get("/api/bridge-solutions/?subdomain=ps")) == ["印染MES方案"]
    assert titles(api().get("/api/bridge-solutions/?subdomain=P")) == []
    assert titles(api().get("/api/bridge-solutions/?q=黄酒")) == ["黄酒酿造方案"]


# --- writing and the review -------------------------------------------------------------------


def test_anonymous_visitors_cannot_write(plan):
    assert api().post("/api/bridge-standards/", {"code": "GB/T 1-2020"}).status_code == 403


def test_a_provider_drafts_submits_and_the_city_admin_publishes(
    provider_user, provider, city_admin
):
    client = api(provider_user)
    # when drafted
    created = client.post(
        "/api/bridge-solutions/",
        {"title": "印染数字化车间方案", "clusters": ["textile"], "subdomains": ["PO"]},
        format="json",
    )
    # then
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["status"], body["provider"], body["clusters"]) == (
        "draft",
        provider.pk,
        ["textile"],
    )
    url = f"/api/bridge-solutions/{body['id']}/"
    assert api().get(url).status_code == 404
    # when submitted, a provider cannot approve it
    assert client.post(f"{url}submit/").json()["status"] == "pending"
    refused = client.post(f"{url}approve/")
    assert refused.status_code == 403
    assert refused.json() == {"detail": "只有市级管理员可以审核发布资源库条目。"}
    # when the city admin approves it, it is public
    approved = api(city_admin).post(f"{url}approve/")
    assert approved.status_code == 200
    assert approved.json()["status"] == "published" and approved.json()["published_at"]
    assert api().get(url).status_code == 200


def test_unpublishing_and_returning_need_a_reason(provider, city_admin):
    published = make_solution("方案甲", provider=provider)
    pending = make_solution("方案乙", provider=provider, status=EntryStatus.PENDING)
    client = api(city_admin)
    # unpublish
    url = f"/api/bridge-solutions/{published.pk}/unpublish/"
    refused = client.post(url, {})
    assert (refused.status_code, refused.json()) == (400, {"detail": "下架必须填写原因。"})
    done = client.post(url, {"reason": "资质过期"})
    assert (done.json()["status"], done.json()["unpublish_reason"]) == ("unpublished", "资质过期")
    assert api().get(f"/api/bridge-solutions/{published.pk}/").status_code == 404
    # return
    url = f"/api/bridge-solutions/{pending.pk}/return/"
    assert client.post(url, {}).json() == {"detail": "退回必须填写原因。"}
    assert client.post(url, {"reason": "请补充案例"}).json()["status"] == "draft"
    again = client.post(url, {"reason": "再退"})
    assert again.json() == {"detail": "该条目当前为「草稿」，只有待审核的条目可以退回。"}


def test_a_maintainers_edit_of_a_published_entry_goes_back_to_review(provider_user, provider):
    solution = make_solution("方案丙", provider=provider)
    response = api(provider_user).patch(
        f"/api/bridge-solutions/{solution.pk}/", {"description": "新增模块"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "pending"
    assert Solution.objects.get(pk=solution.pk).description == "新增模块"


def test_values_are_refused_with_the_services_messages(city_admin, provider_user):
    make_standard("GB/T 39116-2020")
    duplicate = api(city_admin).post(
        "/api/bridge-standards/", {"code": "GB/T39116-2020", "title": "重复"}, format="json"
    )
    assert (duplicate.status_code, duplicate.json()) == (
        400,
        {"detail": "标准号「GB/T 39116-2020」已存在。"},
    )
    forbidden = api(provider_user).post(
        "/api/bridge-standards/", {"code": "GB/T 1-2020", "title": "某标准"}, format="json"
    )
    assert (forbidden.status_code, forbidden.json()) == (
        403,
        {"detail": "服务商不能新建智造标准条目。"},
    )
    rates = api(city_admin).post(
        "/api/bridge-finance/",
        {
            "name": "智改贷",
            "institution": "某银行",
            "product_type": "loan",
            "rate_min": "4.5",
            "rate_max": "3.2",
        },
        format="json",
    )
    assert rates.json() == {"detail": "利率下限（4.5%）大于上限（3.2%）。"}


def test_a_provider_cannot_name_a_provider_it_cannot_see(provider_user, provider, other_user):
    hidden = make_provider("未发布服务商", maintainers=[other_user], status=EntryStatus.DRAFT)
    response = api(provider_user).post(
        "/api/bridge-cases/", {"title": "案例", "provider": hidden.pk}, format="json"
    )
    assert response.status_code == 400
    assert "provider" in response.json()
