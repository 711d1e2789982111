"""One report's approval or return applied as a delta: always what a full recompute gives, and
exactly once (ADR 0004, "One approval, one delta")."""

from decimal import Decimal

import pytest

from tests.reports.conftest import new_enterprise, new_report
from zhizao.core.models import Task, TaskStatus
from zhizao.core.tasks import run_pending_tasks, run_task
from zhizao.enterprises.models import ReportStatus, ScaleStatus
from zhizao.enterprises.services import approve_report, return_report
from zhizao.monitoring.delta import (
    ALREADY_APPLIED,
    DELTA,
    RECOMPUTE_TASK,
    ReportChange,
    apply_change,
)
from zhizao.monitoring.engine import recompute
from zhizao.monitoring.models import AppliedChange, IndicatorValue, ValueSource

YEARS = (2023, 2024, 2025)
# robot density, CNC rate, software (count_if), networking, equipment output (divisions 33–40),
# labour productivity growth, value added per mu growth
ENTERPRISE_INDICATORS = {7, 8, 9, 10, 11, 20, 21}


def enterprise_values(plan) -> dict:
    """Every enterprise-sourced value of the plan: (indicator, region, year) → (value, parts,
    reporters, population), the parts as numbers."""
    rows = IndicatorValue.objects.filter(
        indicator__plan=plan, source=ValueSource.ENTERPRISE
    ).select_related("indicator", "region")
    return {
        (v.indicator.number, v.region.name, v.year): (
            v.value,
            {k: Decimal(x) for k, x in v.components.items()},
            v.reporters,
            v.population,
        )
        for v in rows
    }


def full_recompute(plan) -> dict:
    recompute(plan)
    return enterprise_values(plan)


def last_task() -> Task:
    return Task.objects.filter(name=RECOMPUTE_TASK).latest("pk")


def how(task: Task) -> list[str]:
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE, task.error
    return task.result["how"]


def firm(district, serial, code, above, year_values):
    enterprise = new_enterprise(district, serial, industry_code=code)
    for year in YEARS:
        ScaleStatus.objects.create(enterprise=enterprise, year=year, above_scale=above)
        new_report(enterprise, year, **year_values(year))
    return enterprise


def figures(serial: int, year: int, **extra) -> dict:
    return {
        "employees": 100 + 10 * serial + year % 10,
        "industrial_robots": serial + year % 5,
        "key_processes": 20 + serial,
        "cnc_key_processes": 10 + serial % 7,
        "networkable_equipment": 100 + serial,
        "networked_equipment": 40 + 3 * serial,
        "uses_plm": serial % 2 == 0,
        "uses_mes": serial % 3 != 0,
        "industrial_output": Decimal(5000 * serial + year) + Decimal("0.25"),
        "value_added": Decimal(1000 + 37 * serial + 11 * (year - 2020)) + Decimal("0.5"),
        "land_area": Decimal(20 + serial) + Decimal("0.75"),
        **extra,
    }


@pytest.fixture
def city(plan):
    """Three districts × 2023–2025: machine builders (divisions 34 and 35, in equipment output)
    and others, one below scale, with different systems; all reports city-approved."""
    for district, serial, code, above in [
        ("越城区", 1, "3411", True),
        ("越城区", 2, "1713", True),
        ("越城区", 3, "3411", False),
        ("柯桥区", 4, "1713", True),
        ("柯桥区", 5, "3512", True),
        ("上虞区", 6, "2611", True),
    ]:
        firm(district, serial, code, above, lambda year, s=serial: figures(s, year))


@pytest.fixture
def waiting(city):
    """A 越城区 machine builder above scale, counted in 2023 and 2025, whose 2024 report (three
    systems, many robots) waits for the city's approval."""
    enterprise = new_enterprise("越城区", 7, industry_code="3411")
    for year in YEARS:
        ScaleStatus.objects.create(enterprise=enterprise, year=year, above_scale=True)
        status = ReportStatus.DISTRICT_APPROVED if year == 2024 else ReportStatus.CITY_APPROVED
        new_report(
            enterprise,
            year,
            status=status,
            **figures(7, year, industrial_robots=90, uses_plm=True, uses_mes=True, uses_erp=True),
        )
    return enterprise.reports.get(year=2024)


