"""`zhizao diagnosis questionnaire | score | check`: the output an expert or another system reads,
and the messages (and exit code 1) a bad file gets."""

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.diagnosis.factories import EXAMPLE, mini_data, write_questionnaire

ROOT = Path(__file__).resolve().parent.parent.parent


def run(*args) -> str:
    out = StringIO()
    call_command("diagnosis", *args, stdout=out)
    return out.getvalue()


def answer_file(folder: Path, answers: dict, industry_type="离散型", name="answers.json") -> Path:
    path = folder / name
    path.write_text(
        json.dumps({"industry_type": industry_type, "answers": answers}, ensure_ascii=False),
        encoding="utf-8",
    )
    return path


def test_score_prints_the_issues_example_as_json(tmp_path):
    # given the small questionnaire and the example's answers (see factories.EXAMPLE)
    questionnaire = write_questionnaire(tmp_path)
    answers = answer_file(tmp_path, EXAMPLE)

    # when
    output = run("score", str(answers), "--format", "json", "--file", str(questionnaire))

    # then
    assert output == (
        '{"level_scores": {"1": 0.95, "2": 0.85, "3": 0.6, "4": 0.3, "5": 0.0}, '
        '"domain_scores": {"组织战略": 3.3, "生产": 1.6}, '
        '"total": 2.4, "level": 2, "level_name": "规范级"}\n'
    )


def test_score_reads_yaml_answer_files_too(tmp_path):
    questionnaire = write_questionnaire(tmp_path)
    lines = ["industry_type: 流程型", "answers:"] + [f"  {k}: {v}" for k, v in EXAMPLE.items()]
    answers = tmp_path / "answers.yaml"
    answers.write_text("\n".join(lines), encoding="utf-8")

    result = json.loads(run("score", str(answers), "--file", str(questionnaire)))

    # 流程型: 0.875 + 0.85 + 0.435 = 2.16 (test_scoring)
    assert (result["total"], result["level"], result["level_name"]) == (2.16, 2, "规范级")


def test_score_prints_a_table(tmp_path):
    questionnaire = write_questionnaire(tmp_path)
    answers = answer_file(tmp_path, EXAMPLE)

    output = run("score", str(answers), "--format", "table", "--file", str(questionnaire))

    assert "四级（优化级）得分 0.3000（不计入）" in output
    assert output.endswith("总分 S = 2.4000，成熟度等级：二级（规范级）\n")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"PO-5-02": None}, "以下 1 条要求尚未作答：PO-5-02。"),
        ({"XX-1-01": "全部满足"}, "要求「XX-1-01」不在问卷（版本 test-1）中。"),
        (
            {"OS-1-01": "很好"},
            "要求「OS-1-01」的答案「很好」无效，应为 不满足、部分满足、大部分满足、全部满足 之一。",
        ),
    ],
)
def test_score_refuses_a_missing_or_unknown_id_or_an_answer_off_the_scale(
    tmp_path, change, message
):
    questionnaire = write_questionnaire(tmp_path)
    answers = {k: v for k, v in {**EXAMPLE, **change}.items() if v is not None}
    path = answer_file(tmp_path, answers)

    with pytest.raises(CommandError) as refused:
        run("score", str(path), "--file", str(questionnaire))
    assert str(refused.value) == f"答案文件未通过检查（共 1 处）：\n  - {message}"


def test_score_refuses_a_file_without_industry_type(tmp_path):
    path = tmp_path / "answers.json"
    path.write_text('{"answers": {}}', encoding="utf-8")

    with pytest.raises(CommandError, match="答案文件应包含 industry_type（行业类型）和 answers"):
        run("score", str(path))


def test_questionnaire_prints_each_requirement_as_json():
    document = json.loads(run("questionnaire", "--format", "json"))

    assert document["version"] == "2025.1"
    assert document["scale"] == {"不满足": 0.0, "部分满足": 0.5, "大部分满足": 0.8, "全部满足": 1.0}
    assert len(document["requirements"]) == 151
    first = document["requirements"][0]
    assert first == {
        "id": "OS-1-01",
        "element": "人员",
        "domain": "组织战略",
        "subdomain": "组织战略",
        "level": 1,
        "level_name": "规划级",
        "text": "企业发展规划中已写入智能制造的目标和主要任务。",
        "evidence": "企业发展规划或智能制造专项规划文件",
        "answers": ["不满足", "部分满足", "大部分满足", "全部满足"],
    }
    by_id = {r["id"]: r for r in document["requirements"]}
    assert (by_id["PS-1-01"]["domain"], by_id["PS-1-01"]["subdomain"]) == ("生产", "计划与调度")
    assert by_id["PV-2-01"]["answers"][-1] == "不适用"


def test_questionnaire_prints_a_table():
    lines = run("questionnaire", "--format", "table").splitlines()

    assert lines[0] == "智能制造能力成熟度自评估问卷（版本 2025.1），共 151 条要求"
    assert lines[1].split() == ["编号", "要素", "能力域", "能力子域", "等级", "要求"]
    assert lines[2].split()[:5] == ["OS-1-01", "人员", "组织战略", "组织战略", "一级"]


def test_check_passes_the_shipped_file():
    assert run("check") == (
        "问卷文件检查通过：「maturity-questionnaire.yaml」版本 2025.1，4 个能力要素、12 个能力域、"
        "20 个能力子域、151 条要求。\n"
    )


def test_check_lists_every_problem_of_a_bad_file(tmp_path):
    data = mini_data()
    data["weights"]["离散型"]["OS"] = 0.4
    data["requirements"][0]["level"] = 7
    path = write_questionnaire(tmp_path, data)

    with pytest.raises(CommandError) as refused:
        run("check", str(path))
    assert str(refused.value) == (
        "问卷文件未通过检查（共 2 处）：\n"
        "  - 行业类型「离散型」的能力子域权重合计应为 1，实际为 0.9。\n"
        "  - 要求「OS-1-01」的等级「7」应为 1 至 5 的整数。"
    )


def test_a_refused_answer_file_exits_with_code_1_and_a_chinese_message(tmp_path):
    questionnaire = write_questionnaire(tmp_path)
    answers = answer_file(tmp_path, {**EXAMPLE, "PS-2-01": "很好"})
    env = {
        **os.environ,
        "SECRET_KEY": "test-only-secret",
        "DATABASE_URL": "",
        "ZHIZAO_VAR_DIR": str(tmp_path / "var"),
    }

    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "zhizao",
            "diagnosis",
            "score",
            str(answers),
            "--file",
            questionnaire,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 1
    assert "要求「PS-2-01」的答案「很好」无效" in result.stderr
    assert result.stdout == ""
