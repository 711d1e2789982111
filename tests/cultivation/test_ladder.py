"""Counting the registry: the ladder's figures and the plan indicators 1–6 that take their actual
values from it, checked against fixtures counted by hand."""

import datetime
from decimal import Decimal

import pytest

from tests.cultivation.factories import make_application, make_title, title_type
from tests.enterprises.factories import make_enterprise
from zhizao.cultivation.ladder import ladder, net_additions, registry_counts
from zhizao.cultivation.services import revoke_title
from zhizao.monitoring.engine import recompute, recompute_registry
from zhizao.monitoring.models import IndicatorValue, ValueSource
from zhizao.monitoring.services import plan_progress


@pytest.fixture
def workshops(plan):
    """越城区: 2 base-year workshops (2020), 3 in 2021, 2 in 2022, one of 2021's revoked in 2023;
    柯桥区: 4 in 2022."""
    made = {
        "base": [make_title("municipal-digital-workshop", "越城区", 2020) for _ in range(2)],
        "2021": [make_title("municipal-digital-workshop", "越城区", 2021) for _ in range(3)],
        "2022": [make_title("municipal-digital-workshop", "越城区", 2022) for _ in range(2)],
        "keqiao": [make_title("municipal-digital-workshop", "柯桥区", 2022) for _ in range(4)],
    }
    title = made["2021"][0]
    title.revoked_on, title.revoke_reason = datetime.date(2023, 5, 1), "摘牌"
    title.save()
    return made


def _row(ladders, region_name, code="municipal-digital-workshop"):
    (region,) = [r for r in ladders if r.region.name == region_name]
    (row,) = [row for row in region.rows if row.title_type.code == code]
    return row


def test_net_additions_count_a_revocation_in_its_own_year(workshops):
    counts = net_additions([title_type("municipal-digital-workshop")])

    yuecheng = workshops["base"][0].region_id
    keqiao = workshops["keqiao"][0].region_id
    assert counts == {
        (yuecheng, 2020): 2,
        (yuecheng, 2021): 3,
        (yuecheng, 2022): 2,
        (yuecheng, 2023): -1,
        (keqiao, 2022): 4,
    }


def test_the_ladder_of_a_district_against_its_annex_target(plan, workshops):
    row = _row(ladder(plan, 2023), "越城区")

    assert row.by_year == {2020: 2, 2021: 3, 2022: 2}
    assert row.revoked_by_year == {2023: 1}
    assert row.in_force == 6  # 2 + 3 + 2 − 1
    assert row.plan_additions == 4  # 3 + 2 − 1: the base year's titles are not additions
    assert (row.floor, row.stretch) == (Decimal(120), Decimal(120))
    assert row.completion == Decimal("0.0333")  # 4 / 120


def test_the_ladder_as_of_an_earlier_year_ignores_later_events(plan, workshops):
    row = _row(ladder(plan, 2022), "越城区")

    assert row.in_force == 7
    assert row.plan_additions == 5
    assert row.revoked_by_year == {}


def test_the_city_ladder_is_the_sum_of_its_districts_against_the_plan(plan, workshops):
    row = _row(ladder(plan, 2023), "绍兴市")

    assert row.by_year == {2020: 2, 2021: 3, 2022: 6}
    assert row.in_force == 10
    assert row.plan_additions == 8
    # indicator 5: target 1000 − base 36 = 964 to add over the plan
    assert row.floor == Decimal(964)
    assert row.completion == Decimal("0.0083")


def test_the_pipeline_counts_open_applications_by_step(plan, workshops):
    firm = make_enterprise(region="越城区")
    make_application(firm, status="submitted")

    row = _row(ladder(plan, 2023), "越城区")
    assert row.pipeline == {"已提交，待区县审核": 1}


def test_registry_counts_stop_at_the_last_year_the_registry_knows(plan, workshops):
    districts = list(plan.region.children.all())

    counts = registry_counts(5, range(2020, 2026), districts, plan.region)

    yuecheng = workshops["base"][0].region
    assert counts[(yuecheng.pk, 2023)] == -1
    assert counts[(plan.region.pk, 2022)] == 6
    assert (plan.region.pk, 2024) not in counts  # nothing known after 2023: 无数据, not 0
    assert registry_counts(7, range(2020, 2026), districts, plan.region) is None


def test_the_engine_takes_indicator_5_from_the_registry(plan, workshops):
    # when the plan is recomputed
    recompute(plan)

    # then the city's additions per year are the registry's
    values = {
        v.year: v.value
        for v in IndicatorValue.objects.filter(
            indicator__plan=plan, indicator__number=5, region=plan.region
        )
    }
    assert values == {2020: 2, 2021: 3, 2022: 6, 2023: -1}
    assert IndicatorValue.objects.filter(indicator__number=5, source=ValueSource.REGISTRY).exists()
    # and progress is a stock's: base 36 + 3 + 6 − 1 = 44 in 2023; (44 − 36) / (1000 − 36)
    (row,) = [r for r in plan_progress(plan, 2023, plan.region) if r["no"] == 5]
    assert row["cumulative_actual"] == Decimal(44)
    assert row["five_year_progress"] == 0.0083


def test_revoking_a_title_lowers_the_count(plan, workshops, city_admin):
    recompute(plan)
    keqiao = workshops["keqiao"][0]

    revoke_title(keqiao, city_admin, revoked_on=datetime.date(2023, 9, 1), reason="不再符合条件")
    recompute_registry(plan)

    value = IndicatorValue.objects.get(indicator__number=5, region=keqiao.region, year=2023)
    assert value.value == -1
    row = _row(ladder(plan, 2023), "柯桥区")
    assert (row.in_force, row.plan_additions) == (3, 3)
