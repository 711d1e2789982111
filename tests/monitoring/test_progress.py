"""Progress of one indicator at year Y, on the Shaoxing plan's own numbers. Every expected figure
is worked out by hand in the comments; ratios are fractions rounded half up to 4 places, rates and
forecasts to 2 places."""

import json
from decimal import Decimal

import pytest

from zhizao.monitoring.progress import (
    Progress,
    compute_progress,
    geometric_mean_rate,
    least_squares_at,
)

D = Decimal
YEARS = [2021, 2022, 2023, 2024, 2025]


def by_year(*values) -> dict[int, Decimal]:
    """Values for 2021, 2022, … in order; None leaves the year out (no data)."""
    return {y: D(str(v)) for y, v in zip(YEARS, values, strict=False) if v is not None}


# Indicator 5 建成市级数字化车间 (stock): base 36, target 1000, additions 200 200 190 190 184.
def digital_workshops(actuals: dict, year: int, **kwargs) -> Progress:
    return compute_progress(
        "stock", D(36), D(1000), by_year(200, 200, 190, 190, 184), actuals, year,
        base_year=2020, **kwargs,
    )  # fmt: skip


# Indicator 19 新建5G基站 (flow): base 8023 (context only), target 12000, 5000 2000 2000 2000 1000.
def base_stations(actuals: dict, year: int, **kwargs) -> Progress:
    return compute_progress(
        "flow", D(8023), D(12000), by_year(5000, 2000, 2000, 2000, 1000), actuals, year,
        base_year=2020, **kwargs,
    )  # fmt: skip


# Indicator 7 制造业机器人密度 (level): base 214, target 400, levels 250 285 320 355 400.
def robot_density(actuals: dict, year: int, **kwargs) -> Progress:
    return compute_progress(
        "level", D(214), D(400), by_year(250, 285, 320, 355, 400), actuals, year,
        base_year=2020, **kwargs,
    )  # fmt: skip


# Indicator 21 规上企业亩均增加值增幅 (growth): base 8.1, target 7 a year, rates 6.5 7 7 7 7.
def value_added_per_mu(actuals: dict, year: int, **kwargs) -> Progress:
    return compute_progress(
        "growth", D("8.1"), D(7), by_year("6.5", 7, 7, 7, 7), actuals, year,
        base_year=2020, **kwargs,
    )  # fmt: skip


def test_stock_behind_schedule_by_less_than_a_tenth_is_amber():
    # given 210 new workshops in 2021 and 180 in 2022
    # when
    progress = digital_workshops(by_year(210, 180), 2022)
    # then
    assert progress.actual == D(180)
    assert progress.year_target == D(200)
    assert progress.year_completion == D("0.9000")  # 180 / 200
    assert progress.cumulative_actual == D(426)  # 36 + 210 + 180
    assert progress.five_year_target == D(1000)
    assert progress.five_year_progress == D(
        "0.4046"
    )  # (426 − 36) / (1000 − 36) = 390/964 = 0.40456
    assert progress.schedule == D("0.4149")  # (200 + 200) / 964 = 0.41494
    # 390 < 400, and 390 ≥ 0.9 × 400 = 360
    assert progress.status == "amber"
    # cumulative additions (2020, 0) (2021, 210) (2022, 390): mean x 2021, mean y 200,
    # slope = ((−1)(−200) + 0·10 + 1·190) / ((−1)² + 0² + 1²) = 390/2 = 195;
    # at 2025: 200 + 195 × 4 = 980 additions, + base 36 = 1016 ≥ 1000
    assert progress.forecast == D("1016.00")
    assert progress.at_risk is False
    assert progress.missing_years == ()


def test_stock_far_behind_is_red_and_at_risk():
    # given 150 new workshops in each of 2021 and 2022
    progress = digital_workshops(by_year(150, 150), 2022)
    # then 300/964 = 0.31120 against the schedule 400/964; 300 < 0.9 × 400 = 360
    assert progress.cumulative_actual == D(336)  # 36 + 150 + 150
    assert progress.five_year_progress == D("0.3112")
    assert progress.status == "red"
    # (2020, 0) (2021, 150) (2022, 300) lie on the line 150 a year: 750 by 2025, + 36 = 786 < 1000
    assert progress.forecast == D("786.00")
    assert progress.at_risk is True


