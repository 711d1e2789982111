"""The matcher: features, reasons, ranking order and a bounded number of queries."""

import json
from collections import Counter
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.bridge.factories import (
    make_case,
    make_expert_profile,
    make_financial_product,
    make_need,
    make_provider,
    make_solution,
)
from tests.enterprises.factories import make_enterprise
from zhizao.bridge.matching import DEFAULT_WEIGHTS, need_keywords, rank, weights
from zhizao.bridge.models import EntryStatus, Library
from zhizao.bridge.search import index_entry

WEIGHTS = {
    "text": 0.5,
    "industry": 0.15,
    "subdomain": 0.15,
    "local": 0.05,
    "cases": 0.05,
    "budget": 0.05,
    "rating": 0.05,
}


@pytest.fixture
def fixed_weights(settings):
    settings.ZHIZAO_MATCH_WEIGHTS = WEIGHTS
    return WEIGHTS


@pytest.fixture
def dyeing_need(plan):
    """A 印染 (class 1713, cluster 现代纺织) need in 柯桥区: PO and PE, 100–250 万元."""
    enterprise = make_enterprise(region="柯桥区", cluster="现代纺织", industry_code="1713")
    return make_need(
        enterprise,
        title="染色配液自动化",
        description="希望实现染料自动称量配液。",
        subdomains=["PO", "PE"],
        budget_min=Decimal("100"),
        budget_max=Decimal("250"),
    )


def by_key(results):
    return {(r.library, r.object_id): r for r in results}


def test_a_solution_that_fits_in_every_way_gives_every_reason_in_order(dyeing_need):
    # given a provider in 柯桥区 with three published 现代纺织 cases (and one draft case), and
    # its 印染 solution for PO within the need's budget; no search index, so no text relevance
    provider = make_provider("柯桥印染数智", regions=["柯桥区"], rating=Decimal("4.5"))
    for number in range(3):
        make_case(f"印染案例{number}", provider=provider, clusters=["现代纺织"])
    make_case("草稿案例", provider=provider, clusters=["现代纺织"], status=EntryStatus.DRAFT)
    make_case("黄酒案例", provider=provider, clusters=["黄酒"])
    solution = make_solution(
        "印染自动配液系统",
        provider=provider,
        clusters=["现代纺织"],
        divisions=["17"],
        subdomains=["PO"],
        investment_min=Decimal("80"),
        investment_max=Decimal("300"),
    )

    # when the need is ranked
    result = by_key(rank(dyeing_need, limit=20))[(Library.SOLUTION, solution.pk)]

    # then the reasons say all of it, in the documented order and words
    assert result.reasons_text == "同行业 · 能力域匹配 · 本地服务 · 同类案例3个 · 预算相符"
    assert result.reasons == ("同行业", "能力域匹配", "本地服务", "同类案例3个", "预算相符")


def test_same_cluster_but_another_division_is_said_as_such_and_money_that_does_not_fit_is_not(
    dyeing_need,
):
    # given a 化纤 (division 28) solution of the same cluster, over the need's budget, from a
    # provider serving another district
    provider = make_provider(regions=["诸暨市"])
    solution = make_solution(
        provider=provider,
        clusters=["现代纺织"],
        divisions=["28"],
        subdomains=["EQ"],
        investment_min=Decimal("500"),
        investment_max=Decimal("1200"),
    )

    # when ranked
    result = by_key(rank(dyeing_need, limit=20))[(Library.SOLUTION, solution.pk)]

    # then only the cluster is a reason
    assert result.reasons == ("同产业集群",)
    assert result.features["industry"] == pytest.approx(0.6)
    assert result.features["budget"] == 0.0
    assert result.features["local"] == 0.0


def test_a_provider_serving_the_whole_city_serves_the_district(dyeing_need):
    # given a provider serving 绍兴市 (the city) and PE
    provider = make_provider(regions=["绍兴市"], subdomains=["PE"])

    # when ranked
    result = by_key(rank(dyeing_need))[(Library.PROVIDER, provider.pk)]

    # then it is local, for every industry (no reason for that), sharing a sub-domain
    assert result.reasons == ("能力域匹配", "本地服务")
    assert result.features["industry"] == pytest.approx(0.5)


