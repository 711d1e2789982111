"""Figures shown beside a status (issue 12, point 3): precise enough never to contradict it."""

from decimal import Decimal

import pytest

from zhizao.core.numbers import distinct_figure, distinct_percent, shortfall_text, split_figure


@pytest.mark.parametrize(
    ("value", "reference", "shown"),
    [
        ("55.997", "56", "55.997"),  # rounds to 56, but is behind 56: the shortfall shows
        ("55.9999", "56", "55.9999"),
        ("56", "56", "56"),  # equal: no extra digits
        ("355.0198", "355", "355.02"),  # differs at 2 places already
        ("401.38731", "400", "401.39"),
        ("12", None, "12"),
        (None, "56", "—"),
    ],
)
def test_a_figure_beside_its_target_shows_enough_digits_to_differ(value, reference, shown):
    assert distinct_figure(value, reference) == shown


@pytest.mark.parametrize(
    ("ratio", "reference", "shown"),
    [
        ("0.7999", "0.8", "79.99%"),  # 80% beside a schedule of 80% would hide it
        ("0.7581", "0.7949", "76%"),
        ("0.8", "0.8", "80%"),
        ("1.5376", None, "154%"),
        (None, "0.8", "—"),
    ],
)
def test_a_ratio_beside_the_schedule_shows_enough_digits_to_differ(ratio, reference, shown):
    assert distinct_percent(ratio, reference) == shown


def test_the_shortfall_is_said_in_the_indicators_unit():
    assert shortfall_text(Decimal("0.003"), "%") == "差 0.003 个百分点"
    assert shortfall_text(Decimal("153.7145"), "台/万人") == "差 153.71 台/万人"
    assert shortfall_text(Decimal("-20"), "台/万人") == ""  # ahead: no shortfall
    assert shortfall_text(None, "%") == ""


def test_a_pro_rata_split_of_a_count_is_shown_in_whole_units():
    # 15 of the city's 70 a year split to a floor of 12: 15 × 12 / 70 = 2.5714 → 3 家
    assert split_figure(Decimal("2.5714"), "家", True) == "3"
    assert split_figure(Decimal("27.59"), "个", True) == "28"
    # 2 of the city's 10 a year split to a floor of 2: 0.4, not 0
    assert split_figure(Decimal("0.4"), "个", True) == "0.4"
    assert split_figure(Decimal("0"), "个", True) == "0"
    # not a split, or not a count: two places
    assert split_figure(Decimal("2.5714"), "家", False) == "2.57"
    assert split_figure(Decimal("479.4872"), "亿元", True) == "479.49"