def test_flow_sums_the_additions_and_leaves_the_base_out():
    # given 4000, 2500 and 2600 new base stations in 2021–2023
    progress = base_stations(by_year(4000, 2500, 2600), 2023)
    # then
    assert progress.actual == D(2600)
    assert progress.year_completion == D("1.3000")  # 2600 / 2000
    assert progress.cumulative_actual == D(9100)  # 4000 + 2500 + 2600, no base 8023
    assert progress.five_year_progress == D("0.7583")  # 9100 / 12000 = 0.758333
    assert progress.schedule == D("0.7500")  # (5000 + 2000 + 2000) / 12000 = 9000/12000
    assert progress.status == "green"  # 9100 ≥ 9000
    # (2020, 0) (2021, 4000) (2022, 6500) (2023, 9100): mean x 2021.5, mean y 19600/4 = 4900,
    # Sxx = 2.25 + 0.25 + 0.25 + 2.25 = 5,
    # Sxy = (−1.5)(−4900) + (−0.5)(−900) + 0.5·1600 + 1.5·4200 = 7350 + 450 + 800 + 6300 = 14900,
    # slope 14900/5 = 2980; at 2025: 4900 + 2980 × 3.5 = 15330 ≥ 12000
    assert progress.forecast == D("15330.00")
    assert progress.at_risk is False


def test_flow_forecast_is_rounded_half_up_to_two_places():
    # given 5000 in 2021 and 1000 in 2022
    progress = base_stations(by_year(5000, 1000), 2022)
    # then 6000/12000 = 0.5 against 7000/12000 = 0.58333; 6000 < 0.9 × 7000 = 6300
    assert progress.five_year_progress == D("0.5000")
    assert progress.schedule == D("0.5833")
    assert progress.status == "red"
    # (2020, 0) (2021, 5000) (2022, 6000): mean y 11000/3, slope ((−1)(−11000/3) + 1(7000/3)) / 2
    # = 3000; at 2025: 11000/3 + 3000 × 4 = 47000/3 = 15666.666…
    assert progress.forecast == D("15666.67")
    assert progress.at_risk is False


def test_level_measures_the_change_from_the_base():
    # given robot densities 245, 280 and 310 at the end of 2021–2023
    progress = robot_density(by_year(245, 280, 310), 2023)
    # then
    assert progress.actual == D(310)
    assert progress.year_target == D(320)
    assert progress.year_completion == D("0.9688")  # 310 / 320 = 0.96875, half up
    assert progress.cumulative_actual == D(310)
    assert progress.five_year_progress == D("0.5161")  # (310 − 214) / (400 − 214) = 96/186
    assert progress.schedule == D("0.5699")  # (320 − 214) / 186 = 106/186 = 0.569892
    assert progress.status == "amber"  # 96 < 106, 96 ≥ 0.9 × 106 = 95.4
    # (2020, 214) (2021, 245) (2022, 280) (2023, 310): mean x 2021.5, mean y 1049/4 = 262.25,
    # Sxy = (−1.5)(−48.25) + (−0.5)(−17.25) + 0.5·17.75 + 1.5·47.75
    #     = 72.375 + 8.625 + 8.875 + 71.625 = 161.5, Sxx = 5, slope 32.3;
    # at 2025: 262.25 + 32.3 × 3.5 = 375.30 < 400
    assert progress.forecast == D("375.30")
    assert progress.at_risk is True


