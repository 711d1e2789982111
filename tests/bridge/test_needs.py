"""Needs and the match workflow (供需对接): posting, needs from diagnosis gaps, matching,
the steps of a match with their refusals, scoping, and 对接成效."""

import datetime
import re
from decimal import Decimal

import pytest
from django.http import Http404
from django.utils import timezone

from tests.accounts.factories import make_user
from tests.bridge.factories import (
    make_expert_profile,
    make_expert_user,
    make_match,
    make_need,
    make_provider,
    make_provider_user,
    make_solution,
)
from tests.diagnosis.factories import make_assessment
from tests.enterprises.factories import make_enterprise
from zhizao.bridge.models import Library, Match, MatchStatus, MatchStep, Need, NeedStatus
from zhizao.bridge.needs import (
    MATCH_NEED_TASK,
    advance_match,
    close_match,
    close_need,
    match_need,
    needs_from_gaps,
    post_need,
    request_matching,
    visible_matches,
    visible_needs,
)
from zhizao.bridge.outcomes import outcomes
from zhizao.bridge.services import BridgeError, BridgeForbidden
from zhizao.core.models import Notification, Task, TaskStatus
from zhizao.core.roles import Role
from zhizao.core.scoping import get_scoped_object_or_404
from zhizao.core.tasks import run_pending_tasks
from zhizao.diagnosis.models import AssessmentStatus
from zhizao.diagnosis.questionnaire import load_questionnaire


def refused(exc_type, message):
    """pytest.raises for an exact message (no regular expression)."""
    return pytest.raises(exc_type, match=f"^{re.escape(message)}$")


@pytest.fixture
def enterprise(plan):
    return make_enterprise("柯桥某印染有限公司", region="柯桥区", cluster="现代纺织")


@pytest.fixture
def member(enterprise):
    user = make_user(Role.ENTERPRISE, username="dyer")
    enterprise.members.add(user)
    return user


@pytest.fixture
def provider_user(plan):
    return make_provider_user(username="provider-a")


@pytest.fixture
def solution(provider_user):
    provider = make_provider(
        "柯桥印染数智科技有限公司", maintainers=[provider_user], regions=["柯桥区"]
    )
    return make_solution(
        "印染MES", provider=provider, clusters=["现代纺织"], subdomains=["PO"], maintainers=[]
    )


VALUES = {
    "title": "订单进度不透明",
    "description": "希望建设印染MES，实现订单跟踪。",
    "subdomains": ["PO", "计划与调度"],
    "budget_min": "100",
    "budget_max": "300",
}


# --- posting -----------------------------------------------------------------------------------


def test_a_member_posts_a_need_in_its_enterprises_district_and_cluster(enterprise, member):
    # when a member posts a need
    need = post_need(enterprise, member, VALUES)

    # then it is open, in the enterprise's district and cluster, with codes for names
    assert need.status == NeedStatus.OPEN
    assert need.region.name == "柯桥区"
    assert need.cluster.name == "现代纺织"
    assert need.subdomains == ["PO", "PS"]
    assert need.budget_max == Decimal("300.00")
    assert need.created_by == member
    entry = need.history.get()
    assert (entry.history_change_reason, entry.history_user) == ("发布需求", member)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"title": "  "}, "请填写需求标题。"),
        ({"description": ""}, "请填写需求描述。"),
        ({"budget_min": "300", "budget_max": "200"}, "预算下限 300.00 万元高于上限 200.00 万元。"),
        ({"budget_min": "一百"}, "预算下限「一百」不是数字。"),
        ({"budget_max": "-5"}, "预算上限不能为负数（-5 万元）。"),
        ({"subdomains": ["PO", "XX", "销售管理"]}, "能力子域「XX、销售管理」不存在。"),
        ({"cluster": "纺织"}, "产业集群「纺织」不存在。"),
        ({"deadline": "2020-01-01"}, "期望完成日期 2020-01-01 早于今天。"),
    ],
)
def test_a_need_with_a_problem_is_refused_naming_it(enterprise, member, change, message):
    # when a need with one problem is posted, then it is refused with the message
    with refused(BridgeError, message):
        post_need(enterprise, member, {**VALUES, **change})
    assert not Need.objects.exists()