def test_an_approval_applied_as_a_delta_gives_what_a_full_recompute_gives(
    plan, waiting, city_admin
):
    # given every value computed, and a 越城区 report waiting for the city
    recompute(plan)
    before = enterprise_values(plan)
    # when the city approves it and the worker runs its task
    approve_report(waiting, city_admin)
    assert run_pending_tasks() == 1
    # then it was applied as a delta
    assert how(last_task()) == [DELTA]
    after = enterprise_values(plan)
    # and every enterprise value (district and city, this year and the growth of the next) is
    # exactly what a full recompute from the reports gives
    assert after == full_recompute(plan)
    # which the approval changed: robots, the software share (count_if), equipment output (its
    # divisions), the growth rates of 2024 and of 2025 against 2024
    for number in (7, 9, 11, 20, 21):
        for region in ("越城区", "绍兴市"):
            assert after[(number, region, 2024)] != before[(number, region, 2024)]
    assert after[(20, "越城区", 2025)][0] != before[(20, "越城区", 2025)][0]
    assert after[(21, "绍兴市", 2025)][0] != before[(21, "绍兴市", 2025)][0]
    # while the other districts and years are untouched
    assert after[(7, "柯桥区", 2024)] == before[(7, "柯桥区", 2024)]
    assert after[(7, "越城区", 2025)] == before[(7, "越城区", 2025)]
    assert after[(7, "越城区", 2024)][3] == before[(7, "越城区", 2024)][3]  # the population


def test_a_return_applied_as_a_delta_gives_what_a_full_recompute_gives(plan, waiting, city_admin):
    # given the report approved and counted
    recompute(plan)
    approve_report(waiting, city_admin)
    run_pending_tasks()
    counted = enterprise_values(plan)
    # when the city returns it and the worker runs
    return_report(waiting, city_admin, "机器人台数有误")
    assert last_task().payload["sign"] == -1
    run_pending_tasks()
    # then the delta took its figures away: what a full recompute gives
    assert how(last_task()) == [DELTA]
    after = enterprise_values(plan)
    assert after == full_recompute(plan)
    assert after[(7, "越城区", 2024)] != counted[(7, "越城区", 2024)]


def test_running_the_same_task_twice_changes_nothing(plan, waiting, city_admin):
    # given an approval applied by its task
    recompute(plan)
    approve_report(waiting, city_admin)
    run_pending_tasks()
    task = last_task()
    applied = enterprise_values(plan)
    # when the same task runs again (a retry)
    run_task(task)
    # then it finds its marker and adds nothing
    assert how(task) == [ALREADY_APPLIED]
    assert enterprise_values(plan) == applied == full_recompute(plan)


def test_a_below_scale_report_changes_no_above_scale_indicator(plan, city, city_admin):
    # given a 越城区 enterprise below scale in 2024 whose report waits for the city
    small = new_enterprise("越城区", 8, industry_code="3411")
    ScaleStatus.objects.create(enterprise=small, year=2024, above_scale=False)
    report = new_report(small, 2024, status=ReportStatus.DISTRICT_APPROVED, industrial_robots=500)
    recompute(plan)
    before = enterprise_values(plan)
    # when the city approves it
    approve_report(report, city_admin)
    run_pending_tasks()
    # then nothing changes (every enterprise indicator of the plan counts above scale only)
    assert how(last_task()) == [DELTA]
    assert enterprise_values(plan) == before == full_recompute(plan)


def test_a_change_a_full_recompute_already_counted_is_not_added_again(plan, waiting, city_admin):
    # given an approval whose task has not run yet when a full recompute (which counts the
    # approved report) runs
    recompute(plan)
    approve_report(waiting, city_admin)
    expected = full_recompute(plan)
    # when its task runs after all
    run_pending_tasks()
    # then it does not add the report again: the district's year is aggregated instead
    assert how(last_task()) != [DELTA]
    assert enterprise_values(plan) == expected


def test_a_full_recompute_clears_the_markers_it_covers(plan, waiting, city_admin):
    # given an approval applied as a delta, with its marker
    recompute(plan)
    approve_report(waiting, city_admin)
    run_pending_tasks()
    task = last_task()
    assert AppliedChange.objects.filter(task=task).exists()
    # when a full recompute runs, and then the task once more
    expected = full_recompute(plan)
    assert not AppliedChange.objects.exists()
    run_task(task)
    # then the retry, at or below the recompute's watermark, aggregates rather than adds
    assert how(task) != [ALREADY_APPLIED]
    assert how(task) != [DELTA]
    assert enterprise_values(plan) == expected


