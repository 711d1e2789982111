"""The matcher: features, reasons, ranking order and a bounded number of queries."""

import json
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
    # nothing with the need and are no candidates
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
        (Library.FINANCE, c.pk),
        (Library.SOLUTION, d.pk),
    ]
    assert [r.score for r in ranked] == pytest.approx([0.375, 0.28125, 0.214286, 0.105], abs=1e-4)


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