def test_only_the_enterprise_or_the_city_posts_its_needs(enterprise, city_admin):
    # given a member of another enterprise
    stranger = make_user(Role.ENTERPRISE, username="stranger")
    make_enterprise("别的企业", region="柯桥区").members.add(stranger)

    # then it may not post for this one, and the city admin may
    with refused(BridgeForbidden, "只有该企业的用户或市级管理员可以发布需求。"):
        post_need(enterprise, stranger, VALUES)
    assert post_need(enterprise, city_admin, VALUES).created_by == city_admin


# --- needs from diagnosis gaps -----------------------------------------------------------------


@pytest.fixture
def assessment(enterprise):
    """A submitted self-assessment at level 1 with every level-2 requirement only half met."""
    q = load_questionnaire()
    answers = {r.id: "部分满足" for r in q.at_level(2) if "部分满足" in r.answers}
    return make_assessment(enterprise, 2024, level=1, answers=answers)


def test_chosen_gaps_become_needs_titled_after_their_requirement(assessment, member):
    # given two of the assessment's gaps
    q = load_questionnaire()
    first, second = [r for r in q.at_level(2) if "部分满足" in r.answers][:2]

    # when the member turns them into needs
    needs = needs_from_gaps(assessment, member, [first.id, second.id])

    # then each is titled after its requirement, in its sub-domain, marked with its id
    need = needs[0]
    assert need.title == f"{q.subdomains[first.subdomain].name}：{first.text.rstrip('。')}"
    assert need.subdomains == [first.subdomain]
    assert need.source_requirement == first.id
    assert first.text in need.description and "部分满足" in need.description
    assert [n.source_requirement for n in needs] == [first.id, second.id]
    assert all(n.region == assessment.enterprise.region for n in needs)


def test_gaps_are_refused_twice_unknown_or_from_a_draft(assessment, member, enterprise):
    q = load_questionnaire()
    gap = next(r for r in q.at_level(2) if "部分满足" in r.answers)
    needs_from_gaps(assessment, member, [gap.id])
    title = Need.objects.get().title
    with refused(BridgeError, f"差距项 {gap.id} 已生成需求「{title}」，不能重复生成。"):
        needs_from_gaps(assessment, member, [gap.id])
    with refused(BridgeError, "「OS-1-01、XX-9-99」不是该自评估的差距项。"):
        needs_from_gaps(assessment, member, ["OS-1-01", "XX-9-99"])
    with refused(BridgeError, "请至少选择一个差距项。"):
        needs_from_gaps(assessment, member, [])
    draft = make_assessment(enterprise, 2025, status=AssessmentStatus.DRAFT)
    with refused(BridgeError, "该自评估尚未提交，不能由差距生成需求。"):
        needs_from_gaps(draft, member, [gap.id])


# --- matching ----------------------------------------------------------------------------------


def test_matching_stores_recommendations_with_their_responders_and_tells_them(
    enterprise, member, solution, provider_user
):
    # given an expert with an account and a need
    expert = make_expert_user(username="expert-wang")
    profile = make_expert_profile("王工", user=expert, clusters=["现代纺织"], subdomains=["PO"])
    need = post_need(enterprise, member, VALUES)

    # when the need is matched
    matches = match_need(need, limit=10, user=member)

    # then the solution and the expert are recommended, answered by the provider's users and
    # the expert, who are told; each recommendation is a first step
    found = {(m.library, m.object_id): m for m in matches}
    by_solution = found[(Library.SOLUTION, solution.pk)]
    assert by_solution.status == MatchStatus.RECOMMENDED
    assert list(by_solution.responders.all()) == [provider_user]
    assert by_solution.reasons[:2] == ["同行业", "能力域匹配"]
    assert list(found[(Library.EXPERT, profile.pk)].responders.all()) == [expert]
    step = by_solution.steps.get()
    assert (step.from_status, step.to_status) == ("", MatchStatus.RECOMMENDED)
    notice = Notification.objects.get(user=provider_user)
    assert notice.text.startswith(
        f"{enterprise.name}的需求「订单进度不透明」与您的解决方案「印染MES」匹配"
    )