def test_an_approval_and_its_return_queued_together_end_as_neither(plan, waiting, city_admin):
    # given the approval and, before the worker ran, the return of the same report
    recompute(plan)
    approve_report(waiting, city_admin)
    return_report(waiting, city_admin, "数据有误")
    # when both tasks run
    assert run_pending_tasks() == 2
    # then the first finds the report changed since, the second that the first's aggregation may
    # hold it: both aggregate, and the values are a full recompute's
    tasks = list(Task.objects.filter(name=RECOMPUTE_TASK).order_by("pk"))
    assert [how(t) for t in tasks] != [[DELTA], [DELTA]]
    assert enterprise_values(plan) == full_recompute(plan)


def test_a_change_waits_for_the_earlier_change_of_its_report(plan, waiting, city_admin):
    # given an approval, its return and a second approval of the same report, all queued
    recompute(plan)
    approve_report(waiting, city_admin)
    return_report(waiting, city_admin, "数据有误")
    waiting.refresh_from_db()
    waiting.status = ReportStatus.DISTRICT_APPROVED
    waiting.save()
    approve_report(waiting, city_admin)
    *_, third = Task.objects.filter(name=RECOMPUTE_TASK).order_by("pk")
    # when a second worker takes the last one first
    run_task(third)
    # then it does not assume the earlier two were counted: it aggregates
    assert how(third) == ["同一报表较早的变动尚未计入"]
    run_pending_tasks()
    assert enterprise_values(plan) == full_recompute(plan)


def test_parts_from_before_a_plan_change_are_aggregated_again(plan, waiting, city_admin):
    # given values computed, then the robot density's formula changed (per thousand staff)
    recompute(plan)
    robots = plan.indicators.get(number=7)
    robots.source = {**robots.source, "formula": "sum(industrial_robots) / sum(employees) * 1000"}
    robots.save()
    # when a report is approved
    approve_report(waiting, city_admin)
    run_pending_tasks()
    # then no delta is added to the old parts; the values are a full recompute's under the new
    # formula, in every district
    assert how(last_task()) == ["没有可累加的已存分量"]
    assert enterprise_values(plan) == full_recompute(plan)


def test_without_stored_values_the_district_is_aggregated(plan, waiting, city_admin):
    # given nothing computed yet
    # when a report is approved
    approve_report(waiting, city_admin)
    run_pending_tasks()
    # then its district's year is aggregated, as before deltas
    assert how(last_task()) == ["没有可累加的已存分量"]
    yuecheng = {k: v for k, v in enterprise_values(plan).items() if k[1] == "越城区"}
    expected = {k: v for k, v in full_recompute(plan).items() if k[1] == "越城区"}
    assert yuecheng == {k: v for k, v in expected.items() if k[2] in (2024, 2025)}


def test_two_approvals_in_two_districts_add_up(plan, waiting, city_admin):
    # given a second report waiting, in 柯桥区
    other = new_enterprise("柯桥区", 9, industry_code="3512")
    for year in YEARS:
        ScaleStatus.objects.create(enterprise=other, year=year, above_scale=True)
    keqiao = new_report(other, 2024, status=ReportStatus.DISTRICT_APPROVED, **figures(9, 2024))
    recompute(plan)
    # when both are approved and their tasks run
    approve_report(waiting, city_admin)
    approve_report(keqiao, city_admin)
    assert run_pending_tasks() == 2
    # then both were deltas, and the city holds both
    assert [how(t) for t in Task.objects.filter(name=RECOMPUTE_TASK)] == [[DELTA], [DELTA]]
    assert enterprise_values(plan) == full_recompute(plan)


def test_a_delta_takes_a_fixed_number_of_queries(
    plan, waiting, city_admin, django_assert_max_num_queries
):
    recompute(plan)
    approve_report(waiting, city_admin)
    change = ReportChange.of_task(last_task())
    assert (change.report, change.year, change.sign) == (waiting.pk, 2024, 1)
    with django_assert_max_num_queries(12):
        outcome = apply_change(plan, change)
    assert outcome.how == DELTA


def test_a_task_without_a_report_is_no_change():
    task = Task(pk=1, name=RECOMPUTE_TASK, payload={"year": 2024, "district": 3})
    assert ReportChange.of_task(task) is None