def test_ranking_order_by_hand(dyeing_need, fixed_weights):
    # given four candidates and no text relevance (no search index); by hand, with the weights:
    #   A solution: industry 1, subdomain 1/2, local 1, cases 0, rating 5/5, budget 1
    #               (0.15 + 0.075 + 0.05 + 0 + 0.05 + 0.05) / 1.00          = 0.375
    #   B expert:   industry 1 (same cluster, no division stated), subdomain 1/2
    #               (0.15 + 0.075) / 0.80                                    = 0.28125
    #   C finance:  industry 1, limit 200 short of 250: budget 0
    #               0.15 / 0.70                                              = 0.214285…
    #   D solution: 黄酒 (industry 0), subdomain 1/2, provider unrated (3/5) elsewhere,
    #               500–900 over the budget: (0.075 + 0.03) / 1.00           = 0.105
    # and an unpublished solution that would beat them all; the providers themselves share
    # nothing with the need and are no candidates. A, B and D fit the need (a sub-domain of it);
    # C does not (no words, no sub-domain): it comes after D, of another industry but fitting.
    good = make_provider(regions=["柯桥区"], rating=Decimal("5"))
    far = make_provider(regions=["新昌县"])
    a = make_solution(
        provider=good,
        clusters=["现代纺织"],
        divisions=["17"],
        subdomains=["PO"],
        investment_min=Decimal("80"),
        investment_max=Decimal("300"),
    )
    b = make_expert_profile(clusters=["现代纺织"], subdomains=["PE"])
    c = make_financial_product(clusters=["现代纺织"], limit=Decimal("200"))
    d = make_solution(
        provider=far,
        clusters=["黄酒"],
        divisions=["15"],
        subdomains=["PO"],
        investment_min=Decimal("500"),
        investment_max=Decimal("900"),
    )
    make_solution(
        provider=good,
        clusters=["现代纺织"],
        divisions=["17"],
        subdomains=["PO", "PE"],
        status=EntryStatus.PENDING,
    )

    # when ranked
    ranked = rank(dyeing_need, limit=20)

    # then the order and the scores are the hand-computed ones
    assert [(r.library, r.object_id) for r in ranked] == [
        (Library.SOLUTION, a.pk),
        (Library.EXPERT, b.pk),
        (Library.SOLUTION, d.pk),
        (Library.FINANCE, c.pk),
    ]
    assert [r.score for r in ranked] == pytest.approx([0.375, 0.28125, 0.105, 0.214286], abs=1e-4)


@pytest.fixture
def stamping_need(plan):
    """A 金属冲压 (class 3399, division 33, cluster 金属加工) need in 越城区: PO and PS,
    100–250 万元."""
    enterprise = make_enterprise(region="越城区", cluster="金属加工", industry_code="3399")
    return make_need(
        enterprise,
        title="冲压车间MES系统建设",
        description="冲床40台，希望实现冲压工单排产下达、冲床状态采集和质量追溯，考虑技改贷款。",
        subdomains=["PO", "PS"],
        budget_min=Decimal("100"),
        budget_max=Decimal("250"),
    )


