"""`zhizao progress`: the engine's values judged against the plan, city and district."""

import json

import pytest
from django.core.management import call_command

from tests.monitoring.test_engine import above_scale
from tests.reports.conftest import new_enterprise, new_report
from zhizao.core.models import Region
from zhizao.monitoring.engine import recompute
from zhizao.monitoring.services import plan_progress


@pytest.fixture
def values_2024(plan):
    # one above-scale enterprise in 柯桥区: 500 staff, 25 robots → density 500 in 2024
    firm = new_enterprise("柯桥区", 1)
    above_scale(firm, 2024)
    new_report(firm, 2024, employees=500, industrial_robots=25)
    recompute(plan)
    return plan


def test_city_progress_of_a_level_indicator(values_2024):
    rows = plan_progress(values_2024, 2024, Region.objects.get(code="330600"))
    robots = rows[6]
    # level: (500 − 214) / (400 − 214) = 1.5376; schedule (355 − 214) / 186 = 0.7581 → green
    assert (robots["no"], robots["actual"], robots["year_target"]) == (7, 500, 355)
    assert robots["five_year_progress"] == 1.5376
    assert robots["schedule"] == 0.7581
    assert robots["status"] == "green"
    assert robots["source"] == "enterprise"


def test_no_data_is_reported_as_such(values_2024):
    rows = plan_progress(values_2024, 2024, Region.objects.get(code="330600"))
    five_g = rows[18]
    assert (five_g["actual"], five_g["five_year_progress"], five_g["status"]) == (
        None,
        None,
        "no_data",
    )
    assert five_g["source"] == "reported"


def test_a_district_is_judged_by_its_annex_share_and_the_citys_rates(values_2024):
    # given 柯桥区's firm had 10 robots for its 500 staff in 2020: 10 / 500 × 10,000 = 200,
    # the district's own base-year level
    firm = Region.objects.get(name="柯桥区").enterprises.get()
    above_scale(firm, 2020)
    new_report(firm, 2020, employees=500, industrial_robots=10)
    recompute(values_2024)
    rows = plan_progress(values_2024, 2024, Region.objects.get(name="柯桥区"))
    # 市级数字化车间: 柯桥区's floor is 240 (the annex), no value reported yet
    assert rows[4]["five_year_target"] == 240 and rows[4]["status"] == "no_data"
    # a district's robot density aims at the city's 400, from its own 200 of 2020:
    # (500 − 200) / (400 − 200) = 1.5 (from the city's 214 it was 1.5376)
    robots = rows[6]
    assert (robots["five_year_target"], robots["actual"], robots["base"]) == (400, 500, 200)
    assert (robots["five_year_progress"], robots["target_basis"]) == (1.5, "city")
    # 5G base stations have no district share in the annex
    assert rows[18]["status"] == "no_target"


def test_progress_command_prints_the_documented_json(values_2024, capsys):
    call_command("progress", "--year", "2024", "--format", "json")
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 21
    assert list(rows[0]) == [
        "no", "name", "unit", "kind", "source", "actual", "year_target", "year_completion",
        "cumulative_actual", "five_year_target", "five_year_progress", "schedule", "status",
        "forecast", "at_risk", "gap", "base", "target_basis", "reached", "year_target_split",
        "no_target_reason", "computed", "official", "difference", "quarter",
    ]  # fmt: skip


def test_progress_command_refuses_a_year_outside_the_plan(values_2024):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="年份 2030 不在方案年份内（2021—2025年）。"):
        call_command("progress", "--year", "2030")
