"""The questionnaire file: the shipped one follows GB/T 39116's structure, and an inconsistent
file is refused with every problem named in Chinese."""

import os
import re
from decimal import Decimal

import pytest

from tests.diagnosis.factories import mini_data, write_questionnaire
from zhizao.diagnosis.questionnaire import (
    QuestionnaireError,
    load_questionnaire,
    parse_questionnaire,
)


def refusal(data) -> list[str]:
    with pytest.raises(QuestionnaireError) as refused:
        parse_questionnaire(data)
    return refused.value.errors


def requirement(data, rid: str) -> dict:
    (found,) = [r for r in data["requirements"] if r["id"] == rid]
    return found


def test_the_shipped_questionnaire_has_the_models_structure():
    q = load_questionnaire()

    assert q.version == "2025.1"
    assert {e.name: list(e.domains) for e in q.elements} == {
        "人员": ["组织战略", "人员技能"],
        "技术": ["数据", "集成", "信息安全"],
        "资源": ["装备", "网络"],
        "制造": ["设计", "生产", "物流", "销售", "服务"],
    }
    names = {
        d: [q.subdomains[c].name for c in domain.subdomains] for d, domain in q.domains.items()
    }
    assert names["设计"] == ["产品设计", "工艺设计"]
    assert names["生产"] == [
        "采购",
        "计划与调度",
        "生产作业",
        "设备管理",
        "仓储配送",
        "安全环保",
        "能源管理",
    ]
    assert names["服务"] == ["客户服务", "产品服务"]
    assert len(q.subdomains) == 20
    assert [(lv.label, lv.name) for lv in q.levels] == [
        ("一级", "规划级"),
        ("二级", "规范级"),
        ("三级", "集成级"),
        ("四级", "优化级"),
        ("五级", "引领级"),
    ]
    assert q.scale == {
        "不满足": Decimal("0"),
        "部分满足": Decimal("0.5"),
        "大部分满足": Decimal("0.8"),
        "全部满足": Decimal("1"),
    }
    assert q.threshold == Decimal("0.8")
    assert [(b.level, b.lower) for b in q.bands] == [
        (0, Decimal("0")),
        (1, Decimal("0.8")),
        (2, Decimal("1.8")),
        (3, Decimal("2.8")),
        (4, Decimal("3.8")),
        (5, Decimal("4.8")),
    ]


def test_every_sub_domain_asks_something_at_levels_2_to_4_and_some_skip_1_or_5():
    q = load_questionnaire()
    asked = {
        code: {r.level for r in q.requirements if r.subdomain == code} for code in q.subdomains
    }

    assert all({2, 3, 4} <= levels for levels in asked.values())
    assert sorted(c for c, levels in asked.items() if 1 not in levels) == ["DA", "IN", "IS", "PV"]
    assert sorted(c for c, levels in asked.items() if 5 not in levels) == ["IS", "NW"]
    per_level = {}
    for r in q.requirements:
        per_level[(r.subdomain, r.level)] = per_level.get((r.subdomain, r.level), 0) + 1
    assert set(per_level.values()) <= {1, 2, 3}
    assert all(re.fullmatch(rf"{r.subdomain}-{r.level}-\d\d", r.id) for r in q.requirements)
    assert all(r.text and r.evidence for r in q.requirements)
    assert any(r.not_applicable_allowed for r in q.requirements)


def test_the_shipped_weights_add_up_to_one_for_each_industry_type():
    q = load_questionnaire()

    assert q.industry_types == ("离散型", "流程型")
    for weights in q.weights.values():
        assert set(weights) == set(q.subdomains)
        assert sum(weights.values()) == 1


def test_the_small_questionnaire_of_the_tests_is_itself_valid():
    q = parse_questionnaire(mini_data())
    assert len(q.requirements) == 19


def test_weights_not_adding_up_are_refused_naming_the_type():
    data = mini_data()
    data["weights"]["离散型"]["OS"] = 0.4

    assert refusal(data) == ["行业类型「离散型」的能力子域权重合计应为 1，实际为 0.9。"]