def test_an_entry_of_another_industry_ranks_below_same_industry_and_neutral_ones(
    stamping_need, fixed_weights
):
    # given, without text relevance (no search index), by hand with the weights:
    #   X 印染 solution (industry 0) for PO and PS, from a provider in 越城区 rated 5, 80–300:
    #     (0 + 0.15 × 1 + 0.05 local + 0 cases + 0.05 rating + 0.05 budget) / 1.00   = 0.30
    #   M 金属加工 solution (industry 1) for PO only, provider unrated in 新昌县, 500–900:
    #     (0.15 + 0.15 × 1/2 + 0 + 0 + 0.05 × 3/5 + 0) / 1.00                       = 0.255
    #   N expert for every industry (0.5) in PO: (0.15 × 0.5 + 0.15 × 1/2) / 0.80    = 0.1875
    #   F 金属加工 loan (industry 1), limit 300 covers 250, but nothing of the need's words
    #     or sub-domains: (0.15 + 0.05) / 0.70                                        = 0.285714…
    local = make_provider(regions=["越城区"], rating=Decimal("5"))
    far = make_provider(regions=["新昌县"])
    x = make_solution(
        provider=local,
        clusters=["现代纺织"],
        divisions=["17"],
        subdomains=["PO", "PS"],
        investment_min=Decimal("80"),
        investment_max=Decimal("300"),
    )
    m = make_solution(
        provider=far,
        clusters=["金属加工"],
        divisions=["33"],
        subdomains=["PO"],
        investment_min=Decimal("500"),
        investment_max=Decimal("900"),
    )
    n = make_expert_profile(subdomains=["PO"])
    f = make_financial_product(clusters=["金属加工"], limit=Decimal("300"))

    # when ranked
    ranked = rank(stamping_need, limit=10)

    # then the same-industry and the neutral entry that fit come first, though the 印染 one
    # scores more than both; it still comes before the loan, which does not fit the need
    assert [(r.library, r.object_id) for r in ranked] == [
        (Library.SOLUTION, m.pk),
        (Library.EXPERT, n.pk),
        (Library.SOLUTION, x.pk),
        (Library.FINANCE, f.pk),
    ]
    assert [r.score for r in ranked] == pytest.approx([0.255, 0.1875, 0.30, 0.285714], abs=1e-4)


def test_an_entry_of_another_industry_is_listed_when_nothing_else_fits(
    stamping_need, fixed_weights
):
    # given only a 印染 solution that fits (PO) and a 金属加工 loan that does not
    x = make_solution(provider=make_provider(), clusters=["现代纺织"], subdomains=["PO"])
    f = make_financial_product(clusters=["金属加工"])

    # when ranked, then the 印染 solution leads the list
    ranked = rank(stamping_need, limit=10)
    assert [(r.library, r.object_id) for r in ranked] == [
        (Library.SOLUTION, x.pk),
        (Library.FINANCE, f.pk),
    ]


def test_the_list_mixes_kinds_and_has_a_provider_an_expert_and_a_loan_that_fit(stamping_need):
    # given, all indexed for search: eight 金属加工 MES solutions and four cases, each about
    # the need's words (stronger than any provider's, expert's or loan's text), two providers
    # and two experts of the industry in its sub-domains, and a loan for every industry about
    # 技改贷款 for 冲压车间MES
    provider = make_provider("金属加工MES服务商", clusters=["金属加工"], subdomains=["PO"])
    entries = [provider, make_provider(clusters=["金属加工"], subdomains=["PS"])]
    for number in range(8):
        entries.append(
            make_solution(
                f"冲压车间MES工单排产与质量追溯方案{number}",
                description="冲压工单排产下达，冲床状态采集，冲压件质量追溯。",
                provider=provider,
                clusters=["金属加工"],
                subdomains=["PO", "PS"],
            )
        )
    for number in range(4):
        entries.append(
            make_case(
                f"冲压车间MES应用案例{number}",
                description="冲压工单排产下达，冲床状态采集，质量追溯。",
                provider=provider,
                clusters=["金属加工"],
                subdomains=["PO"],
            )
        )
    experts = [make_expert_profile(clusters=["金属加工"], subdomains=["PO"]) for _ in range(2)]
    loan = make_financial_product(
        "技改贷款", description="用于冲压车间MES等智能化改造项目的技改贷款。"
    )
    for entry in [*entries, *experts, loan]:
        index_entry(entry)

    # when the need is ranked for its ten matches
    ranked = rank(stamping_need, limit=10)

    # then no kind takes more than 3 places; 3 solutions, 3 cases, 2 providers and 2 experts
    # would fill the list: the loan takes the place of the last provider or expert
    kinds = Counter(r.library for r in ranked)
    assert len(ranked) == 10
    assert (kinds[Library.SOLUTION], kinds[Library.CASE], kinds[Library.FINANCE]) == (3, 3, 1)
    assert kinds[Library.PROVIDER] >= 1 and kinds[Library.EXPERT] >= 1
    assert kinds[Library.PROVIDER] + kinds[Library.EXPERT] == 3
    # the best by score first: the solutions, which match the need's words best
    assert ranked[0].library == Library.SOLUTION


