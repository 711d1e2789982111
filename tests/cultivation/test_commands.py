"""`zhizao cultivation`: loading and checking the title-type file, and the ladder as JSON and as a
table, checked against hand-counted titles."""

import datetime
import io
import json
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from tests.cultivation.factories import make_application, make_title, title_type
from tests.reports.conftest import new_enterprise
from tests.test_commands import zhizao
from zhizao.cultivation.models import ApplicationStatus, TitleType
from zhizao.cultivation.typefile import (
    DEFAULT_TITLE_TYPE_FILE,
    TitleTypeFileError,
    read_title_types,
)

WORKSHOP = "municipal-digital-workshop"


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("cultivation", *args, stdout=out)
    return out.getvalue()


def default_types() -> dict:
    return yaml.safe_load(DEFAULT_TITLE_TYPE_FILE.read_text(encoding="utf-8"))


def write_types(tmp_path: Path, data) -> Path:
    path = tmp_path / "title-types.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def with_errors() -> dict:
    """The default file with a bad level, a duplicate code and an unknown prerequisite."""
    data = default_types()
    data["title_types"][0]["level"] = "town"
    data["title_types"][6]["code"] = "demo-cluster"
    data["title_types"][4]["prerequisites"] = ["smart-factory"]
    return data


EXPECTED_ERRORS = [
    "称号类型「市级数字化车间」的认定层级 level「town」无效，应为 city、district、province。",
    "称号类型代码「demo-cluster」重复。",
    "称号类型「省级“未来工厂”」的前置称号「smart-factory」不存在。",
]


# --- the title-type file --------------------------------------------------------------------


def test_types_load_creates_then_reports_unchanged_then_updated(db, tmp_path):
    # when
    first = run("types", "load")
    second = run("types", "load")
    data = default_types()
    data["title_types"][0]["description"] = "新的说明"
    third = run("types", "load", str(write_types(tmp_path, data)))
    # then
    assert first == "称号类型已载入：新建 7 个，更新 0 个，未变 0 个。\n"
    assert second == "称号类型已载入：新建 0 个，更新 0 个，未变 7 个。\n"
    assert third == "称号类型已载入：新建 0 个，更新 1 个，未变 6 个。\n"
    assert TitleType.objects.get(code=WORKSHOP).description == "新的说明"
    future = TitleType.objects.get(code="provincial-future-factory")
    assert sorted(future.prerequisites.values_list("code", flat=True)) == [
        "municipal-smart-factory",
        "provincial-smart-factory",
    ]


def test_types_check_reads_the_file_and_writes_nothing(db):
    output = run("types", "check", str(DEFAULT_TITLE_TYPE_FILE))
    assert output == (
        "称号类型文件检查通过：共 7 个称号类型（市级数字化车间、市级智能工厂、"
        "省级智能工厂（数字化车间）、省级“未来工厂”培育企业、省级“未来工厂”、"
        "智能制造示范集群、智能化改造完成（规上企业））。\n"
    )
    assert not TitleType.objects.exists()


def test_a_bad_file_is_refused_whole_with_every_error(db, tmp_path):
    path = write_types(tmp_path, with_errors())
    with pytest.raises(CommandError) as refused:
        run("types", "load", str(path))
    assert str(refused.value) == "\n".join(
        [
            "称号类型文件未通过检查（共 3 处），未写入任何数据：",
            *(f"  - {error}" for error in EXPECTED_ERRORS),
        ]
    )
    assert not TitleType.objects.exists()


def test_a_bad_file_exits_with_code_1_and_the_errors_on_stderr(tmp_path):
    path = write_types(tmp_path, with_errors())
    result = zhizao("cultivation", "types", "check", str(path), db_dir=tmp_path)
    assert result.returncode == 1
    assert result.stdout == ""
    for error in EXPECTED_ERRORS:
        assert f"  - {error}" in result.stderr
    assert "称号类型文件未通过检查（共 3 处）" in result.stderr


def test_help_lists_the_subcommands(tmp_path):
    result = zhizao("cultivation", "--help", db_dir=tmp_path)
    assert result.returncode == 0
    assert "{types,ladder}" in result.stdout
    ladder_help = zhizao("cultivation", "ladder", "--help", db_dir=tmp_path)
    assert "--format {json,table}" in ladder_help.stdout


