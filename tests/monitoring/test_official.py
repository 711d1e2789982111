"""An official value (e.g. the statistics bureau's) beside the computed one: where one is
approved it is the figure of record, and the platform's own figure is shown beside it."""

import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from tests.monitoring.test_engine import above_scale, value_of
from tests.monitoring.test_reported import write_csv
from tests.reports.conftest import new_enterprise, new_report
from zhizao.core.models import Region
from zhizao.monitoring.engine import recompute
from zhizao.monitoring.models import ReportedStatus, ReportedValue
from zhizao.monitoring.reported import import_values
from zhizao.monitoring.services import plan_progress

ROBOTS = 7  # 制造业机器人密度: level, base 214, target 400; 2021 year target 250, 2024 355


def robot_density(plan, year: int, robots: int):
    """One above-scale 柯桥区 firm with 50,000 staff: robots / 50,000 × 10,000 is the density of
    柯桥区 and of the city (1071 robots → 214.2, 1771 → 354.2)."""
    firm = new_enterprise("柯桥区", year)
    above_scale(firm, year)
    new_report(firm, year, employees=50000, industrial_robots=robots)
    recompute(plan)


def official(plan, number: int, region: str, year: int, value, status=ReportedStatus.APPROVED):
    return ReportedValue.objects.create(
        indicator=plan.indicators.get(number=number),
        region=Region.objects.get(name=region),
        year=year,
        value=Decimal(value),
        note="统计局快报",
        status=status,
    )


def city_row(plan, year: int, number: int = ROBOTS) -> dict:
    return plan_progress(plan, year, Region.objects.get(name="绍兴市"))[number - 1]


@pytest.fixture
def computed_2021(plan):
    robot_density(plan, 2021, 1071)  # 214.2
    return plan


def test_an_approved_official_value_is_the_figure_of_record(computed_2021):
    # given the platform's 214.2 and the statistics bureau's approved 215 for the city in 2021
    official(computed_2021, ROBOTS, "绍兴市", 2021, 215)
    # when the progress is judged
    row = city_row(computed_2021, 2021)
    # then 215 is the actual and 214.2 stands beside it, 0.8 apart
    assert (row["actual"], row["computed"], row["difference"], row["official"]) == (
        215,
        214.2,
        0.8,
        True,
    )
    # and every figure is worked from 215: completion 215 / 250 = 0.86 (214.2 would give
    # 0.8568); progress (215 − 214) / (400 − 214) = 0.0054 (214.2: 0.0011)
    assert row["year_completion"] == 0.86
    assert row["cumulative_actual"] == 215
    assert row["five_year_progress"] == 0.0054
    assert row["schedule"] == 0.1935  # (250 − 214) / 186
    assert row["status"] == "red"
    # while the computed value stays stored as computed
    assert value_of(ROBOTS, "绍兴市", 2021).value == Decimal("214.2")


def test_the_status_follows_the_official_value(plan):
    # given the platform's 354.2 for 2024: (354.2 − 214) / 186 = 0.7538, behind the schedule
    # (355 − 214) / 186 = 0.7581 by less than a tenth: amber
    robot_density(plan, 2024, 1771)
    assert city_row(plan, 2024)["status"] == "amber"
    # when the bureau's 355 is approved: exactly on schedule, so green
    official(plan, ROBOTS, "绍兴市", 2024, 355)
    row = city_row(plan, 2024)
    assert (row["actual"], row["computed"], row["difference"]) == (355, 354.2, 0.8)
    assert (row["five_year_progress"], row["status"]) == (0.7581, "green")


def test_an_unapproved_official_value_is_ignored(computed_2021):
    official(computed_2021, ROBOTS, "绍兴市", 2021, 215, status=ReportedStatus.SUBMITTED)
    row = city_row(computed_2021, 2021)
    assert (row["actual"], row["computed"], row["difference"], row["official"]) == (
        214.2,
        214.2,
        None,
        False,
    )
    assert row["five_year_progress"] == 0.0011  # (214.2 − 214) / 186


def test_a_districts_official_value_counts_for_it_alone(computed_2021):
    # given the bureau's 250 for 柯桥区 in 2021 and its 214 for 2020, and none for the city
    official(computed_2021, ROBOTS, "柯桥区", 2021, 250)
    official(computed_2021, ROBOTS, "柯桥区", 2020, 214)
    keqiao = plan_progress(computed_2021, 2021, Region.objects.get(name="柯桥区"))[ROBOTS - 1]
    # then 柯桥区 is judged on 250 from its own official base 214: (250 − 214) / (400 − 214)
    # = 0.1935, on schedule
    assert (keqiao["actual"], keqiao["computed"], keqiao["status"]) == (250, 214.2, "green")
    assert (keqiao["base"], keqiao["five_year_progress"]) == (214, 0.1935)
    # and the city keeps its computed 214.2: a level is never summed from districts
    assert city_row(computed_2021, 2021)["actual"] == 214.2