def test_growth_compares_geometric_means_of_the_rates():
    # given rates of 6.8 % in 2021 and 7.3 % in 2022
    progress = value_added_per_mu(by_year("6.8", "7.3"), 2022)
    # then
    assert progress.actual == D("7.3")
    assert progress.year_target == D(7)
    assert progress.year_completion == D("1.0429")  # 7.3 / 7 = 1.042857
    # (1.068 × 1.073)^(1/2) − 1 = 1.145964^(1/2) − 1 = 1.0704971 − 1 → 7.04971 %
    assert progress.cumulative_actual == D("7.05")
    assert progress.five_year_progress == D("1.0071")  # 7.04971 / 7 = 1.007101
    # (1.065 × 1.07)^(1/2) − 1 = 1.13955^(1/2) − 1 = 1.0674971 − 1 → 6.74971 %; / 7 = 0.964244
    assert progress.schedule == D("0.9642")
    assert progress.status == "green"
    # the forecast is the mean rate so far, 7.04971 % ≥ 7 %
    assert progress.forecast == D("7.05")
    assert progress.at_risk is False


def test_growth_below_target_is_red_and_at_risk():
    # given 5 % in 2021
    progress = value_added_per_mu(by_year(5), 2021)
    # then 5/7 = 0.714286 against 6.5/7 = 0.928571; 5 < 0.9 × 6.5 = 5.85
    assert progress.five_year_progress == D("0.7143")
    assert progress.schedule == D("0.9286")
    assert progress.status == "red"
    assert progress.forecast == D("5.00")
    assert progress.at_risk is True


def test_growth_on_the_plan_in_another_order_is_exactly_on_schedule():
    # given the planned rates 6.5 and 7 achieved as 7 and 6.5
    progress = value_added_per_mu(by_year(7, "6.5"), 2022)
    # then 1.07 × 1.065 = 1.065 × 1.07, so progress equals the schedule exactly
    assert progress.five_year_progress == progress.schedule == D("0.9642")
    assert progress.status == "green"


@pytest.mark.parametrize(
    ("added", "status"),
    [
        (200, "green"),  # 200/964 == the schedule 200/964
        (180, "amber"),  # 180 == 0.9 × 200
        ("179.99", "red"),  # just below 0.9 × 200
    ],
)
def test_status_thresholds_at_their_edges(added, status):
    # given the first year of indicator 5, whose schedule is 200/964
    # when
    progress = digital_workshops(by_year(added), 2021)
    # then
    assert progress.status == status


@pytest.mark.parametrize(
    ("added", "status"),
    [
        (190, "green"),  # 190 == 0.95 × 200
        (189, "amber"),
        (160, "amber"),  # 160 == 0.8 × 200
        (159, "red"),
    ],
)
def test_status_thresholds_are_parameters(added, status):
    # given thresholds set to 0.95 and 0.8 of the schedule
    progress = digital_workshops(by_year(added), 2021, green_at=D("0.95"), amber_at=D("0.8"))
    # then
    assert progress.status == status


@pytest.mark.parametrize(
    "compute", [digital_workshops, base_stations, robot_density, value_added_per_mu]
)
def test_no_data_is_no_data_never_zero(compute):
    # given no actual values at all
    # when
    progress = compute({}, 2022)
    # then the plan's figures are there, the actual ones are None
    assert progress.status == "no_data"
    assert progress.actual is None
    assert progress.year_completion is None
    assert progress.cumulative_actual is None
    assert progress.five_year_progress is None
    assert progress.forecast is None
    assert progress.at_risk is None
    assert progress.missing_years == (2021, 2022)
    assert progress.year_target is not None
    assert progress.schedule is not None
    values = progress.to_dict()
    assert values["status"] == "no_data"
    assert [k for k, v in values.items() if v is None] == [
        "actual", "year_completion", "cumulative_actual", "five_year_progress",
        "forecast", "at_risk", "gap",
    ]  # fmt: skip


def test_no_data_for_the_year_itself_is_no_data_even_with_earlier_years():
    # given 210 new workshops in 2021 and nothing reported for 2022
    progress = digital_workshops(by_year(210), 2022)
    # then 2022 is not judged on 2021 alone (that would count 2022 as 0)
    assert progress.status == "no_data"
    assert progress.cumulative_actual is None
    assert progress.missing_years == (2022,)
    assert progress.schedule == D("0.4149")  # 400/964, the plan's path regardless of data
    assert progress.year_target == D(200)


