"""A district on a city-wide level indicator is judged from its own base-year value (DESIGN.md,
"What the plan means"; issue 12, point 2). Every expected figure below is worked by hand.

Indicator 7 制造业机器人密度 is a rate: base 214, target 400, yearly 250 285 320 355 400, so the
2024 schedule is (355 − 214) / (400 − 214) = 141/186 = 0.7581.
Indicator 11 规上装备产业产值 is a total: base 1720, target 2500, yearly 1850 2000 2150 2340 2500,
so the 2024 schedule is (2340 − 1720) / (2500 − 1720) = 620/780 = 0.7949.
The figures are given as approved official values (the figure of record), which need no
enterprise data behind them.
"""

from decimal import Decimal

import pytest

from zhizao.core.models import Region
from zhizao.monitoring.goals import NO_BASE, NO_TOTAL, TargetBasis, scaled_path
from zhizao.monitoring.models import ReportedStatus, ReportedValue
from zhizao.monitoring.progress import compute_held_progress
from zhizao.monitoring.services import district_ranking, plan_progress
from zhizao.plans.models import RegionTarget

ROBOTS, OUTPUT = 7, 11
D = Decimal


def given(plan, number: int, values: dict[tuple[str, int], str]) -> None:
    """Approved official figures {(district, year): value} of indicator `number`."""
    indicator = plan.indicators.get(number=number)
    for (region, year), value in values.items():
        ReportedValue.objects.create(
            indicator=indicator,
            region=Region.objects.get(name=region),
            year=year,
            value=D(value),
            status=ReportedStatus.APPROVED,
        )


def row_of(plan, region: str, number: int, year: int = 2024) -> dict:
    return plan_progress(plan, year, Region.objects.get(name=region))[number - 1]


# --- a rate: from the district's own base to the city's target level ---------------------------


def test_a_rate_is_measured_from_the_districts_own_base(plan):
    # given 新昌县's robot density of 196.7 in 2020 and 197.1 in 2024 (it grew a little)
    given(plan, ROBOTS, {("新昌县", 2020): "196.7", ("新昌县", 2024): "197.1"})
    # when 2024 is judged
    row = row_of(plan, "新昌县", ROBOTS)
    # then from its own 196.7 to the city's 400: (197.1 − 196.7) / (400 − 196.7) = 0.4 / 203.3
    # = 0.0020, small but positive (measured from the city's 214 it was −0.09)
    assert (row["base"], row["five_year_target"], row["target_basis"]) == (196.7, 400, "city")
    assert row["five_year_progress"] == 0.002
    # against the city's schedule 141/186 = 0.7581: red
    assert (row["schedule"], row["status"]) == (0.7581, "red")
    # the 2024 level it should have reached: 196.7 + 141/186 × 203.3 = 350.8145
    assert row["year_target"] == 350.8145
    # behind the schedule by 350.8145 − 197.1 = 153.7145 density points
    assert row["gap"] == 153.7145
    # the forecast: the line through (2020, 196.7) and (2024, 197.1) rises 0.1 a year: 197.2
    assert (row["forecast"], row["at_risk"]) == (197.2, True)


def test_a_rate_that_fell_has_negative_progress_from_its_own_base(plan):
    # given 嵊州市 at 238 in 2020 and 230 in 2024
    given(plan, ROBOTS, {("嵊州市", 2020): "238", ("嵊州市", 2024): "230"})
    row = row_of(plan, "嵊州市", ROBOTS)
    # then (230 − 238) / (400 − 238) = −8/162 = −0.0494: a real fall, from its own base
    assert (row["base"], row["five_year_progress"], row["status"]) == (238, -0.0494, "red")


def test_a_district_above_the_target_level_at_its_base_has_reached_it(plan):
    # given 越城区 at 410 in 2020, above the city's target of 400, and 420 in 2024
    given(plan, ROBOTS, {("越城区", 2020): "410", ("越城区", 2024): "420"})
    row = row_of(plan, "越城区", ROBOTS)
    # then it has reached the target: 100 %, green, its task is to hold it
    assert (row["five_year_progress"], row["schedule"], row["status"]) == (1, 1, "green")
    assert (row["reached"], row["year_target"], row["five_year_target"]) == (True, 400, 400)
    # 20 above the target level
    assert row["gap"] == -20