def test_reading_errors_name_the_problem(tmp_path):
    def errors(data) -> list[str]:
        with pytest.raises(TitleTypeFileError) as refused:
            read_title_types(write_types(tmp_path, data))
        return refused.value.errors

    data = default_types()
    data["title_types"][6]["code"] = WORKSHOP
    assert errors(data) == [f"称号类型代码「{WORKSHOP}」重复。"]
    data = default_types()
    data["title_types"][6]["name"] = "市级数字化车间"
    assert errors(data) == ["称号类型名称「市级数字化车间」重复。"]
    data = default_types()
    data["title_types"][3]["prerequisites"] = ["municipal-smart-factory", "nowhere"]
    assert errors(data) == ["称号类型「省级“未来工厂”培育企业」的前置称号「nowhere」不存在。"]
    data = default_types()
    data["title_types"][0]["prerequisites"] = [WORKSHOP]
    assert errors(data) == ["称号类型「市级数字化车间」不能以自己为前置称号。"]
    data = default_types()
    data["title_types"][1]["level"] = "national"
    data["title_types"][1]["holder"] = "person"
    data["title_types"][1]["indicator"] = 0
    assert errors(data) == [
        "称号类型「市级智能工厂」的认定层级 level「national」无效，应为 city、district、province。",
        "称号类型「市级智能工厂」的申报主体 holder「person」无效，应为 enterprise 或 region。",
        "称号类型「市级智能工厂」的指标序号 indicator「0」应是正整数。",
    ]
    data = default_types()
    del data["title_types"][6]["name"]
    assert errors(data) == ["第 7 个称号类型缺少 code 或 name。"]
    assert errors({"types": []}) == ["文件应包含 title_types 列表。"]