def test_a_missing_middle_year_is_a_gap_summed_over_the_years_with_data():
    # given 210 in 2021, nothing for 2022, 200 in 2023
    progress = digital_workshops(by_year(210, None, 200), 2023)
    # then
    assert progress.missing_years == (2022,)
    assert progress.cumulative_actual == D(446)  # 36 + 210 + 200
    assert progress.five_year_progress == D("0.4253")  # 410/964 = 0.425311
    assert progress.schedule == D("0.6120")  # (200 + 200 + 190)/964 = 590/964 = 0.612033
    assert progress.status == "red"  # 410 < 0.9 × 590 = 531
    # the line goes through the years with data only: (2020, 0) (2021, 210) (2023, 410);
    # x − 2020 = 0, 1, 3: mean x 4/3, mean y 620/3, Sxx = 16/9 + 1/9 + 25/9 = 14/3,
    # Sxy = (−1/3)·210 + (5/3)·410 = 1840/3, slope 1840/14 = 920/7;
    # at 2025: 620/3 + 920/7 × (5 − 4/3) = 4340/21 + 10120/21 = 14460/21 = 688.5714, + 36
    assert progress.forecast == D("724.57")
    assert progress.at_risk is True


def test_a_missing_middle_year_of_a_growth_rate_is_left_out_of_the_mean():
    # given 6.8 % in 2021, nothing for 2022, 7.3 % in 2023
    progress = value_added_per_mu(by_year("6.8", None, "7.3"), 2023)
    # then the mean is over the two years with data, as in the 2021–2022 case: 7.04971 %
    assert progress.cumulative_actual == D("7.05")
    assert progress.missing_years == (2022,)
    # the schedule is over all three plan years: (1.065 × 1.07 × 1.07)^(1/3) − 1 = 6.83307 %,
    # / 7 = 0.976153
    assert progress.schedule == D("0.9762")
    assert progress.status == "green"  # 7.04971 ≥ 6.83307


def test_a_level_needs_only_the_year_itself():
    # given a density reported for 2023 but not for 2021 or 2022
    progress = robot_density(by_year(None, None, 330), 2023)
    # then (330 − 214)/186 = 116/186 = 0.623656 against 106/186; 116 ≥ 106
    assert progress.five_year_progress == D("0.6237")
    assert progress.status == "green"
    assert progress.missing_years == (2021, 2022)
    # (2020, 214) (2023, 330): slope 116/3; at 2025: 214 + 116/3 × 5 = 407.33 ≥ 400
    assert progress.forecast == D("407.33")
    assert progress.at_risk is False


def test_in_the_final_year_the_forecast_is_the_outcome():
    # given all five years of indicator 5: 200 + 200 + 190 + 190 + 180 = 960 added
    progress = digital_workshops(by_year(200, 200, 190, 190, 180), 2025)
    # then
    assert progress.cumulative_actual == D(996)  # 36 + 960
    assert progress.five_year_progress == D("0.9959")  # 960/964 = 0.995851
    assert progress.schedule == D("1.0000")  # 964/964
    assert progress.status == "amber"  # 960 ≥ 0.9 × 964 = 867.6
    assert progress.forecast == D("996.00")
    assert progress.at_risk is True  # 996 < 1000


def test_without_yearly_values_the_schedule_is_k_of_n():
    # given indicator 5 with no yearly values, 210 and 180 added
    # when
    progress = compute_progress(
        "stock", D(36), D(1000), {}, by_year(210, 180), 2022, base_year=2020, years=YEARS
    )
    # then after 2 of 5 years the schedule is 2/5
    assert progress.schedule == D("0.4000")
    assert progress.year_target == D("192.80")  # the even path: 964 / 5 a year
    assert progress.year_completion == D("0.9336")  # 180 / 192.8 = 0.933610
    assert progress.five_year_progress == D("0.4046")  # 390/964
    assert progress.status == "green"  # 0.4046 ≥ 0.4