def test_matching_again_keeps_matches_in_contact_and_adds_nothing_twice(
    enterprise, member, solution, provider_user
):
    need = post_need(enterprise, member, VALUES)
    first = match_need(need, user=member)
    advance_match(first[0], provider_user, MatchStatus.CONTACTED)
    again = match_need(need, user=member)
    assert {m.pk for m in again} == {m.pk for m in first}
    assert [m.rank for m in Match.objects.filter(need=need)] == list(range(1, len(again) + 1))
    assert Match.objects.get(pk=first[0].pk).status == MatchStatus.CONTACTED
    assert Notification.objects.filter(user=provider_user, text__contains="匹配").count() == 1


def test_a_closed_need_is_not_matched(enterprise, member):
    need = post_need(enterprise, member, VALUES)
    close_need(need, member)
    with refused(BridgeError, "需求「订单进度不透明」已关闭，不能匹配。"):
        match_need(need, user=member)


def test_matching_is_queued_once_and_the_worker_runs_it(enterprise, member, solution):
    # given a posted need
    need = post_need(enterprise, member, VALUES)

    # when its matching is asked for twice before a worker takes it
    task = request_matching(need, member)
    again = request_matching(need, member)

    # then one task waits, nothing is matched yet
    assert again.pk == task.pk and task.status == TaskStatus.QUEUED
    assert Task.objects.filter(name=MATCH_NEED_TASK).count() == 1
    assert not need.matches.exists()

    # when the worker runs it, the solution is recommended, with the member as its actor
    assert run_pending_tasks() == 1
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE
    assert task.result["summary"] == "平台为您匹配了 1 项资源。"
    match = need.matches.get()
    assert (match.library, match.object_id) == (Library.SOLUTION, solution.pk)
    assert match.steps.get().actor == member

    # and a new request queues a new task
    assert request_matching(need, member).pk != task.pk


def test_a_need_closed_while_its_matching_waits_fails_with_the_reason(enterprise, member):
    need = post_need(enterprise, member, VALUES)
    task = request_matching(need, member)
    close_need(need, member)

    run_pending_tasks()

    task.refresh_from_db()
    assert task.status == TaskStatus.FAILED
    assert task.error == "需求「订单进度不透明」已关闭，不能匹配。"
    with refused(BridgeError, "需求「订单进度不透明」已关闭，不能匹配。"):
        request_matching(need, member)


def test_only_the_enterprise_or_the_city_asks_for_matching(enterprise, member, provider_user):
    need = post_need(enterprise, member, VALUES)
    with refused(BridgeForbidden, "只有该企业的用户或市级管理员可以为需求匹配资源。"):
        request_matching(need, provider_user)
    assert not Task.objects.exists()


# --- the workflow ------------------------------------------------------------------------------


@pytest.fixture
def match(enterprise, solution, provider_user):
    need = make_need(enterprise, title="订单进度不透明")
    return make_match(need, solution, responders=[provider_user])


def test_a_match_goes_through_every_step_to_delivery(match, member, provider_user):
    # when the provider and the enterprise take turns through the steps
    advance_match(match, provider_user, MatchStatus.CONTACTED, "已电话联系")
    advance_match(match, member, MatchStatus.NEGOTIATING)
    advance_match(match, provider_user, MatchStatus.SIGNED, "合同已签", contract_value="120.5")
    advance_match(match, member, MatchStatus.DELIVERED, "验收通过")

    # then each step is recorded with who and what was said, and the contract value kept
    match.refresh_from_db()
    assert match.status == MatchStatus.DELIVERED
    assert match.contract_value == Decimal("120.50")
    steps = list(MatchStep.objects.filter(match=match).values_list("to_status", "actor", "comment"))
    assert steps == [
        (MatchStatus.CONTACTED, provider_user.pk, "已电话联系"),
        (MatchStatus.NEGOTIATING, member.pk, ""),
        (MatchStatus.SIGNED, provider_user.pk, "合同已签"),
        (MatchStatus.DELIVERED, member.pk, "验收通过"),
    ]
    reasons = list(
        match.history.order_by("history_id").values_list("history_change_reason", flat=True)
    )
    assert reasons[-1] == "已签约 → 已交付：验收通过"
    # and the other side is told of each step
    assert Notification.objects.filter(user=member, text__contains="已联系").exists()
    assert Notification.objects.filter(user=provider_user, text__contains="已交付").exists()


