"""Loading the plan creates or updates it in place; the JSON export matches the plan as printed."""

import json

from django.core.management import call_command

from tests.plans.factories import (
    DEFAULT_PLAN_CODE,
    default_plan_data,
    indicator,
    load_default_plan,
    load_plan_data,
    write_plan_file,
)
from zhizao.core.models import IndustryCluster, Region
from zhizao.plans.models import Indicator, Plan, RegionTarget, YearTarget
from zhizao.plans.services import export_plan_json

# The plan's table, typed from the published text (序号: base, target, 2021..2025).
PLAN_TABLE = {
    1: (None, 10, [2, 2, 2, 2, 2]),
    2: (None, 10, [2, 2, 2, 2, 2]),
    3: (30, 100, [15, 15, 15, 15, 10]),
    4: (6, 100, [20, 20, 18, 18, 18]),
    5: (36, 1000, [200, 200, 190, 190, 184]),
    6: (563, 5000, [1000, 900, 850, 850, 837]),
    7: (214, 400, [250, 285, 320, 355, 400]),
    8: (65, 85, [70, 74, 78, 82, 85]),
    9: (50, 70, [55, 60, 64, 67, 70]),
    10: (40, 60, [44, 48, 52, 56, 60]),
    11: (1720, 2500, [1850, 2000, 2150, 2340, 2500]),
    12: (149, 220, [160, 175, 190, 205, 220]),
    13: (37, 10, [2, 2, 2, 2, 2]),
    14: (99, 30, [6, 6, 6, 6, 6]),
    15: (146, 220, [44, 44, 44, 44, 44]),
    16: (25, 35, [7, 7, 7, 7, 7]),
    17: (77, 50, [10, 10, 10, 10, 10]),
    18: (11, 50, [10, 10, 10, 10, 10]),
    19: (8023, 12000, [5000, 2000, 2000, 2000, 1000]),
    20: (6.5, 7, [7, 7, 7, 7, 7]),
    21: (8.1, 7, [6.5, 7, 7, 7, 7]),
}
# The annex, typed from the published text: (floor, stretch) per district in the plan's order.
ANNEX = {
    1: [2, 2, 2, 2, (1, 2), (1, 2)],
    2: [2, 2, 2, 2, (1, 2), (1, 2)],
    3: [12, 15, 12, 15, 10, 6],
    4: [14, 23, 16, 23, 10, 8],
    5: [120, 240, 160, 240, 140, 64],
    6: [560, 1132, 710, 1145, 640, 250],
}
DISTRICTS = ["越城区", "柯桥区", "上虞区", "诸暨市", "嵊州市", "新昌县"]


def test_json_export_matches_the_plan_number_for_number(db, capsys):
    # given
    load_default_plan()
    # when
    call_command("plan", "export", DEFAULT_PLAN_CODE, "--format", "json")
    exported = json.loads(capsys.readouterr().out)
    # then
    assert exported["code"] == DEFAULT_PLAN_CODE
    assert exported["base_year"] == 2020
    assert exported["years"] == [2021, 2022, 2023, 2024, 2025]
    assert len(exported["indicators"]) == 21
    for row in exported["indicators"]:
        base, target, years = PLAN_TABLE[row["no"]]
        assert row["base"] == base, row["no"]
        assert row["target"] == target, row["no"]
        assert [row["years"][str(y)] for y in range(2021, 2026)] == years, row["no"]
    by_key = {(t["indicator_no"], t["region"]): t for t in exported["region_targets"]}
    assert len(by_key) == 36
    for number, cells in ANNEX.items():
        for district, cell in zip(DISTRICTS, cells, strict=True):
            floor, stretch = cell if isinstance(cell, tuple) else (cell, cell)
            target = by_key[(number, district)]
            assert (target["floor"], target["stretch"]) == (floor, stretch)


