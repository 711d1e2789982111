"""新智造鹊桥 in Chromium: an enterprise posts a need and sees ranked matches with their reasons,
the provider of a matched solution responds and moves the match to signed with its contract
value, the enterprise sees 已签约; and an anonymous visitor's search finds published entries only."""

from decimal import Decimal

import pytest

from tests.accounts.factories import make_user
from tests.bridge.factories import make_case, make_provider, make_provider_user, make_solution
from tests.browser.helpers import log_in
from tests.enterprises.factories import make_enterprise
from tests.plans.factories import load_default_plan
from zhizao.bridge.models import EntryStatus, Match, MatchStatus, Need
from zhizao.bridge.search import rebuild_index
from zhizao.core.roles import Role
from zhizao.core.tasks import run_pending_tasks

pytestmark = pytest.mark.browser

SOLUTION = "印染企业数字化车间整体解决方案"
DRAFT = "印染定型机排产草稿方案"
NEED = "染色车间MES建设"


@pytest.fixture
def bridge(transactional_db):
    load_default_plan()
    firm = make_enterprise("越城印染有限公司", region="越城区", cluster="现代纺织")
    firm.members.add(make_user(Role.ENTERPRISE, "越城区", username="member"))
    maintainer = make_provider_user(username="zhilian", full_name="智联 用户")
    provider = make_provider(
        "绍兴智联工业互联网有限公司",
        clusters=["现代纺织"],
        maintainers=[maintainer],
        regions=["越城区", "柯桥区"],
        rating=Decimal("4.6"),
        delivered_projects=30,
        subdomains=["PO", "PS"],
    )
    solution = make_solution(
        SOLUTION,
        provider=provider,
        clusters=["现代纺织"],
        divisions=["17"],
        subdomains=["PO", "PS", "EQ"],
        investment_min=Decimal("200"),
        investment_max=Decimal("800"),
        description="以印染 MES 为核心，配方电子化下发、染缸数据采集和批次质量追溯。",
    )
    make_case(
        "某印染企业染色车间数字化改造",
        provider=provider,
        solution=solution,
        clusters=["现代纺织"],
        subdomains=["PO"],
        results=[{"name": "染色一次成功率", "unit": "%", "before": "82", "after": "93"}],
    )
    other = make_provider("他家智能科技有限公司", maintainers=[make_provider_user()])
    make_solution(DRAFT, provider=other, status=EntryStatus.DRAFT, clusters=["现代纺织"])
    rebuild_index()
    return firm, solution


def test_a_need_is_matched_answered_and_signed(page, live_server, bridge):
    firm, solution = bridge

    # the enterprise finds the bridge in the menu and posts a need
    log_in(page, live_server, "member")
    page.locator("#main-nav").get_by_test_id("bridge-link").click()
    page.get_by_test_id("need-cta").get_by_role("link", name="发布需求").click()
    page.get_by_label("需求标题").fill(NEED)
    page.get_by_label("需求描述").fill(
        "公司有染缸 60 台，希望建设印染 MES，实现配方电子化下发和批次质量追溯。"
    )
    page.locator('input[name="subdomains"][value="PO"]').check()
    page.locator('input[name="subdomains"][value="PS"]').check()
    page.get_by_label("预算下限（万元）").fill("300")
    page.get_by_label("预算上限（万元）").fill("700")
    page.get_by_test_id("submit-need").click()

    # the need is posted at once; its page shows the matching under way
    assert page.get_by_test_id("need-title").inner_text() == NEED
    assert page.get_by_test_id("need-matching").is_visible()

    # once the worker has matched it, the page shows the ranked matches with their reasons
    assert run_pending_tasks() == 1
    page.get_by_test_id("match").first.wait_for()
    assert page.get_by_test_id("need-matching").count() == 0
    matches = page.get_by_test_id("match")
    assert matches.count() >= 2
    first = matches.first
    assert first.get_by_test_id("match-title").inner_text() == SOLUTION
    reasons = first.get_by_test_id("reasons").inner_text()
    for reason in ("同行业", "能力域匹配", "本地服务", "预算相符"):
        assert reason in reasons
    assert first.get_by_test_id("match-status").inner_text() == "已推荐"
    assert DRAFT not in page.get_by_test_id("matches").inner_text()

    # the provider sees the need matched to it and answers
    log_in(page, live_server, "zhilian")
    page.get_by_role("link", name="新智造鹊桥").first.click()
    page.get_by_role("link", name="匹配给我的需求").first.click()
    page.get_by_test_id("matched").get_by_role("link", name=NEED).first.click()
    card = page.get_by_test_id("match").filter(has_text=SOLUTION)
    for label in ("标记为「已联系」", "标记为「洽谈中」"):
        card.get_by_role("button", name=label).click()
        card = page.get_by_test_id("match").filter(has_text=SOLUTION)
    assert card.get_by_test_id("match-status").inner_text() == "洽谈中"
    card.get_by_label("签约金额（万元）").fill("520")
    card.get_by_label("说明（可选）").fill("签订印染 MES 实施合同")
    card.get_by_role("button", name="标记为「已签约」").click()
    card = page.get_by_test_id("match").filter(has_text=SOLUTION)
    assert card.get_by_test_id("match-status").inner_text() == "已签约"
    assert "签约金额 520 万元" in card.get_by_test_id("contract").inner_text()

    # the enterprise sees 已签约 on its need
    log_in(page, live_server, "member")
    page.goto(f"{live_server.url}/bridge/needs/")
    page.get_by_test_id("need-list").get_by_role("link", name=NEED).click()
    card = page.get_by_test_id("match").filter(has_text=SOLUTION)
    assert card.get_by_test_id("match-status").inner_text() == "已签约"
    steps = card.get_by_test_id("steps").inner_text()
    assert "已联系" in steps and "洽谈中" in steps and "签订印染 MES 实施合同" in steps

    need = Need.objects.get(title=NEED, enterprise=firm)
    match = Match.objects.get(need=need, library="solution", object_id=solution.pk)
    assert match.status == MatchStatus.SIGNED and match.contract_value == Decimal("520.00")


def test_anonymous_search_finds_published_entries_only(page, live_server, bridge):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/")
    page.get_by_test_id("bridge-link").click()
    assert page.get_by_test_id("count-solution").inner_text() == "1"
    page.get_by_label("检索全部资源库").fill("印染")
    page.get_by_role("button", name="搜索").click()
    hits = page.get_by_test_id("hits")
    assert SOLUTION in hits.inner_text()
    assert DRAFT not in hits.inner_text()
    assert hits.locator("mark").first.inner_text() == "印染"
    # a facet narrows the results to one library
    page.get_by_test_id("facet-library").get_by_role("link", name="典型案例").click()
    libraries = {h.get_attribute("data-library") for h in page.get_by_test_id("hit").all()}
    assert libraries == {"case"}
    # the draft's address is not found either
    draft = page.context.request.get(f"{live_server.url}/bridge/search/?q=草稿方案")
    assert DRAFT not in draft.text()