def test_a_file_that_is_not_yaml_or_not_there(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("title_types:\n  - code: [unclosed\n", encoding="utf-8")
    with pytest.raises(TitleTypeFileError) as not_yaml:
        read_title_types(broken)
    assert not_yaml.value.errors == ["第 3 行不是有效的 YAML。"]
    with pytest.raises(TitleTypeFileError) as missing:
        read_title_types(tmp_path / "missing.yaml")
    assert missing.value.errors == [
        f"无法读取文件「{tmp_path / 'missing.yaml'}」：No such file or directory。"
    ]


# --- the ladder -----------------------------------------------------------------------------


@pytest.fixture
def registry(plan):
    """Hand-counted titles of the municipal digital workshop type:

    越城区  2021: 3 recognised; 2022: 2 recognised, one of them revoked on 2023-03-01
    柯桥区  2020 (the base year): 1; 2023: 2
    上虞区  2024: 1 (after the ladder's year 2023)
    and one 越城区 municipal smart factory of 2022, one draft and one submitted application."""
    for _ in range(3):
        make_title(WORKSHOP, "越城区", 2021)
    make_title(WORKSHOP, "越城区", 2022)
    make_title(WORKSHOP, "越城区", 2022, revoked_on=datetime.date(2023, 3, 1))
    make_title(WORKSHOP, "柯桥区", 2020)
    make_title(WORKSHOP, "柯桥区", 2023)
    make_title(WORKSHOP, "柯桥区", 2023)
    make_title(WORKSHOP, "上虞区", 2024)
    make_title("municipal-smart-factory", "越城区", 2022)
    make_application(new_enterprise("越城区", 1))
    make_application(new_enterprise("越城区", 2), status=ApplicationStatus.SUBMITTED)


def by_code(region: dict, code: str = WORKSHOP) -> dict:
    return next(row for row in region["types"] if row["code"] == code)


def test_ladder_json_counts_by_district_and_for_the_city(registry):
    # when
    regions = json.loads(run("ladder", "--year", "2023", "--format", "json"))
    # then
    assert [r["region"] for r in regions] == [
        "绍兴市", "越城区", "柯桥区", "上虞区", "诸暨市", "嵊州市", "新昌县",
    ]  # fmt: skip
    city, yuecheng, keqiao, shangyu = regions[:4]
    assert by_code(yuecheng) == {
        "code": WORKSHOP,
        "name": "市级数字化车间",
        "indicator": 5,
        "recognised_by_year": {"2021": 3, "2022": 2},
        "revoked_by_year": {"2023": 1},
        "cumulative": 4,
        "plan_additions": 4,
        "target_floor": 120,
        "target_stretch": 120,
        "completion": 0.0333,
        "stretch_completion": 0.0333,
        "pipeline": {"草稿": 1, "已提交，待区县审核": 1},
    }
    # a base-year title counts in the stock, not in the plan's additions
    assert (by_code(keqiao)["cumulative"], by_code(keqiao)["plan_additions"]) == (3, 2)
    assert by_code(keqiao)["completion"] == 0.0083  # 2 / 240
    # a title after the year is not counted yet
    assert by_code(shangyu)["cumulative"] == 0
    assert by_code(shangyu)["recognised_by_year"] == {}
    # the city is the sum of its districts, against the plan's five-year addition 1000 − 36
    assert by_code(city) == {
        "code": WORKSHOP,
        "name": "市级数字化车间",
        "indicator": 5,
        "recognised_by_year": {"2020": 1, "2021": 3, "2022": 2, "2023": 2},
        "revoked_by_year": {"2023": 1},
        "cumulative": 7,
        "plan_additions": 6,
        "target_floor": 964,
        "target_stretch": 964,
        "completion": 0.0062,
        "stretch_completion": 0.0062,
        "pipeline": {"草稿": 1, "已提交，待区县审核": 1},
    }
    for key in ("cumulative", "plan_additions"):
        assert by_code(city)[key] == sum(by_code(r)[key] for r in regions[1:])
    factories = by_code(yuecheng, "municipal-smart-factory")
    assert (factories["cumulative"], factories["target_floor"], factories["completion"]) == (
        1,
        14,
        0.0714,
    )
    candidates = by_code(city, "future-factory-candidate")
    assert (candidates["indicator"], candidates["target_floor"], candidates["completion"]) == (
        None,
        None,
        None,
    )


def test_revoking_a_title_lowers_the_count_from_its_year(registry):
    before = json.loads(run("ladder", "--year", "2022", "--region", "越城区", "--format", "json"))
    after = json.loads(run("ladder", "--year", "2023", "--region", "越城区", "--format", "json"))
    assert [by_code(r)["cumulative"] for r in before + after] == [5, 4]


def test_ladder_table_of_one_district(registry):
    output = run("ladder", "--year", "2023", "--region", "越城区")
    lines = output.splitlines()
    assert lines[0] == "绍兴市智能制造五年提升行动方案（2021—2025年） · 培育梯队 · 截至2023年"
    assert lines[1:3] == ["", "越城区"]
    header, *rows = lines[3:]
    assert header.split() == [
        "称号类型", "2020年及以前", "2021年", "2022年", "2023年", "摘牌", "累计", "规划期新增",
        "保底目标", "争取目标", "保底完成率", "争取完成率",
    ]  # fmt: skip
    assert [row.split()[0] for row in rows] == [
        "市级数字化车间",
        "市级智能工厂",
        "省级智能工厂（数字化车间）",
        "省级“未来工厂”培育企业",
        "省级“未来工厂”",
        "智能制造示范集群",
        "智能化改造完成（规上企业）",
    ]
    assert rows[0].split()[1:] == ["0", "3", "2", "0", "1", "4", "4", "120", "120", "3.3%", "3.3%"]
    assert rows[1].split()[1:] == ["0", "0", "1", "0", "0", "1", "1", "14", "14", "7.1%", "7.1%"]
    assert rows[3].split()[1:] == ["0", "0", "0", "0", "0", "0", "0", "—", "—", "—", "—"]
    # the annex's 保1争2 reads as two targets
    shengzhou = run("ladder", "--year", "2023", "--region", "嵊州市").splitlines()
    clusters = next(line for line in shengzhou if line.startswith("智能制造示范集群"))
    assert clusters.split()[-4:] == ["1", "2", "0.0%", "0.0%"]
    # the columns line up, a Chinese character taking two columns
    from zhizao.core.xlsx import display_width

    assert len({display_width(line) for line in [header, *rows]}) <= 2
    assert display_width(rows[0]) == display_width(header)


def test_ladder_table_covers_the_city_and_every_district(registry):
    output = run("ladder", "--year", "2023")
    names = ["绍兴市", "越城区", "柯桥区", "上虞区", "诸暨市", "嵊州市", "新昌县"]
    assert [line for line in output.splitlines() if line in names] == names


def test_ladder_refuses_an_unknown_plan_or_region(plan):
    with pytest.raises(CommandError, match="找不到代码为「nowhere」的方案。"):
        run("ladder", "--plan", "nowhere")
    with pytest.raises(CommandError, match="找不到地区「火星区」。"):
        run("ladder", "--region", "火星区")


def test_ladder_lists_every_type_before_any_title_is_recognised(plan):
    title_type(WORKSHOP)  # the factories load the default file
    regions = json.loads(run("ladder", "--year", "2021", "--region", "绍兴市", "--format", "json"))
    assert len(regions[0]["types"]) == 7