def test_the_workflow_refuses_what_is_out_of_turn(match, member, provider_user):
    stranger = make_provider_user(username="stranger")
    with refused(BridgeForbidden, "只有需求企业的用户或该对接的响应方可以推进对接。"):
        advance_match(match, stranger, MatchStatus.CONTACTED)
    with refused(BridgeError, "该对接当前为「已推荐」，下一步只能是「已联系」。"):
        advance_match(match, member, MatchStatus.SIGNED, contract_value="10")
    advance_match(match, member, MatchStatus.CONTACTED)
    advance_match(match, member, MatchStatus.NEGOTIATING)
    with refused(BridgeError, "签约须填写签约金额（万元）。"):
        advance_match(match, provider_user, MatchStatus.SIGNED)
    with refused(BridgeError, "签约金额应大于 0 万元。"):
        advance_match(match, provider_user, MatchStatus.SIGNED, contract_value="0")
    with refused(BridgeError, "签约金额「十万」不是数字。"):
        advance_match(match, provider_user, MatchStatus.SIGNED, contract_value="十万")
    with refused(BridgeError, "关闭对接必须填写原因。"):
        close_match(match, provider_user, " ")
    close_match(match, provider_user, "价格谈不拢")
    with refused(BridgeError, "该对接已关闭（价格谈不拢），不能再操作。"):
        advance_match(match, member, MatchStatus.SIGNED, contract_value="10")
    assert MatchStep.objects.filter(match=match).count() == 3


def test_a_delivered_match_cannot_be_closed(match, member):
    for status in (MatchStatus.CONTACTED, MatchStatus.NEGOTIATING):
        advance_match(match, member, status)
    advance_match(match, member, MatchStatus.SIGNED, contract_value="50")
    advance_match(match, member, MatchStatus.DELIVERED)
    with refused(BridgeError, "该对接已交付，不能再操作。"):
        close_match(match, member, "不要了")


def test_closing_a_need_closes_its_unsigned_matches_and_keeps_the_signed(
    enterprise, member, solution, provider_user
):
    # given a need with a signed match and a recommended one
    need = make_need(enterprise)
    signed = make_match(need, solution, status=MatchStatus.SIGNED, contract_value=Decimal("80"))
    open_one = make_match(
        need, make_solution(provider=solution.provider), responders=[provider_user]
    )

    # when the enterprise closes the need
    close_need(need, member, "已自行解决")

    # then the open match is closed with the reason, the signed one goes on to delivery
    open_one.refresh_from_db()
    assert (open_one.status, open_one.close_reason) == (
        MatchStatus.CLOSED,
        "需求已关闭：已自行解决",
    )
    advance_match(signed, member, MatchStatus.DELIVERED)
    with refused(BridgeError, "该需求已关闭。"):
        close_need(need, member)


# --- scoping -----------------------------------------------------------------------------------


def test_a_provider_sees_only_the_needs_and_matches_matched_to_it(match, provider_user, solution):
    # given another need and another provider's match on the same need
    other_need = make_need(make_enterprise(region="越城区"))
    other_user = make_provider_user(username="provider-b")
    other = make_solution(provider=make_provider(maintainers=[other_user]))
    make_match(match.need, other, responders=[other_user])

    # then each provider sees the need, once, and only its own match on it
    assert list(visible_needs(provider_user)) == [match.need]
    assert list(visible_matches(provider_user, match.need)) == [match]
    with pytest.raises(Http404):
        get_scoped_object_or_404(provider_user, Need.objects.all(), pk=other_need.pk)
    assert [m.title for m in visible_matches(other_user, match.need)] == [str(other)]


