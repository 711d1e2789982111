"""新智造鹊桥 pages as each role sees them: the public home, search, libraries and entries
(published only for the public, 404 for another's draft), the maintainers' forms and the review
queue driving the real services, needs and their matches (404 for another enterprise's), the
provider's responses, 对接成效 by district with its workbook, and query bounds."""

import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from tests.accounts.factories import make_user
from tests.bridge.factories import (
    make_case,
    make_equipment,
    make_expert_profile,
    make_expert_user,
    make_financial_product,
    make_match,
    make_need,
    make_provider,
    make_provider_user,
    make_software,
    make_solution,
    make_standard,
)
from tests.conftest import signed_in
from tests.diagnosis.factories import make_assessment
from tests.enterprises.factories import make_enterprise
from zhizao.bridge.models import (
    EntryStatus,
    Library,
    MatchStatus,
    Need,
    Solution,
)
from zhizao.bridge.needs import close_need
from zhizao.bridge.search import rebuild_index
from zhizao.core.models import TaskStatus
from zhizao.core.notifications import Notification
from zhizao.core.roles import Role
from zhizao.core.tasks import run_pending_tasks
from zhizao.diagnosis.questionnaire import load_questionnaire


def html_of(response) -> str:
    return response.content.decode()


def unmarked(response) -> str:
    """The page's HTML without the search's <mark> highlights."""
    return re.sub(r"</?mark>", "", html_of(response))