def test_without_yearly_values_a_level_follows_the_even_path():
    # given indicator 7 with no yearly values and a density of 320 in 2023
    progress = compute_progress(
        "level", D(214), D(400), {}, by_year(None, None, 320), 2023, base_year=2020, years=YEARS
    )
    # then after 3 of 5 years the schedule is 3/5, the year's level 214 + 3/5 × 186 = 325.6
    assert progress.schedule == D("0.6000")
    assert progress.year_target == D("325.60")
    assert progress.five_year_progress == D("0.5699")  # 106/186
    assert progress.status == "amber"  # 106 < 111.6, 106 ≥ 0.9 × 111.6 = 100.44


def test_without_yearly_values_a_growth_rate_is_held_to_the_target_every_year():
    # given indicator 21 with no yearly values and 7 % in 2021
    progress = compute_progress(
        "growth", D("8.1"), D(7), {}, by_year(7), 2021, base_year=2020, years=YEARS
    )
    # then the even path of a yearly-average target is the target itself, so the schedule is 1
    assert progress.year_target == D("7.00")
    assert progress.schedule == D("1.0000")
    assert progress.status == "green"


def test_to_dict_gives_json_numbers_with_the_agreed_keys():
    # given
    progress = digital_workshops(by_year(210, 180), 2022)
    # when
    values = progress.to_dict()
    # then
    assert values == {
        "actual": 180,
        "year_target": 200,
        "year_completion": 0.9,
        "cumulative_actual": 426,
        "five_year_target": 1000,
        "five_year_progress": 0.4046,
        "schedule": 0.4149,
        "status": "amber",
        "forecast": 1016,
        "at_risk": False,
        # behind the schedule by the planned 36 + 400 = 436 less the actual 426 workshops
        "gap": 10,
    }
    assert json.loads(json.dumps(values)) == values


def test_stock_without_a_base_counts_the_base_as_zero():
    # given a stock indicator with no base, target 10, two a year
    progress = compute_progress(
        "stock", None, D(10), by_year(2, 2, 2, 2, 2), by_year(3), 2021, base_year=2020
    )
    # then 3/10 against 2/10
    assert progress.cumulative_actual == D(3)
    assert progress.five_year_progress == D("0.3000")
    assert progress.schedule == D("0.2000")
    assert progress.status == "green"


def test_geometric_mean_rate():
    assert geometric_mean_rate([]) is None
    assert geometric_mean_rate([D("6.8")]) == D("6.8")
    assert geometric_mean_rate([D(7), D(7), D(7)]) == D(7)
    # ((1.068 × 1.073)^(1/2) − 1) × 100 = 7.049708…
    assert round(geometric_mean_rate([D("6.8"), D("7.3")]), 6) == D("7.049708")
    # (1.1 × 0.9)^(1/2) = 0.99^(1/2) = 0.994987 → −0.5013 %: a rise and an equal fall lose ground
    assert round(geometric_mean_rate([D(10), D(-10)]), 4) == D("-0.5013")


def test_least_squares_at():
    # (2020, 0) (2021, 210) (2022, 390): slope 195 through (2021, 200), so 200 + 195 × 4 at 2025
    assert least_squares_at([(2020, D(0)), (2021, D(210)), (2022, D(390))], 2025) == D(980)
    # one point, or all at the same x: flat at the mean
    assert least_squares_at([(2021, D(5))], 2025) == D(5)
    assert least_squares_at([(2021, D(4)), (2021, D(6))], 2025) == D(5)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"year": 2026}, "not one of the plan years"),
        ({"kind": "cumulative"}, "unknown indicator kind"),
        ({"yearly_targets": by_year(200, 200), "years": YEARS}, "do not cover the plan years"),
        ({"yearly_targets": {}}, "years are unknown"),
        ({"kind": "level", "base": None}, "needs a base"),
        ({"base": D(1000)}, "leaves nothing to progress on"),
        ({"amber_at": D("1.1")}, "thresholds"),
    ],
)
def test_impossible_inputs_are_refused(change, message):
    # given indicator 5's inputs with one thing changed
    arguments = {
        "kind": "stock",
        "base": D(36),
        "target": D(1000),
        "yearly_targets": by_year(200, 200, 190, 190, 184),
        "actuals": by_year(210),
        "year": 2021,
        "base_year": 2020,
    } | change
    # then
    with pytest.raises(ValueError, match=message):
        compute_progress(**arguments)
