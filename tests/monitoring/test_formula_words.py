"""Formulas in plain Chinese, generated from the formula itself (issue 12, point 12): each
field by its report label without unit or 其中, each shape of the formula language once."""

import pytest

from zhizao.monitoring.formulas import formula_in_words
from zhizao.plans.planfile import DEFAULT_PLAN_FILE, read_plan_file


@pytest.mark.parametrize(
    ("formula", "words"),
    [
        # a ratio of sums, scaled
        (
            "sum(networked_equipment) / sum(networkable_equipment) * 100",
            "已联网设备数之和 ÷ 可联网设备数之和 × 100",
        ),
        (
            "sum(industrial_robots) / sum(employees) * 10000",
            "在役工业机器人之和 ÷ 从业人员之和 × 10000",
        ),
        # a sum converted to another unit
        ("sum(industrial_output) / 10000", "工业总产值之和 ÷ 10000"),
        # a count of enterprises using at least two of eight systems, over all that reported
        (
            "count_if(uses_erp + uses_mes + uses_plm + uses_scm + uses_wms + uses_aps"
            " + uses_qms + uses_ems >= 2) / count() * 100",
            "使用 ERP、MES、PLM/PDM、SCM、WMS、APS、QMS、EMS 中至少 2 项的企业数 ÷ 报送企业数 × 100",
        ),
        # one system; > 0 is at least 1
        ("count_if(uses_mes > 0) / count() * 100", "使用 MES 的企业数 ÷ 报送企业数 × 100"),
        # a comparison of a number field
        ("count_if(employees >= 300)", "从业人员 ≥ 300 的企业数"),
        # a sum of a row expression
        ("sum(value_added - energy_use)", "（工业增加值 − 综合能耗）之和"),
        # brackets only where the order needs them
        (
            "(sum(value_added) - sum(energy_use)) / sum(land_area)",
            "（工业增加值之和 − 综合能耗之和） ÷ 用地面积之和",
        ),
        ("sum(value_added) - sum(energy_use) * 2", "工业增加值之和 − 综合能耗之和 × 2"),
        ("sum(value_added) / (sum(employees) / 2)", "工业增加值之和 ÷ （从业人员之和 ÷ 2）"),
        ("-sum(energy_use)", "−综合能耗之和"),
        # a growth rate
        (
            "growth(sum(value_added) / sum(employees))",
            "（工业增加值之和 ÷ 从业人员之和）比上年增长的百分比",
        ),
        ("growth(sum(value_added))", "工业增加值之和比上年增长的百分比"),
    ],
)
def test_a_formula_reads_in_plain_chinese(formula, words):
    assert formula_in_words(formula) == words


def test_a_formula_the_engine_cannot_read_is_shown_as_written():
    assert formula_in_words("sum(unknown_field) / 2") == "sum(unknown_field) / 2"
    assert formula_in_words("sum(") == "sum("


def test_every_formula_of_the_default_plan_reads_without_code():
    spec = read_plan_file(DEFAULT_PLAN_FILE)
    formulas = [i.source["formula"] for i in spec.indicators if "formula" in i.source]
    assert len(formulas) == 7
    for formula in formulas:
        words = formula_in_words(formula)
        assert not any(token in words for token in ("sum(", "count", "_", "*", " / ")), words