def text_of(response) -> str:
    """The page's text without tags, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html_of(response)).split())


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    # Every test signs in several people; the default hasher would dominate their time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def provider_user(plan):
    return make_provider_user(username="provider-zhilian", full_name="智联 用户")


@pytest.fixture
def other_provider_user(plan):
    return make_provider_user(username="provider-other", full_name="他家 用户")


@pytest.fixture
def expert_user(plan):
    return make_expert_user(username="expert-zhang", full_name="张专家")


@pytest.fixture
def library(plan, provider_user, other_provider_user, expert_user):
    """One published entry of each library, a provider with solutions and a case, and drafts."""
    provider = make_provider(
        "绍兴智联工业互联网有限公司",
        clusters=["现代纺织"],
        maintainers=[provider_user],
        regions=["越城区", "柯桥区"],
        delivered_projects=36,
        rating=Decimal("4.60"),
        staff=48,
        qualifications="浙江省智能制造工程服务公司",
        subdomains=["PO", "PS"],
    )
    solution = make_solution(
        "印染企业数字化车间整体解决方案",
        provider=provider,
        clusters=["现代纺织"],
        subdomains=["PO", "PS", "EQ"],
        divisions=["17"],
        investment_min=Decimal("200"),
        investment_max=Decimal("800"),
        description="面向印染企业的染色车间MES、配料自动化与能耗在线监测。",
    )
    case = make_case(
        "某印染企业染色车间数字化改造",
        provider=provider,
        solution=solution,
        clusters=["现代纺织"],
        subdomains=["PO"],
        enterprise_name="绍兴某印染有限公司",
        investment=Decimal("650"),
        problem="染色一次成功率低，人工配料误差大。",
        approach="建设印染MES，自动配料输送。",
        results=[
            {"name": "染色一次成功率", "unit": "%", "before": "82", "after": "93"},
            {"name": "吨布水耗", "unit": "吨", "before": "120", "after": "96"},
        ],
    )
    draft = make_solution(
        "印染定型机智能排产草稿方案",
        provider=provider,
        status=EntryStatus.DRAFT,
        clusters=["现代纺织"],
    )
    other_provider = make_provider("他家智能科技有限公司", maintainers=[other_provider_user])
    other_draft = make_solution(
        "他家印染草稿方案", provider=other_provider, status=EntryStatus.DRAFT
    )
    return {
        "provider": provider,
        "solution": solution,
        "case": case,
        "draft": draft,
        "other_provider": other_provider,
        "other_draft": other_draft,
        "standard": make_standard(
            "GB/T 39116-2020", title="智能制造能力成熟度模型", subdomains=["OS"]
        ),
        "pending_standard": make_standard(
            "GB/T 39117-2020", title="智能制造能力成熟度评估方法", status=EntryStatus.PENDING
        ),
        "equipment": make_equipment("六轴工业机器人", clusters=["装备及关键零部件"]),
        "software": make_software("纺织印染MES系统", clusters=["现代纺织"]),
        "expert": make_expert_profile("张三", user=expert_user, expertise="印染智能化改造"),
        "finance": make_financial_product("智能化改造专项贷", limit=Decimal("3000")),
    }


@pytest.fixture
def firm(enterprise_user):
    enterprise = make_enterprise("越城印染有限公司", region="越城区", cluster="现代纺织")
    enterprise.members.add(enterprise_user)
    return enterprise


@pytest.fixture
def keqiao_firm(plan):
    enterprise = make_enterprise("柯桥化纤有限公司", region="柯桥区", cluster="现代纺织")
    enterprise.members.add(make_user(Role.ENTERPRISE, "柯桥区", username="keqiao-member"))
    return enterprise


# --- public pages -------------------------------------------------------------------------


def test_home_shows_the_ten_libraries_with_published_counts(client, library):
    response = client.get("/bridge/")
    assert response.status_code == 200
    html = html_of(response)
    for code, label in Library.choices:
        assert str(label) in html
        assert f'href="/bridge/{code}/"' in html
    # the public counts published entries only: one standard of two, two solutions of four
    assert re.search(r'data-testid="count-standard">1<', html)
    assert re.search(r'data-testid="count-solution">1<', html)
    assert 'name="q"' in html


@pytest.mark.parametrize(
    "who", ["anonymous", "enterprise", "provider", "expert", "district", "city"]
)
def test_every_bridge_page_renders_for_each_role(
    who, client, library, enterprise_user, provider_user, expert_user, yuecheng_officer,
    city_admin, firm,
):  # fmt: skip
    users = {
        "enterprise": enterprise_user,
        "provider": provider_user,
        "expert": expert_user,
        "district": yuecheng_officer,
        "city": city_admin,
    }
    browser = signed_in(users[who]) if who in users else client
    pages = ["/bridge/", "/bridge/search/", "/bridge/search/?q=印染"]
    pages += [f"/bridge/{code}/" for code in Library.values]
    for name in ("standard", "equipment", "software", "solution", "provider", "expert",
                 "finance", "case"):  # fmt: skip
        entry = library[name]
        pages.append(f"/bridge/{_lib(entry)}/{entry.pk}/")
    for url in pages:
        response = browser.get(url)
        assert response.status_code == 200, url
    if who != "anonymous":
        for url in ("/bridge/needs/", "/bridge/mine/", "/bridge/matched/", "/bridge/review/"):
            assert browser.get(url).status_code in (200, 302, 404), url


def _lib(entry) -> str:
    from zhizao.bridge.libraries import spec_for

    return spec_for(entry).library


def test_anonymous_visitors_see_published_entries_only(client, library):
    assert client.get(f"/bridge/solution/{library['solution'].pk}/").status_code == 200
    assert client.get(f"/bridge/solution/{library['draft'].pk}/").status_code == 404
    assert client.get(f"/bridge/standard/{library['pending_standard'].pk}/").status_code == 404
    listing = html_of(client.get("/bridge/solution/"))
    assert library["solution"].title in listing
    assert library["draft"].title not in listing
    # the provider's page lists its published solutions only
    page = html_of(client.get(f"/bridge/provider/{library['provider'].pk}/"))
    assert library["solution"].title in page and library["draft"].title not in page


def test_a_provider_cannot_open_another_providers_draft(library, provider_user, city_admin):
    provider = signed_in(provider_user)
    assert provider.get(f"/bridge/solution/{library['other_draft'].pk}/").status_code == 404
    assert provider.get(f"/bridge/solution/{library['other_draft'].pk}/edit/").status_code == 404
    own = provider.get(f"/bridge/solution/{library['draft'].pk}/")
    assert own.status_code == 200
    assert 'data-testid="entry-status">草稿' in html_of(own)
    # nor edit another's published entry, though it may see it
    other = make_solution("他家已发布方案", provider=library["other_provider"])
    assert provider.get(f"/bridge/solution/{other.pk}/").status_code == 200
    assert provider.get(f"/bridge/solution/{other.pk}/edit/").status_code == 404
    assert (
        signed_in(city_admin).get(f"/bridge/solution/{library['other_draft'].pk}/").status_code
        == 200
    )


def test_a_case_page_shows_its_before_and_after_results(client, library):
    response = client.get(f"/bridge/case/{library['case'].pk}/")
    rows = re.findall(r"<tr>(.*?)</tr>", html_of(response).split('data-testid="results"')[1], re.S)
    cells = [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in rows]
    assert "染色一次成功率 % 82 93 +13.4%" in cells
    assert "吨布水耗 吨 120 96 -20.0%" in cells
    text = text_of(response)
    assert "绍兴某印染有限公司" in text and "650 万元" in text
    assert library["provider"].name in text and library["solution"].title in text


def test_a_provider_page_shows_what_a_manufacturer_looks_for(client, library):
    text = text_of(client.get(f"/bridge/provider/{library['provider'].pk}/"))
    assert "越城区、柯桥区" in text
    assert "现代纺织" in text
    assert "36 个" in text and "4.6 / 5" in text and "48 人" in text
    assert "浙江省智能制造工程服务公司" in text
    assert library["solution"].title in text and library["case"].title in text


def test_a_library_filters_by_cluster_and_sub_domain(client, library):
    make_solution("电机定转子智能产线方案", clusters=["装备及关键零部件"], subdomains=["EQ"])
    textile = html_of(client.get("/bridge/solution/?cluster=textile"))
    assert library["solution"].title in textile and "电机定转子" not in textile
    equipment = html_of(client.get("/bridge/solution/?subdomain=EQ"))
    assert "电机定转子" in equipment


# --- search ---------------------------------------------------------------------------------


def test_anonymous_search_finds_published_entries_only(client, library, provider_user):
    rebuild_index()
    response = client.get("/bridge/search/", {"q": "印染"})
    html = unmarked(response)
    assert response.status_code == 200
    assert "<mark>" in html_of(response)  # the snippets are highlighted
    assert library["solution"].title in html
    assert "草稿方案" not in html
    # the provider also finds its own draft, not another's
    own = unmarked(signed_in(provider_user).get("/bridge/search/", {"q": "印染"}))
    assert library["draft"].title in own and library["other_draft"].title not in own


def test_search_facets_narrow_the_results_and_keep_the_query(client, library):
    rebuild_index()
    html = html_of(client.get("/bridge/search/", {"q": "印染"}))
    facet = html.split('data-testid="facet-library"')[1].split("</section>")[0]
    assert "解决方案" in facet and "典型案例" in facet
    link = re.search(r'href="(\?[^"]*library=case[^"]*)"', facet).group(1)
    narrowed = unmarked(client.get("/bridge/search/" + link.replace("&amp;", "&")))
    hits = re.findall(r'data-testid="hit" data-library="(\w+)"', narrowed)
    assert hits and set(hits) == {"case"}
    assert 'value="印染"' in narrowed


def test_search_pages_through_many_results(client, plan):
    for number in range(25):
        make_solution(f"印染智能化方案{number:02d}", clusters=["现代纺织"])
    rebuild_index()
    first = html_of(client.get("/bridge/search/", {"q": "印染"}))
    assert len(re.findall(r'data-testid="hit"', first)) == 20
    assert "第 1 / 2 页" in first
    second = html_of(client.get("/bridge/search/", {"q": "印染", "page": 2}))
    assert len(re.findall(r'data-testid="hit"', second)) == 5


def test_the_search_and_entry_pages_run_a_bounded_number_of_queries(
    client, library, django_assert_max_num_queries
):
    for number in range(15):
        make_case(f"印染案例{number}", provider=library["provider"], clusters=["现代纺织"])
    rebuild_index()
    client.get("/bridge/search/", {"q": "印染"})  # warm up caches (questionnaire, jieba)
    with django_assert_max_num_queries(10):
        assert client.get("/bridge/search/", {"q": "印染 MES"}).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(f"/bridge/provider/{library['provider'].pk}/").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(f"/bridge/case/{library['case'].pk}/").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get("/bridge/case/").status_code == 200


# --- maintaining entries and their review ----------------------------------------------------


def _solution_form(**changes) -> dict:
    data = {
        "title": "印染车间能耗在线监测方案",
        "investment_min": "50",
        "investment_max": "200",
        "clusters": [],
        "subdomains": ["EN", "SE"],
        "divisions": ["17"],
        "description": "水、电、汽分项计量与能耗分析。",
    }
    return {**data, **changes}


def test_a_provider_drafts_submits_and_the_city_admin_reviews(library, provider_user, city_admin):
    provider, admin = signed_in(provider_user), signed_in(city_admin)
    # the provider drafts a solution (its own provider is the only choice) and submits it
    page = html_of(provider.get("/bridge/solution/new/"))
    assert library["provider"].name in page and library["other_provider"].name not in page
    response = provider.post(
        "/bridge/solution/new/",
        _solution_form(provider=library["provider"].pk, submit="1"),
    )
    solution = Solution.objects.get(title="印染车间能耗在线监测方案")
    assert response.url == f"/bridge/solution/{solution.pk}/"
    assert solution.status == EntryStatus.PENDING
    assert list(solution.maintainers.all()) == [provider_user]
    assert solution.provider == library["provider"]
    assert "待审核" in html_of(provider.get("/bridge/mine/"))

    # the city admin finds it in the queue and returns it with a reason
    queue = html_of(admin.get("/bridge/review/"))
    assert solution.title in queue and library["pending_standard"].title in queue
    admin.post(
        f"/bridge/solution/{solution.pk}/return/", {"reason": "请补充典型案例", "next": "review"}
    )
    solution.refresh_from_db()
    assert solution.status == EntryStatus.DRAFT
    page = html_of(provider.get(f"/bridge/solution/{solution.pk}/"))
    assert "退回原因：请补充典型案例" in page
    assert Notification.objects.filter(user=provider_user, text__contains="退回修改").exists()

    # submitted again and approved, it is public
    provider.post(f"/bridge/solution/{solution.pk}/submit/")
    admin.post(f"/bridge/solution/{solution.pk}/approve/")
    solution.refresh_from_db()
    assert solution.status == EntryStatus.PUBLISHED
    anonymous = signed_out()
    assert anonymous.get(f"/bridge/solution/{solution.pk}/").status_code == 200

    # unpublished with a reason, it is gone for the public; its provider sees why
    admin.post(f"/bridge/solution/{solution.pk}/unpublish/", {"reason": "投资额信息有误"})
    assert anonymous.get(f"/bridge/solution/{solution.pk}/").status_code == 404
    assert "下架原因：投资额信息有误" in html_of(provider.get(f"/bridge/solution/{solution.pk}/"))
    history = [h.history_change_reason for h in solution.history.order_by("history_date")]
    assert history[-1] == "下架：投资额信息有误"


def signed_out():
    from django.test import Client

    return Client()


def test_a_provider_edit_to_a_published_entry_goes_back_to_review(library, provider_user):
    provider = signed_in(provider_user)
    solution = library["solution"]
    response = provider.post(
        f"/bridge/solution/{solution.pk}/edit/",
        _solution_form(title=solution.title, provider=library["provider"].pk, investment_max="900"),
    )
    assert response.status_code == 302
    solution.refresh_from_db()
    assert solution.investment_max == Decimal("900.00")
    assert solution.status == EntryStatus.PENDING


def test_a_case_form_keeps_its_before_and_after_rows(library, provider_user):
    provider = signed_in(provider_user)
    case = library["case"]
    form = html_of(provider.get(f"/bridge/case/{case.pk}/edit/"))
    assert 'value="染色一次成功率"' in form
    data = {
        "title": case.title,
        "provider": library["provider"].pk,
        "solution": library["solution"].pk,
        "result_0_name": "染色一次成功率",
        "result_0_unit": "%",
        "result_0_before": "82",
        "result_0_after": "95",
        "result_1_name": "",
        "result_2_name": "人均产值",
        "result_2_unit": "万元/人",
        "result_2_before": "90",
        "result_2_after": "120",
    }
    assert provider.post(f"/bridge/case/{case.pk}/edit/", data).status_code == 302
    case.refresh_from_db()
    assert case.results == [
        {"name": "染色一次成功率", "unit": "%", "before": "82", "after": "95"},
        {"name": "人均产值", "unit": "万元/人", "before": "90", "after": "120"},
    ]


def test_the_forms_say_what_is_wrong(library, provider_user):
    provider = signed_in(provider_user)
    response = provider.post(
        "/bridge/solution/new/",
        _solution_form(provider=library["provider"].pk, investment_min="500", investment_max="100"),
    )
    assert response.status_code == 200
    assert "典型投资下限（500 万元）大于上限（100 万元）" in html_of(response)


def test_who_may_create_what(library, enterprise_user, expert_user, provider_user, city_admin):
    enterprise = signed_in(enterprise_user)
    assert enterprise.get("/bridge/solution/new/").status_code == 302
    assert enterprise.get("/bridge/review/").status_code == 404
    # an expert already has its profile; a provider already has its company
    assert signed_in(expert_user).get("/bridge/expert/new/").status_code == 302
    assert signed_in(provider_user).get("/bridge/provider/new/").status_code == 302
    assert signed_in(provider_user).get("/bridge/equipment/new/").status_code == 200
    # the city admin creates and publishes at once
    admin = signed_in(city_admin)
    response = admin.post(
        "/bridge/standard/new/",
        {
            "code": "GB/T 37393-2019",
            "title": "数字化车间 通用技术要求",
            "standard_status": "current",
            "publish": "1",
        },
    )
    assert response.status_code == 302
    assert signed_out().get(response.url).status_code == 200


# --- needs and matches -----------------------------------------------------------------------


def _need_form(firm, **changes) -> dict:
    data = {
        "enterprise": firm.pk,
        "title": "染色车间MES建设",
        "description": "染缸 60 台，希望建设印染 MES，实现配方下发和批次质量追溯。",
        "cluster": firm.cluster.pk,
        "subdomains": ["PO", "PS"],
        "budget_min": "200",
        "budget_max": "600",
        "deadline": "",
    }
    return {**data, **changes}


def test_an_enterprise_posts_a_need_and_sees_ranked_matches_with_reasons(
    library, firm, enterprise_user
):
    rebuild_index()
    member = signed_in(enterprise_user)
    assert member.get("/bridge/needs/new/").status_code == 200

    # when the need is posted, the answer does not wait for the matching: it is queued
    with CaptureQueriesContext(connection) as posting:
        response = member.post("/bridge/needs/new/", _need_form(firm))
    need = Need.objects.get(title="染色车间MES建设")
    assert response.url == f"/bridge/needs/{need.pk}/"
    assert need.region.name == "越城区" and need.created_by == enterprise_user
    assert not need.matches.exists() and need.matching_task.status == TaskStatus.QUEUED
    assert len(posting.captured_queries) <= 25
    # and the need's page shows the matching under way, polling its progress
    page = html_of(member.get(response.url))
    assert 'data-testid="need-matching" data-status="queued"' in page
    assert f'hx-get="/bridge/needs/{need.pk}/matching/"' in page
    polled = member.get(f"/bridge/needs/{need.pk}/matching/")
    assert 'data-status="queued"' in html_of(polled) and "HX-Refresh" not in polled

    # when the worker has run it, the poll reloads the page, which lists the matches
    assert run_pending_tasks() == 1
    assert member.get(f"/bridge/needs/{need.pk}/matching/")["HX-Refresh"] == "true"
    page = html_of(member.get(response.url))
    assert "need-matching" not in page
    # in the matcher's order (its place in the ranking, the need's industry first)
    matches = list(need.matches.order_by("rank"))
    assert [m.rank for m in matches] == list(range(1, len(matches) + 1))
    titles = re.findall(r'data-testid="match-title">([^<]+)<', page)
    assert titles == [m.title for m in matches]
    assert "同行业" in page and "能力域匹配" in page and "本地服务" in page
    assert library["solution"].title in titles
    assert "草稿" not in "".join(titles)


def test_a_matching_that_failed_is_shown_with_its_reason(firm, enterprise_user):
    # given a posted need, closed before the worker took its matching
    member = signed_in(enterprise_user)
    member.post("/bridge/needs/new/", _need_form(firm))
    need = Need.objects.get(title="染色车间MES建设")
    close_need(need, enterprise_user)
    run_pending_tasks()

    # then its page says why nothing was matched, and polls no more
    page = html_of(member.get(f"/bridge/needs/{need.pk}/"))
    assert (
        'data-status="failed"' in page and f'hx-get="/bridge/needs/{need.pk}/matching/"' not in page
    )
    assert "暂未能匹配：需求「染色车间MES建设」已关闭，不能匹配。" in page


def test_an_enterprise_cannot_open_another_enterprises_need(
    firm, keqiao_firm, enterprise_user, yuecheng_officer, keqiao_officer
):
    need = make_need(keqiao_firm, title="柯桥化纤物流需求")
    assert signed_in(enterprise_user).get(f"/bridge/needs/{need.pk}/").status_code == 404
    assert signed_in(yuecheng_officer).get(f"/bridge/needs/{need.pk}/").status_code == 404
    assert signed_in(keqiao_officer).get(f"/bridge/needs/{need.pk}/").status_code == 200
    own = make_need(firm, title="越城印染需求")
    listing = html_of(signed_in(enterprise_user).get("/bridge/needs/"))
    assert own.title in listing and need.title not in listing


def test_a_provider_responds_until_signed_and_the_enterprise_sees_it(
    library, firm, enterprise_user, provider_user, other_provider_user
):
    need = make_need(firm, title="印染MES需求")
    match = make_match(need, library["solution"])
    assert list(match.responders.all()) == [provider_user]
    provider = signed_in(provider_user)
    matched = html_of(provider.get("/bridge/matched/"))
    assert "印染MES需求" in matched
    # another provider neither sees the need nor can act on the match
    other = signed_in(other_provider_user)
    assert other.get(f"/bridge/needs/{need.pk}/").status_code == 404
    assert (
        other.post(f"/bridge/matches/{match.pk}/close/", {f"m{match.pk}-reason": "x"}).status_code
        == 404
    )

    prefix = f"m{match.pk}"
    for status in ("contacted", "negotiating"):
        provider.post(
            f"/bridge/matches/{match.pk}/advance/",
            {f"{prefix}-status": status, f"{prefix}-comment": "已联系企业"},
        )
    # signing without a value is refused, with the reason
    response = provider.post(
        f"/bridge/matches/{match.pk}/advance/", {f"{prefix}-status": "signed"}, follow=True
    )
    assert "签约时请填写签约金额（万元）" in html_of(response)
    provider.post(
        f"/bridge/matches/{match.pk}/advance/",
        {f"{prefix}-status": "signed", f"{prefix}-contract_value": "480"},
    )
    match.refresh_from_db()
    assert match.status == MatchStatus.SIGNED and match.contract_value == Decimal("480.00")
    assert [s.to_status for s in match.steps.order_by("pk")] == [
        "contacted",
        "negotiating",
        "signed",
    ]
    page = html_of(signed_in(enterprise_user).get(f"/bridge/needs/{need.pk}/"))
    assert 'data-testid="match-status">已签约<' in page
    assert "签约金额 <strong>480</strong> 万元" in page


def test_the_matched_needs_page_has_one_row_per_need_and_counts_needs(
    library, firm, provider_user, other_provider_user
):
    # given a need matched to the provider through its solution, its case and itself, and
    # a second need through its solution, both waiting; a third need the provider is in contact
    # about; and a match of another provider that it must not see
    mine = [provider_user]
    first = make_need(firm, title="染色车间MES需求")
    second = make_need(firm, title="印染排产需求")
    third = make_need(firm, title="印染能耗需求")
    solution_match = make_match(first, library["solution"], responders=mine, rank=2)
    case_match = make_match(first, library["case"], responders=mine, rank=1)
    make_match(first, library["provider"], responders=mine, rank=3)
    make_match(second, library["solution"], responders=mine)
    make_match(third, library["solution"], responders=mine, status=MatchStatus.CONTACTED)
    make_match(
        first,
        make_solution("他家方案", provider=library["other_provider"]),
        responders=[other_provider_user],
    )
    provider = signed_in(provider_user)

    # when the provider opens its matched needs
    with CaptureQueriesContext(connection) as queries:
        response = provider.get("/bridge/matched/")
    page = html_of(response)

    # then 待响应 counts the two needs (not the four matches), 对接中 the third
    counts = dict(re.findall(r'data-testid="tab-(\w+)".*?data-testid="tab-count">(\d+)<', page))
    assert counts == {"waiting": "2", "active": "1", "signed": "0", "closed": "0"}
    # one row per need, newest first, its matched entries inside in the matcher's order
    rows = re.findall(r'data-testid="matched-row" data-need="(\d+)"', page)
    assert rows == [str(second.pk), str(first.pk)]
    first_row = page.split(f'data-need="{first.pk}"')[1].split('data-testid="matched-row"')[0]
    assert first_row.count('data-testid="matched-entry"') == 3
    titles = re.findall(r'#match-\d+">([^<]+)</a>', first_row)
    assert titles == [case_match.title, solution_match.title, library["provider"].name]
    assert "他家方案" not in page
    # in a bounded number of queries (session, user, counts, paging, needs, their matches)
    assert len(queries.captured_queries) <= 10

    # and the 对接中 tab lists the third need alone
    active = html_of(provider.get("/bridge/matched/", {"tab": "active"}))
    assert re.findall(r'data-testid="matched-row" data-need="(\d+)"', active) == [str(third.pk)]
    assert provider.get("/bridge/matched/", {"tab": "nonsense"}).status_code == 404


def test_a_provider_sees_only_its_own_match_of_a_need(library, firm, provider_user):
    need = make_need(firm)
    mine = make_match(need, library["solution"])
    theirs = make_match(need, make_solution("他家方案", provider=library["other_provider"]))
    page = html_of(signed_in(provider_user).get(f"/bridge/needs/{need.pk}/"))
    assert mine.title in page and theirs.title not in page


def test_diagnosis_gaps_become_needs(library, firm, enterprise_user):
    q = load_questionnaire()
    answers = {r.id: ("全部满足" if r.level == 1 else "部分满足") for r in q.requirements}
    assessment = make_assessment(
        firm, 2025, level=1, answers=answers, questionnaire_version=q.version
    )
    rebuild_index()
    member = signed_in(enterprise_user)
    page = html_of(member.get("/bridge/needs/from-gaps/", {"assessment": assessment.pk}))
    gaps = re.findall(r'name="requirements" value="([^"]+)"', page)
    assert gaps and all("-2-" in rid for rid in gaps)
    response = member.post(
        "/bridge/needs/from-gaps/", {"assessment": assessment.pk, "requirements": gaps[:2]}
    )
    assert response.status_code == 302
    needs = Need.objects.filter(enterprise=firm).order_by("pk")
    assert [n.source_requirement for n in needs] == gaps[:2]
    # the gaps already turned into needs are no longer offered
    again = html_of(member.get("/bridge/needs/from-gaps/", {"assessment": assessment.pk}))
    assert re.findall(r'name="requirements" value="([^"]+)"', again) == gaps[2:]
    # another enterprise's assessment is not found
    other = make_assessment(make_enterprise(region="柯桥区"), 2025, answers=answers)
    assert member.get("/bridge/needs/from-gaps/", {"assessment": other.pk}).status_code == 404


# --- 对接成效 ----------------------------------------------------------------------------------


@pytest.fixture
def outcomes_data(library, firm, keqiao_firm):
    yuecheng = make_need(firm, title="越城需求")
    make_match(
        yuecheng, library["solution"], status=MatchStatus.SIGNED, contract_value=Decimal("300")
    )
    keqiao = make_need(keqiao_firm, title="柯桥需求")
    make_match(
        keqiao, library["case"], status=MatchStatus.DELIVERED, contract_value=Decimal("120.5")
    )
    make_need(keqiao_firm, title="柯桥需求二")
    return yuecheng, keqiao


def test_a_district_officer_sees_its_districts_outcomes_only(
    outcomes_data, yuecheng_officer, city_admin
):
    officer = html_of(signed_in(yuecheng_officer).get("/bridge/outcomes/"))
    district_rows = officer.split('data-testid="outcomes-1"')[1].split("</tbody>")[0]
    assert 'data-key="330602"' in district_rows and "柯桥区" not in district_rows
    assert 'data-testid="total-posted">1<' in officer
    assert "300" in officer and "120.5" not in officer
    city = html_of(signed_in(city_admin).get("/bridge/outcomes/"))
    assert 'data-testid="total-posted">3<' in city and 'data-testid="total-signed">2<' in city
    assert "420.5" in city


def test_outcomes_download_as_a_workbook(outcomes_data, city_admin):
    response = signed_in(city_admin).get("/bridge/outcomes/", {"format": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["按区县", "按产业集群", "按月份"]
    sheet = workbook["按区县"]
    assert sheet["A1"].value == "全市供需对接成效（按区县）"
    assert [c.value for c in sheet[2]] == [
        "区县", "发布需求（项）", "已匹配（项）", "已签约（项）", "已交付（项）", "签约率（%）",
        "签约金额（万元）",
    ]  # fmt: skip
    rows = {row[0]: row[1:] for row in sheet.iter_rows(min_row=3, values_only=True)}
    assert rows["越城区"] == (1, 1, 1, 0, 100, 300)
    assert rows["柯桥区"] == (2, 1, 1, 1, 50, 120.5)
    assert rows["合计"] == (3, 2, 2, 1, 66.7, 420.5)
    assert isinstance(sheet["G3"].value, int | float)


def test_outcomes_are_for_the_city_and_districts(outcomes_data, enterprise_user, provider_user):
    assert signed_in(enterprise_user).get("/bridge/outcomes/").status_code == 404
    assert signed_in(provider_user).get("/bridge/outcomes/").status_code == 404
    assert signed_out().get("/bridge/outcomes/").status_code == 302


def test_needs_pages_run_a_bounded_number_of_queries(
    library, firm, enterprise_user, django_assert_max_num_queries
):
    need = make_need(firm)
    for entry in (library["solution"], library["case"], library["provider"]):
        make_match(need, entry)
    member = signed_in(enterprise_user)
    member.get(f"/bridge/needs/{need.pk}/")
    with django_assert_max_num_queries(30):
        assert member.get(f"/bridge/needs/{need.pk}/").status_code == 200
