"""Known-answer tests of the scoring method, computed by hand in the comments, on the small
questionnaire of the factories (weights 离散型 OS 0.5, PS 0.3, PO 0.2; 流程型 0.2, 0.3, 0.5)."""

from decimal import Decimal

import pytest

from tests.diagnosis.factories import (
    EXAMPLE,
    FULL,
    MOST,
    NA,
    NOT,
    PART,
    mini_questionnaire,
    sheet,
    uniform,
)
from zhizao.diagnosis.questionnaire import load_questionnaire
from zhizao.diagnosis.scoring import (
    AnswerError,
    gaps,
    level_scores,
    maturity_level,
    score_answers,
    total_score,
)

D = Decimal


def levels(*values: str) -> dict[int, Decimal]:
    return {level: D(v) for level, v in enumerate(values, start=1)}


def test_the_issues_example_scores_2_40_and_reaches_level_2():
    # given the example answers of the factories, as a discrete manufacturer
    q = mini_questionnaire()

    # when
    scores = score_answers(q, "离散型", EXAMPLE)

    # then level scores 0.95, 0.85, 0.60, 0.30, 0; S = 0.95 + 0.85 + 0.60 = 2.40 → 二级
    assert scores.level_scores == levels("0.95", "0.85", "0.60", "0.30", "0")
    assert scores.counted_levels == (1, 2, 3)
    assert scores.total == D("2.40")
    assert (scores.level, scores.level_label, scores.level_name) == (2, "二级", "规范级")


def test_domain_scores_apply_the_method_to_each_domain_alone():
    scores = score_answers(mini_questionnaire(), "离散型", EXAMPLE)

    # 组织战略 (OS alone): 1, 1, 0.8, 0.5 (first below 0.8) → 3.3
    # 生产 (PS 0.3 and PO 0.2, renormalised within the domain to 0.6 and 0.4):
    #   level 1: 0.6 × 1 + 0.4 × 0.75 = 0.9; level 2: 0.6 × 0.5 + 0.4 × 1 = 0.7 (stops) → 1.6
    assert scores.domain_scores == {"组织战略": D("3.3"), "生产": D("1.6")}


def test_a_process_manufacturer_weighs_the_same_answers_differently():
    # given the same answers, as 流程型 (OS 0.2, PS 0.3, PO 0.5)
    scores = score_answers(mini_questionnaire(), "流程型", EXAMPLE)

    # level 1: 0.2 × 1 + 0.3 × 1 + 0.5 × 0.75     = 0.875
    # level 2: 0.2 × 1 + 0.3 × 0.5 + 0.5 × 1      = 0.85
    # level 3: 0.2 × 0.8 + 0.3 × 0.5 + 0.5 × 0.25 = 0.435 (first below 0.8)
    # level 4: 0.2 × 0.5 + 0 + 0.5 × 0.25         = 0.225
    # level 5: 0 / 0.7                            = 0
    # S = 0.875 + 0.85 + 0.435 = 2.16 → 二级
    assert scores.level_scores == levels("0.875", "0.85", "0.435", "0.225", "0")
    assert scores.total == D("2.16")
    assert scores.level == 2


def test_the_industry_type_can_decide_the_level():
    # given the example with PO at level 2 only half met: PO = (1 + 0.5)/2 = 0.75
    answers = {**EXAMPLE, "PO-2-02": PART}
    q = mini_questionnaire()

    discrete = score_answers(q, "离散型", answers)
    process = score_answers(q, "流程型", answers)

    # 离散型 level 2: 0.5 + 0.15 + 0.2 × 0.75 = 0.80, not below 0.8: S = 0.95 + 0.80 + 0.60 = 2.35
    assert discrete.level_scores[2] == D("0.80")
    assert (discrete.total, discrete.level) == (D("2.35"), 2)
    # 流程型 level 2: 0.2 + 0.15 + 0.5 × 0.75 = 0.725, below: S = 0.875 + 0.725 = 1.60
    assert process.level_scores[2] == D("0.725")
    assert (process.total, process.level, process.level_name) == (D("1.60"), 1, "规划级")


def test_not_applicable_answers_drop_out_of_the_mean():
    q = mini_questionnaire()
    answered = sheet({1: (FULL, FULL, PART, NOT)})
    excused = sheet({1: (FULL, FULL, PART, NA)})

    # PO with 不满足: (0.5 + 0)/2 = 0.25 → 0.5 + 0.3 + 0.2 × 0.25 = 0.85
    assert level_scores(q, "离散型", answered)[1] == D("0.85")
    # PO with 不适用: 0.5 alone → 0.5 + 0.3 + 0.2 × 0.5 = 0.90
    assert level_scores(q, "离散型", excused)[1] == D("0.90")


def test_a_level_renormalises_over_the_sub_domains_that_ask_something():
    q = mini_questionnaire()
    # level 5: PS asks nothing; OS 1, PO 0.5
    answers = sheet({5: (FULL, None, PART, PART)})

    # 离散型: (0.5 × 1 + 0.2 × 0.5) / (0.5 + 0.2) = 0.6 / 0.7 = 0.857142… → 0.8571
    assert level_scores(q, "离散型", answers)[5] == D("0.8571")
    # 流程型: (0.2 × 1 + 0.5 × 0.5) / (0.2 + 0.5) = 0.45 / 0.7 = 0.642857… → 0.6429
    assert level_scores(q, "流程型", answers)[5] == D("0.6429")


def test_a_sub_domain_answered_not_applicable_throughout_a_level_drops_out():
    q = mini_questionnaire()
    # level 5: PS asks nothing, PO is 不适用 throughout: OS alone counts
    answers = sheet({5: (PART, None, NA, NA)})

    assert level_scores(q, "离散型", answers)[5] == D("0.5")


