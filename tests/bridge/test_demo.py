"""The 新智造鹊桥 demo (`zhizao demo`): hundreds of entries across the libraries with real standards,
the demo provider's company with its solutions and cases, needs matched by the real matcher with
matches at every step, the search index rebuilt, history written; and a second run keeps it."""

from collections import Counter
from decimal import Decimal

import pytest

from zhizao.accounts.models import User
from zhizao.accounts.services import create_demo_accounts
from zhizao.bridge.demo import bridge_demo_step, generate_bridge_demo, summary
from zhizao.bridge.libraries import LIBRARIES
from zhizao.bridge.models import (
    Case,
    EntryStatus,
    ExpertProfile,
    Match,
    MatchStatus,
    MatchStep,
    Need,
    Provider,
    SearchDocument,
    Solution,
    Standard,
)
from zhizao.bridge.search import search
from zhizao.core import demo_steps
from zhizao.core.scoping import scope_queryset
from zhizao.enterprises.demo import generate_demo

NEEDS = 12  # the default is 30; matching each takes a moment


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def registry(plan):
    create_demo_accounts()
    generate_demo(120, years=range(2022, 2025))


@pytest.fixture
def demo(registry):
    return generate_bridge_demo(seed=7, needs=NEEDS)


def test_the_step_is_registered_after_the_registry_steps():
    step = demo_steps.REGISTRY["bridge"]
    assert step.function is bridge_demo_step
    others = [s.order for s in demo_steps.registered_steps() if s.name != "bridge"]
    assert step.order > max(others, default=0)


def test_the_demo_fills_every_library(demo):
    counts = {code: spec.model.objects.count() for code, spec in LIBRARIES.items()}
    assert sum(counts.values()) >= 400
    assert counts["standard"] == 60 and counts["provider"] == 40
    assert min(counts.values()) >= 20
    statuses = Counter(
        status for spec in LIBRARIES.values() for status in spec.model.objects.values_list(
            "status", flat=True
        )
    )  # fmt: skip
    total = sum(statuses.values())
    assert statuses[EntryStatus.PUBLISHED] / total > 0.85
    assert statuses[EntryStatus.PENDING] >= 5 and statuses[EntryStatus.DRAFT] >= 1
    assert statuses[EntryStatus.UNPUBLISHED] == 1
    # the flag the scoping reads agrees with the status (bulk writes skip save())
    for spec in LIBRARIES.values():
        model = spec.model
        assert not model.objects.filter(is_published=True).exclude(status="published").exists()
        assert not model.objects.filter(status="published", is_published=False).exists()
    # and every entry has its creation in the history
    assert (
        Solution.history.filter(history_change_reason="生成演示数据").count() == counts["solution"]
    )
    assert summary(demo).startswith("新智造鹊桥：已生成资源库条目")


def test_standards_are_real_ones(demo):
    model = Standard.objects.get(code="GB/T 39116-2020")
    assert model.title == "智能制造能力成熟度模型"
    assert str(model.effective_on) == "2021-05-01"
    assert Standard.objects.get(code="GB/T 39117-2020").title == "智能制造能力成熟度评估方法"
    assert Standard.objects.get(code="GB/T 37393-2019").title == "数字化车间 通用技术要求"
    repealed = Standard.objects.get(code="GB/T 19001-2008")
    assert repealed.get_standard_status_display() == "废止"


def test_entries_fit_shaoxings_clusters(demo):
    clusters = Counter(
        code for entry in Solution.objects.prefetch_related("clusters") for code in
        (c.code for c in entry.clusters.all())
    )  # fmt: skip
    for code in ("textile", "integrated-circuit", "equipment-parts", "yellow-wine",
                 "pearl-jewellery", "kitchen-appliance", "pharmaceutical"):  # fmt: skip
        assert clusters[code] >= 1, code
    case = Case.objects.filter(results__isnull=False).exclude(results=[]).first()
    assert case.enterprise is not None and case.enterprise_name == case.enterprise.name
    assert all({"name", "unit", "before", "after"} <= set(r) for r in case.results)
    assert case.solution.provider_id == case.provider_id


def test_the_demo_provider_and_expert_maintain_their_own(demo):
    provider_user = User.objects.get(username="provider")
    own = Provider.objects.get(maintainers=provider_user)
    assert own.name == "绍兴智联织造数字科技有限公司"
    assert own.regions_served.count() == 3 and own.is_published
    solutions = Counter(
        Solution.objects.filter(maintainers=provider_user).values_list("status", flat=True)
    )
    assert solutions[EntryStatus.PUBLISHED] >= 4
    assert solutions[EntryStatus.PENDING] >= 1 and solutions[EntryStatus.DRAFT] >= 1
    assert Case.objects.filter(maintainers=provider_user, provider=own).count() >= 3
    expert = User.objects.get(username="expert")
    assert ExpertProfile.objects.get(user=expert).maintainers.get() == expert


def test_needs_have_matches_at_every_step(demo):
    needs = Need.objects.all()
    assert needs.count() == NEEDS
    assert Need.objects.filter(enterprise__members__username="enterprise").count() == 3
    statuses = Counter(Match.objects.values_list("status", flat=True))
    for status in MatchStatus.values:
        assert statuses[status] >= 1, status
    for match in Match.objects.filter(status__in=("signed", "delivered")):
        assert match.contract_value and match.contract_value > Decimal(0)
    # each match has its steps, from 已推荐 to where it is, in time order
    for match in Match.objects.exclude(status="recommended").prefetch_related("steps"):
        steps = list(match.steps.order_by("created_at", "pk"))
        assert steps[0].to_status == "recommended" and steps[-1].to_status == match.status
        assert steps[0].created_at <= steps[-1].created_at
    # matches come from the matcher: scored, with reasons, best first
    match = Match.objects.order_by("-score").first()
    assert 0 < match.score <= 1 and match.reasons
    # the demo provider has needs to answer at several steps
    provider_user = User.objects.get(username="provider")
    own = Counter(Match.objects.filter(responders=provider_user).values_list("status", flat=True))
    assert own["recommended"] >= 1 and len(own) >= 3
    # needs spread over months, for 对接成效 by month
    months = {n.created_at.strftime("%Y-%m") for n in needs}
    assert len(months) >= 3


def test_the_search_index_is_rebuilt(demo):
    entries = sum(spec.model.objects.count() for spec in LIBRARIES.values())
    documents = SearchDocument.objects.exclude(library__in=("enterprise", "project")).count()
    assert documents == entries
    results = search("印染 MES")
    assert results.total > 0
    published = scope_queryset(None, SearchDocument.objects.all()).count()
    assert published < SearchDocument.objects.count()


def test_a_second_run_keeps_what_is_there(demo):
    entries = Solution.objects.count()
    line = bridge_demo_step(seed=7, years=range(2022, 2025))
    assert "保留现有数据" in line
    assert Solution.objects.count() == entries
    assert MatchStep.objects.exists()
