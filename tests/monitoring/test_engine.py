"""The indicator engine against figures worked out by hand."""

from decimal import Decimal

import pytest

from tests.reports.conftest import new_enterprise, new_report
from zhizao.core.models import Region
from zhizao.enterprises.models import ReportStatus, ScaleStatus
from zhizao.monitoring.engine import recompute
from zhizao.monitoring.formulas import FormulaError, parse_formula
from zhizao.monitoring.models import IndicatorValue, ReportedStatus, ReportedValue


def value_of(number: int, region: str, year: int) -> IndicatorValue:
    return IndicatorValue.objects.get(indicator__number=number, region__name=region, year=year)


def above_scale(enterprise, *years):
    for year in years:
        ScaleStatus.objects.create(enterprise=enterprise, year=year, above_scale=True)


@pytest.fixture
def two_districts(plan):
    """越城区: A (200 staff, 8 robots) and B (300 staff, 30 robots); 柯桥区: C (500, 12)."""
    a = new_enterprise("越城区", 1)
    b = new_enterprise("越城区", 2)
    c = new_enterprise("柯桥区", 3)
    above_scale(a, 2024)
    above_scale(b, 2024)
    above_scale(c, 2024)
    new_report(a, 2024, employees=200, industrial_robots=8, key_processes=20, cnc_key_processes=14)
    new_report(b, 2024, employees=300, industrial_robots=30, key_processes=10, cnc_key_processes=10,
               uses_erp=False, uses_mes=False)  # fmt: skip
    new_report(c, 2024, employees=500, industrial_robots=12, key_processes=30, cnc_key_processes=15)
    return a, b, c


def test_ratio_of_sums_per_district_and_for_the_city(plan, two_districts):
    recompute(plan, years=[2024])
    # robot density 越城区 (8 + 30) / (200 + 300) × 10000 = 760; 柯桥区 12 / 500 × 10000 = 240;
    # city (8 + 30 + 12) / (200 + 300 + 500) × 10000 = 500, not the mean of the districts
    assert value_of(7, "越城区", 2024).value == Decimal("760")
    assert value_of(7, "柯桥区", 2024).value == Decimal("240")
    city = value_of(7, "绍兴市", 2024)
    assert city.value == Decimal("500")
    assert Decimal(city.components["a0"]) == 50 and Decimal(city.components["a1"]) == 1000
    # CNC: 越城区 (14 + 10) / (20 + 10) = 80 %; city (14 + 10 + 15) / 60 = 65 %
    assert value_of(8, "越城区", 2024).value == Decimal("80")
    assert value_of(8, "绍兴市", 2024).value == Decimal("65")


def test_software_share_counts_enterprises_with_two_systems(plan, two_districts):
    recompute(plan, years=[2024])
    # A and C use ERP and MES (2 systems), B none: 越城区 1 of 2 = 50 %, city 2 of 3 = 66.6667 %
    assert value_of(9, "越城区", 2024).value == Decimal("50")
    assert value_of(9, "绍兴市", 2024).value == Decimal("66.6667")


def test_only_city_approved_reports_of_above_scale_enterprises_count(plan, two_districts):
    d = new_enterprise("越城区", 4)  # not above scale: its 100 robots do not count
    new_report(d, 2024, employees=100, industrial_robots=100)
    e = new_enterprise("越城区", 5)
    above_scale(e, 2024)
    new_report(e, 2024, status=ReportStatus.DISTRICT_APPROVED, industrial_robots=99)
    recompute(plan, years=[2024])
    yuecheng = value_of(7, "越城区", 2024)
    assert yuecheng.value == Decimal("760")
    # E is above scale but not yet approved: 2 of the 3 that should report did
    assert (yuecheng.reporters, yuecheng.population) == (2, 3)


def test_no_reports_is_no_data_never_zero(plan, two_districts):
    recompute(plan, years=[2023, 2024])
    shangyu = value_of(7, "上虞区", 2024)
    assert shangyu.value is None and shangyu.reporters == 0
    assert value_of(7, "绍兴市", 2023).value is None


def test_growth_compares_with_the_previous_year(plan):
    # value added per employee: 2023 1000 / 100 = 10; 2024 1100 / 100 = 11 → +10 %
    firm = new_enterprise("越城区", 1)
    above_scale(firm, 2023, 2024)
    new_report(
        firm, 2023, employees=100, value_added=Decimal(1000), industrial_output=Decimal(5000)
    )
    new_report(
        firm, 2024, employees=100, value_added=Decimal(1100), industrial_output=Decimal(5000)
    )
    recompute(plan, years=[2024])
    assert value_of(20, "越城区", 2024).value == Decimal("10")
    assert value_of(20, "绍兴市", 2024).value == Decimal("10")


def test_equipment_output_counts_divisions_33_to_40_in_yi_yuan(plan):
    machine = new_enterprise("越城区", 1, industry_code="3411")
    textile = new_enterprise("越城区", 2, industry_code="1713")
    above_scale(machine, 2024)
    above_scale(textile, 2024)
    new_report(machine, 2024, industrial_output=Decimal(250000), value_added=Decimal(50000))
    new_report(textile, 2024, industrial_output=Decimal(90000), value_added=Decimal(20000))
    recompute(plan, years=[2024])
    assert value_of(11, "越城区", 2024).value == Decimal("25")  # 250000 万元 = 25 亿元