def test_not_applicable_is_refused_where_the_file_does_not_allow_it():
    answers = {**EXAMPLE, "OS-1-01": NA}

    with pytest.raises(AnswerError) as refused:
        score_answers(mini_questionnaire(), "离散型", answers)
    assert refused.value.errors == ["要求「OS-1-01」不允许回答「不适用」。"]


def test_incomplete_or_unknown_answers_are_refused_naming_each():
    answers = {**EXAMPLE, "XX-1-01": FULL, "PS-1-01": "很好"}
    del answers["PO-5-02"], answers["OS-5-01"]

    with pytest.raises(AnswerError) as refused:
        score_answers(mini_questionnaire(), "装配型", answers)
    assert refused.value.errors == [
        "行业类型「装配型」无效，应为离散型或流程型。",
        "要求「PS-1-01」的答案「很好」无效，应为 不满足、部分满足、大部分满足、全部满足 之一。",
        "要求「XX-1-01」不在问卷（版本 test-1）中。",
        "以下 2 条要求尚未作答：OS-5-01、PO-5-02。",
    ]


@pytest.mark.parametrize(
    ("by_level", "total", "level"),
    [
        # level 1 at 0.8 exactly is not below the threshold: 0.8 + 0 → 一级
        ({1: MOST, 2: NOT, 3: NOT, 4: NOT, 5: NOT}, "0.8", 1),
        # 1 + 0.8 + 0 = 1.8 → 二级
        ({1: FULL, 2: MOST, 3: NOT, 4: NOT, 5: NOT}, "1.8", 2),
        # 1 + 1 + 1 + 1 + 0.8 = 4.8 → 五级
        ({1: FULL, 2: FULL, 3: FULL, 4: FULL, 5: MOST}, "4.8", 5),
        # all met: 5 → 五级
        ({1: FULL, 2: FULL, 3: FULL, 4: FULL, 5: FULL}, "5", 5),
        # level 1 at 0.5: S = 0.5 → 未达一级
        ({1: PART, 2: FULL, 3: FULL, 4: FULL, 5: FULL}, "0.5", 0),
    ],
)
def test_band_edges_through_answers(by_level, total, level):
    q = mini_questionnaire()

    scores = score_answers(q, "离散型", uniform(q, by_level))

    assert (scores.total, scores.level) == (D(total), level)


@pytest.mark.parametrize(
    ("total", "level"),
    [
        ("0", 0),
        ("0.7999", 0),
        ("0.8", 1),
        ("1.7999", 1),
        ("1.8", 2),
        ("2.8", 3),
        ("3.8", 4),
        ("4.7999", 4),
        ("4.8", 5),
        ("5", 5),
    ],
)
def test_band_edges_exactly(total, level):
    assert maturity_level(mini_questionnaire(), D(total)) == level


def test_total_stops_at_the_first_level_below_the_threshold():
    # 0.7999 is below 0.8: S is level 1's score alone, whatever the levels above say
    assert total_score(levels("0.7999", "1", "1", "1", "1"), D("0.8")) == (D("0.7999"), (1,))
    # 0.8 is not below: level 2 counts too, and stops there
    assert total_score(levels("0.8", "0.3", "1", "1", "1"), D("0.8")) == (D("1.1"), (1, 2))
    assert maturity_level(mini_questionnaire(), D("0.7999")) == 0


def test_gaps_are_the_next_levels_requirements_not_fully_met_heaviest_first():
    q = mini_questionnaire()

    found = gaps(q, "离散型", EXAMPLE, level=2)

    # level 3's items below full marks, by weight: OS 0.5, PS 0.3, PO 0.2 (in file order)
    assert [(g.requirement.id, g.answer, g.weight) for g in found] == [
        ("OS-3-01", MOST, D("0.5")),
        ("PS-3-01", PART, D("0.3")),
        ("PO-3-01", PART, D("0.2")),
        ("PO-3-02", NOT, D("0.2")),
    ]
    # under 流程型 PO (0.5) comes first
    assert [g.requirement.id for g in gaps(q, "流程型", EXAMPLE, level=2)] == [
        "PO-3-01",
        "PO-3-02",
        "PS-3-01",
        "OS-3-01",
    ]


def test_at_the_top_level_the_gaps_are_the_top_levels_own():
    q = mini_questionnaire()
    answers = uniform(q, {1: FULL, 2: FULL, 3: FULL, 4: FULL, 5: MOST})

    assert [g.requirement.id for g in gaps(q, "离散型", answers, level=5)] == [
        "OS-5-01",
        "PO-5-01",
        "PO-5-02",
    ]


def test_the_shipped_questionnaire_scores_uniform_answers_level_by_level():
    # given the platform's questionnaire, levels 1–2 fully met, level 3 half, nothing above
    q = load_questionnaire()
    answers = uniform(q, {1: FULL, 2: FULL, 3: PART, 4: NOT, 5: NOT})

    # when
    scores = score_answers(q, "流程型", answers)

    # then every level's score is its uniform answer (whatever the weights): S = 1 + 1 + 0.5
    assert scores.level_scores == levels("1", "1", "0.5", "0", "0")
    assert (scores.total, scores.level) == (D("2.5"), 2)
    # and so is every domain's (数据 asks nothing at level 1: that level counts as met)
    assert set(scores.domain_scores.values()) == {D("2.5")}
    assert len(scores.domain_scores) == 12
    # and the gaps are level 3's requirements, the heaviest sub-domain's (生产作业, 0.09) first
    found = gaps(q, "流程型", answers, scores.level)
    assert len(found) == len(q.at_level(3))
    assert found[0].requirement.id == "PO-3-01"