def test_json_export_keeps_the_documented_shape(plan):
    exported = export_plan_json(plan)
    assert list(exported) == ["code", "name", "base_year", "years", "indicators", "region_targets"]
    first = exported["indicators"][0]
    assert list(first) == [
        "no", "code", "category", "name", "unit", "kind",
        "base", "base_note", "target", "target_note", "years",
    ]  # fmt: skip
    assert first["base"] is None
    assert exported["indicators"][1]["base_note"] == "培育企业1家"
    assert exported["indicators"][7]["base"] == 65  # a percentage as 65, not 0.65
    assert isinstance(exported["indicators"][7]["base"], int)
    assert exported["indicators"][19]["target_note"] == "年均"
    assert exported["region_targets"][0] == {
        "indicator_no": 1,
        "region": "越城区",
        "floor": 2,
        "stretch": 2,
    }


def test_loading_creates_regions_in_the_plans_order_with_codes(plan):
    city = Region.objects.get(code="330600")
    assert city.name == "绍兴市"
    districts = list(city.children.order_by("sort_order").values_list("name", "code"))
    assert districts == [
        ("越城区", "330602"),
        ("柯桥区", "330603"),
        ("上虞区", "330604"),
        ("诸暨市", "330681"),
        ("嵊州市", "330683"),
        ("新昌县", "330624"),
    ]
    assert IndustryCluster.objects.count() == 10


def test_reloading_the_same_file_changes_nothing(plan, capsys):
    # given the plan loaded once, with its history
    history_before = Indicator.history.count() + YearTarget.history.count()
    # when
    call_command("plan", "load", "default")
    # then
    out = capsys.readouterr().out
    assert "新建 0 条，更新 0 条，删除 0 条，未变 180 条" in out
    assert Plan.objects.count() == 1
    assert Indicator.history.count() + YearTarget.history.count() == history_before


def test_loading_a_changed_file_updates_in_place_and_keeps_history(plan, tmp_path, capsys):
    # given the city moves one robot-density milestone and renames the plan
    data = default_plan_data()
    indicator(data, 7)["years"][2023] = 321
    indicator(data, 7)["years"][2024] = 354
    data["name"] = "绍兴市智能制造五年提升行动方案（修订）"
    path = write_plan_file(tmp_path, data)
    indicator_id = Indicator.objects.get(number=7).pk
    # when
    call_command("plan", "load", str(path))
    # then
    assert "新建 0 条，更新 3 条，删除 0 条" in capsys.readouterr().out
    assert Plan.objects.get().name == "绍兴市智能制造五年提升行动方案（修订）"
    robot = Indicator.objects.get(number=7)
    assert robot.pk == indicator_id
    assert robot.year_targets.get(year=2023).value == 321
    versions = YearTarget.history.filter(indicator_id=indicator_id, year=2023).order_by(
        "history_date"
    )
    assert [v.value for v in versions] == [320, 321]
    assert versions.last().history_change_reason == "加载方案文件"


def test_records_removed_from_the_file_are_removed(plan):
    # given a plan file without the annex row of indicator 6
    data = default_plan_data()
    data["region_targets"] = [t for t in data["region_targets"] if t["indicator"] != 6]
    # when
    load_plan_data(data)
    # then
    assert not RegionTarget.objects.filter(indicator__number=6).exists()
    assert RegionTarget.objects.count() == 30


def test_keep_existing_leaves_an_edited_plan_alone(plan, capsys):
    # given an official changed a yearly value online
    YearTarget.objects.filter(indicator__number=7, year=2021).update(value=251)
    # when make run loads the default plan again
    call_command("plan", "load", "default", "--keep-existing")
    # then
    assert "已存在，保持不变" in capsys.readouterr().out
    assert YearTarget.objects.get(indicator__number=7, year=2021).value == 251


def test_a_file_that_swaps_two_indicator_codes_loads(plan):
    # given
    data = default_plan_data()
    indicator(data, 8)["code"], indicator(data, 9)["code"] = "software-adoption", "cnc-rate"
    # when
    load_plan_data(data)
    # then
    codes = dict(Indicator.objects.filter(number__in=[8, 9]).values_list("number", "code"))
    assert codes == {8: "software-adoption", 9: "cnc-rate"}
    previous = Indicator.history.filter(number=8).order_by("history_date").first()
    assert previous.code == "cnc-rate"