def test_a_missing_or_unknown_sub_domain_in_the_weights_is_refused():
    data = mini_data()
    del data["weights"]["流程型"]["PS"]
    data["weights"]["流程型"]["QQ"] = 0.3

    assert refusal(data) == [
        "行业类型「流程型」的权重中有未知的能力子域「QQ」。",
        "行业类型「流程型」缺少能力子域「计划与调度」（PS）的权重。",
        "行业类型「流程型」的能力子域权重合计应为 1，实际为 0.7。",
    ]


def test_a_requirement_of_an_unknown_sub_domain_is_refused():
    data = mini_data()
    requirement(data, "PS-1-01").update(id="XX-1-01", subdomain="XX")

    assert refusal(data) == ["要求「XX-1-01」的能力子域「XX」不存在。"]


def test_a_level_outside_1_to_5_is_refused():
    data = mini_data()
    requirement(data, "OS-5-01").update(id="OS-6-01", level=6)

    assert refusal(data) == ["要求「OS-6-01」的等级「6」应为 1 至 5 的整数。"]


def test_duplicate_ids_are_refused():
    data = mini_data()
    requirement(data, "PO-1-02")["id"] = "PO-1-01"

    assert refusal(data) == ["要求编号「PO-1-01」重复。"]


def test_an_id_that_does_not_match_its_sub_domain_and_level_is_refused():
    data = mini_data()
    requirement(data, "OS-2-01")["level"] = 3

    assert refusal(data) == [
        "要求「OS-2-01」的编号与能力子域 OS、等级 3 不一致，应形如「OS-3-01」。"
    ]


def test_an_unknown_answer_label_is_refused():
    data = mini_data()
    requirement(data, "OS-1-01")["answers"] = ["不满足", "是"]

    assert refusal(data) == [
        "要求「OS-1-01」的答案选项「是」不在答案选项中（不满足、部分满足、大部分满足、全部满足）。"
    ]


def test_bands_that_do_not_increase_are_refused():
    data = mini_data()
    data["bands"][2]["from"] = 0.8

    assert refusal(data) == [
        "成熟度等级划分应逐档递增：「二级」的下限 0.8 不大于「一级」的下限 0.8。"
    ]


def test_a_sub_domain_without_requirements_is_refused():
    data = mini_data()
    data["requirements"] = [r for r in data["requirements"] if r["subdomain"] != "PS"]

    assert refusal(data) == ["能力子域「计划与调度」（PS）没有任何要求。"]


def test_every_problem_is_listed_at_once():
    data = mini_data()
    data["version"] = ""
    data["threshold"] = 1.5
    data["scale"][1]["score"] = 2
    requirement(data, "PO-1-02")["id"] = "PO-1-01"
    data["weights"]["离散型"]["OS"] = 0.6

    assert refusal(data) == [
        "问卷文件缺少版本号 version。",
        "答案选项「部分满足」的分值「2」应在 0 到 1 之间。",
        "达标阈值 threshold「1.5」应大于 0 且不大于 1。",
        "行业类型「离散型」的能力子域权重合计应为 1，实际为 1.1。",
        "要求编号「PO-1-01」重复。",
    ]


def test_a_file_that_is_not_yaml_names_the_line(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("version: 1\nlevels: [1, 2\n", encoding="utf-8")

    with pytest.raises(QuestionnaireError) as refused:
        load_questionnaire(path)
    assert refused.value.errors == ["问卷文件第 3 行不是有效的 YAML。"]


def test_the_file_is_read_once_and_again_when_it_changes(tmp_path):
    path = write_questionnaire(tmp_path)
    first = load_questionnaire(path)
    assert load_questionnaire(path) is first

    data = mini_data()
    data["version"] = "test-2"
    write_questionnaire(tmp_path, data)
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))

    assert load_questionnaire(path).version == "test-2"