def test_text_relevance_breaks_a_structural_tie(dyeing_need, fixed_weights):
    # given two solutions alike in every field, one about the need's problem, both indexed
    provider = make_provider(regions=["柯桥区"])
    fields = {"provider": provider, "clusters": ["现代纺织"], "subdomains": ["PO"]}
    about = make_solution(
        "染料自动称量配液系统", description="染色配液自动化，助剂自动称量。", **fields
    )
    other = make_solution("坯布仓库货架", description="仓库货架与叉车。", **fields)
    for entry in (about, other, provider):
        index_entry(entry)

    # when ranked
    results = by_key(rank(dyeing_need, limit=20))

    # then the one about the problem has full text relevance, says so, and comes first
    first, second = results[(Library.SOLUTION, about.pk)], results[(Library.SOLUTION, other.pk)]
    assert first.features["text"] == pytest.approx(1.0)
    assert "内容相关" in first.reasons
    assert second.features["text"] < 0.5
    assert first.score > second.score


def test_keywords_put_the_title_first_and_leave_out_stopwords(dyeing_need):
    # given the need 染色配液自动化 / 希望实现染料自动称量配液。
    # when its keywords are taken
    keywords = need_keywords(dyeing_need)

    # then the title's words lead and filler words are gone
    assert "配液" in keywords[:3]
    assert "希望" not in keywords


def test_weights_come_from_the_setting_with_defaults_for_the_rest(settings):
    # given a setting naming only the text weight
    settings.ZHIZAO_MATCH_WEIGHTS = {"text": 0.8}

    # when the weights are read
    read = weights()

    # then the text weight is the setting's and the others the defaults
    assert read["text"] == 0.8
    assert read["industry"] == DEFAULT_WEIGHTS["industry"]


def _library(count: int, offset: int) -> None:
    for number in range(count):
        provider = make_provider(
            f"服务商{offset + number}", clusters=["现代纺织"], regions=["柯桥区"]
        )
        make_solution(provider=provider, clusters=["现代纺织"], subdomains=["PO"])
        make_case(provider=provider, clusters=["现代纺织"], subdomains=["PO"])
        make_expert_profile(clusters=["现代纺织"], subdomains=["PO"])
        make_financial_product(clusters=["现代纺织"])


def test_matching_takes_the_same_number_of_queries_whatever_the_number_of_candidates(
    dyeing_need,
):
    # given a few entries in every library
    _library(2, 0)
    with CaptureQueriesContext(connection) as few:
        small = rank(dyeing_need, limit=50)

    # when there are many more
    _library(12, 100)
    with CaptureQueriesContext(connection) as many:
        large = rank(dyeing_need, limit=50)

    # then matching took no more queries (the instances of the results kept are loaded per
    # library, so fewer libraries among them take fewer), and at most a fixed bound: 1 text
    # search, 3 per library, 3 for providers and cases, 1 per library kept, and on PostgreSQL
    # a savepoint with SET LOCAL jit = off
    assert len(large) > len(small)
    assert len(many.captured_queries) <= len(few.captured_queries) <= 25


def test_the_match_command_prints_the_ranking_as_json(dyeing_need):
    # given a solution that fits the need
    provider = make_provider(regions=["柯桥区"])
    solution = make_solution(
        "印染自动配液系统", provider=provider, clusters=["现代纺织"], subdomains=["PO"]
    )

    # when `zhizao bridge match NEED_ID --format json` runs
    out = StringIO()
    call_command(
        "bridge", "match", str(dyeing_need.pk), "--limit", "5", "--format", "json", stdout=out
    )

    # then it prints the need and the ranked entries with score and reasons
    printed = json.loads(out.getvalue())
    assert printed["need"]["id"] == dyeing_need.pk
    first = printed["results"][0]
    assert (first["library"], first["object_id"], first["title"]) == (
        "solution",
        solution.pk,
        "印染自动配液系统",
    )
    assert first["reasons_text"] == "同行业 · 能力域匹配 · 本地服务"
    assert 0 < first["score"] <= 1


def test_the_match_command_names_a_missing_need(plan):
    with pytest.raises(CommandError, match=r"^找不到需求 999999。$"):
        call_command("bridge", "match", "999999", stdout=StringIO())