def test_a_district_that_reached_the_target_and_slipped_below_it_is_amber(plan):
    # given 越城区 at 410 in 2020 and 380 in 2024, under the target it had reached
    given(plan, ROBOTS, {("越城区", 2020): "410", ("越城区", 2024): "380"})
    row = row_of(plan, "越城区", ROBOTS)
    # then it holds 380 / 400 = 0.95 of the target level: amber (at least 0.9 of it)
    assert (row["five_year_progress"], row["status"], row["gap"]) == (0.95, "amber", 20)
    # and the line through (2020, 410) and (2024, 380) falls 7.5 a year: 372.5 in 2025
    assert (row["forecast"], row["at_risk"]) == (372.5, True)


def test_a_district_without_a_base_year_value_has_nothing_to_be_measured_from(plan):
    given(plan, ROBOTS, {("柯桥区", 2024): "300"})
    row = row_of(plan, "柯桥区", ROBOTS)
    # the base-year data are missing: 无数据 (not 无分解目标, which would blame the plan)
    assert (row["status"], row["no_target_reason"], row["actual"]) == ("no_data", NO_BASE, 300)


# --- a total: against the district's own target, set or 折算 ---------------------------------


def test_a_total_without_a_set_target_is_judged_against_its_share_of_the_city_target(plan):
    # given 越城区's 2020 output of 344 亿元, a fifth of the plan's base-year total 1720, and
    # 468.8 in 2024
    given(plan, OUTPUT, {("越城区", 2020): "344", ("越城区", 2024): "468.8"})
    row = row_of(plan, "越城区", OUTPUT)
    # then its 折算目标 is the city's 2500 × 344 / 1720 = 500 亿元, from its own 344:
    # (468.8 − 344) / (500 − 344) = 124.8 / 156 = 0.8 against the schedule 620/780 = 0.7949
    assert (row["base"], row["five_year_target"], row["target_basis"]) == (344, 500, "derived")
    assert (row["five_year_progress"], row["schedule"], row["status"]) == (0.8, 0.7949, "green")
    # its 2024 level on the path: 344 + 620/780 × 156 = 468, a split, not a plan figure
    assert (row["year_target"], row["year_target_split"]) == (468, True)
    # (the old reading, from the city's base 1720 to 2500, gave (468.8 − 1720) / 780 = −1.6)


BASES_2020 = {"越城区": "400", "柯桥区": "300", "上虞区": "200", "诸暨市": "500", "嵊州市": "400"}


def test_a_total_without_a_plan_base_is_split_by_the_districts_base_year_total(plan):
    # given a plan that gives no base for the output, and the six districts' 2020 output
    # 400 + 300 + 200 + 500 + 400 + 200 = 2000 亿元
    plan.indicators.filter(number=OUTPUT).update(base=None)
    given(plan, OUTPUT, {(d, 2020): v for d, v in {**BASES_2020, "新昌县": "200"}.items()})
    given(plan, OUTPUT, {("越城区", 2024): "480"})
    row = row_of(plan, "越城区", OUTPUT)
    # then 越城区's 折算目标 is 2500 × 400 / 2000 = 500, measured from its own 400:
    # (480 − 400) / (500 − 400) = 0.8; the path is k/n of the way (no city base): 4/5 in 2024
    assert (row["five_year_target"], row["target_basis"]) == (500, "derived")
    assert (row["five_year_progress"], row["schedule"], row["status"]) == (0.8, 0.8, "green")