def test_the_city_takes_the_sum_of_its_districts_official_additions(plan):
    # given indicator 3 (省级智能工厂, stock) computed from enterprise data, and every district's
    # approved official count of new ones in 2021: 1 + 2 + 3 + 4 + 5 + 6 = 21
    plan.indicators.filter(number=3).update(
        source={"type": "enterprise", "formula": "count()", "above_scale": True}
    )
    for n, district in enumerate(Region.objects.filter(parent__code="330600"), start=1):
        official(plan, 3, district.name, 2021, n)
    row = city_row(plan, 2021, number=3)
    # then the city's figure of record is 21, nothing computed beside it (no reports)
    assert (row["actual"], row["computed"], row["official"]) == (21, None, True)
    # stock: (30 + 21 − 30) / (100 − 30) = 0.3, against the schedule 15 / 70 = 0.2143
    assert (row["cumulative_actual"], row["five_year_progress"]) == (51, 0.3)


def test_a_reported_indicator_has_nothing_computed_beside_it(plan):
    official(plan, 19, "绍兴市", 2021, 5000)  # 新建5G基站 comes from the operators only
    recompute(plan)
    row = city_row(plan, 2021, number=19)
    assert (row["actual"], row["computed"], row["official"], row["quarter"]) == (
        5000,
        None,
        False,
        0,
    )


def test_official_values_of_a_computed_indicator_are_imported_whole_year(computed_2021, tmp_path):
    # given the bureau's figure in a table, loaded as figures of record
    path = write_csv(tmp_path / "official.csv", [[7, "绍兴市", 2021, "", "215", "统计局"]])
    preview = import_values(path, computed_2021, None, approve=True)
    # then it is stored approved and is the figure of record
    assert preview.summary()["errors"] == [] and preview.created == 1
    assert city_row(computed_2021, 2021)["actual"] == 215


def test_the_progress_command_prints_the_figure_of_record_and_the_computed_one(
    computed_2021, capsys
):
    official(computed_2021, ROBOTS, "绍兴市", 2021, 215)
    call_command("progress", "--year", "2021", "--format", "json")
    row = json.loads(capsys.readouterr().out)[ROBOTS - 1]
    assert (row["actual"], row["computed"], row["difference"], row["official"]) == (
        215,
        214.2,
        0.8,
        True,
    )
    call_command("progress", "--year", "2021")
    table = capsys.readouterr().out
    line = next(x for x in table.splitlines() if "制造业机器人密度" in x)
    assert "215" in line and "官方 215 · 平台计算 214.2（差 +0.8）" in line


def test_the_overview_shows_the_computed_value_beside_the_official_one(
    admin_client_, computed_2021
):
    official(computed_2021, ROBOTS, "绍兴市", 2021, 215)
    html = admin_client_.get("/monitoring/?year=2021").content.decode()
    robots = html.split('data-indicator="7"')[1].split("</tr>")[0]
    assert '<span class="fw-semibold">215</span>' in robots
    assert "官方 215 · 平台计算 214.2（差 +0.8）" in robots
    assert "86%" in robots  # 215 / 250


def test_an_official_value_shows_on_the_overview_without_waiting_for_a_recompute(
    admin_client_, computed_2021
):
    # given the overview seen (and cached) before the bureau's figure arrives
    before = admin_client_.get("/monitoring/?year=2021").content.decode()
    assert ">214.2<" in before.split('data-indicator="7"')[1].split("</tr>")[0]
    # when the figure is approved without a recompute (e.g. corrected in the admin)
    official(computed_2021, ROBOTS, "绍兴市", 2021, 215)
    # then the page shows it at once: the cache key follows the reported values' history
    after = admin_client_.get("/monitoring/?year=2021").content.decode()
    assert ">215<" in after.split('data-indicator="7"')[1].split("</tr>")[0]


def test_the_indicator_page_and_its_rows_show_both_figures(admin_client_, computed_2021):
    official(computed_2021, ROBOTS, "绍兴市", 2021, 215)
    page = admin_client_.get("/monitoring/indicators/7/").content.decode()
    city = page.split('data-region="绍兴市"')[1].split("</tr>")[0]
    assert '?region=330600&year=2021">215</a>' in city
    assert "官方 215 · 平台计算 214.2（差 +0.8）" in city
    rows = admin_client_.get("/monitoring/indicators/7/rows/?region=330600&year=2021")
    html = rows.content.decode()
    official_rows = html.split('data-testid="official-rows"')[1].split("</table>")[0]
    assert "215" in official_rows and "统计局快报" in official_rows
    assert "柯桥区测试企业2021有限公司" in html  # the reports behind the computed 214.2
    # the workbook keeps both: the figure of record and, under it, the platform's
    sheet = load_workbook(
        io.BytesIO(admin_client_.get("/monitoring/indicators/7/?format=xlsx").content)
    ).active
    by_name = {r[0]: r for r in sheet.iter_rows(min_row=3, values_only=True)}
    assert by_name["绍兴市"][2] == 215 and by_name["绍兴市（平台计算）"][2] == 214.2


def test_the_map_and_the_ranking_judge_a_district_by_its_official_value(
    admin_client_, computed_2021
):
    official(computed_2021, ROBOTS, "柯桥区", 2021, 250)
    official(computed_2021, ROBOTS, "柯桥区", 2020, 200)
    data = admin_client_.get("/monitoring/map-data/?indicator=7&year=2021").json()
    keqiao = next(d for d in data["districts"] if d["name"] == "柯桥区")
    # from its own official base 200 to the city's 400: (250 − 200) / (400 − 200) = 25 %
    # (measured from the city's base it was (250 − 214) / 186 = 19.4 %)
    assert (keqiao["actual"], keqiao["value"]) == (250, 25.0)