def test_an_enterprise_user_does_not_see_another_enterprises_need(match, member):
    # given a member of another enterprise
    stranger = make_user(Role.ENTERPRISE, username="stranger")
    make_enterprise("别的企业", region="柯桥区").members.add(stranger)

    # then the need is out of its scope and in its own enterprise's
    with pytest.raises(Http404):
        get_scoped_object_or_404(stranger, Need.objects.all(), pk=match.need.pk)
    assert list(visible_needs(member)) == [match.need]
    assert not visible_matches(stranger).exists()


# --- 对接成效 ------------------------------------------------------------------------------------


def _posted(need, year, month):
    Need.objects.filter(pk=need.pk).update(
        created_at=datetime.datetime(year, month, 10, 9, tzinfo=timezone.get_default_timezone())
    )


@pytest.fixture
def outcome_fixture(plan):
    """By hand:
    柯桥区 现代纺织: n1 (2025-01) signed 100 + delivered 50, a recommended match too;
                     n2 (2025-01) one recommended match; n3 (2025-02) no match
    越城区 黄酒:     n4 (2025-02) delivered 30, a closed match; n5 (2025-03) closed, no match
    柯桥区 no cluster: a draft need (not counted)
    """
    keqiao = make_enterprise(region="柯桥区", cluster="现代纺织")
    yuecheng = make_enterprise(region="越城区", cluster="黄酒")
    n1, n2, n3 = (make_need(keqiao) for _ in range(3))
    n4 = make_need(yuecheng)
    n5 = make_need(yuecheng, status=NeedStatus.CLOSED)
    make_need(make_enterprise(region="柯桥区"), status=NeedStatus.DRAFT)
    make_match(n1, status=MatchStatus.SIGNED, contract_value=Decimal("100"))
    make_match(n1, status=MatchStatus.DELIVERED, contract_value=Decimal("50"))
    make_match(n1)
    make_match(n2)
    make_match(n4, status=MatchStatus.DELIVERED, contract_value=Decimal("30"))
    make_match(n4, status=MatchStatus.CLOSED)
    for need, month in ((n1, 1), (n2, 1), (n3, 2), (n4, 2), (n5, 3)):
        _posted(need, 2025, month)


def _figures(row):
    return (row.posted, row.matched, row.signed, row.delivered, row.contract_value)


def test_outcomes_count_needs_by_step_district_cluster_and_month(outcome_fixture, city_admin):
    # when the city looks at 对接成效
    result = outcomes(city_admin)

    # then the counts are the hand-counted ones
    assert _figures(result.total) == (5, 3, 2, 2, Decimal("180.00"))
    assert [(r.label, *_figures(r)) for r in result.by_district] == [
        ("越城区", 2, 1, 1, 1, Decimal("30.00")),
        ("柯桥区", 3, 2, 1, 1, Decimal("150.00")),
    ]
    assert [(r.label, *_figures(r)) for r in result.by_cluster] == [
        ("现代纺织", 3, 2, 1, 1, Decimal("150.00")),
        ("黄酒", 2, 1, 1, 1, Decimal("30.00")),
    ]
    assert [(r.label, *_figures(r)) for r in result.by_month] == [
        ("2025-01", 2, 2, 1, 1, Decimal("150.00")),
        ("2025-02", 2, 1, 1, 1, Decimal("30.00")),
        ("2025-03", 1, 0, 0, 0, Decimal("0.00")),
    ]
    assert result.total.signing_rate == Decimal("40.0")


def test_a_district_officer_sees_its_own_districts_outcomes(outcome_fixture, keqiao_officer):
    result = outcomes(keqiao_officer)
    assert _figures(result.total) == (3, 2, 1, 1, Decimal("150.00"))
    assert [r.label for r in result.by_district] == ["柯桥区"]


def test_outcomes_of_a_period(outcome_fixture, city_admin):
    result = outcomes(city_admin, since=datetime.date(2025, 2, 1), until=datetime.date(2025, 2, 28))
    assert _figures(result.total) == (2, 1, 1, 1, Decimal("30.00"))