def test_one_districts_recompute_rebuilds_the_city_from_the_others_parts(plan, two_districts):
    a = two_districts[0]
    recompute(plan, years=[2024])
    keqiao_before = value_of(7, "柯桥区", 2024)
    # when 越城区's A adds 12 robots and only 越城区 is recomputed
    a.reports.filter(year=2024).update(industrial_robots=20)
    yuecheng = Region.objects.get(name="越城区")
    recompute(plan, years=[2024], districts=[yuecheng.pk])
    # then (20 + 30 + 12) / 1000 × 10000 = 620, with 柯桥区's stored row untouched
    assert value_of(7, "绍兴市", 2024).value == Decimal("620")
    assert value_of(7, "柯桥区", 2024).computed_at == keqiao_before.computed_at


def test_one_approval_recomputes_one_district_and_year_in_a_few_queries(
    plan, two_districts, django_assert_max_num_queries
):
    a, b, c = two_districts
    # value added per employee: 越城区 2023 A alone 1000 / 100 = 10; 2024 (3000 + 3000) / 500 = 12
    above_scale(a, 2023)
    new_report(a, 2023, employees=100, value_added=Decimal(1000))
    a.reports.filter(year=2024).update(value_added=Decimal(3000))
    b.reports.filter(year=2024).update(value_added=Decimal(3000))
    c.reports.filter(year=2024).update(value_added=Decimal(5000))
    recompute(plan)
    assert value_of(20, "越城区", 2024).value == Decimal("20")
    # when A's 2024 report changes (12 more robots, 1000 more value added) and only 越城区's
    # 2024 is re-aggregated: its 2023 and 2025 parts and 柯桥区's come from the stored values
    a.reports.filter(year=2024).update(industrial_robots=20, value_added=Decimal(4000))
    yuecheng = Region.objects.get(name="越城区")
    # (the values lock and the task watermark are one query each)
    with django_assert_max_num_queries(11):
        recompute(plan, years=[2024, 2025], districts=[yuecheng.pk], changed_years=[2024])
    # robots 越城区 (20 + 30) / 500 × 10000 = 1000; city (20 + 30 + 12) / 1000 × 10000 = 620
    assert value_of(7, "越城区", 2024).value == Decimal("1000")
    assert value_of(7, "绍兴市", 2024).value == Decimal("620")
    # growth 越城区 7000 / 500 = 14 against 10: +40 %; city 12000 / 1000 = 12 against 10: +20 %
    assert value_of(20, "越城区", 2024).value == Decimal("40")
    assert value_of(20, "绍兴市", 2024).value == Decimal("20")
    yuecheng_robots = value_of(7, "越城区", 2024)
    assert (yuecheng_robots.reporters, yuecheng_robots.population) == (2, 2)
    assert value_of(7, "越城区", 2025).value is None


def test_reported_additions_sum_to_the_city_when_every_district_reported(plan, city_admin):
    districts = Region.objects.filter(parent__code="330600")
    for count, district in enumerate(districts, start=1):
        ReportedValue.objects.create(
            indicator=plan.indicators.get(number=19), region=district, year=2021,
            value=count * 100, status=ReportedStatus.APPROVED,
        )  # fmt: skip
    recompute(plan, years=[2021])
    # 100 + 200 + … + 600 = 2100 new 5G base stations
    assert value_of(19, "绍兴市", 2021).value == Decimal("2100")
    assert value_of(19, "柯桥区", 2021).value == Decimal("200")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("sum(robots)", "「robots」不是年度数据的字段。"),
        (
            "sum(employees) ** 2",
            "公式中「sum(employees) ** 2」不受支持：只能用数字、+ - * /、sum、count、count_if。",
        ),
        (
            "__import__('os')",
            "公式中「__import__('os')」不受支持：只能用数字、+ - * /、sum、count、count_if。",
        ),
        ("10 / 2", "公式「10 / 2」没有 sum、count 或 count_if，无法从企业数据计算。"),
        ("sum(employees", "公式「sum(employees」有语法错误：'(' was never closed。"),
    ],
)
def test_formulas_outside_the_language_are_refused(text, message):
    with pytest.raises(FormulaError) as caught:
        parse_formula(text)
    assert str(caught.value) == message


def test_city_approval_recomputes_the_districts_values_in_the_background(
    plan, city_admin, two_districts
):
    from zhizao.core.tasks import run_pending_tasks
    from zhizao.enterprises.services import approve_report

    # given the values computed, and a fourth 越城区 report waiting for the city
    recompute(plan, years=[2024])
    d = new_enterprise("越城区", 4)
    above_scale(d, 2024)
    waiting = new_report(
        d, 2024, status=ReportStatus.DISTRICT_APPROVED, employees=500, industrial_robots=62
    )
    # when the city approves it and the worker runs
    approve_report(waiting, city_admin)
    assert value_of(7, "越城区", 2024).value == Decimal("760")  # not yet: queued
    assert run_pending_tasks() == 1
    # then 越城区 (8 + 30 + 62) / (200 + 300 + 500) × 10000 = 1000; city 112 / 1500 → 746.6667
    assert value_of(7, "越城区", 2024).value == Decimal("1000")
    assert value_of(7, "绍兴市", 2024).value == Decimal("746.6667")