def test_a_total_with_a_target_set_by_the_city_is_judged_against_it(plan):
    # given the city set 柯桥区's 2025 output at 450 亿元, and its 300 in 2020, 420 in 2024
    RegionTarget.objects.create(
        indicator=plan.indicators.get(number=OUTPUT),
        region=Region.objects.get(name="柯桥区"),
        floor=D(450),
        stretch=D(450),
        level_target=D(450),
    )
    given(plan, OUTPUT, {("柯桥区", 2020): "300", ("柯桥区", 2024): "420"})
    row = row_of(plan, "柯桥区", OUTPUT)
    # then (420 − 300) / (450 − 300) = 0.8, against its set target, not a split
    assert (row["five_year_target"], row["target_basis"]) == (450, TargetBasis.SET)
    assert (row["five_year_progress"], row["status"]) == (0.8, "green")


def test_a_total_is_not_split_while_a_district_lacks_its_base_year_value(plan):
    # given a plan without a base for the output, and five of the six districts' 2020 output
    # (新昌县 has none)
    plan.indicators.filter(number=OUTPUT).update(base=None)
    given(plan, OUTPUT, {(d, 2020): v for d, v in BASES_2020.items()})
    given(plan, OUTPUT, {("越城区", 2024): "480"})
    row = row_of(plan, "越城区", OUTPUT)
    # then a share of an incomplete total would overstate 越城区's target: none is given
    assert (row["status"], row["no_target_reason"]) == ("no_data", NO_TOTAL)


def test_the_ranking_ranks_districts_by_progress_from_their_own_bases(plan):
    # given robot density 2020 → 2024: 越城区 410 → 420 (reached), 嵊州市 238 → 230 (fell),
    # 新昌县 196.7 → 197.1 (grew a little)
    given(
        plan,
        ROBOTS,
        {
            ("越城区", 2020): "410", ("越城区", 2024): "420",
            ("嵊州市", 2020): "238", ("嵊州市", 2024): "230",
            ("新昌县", 2020): "196.7", ("新昌县", 2024): "197.1",
        },
    )  # fmt: skip
    ranking = district_ranking(plan, 2024)
    names = [d.name for d in ranking["districts"]]
    cells = dict(
        zip(
            names,
            next(r for r in ranking["rows"] if r["indicator"].number == ROBOTS)["cells"],
            strict=True,
        )
    )
    # then 越城区 1 (progress 1), 新昌县 2 (0.002), 嵊州市 3 (−0.0494); the others have no base
    assert cells["越城区"] == (1, 1)
    assert cells["新昌县"] == (0.002, 2)
    assert cells["嵊州市"] == (-0.0494, 3)
    assert cells["柯桥区"] == (None, None)


# --- the pure parts ------------------------------------------------------------------------


def test_a_path_is_moved_onto_the_districts_own_base_and_target():
    # the city goes 214 → 400 by 250 285 320 355 400; a district from 200 to 400 is the same
    # share of the way each year: 200 + 36/186 × 200 = 238.7097, … and 400 in the last year
    yearly = {2021: D(250), 2022: D(285), 2023: D(320), 2024: D(355), 2025: D(400)}
    path = scaled_path(yearly, D(214), D(400), D(200), D(400))
    assert path == {
        2021: D("238.7097"),  # 200 + 36/186 × 200
        2022: D("276.3441"),  # 200 + 71/186 × 200
        2023: D("313.9785"),  # 200 + 106/186 × 200
        2024: D("351.6129"),  # 200 + 141/186 × 200
        2025: D(400),
    }


@pytest.mark.parametrize(
    ("actual", "progress", "status"),
    [("75", 1, "green"), ("80", 1, "green"), ("130", D("0.6154"), "red")],
)
def test_a_falling_target_already_reached_is_held_while_the_level_stays_below_it(
    actual, progress, status
):
    # given a target to bring a level down to 80, reached at the base (70): holding it means
    # staying at or below 80; at 130 it holds 80 / 130 = 0.6154 of it
    result = compute_held_progress(
        D(70), D(80), {2021: D(actual)}, 2021, base_year=2020, years=[2021, 2022], rising=False
    )
    assert (result.five_year_progress, result.status) == (progress, status)
