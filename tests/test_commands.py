"""The `zhizao` console script: --help, exit codes and Chinese messages, as a shell user sees."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.plans.factories import default_plan_data, indicator, write_plan_file

ROOT = Path(__file__).resolve().parent.parent


def zhizao(*args: str, db_dir: Path) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "SECRET_KEY": "test-only-secret",
        "DATABASE_URL": "",
        "ZHIZAO_VAR_DIR": str(db_dir),
    }
    return subprocess.run(
        [sys.executable, "-m", "zhizao", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def db_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli")
    assert zhizao("migrate", "--no-input", db_dir=path).returncode == 0
    return path


@pytest.mark.parametrize(
    "args", [["plan", "--help"], ["plan", "load", "--help"], ["demo", "--help"]]
)
def test_help(db_dir, args):
    result = zhizao(*args, db_dir=db_dir)
    assert result.returncode == 0
    assert "usage:" in result.stdout


def test_check_load_export_round_trip(db_dir, tmp_path):
    check = zhizao("plan", "check", "default", db_dir=db_dir)
    assert check.returncode == 0
    assert "方案文件检查通过" in check.stdout and "21 项指标，36 项区县目标" in check.stdout
    assert zhizao("plan", "load", "default", db_dir=db_dir).returncode == 0
    exported = zhizao("plan", "export", "shaoxing-2021-2025", "--format", "json", db_dir=db_dir)
    assert exported.returncode == 0
    assert json.loads(exported.stdout)["indicators"][18]["target"] == 12000
    xlsx = tmp_path / "plan.xlsx"
    result = zhizao(
        "plan", "export", "shaoxing-2021-2025", "--format", "xlsx", "-o", str(xlsx), db_dir=db_dir
    )
    assert result.returncode == 0
    assert xlsx.read_bytes()[:2] == b"PK"


def test_check_refuses_a_bad_file_with_exit_code_1(db_dir, tmp_path):
    data = default_plan_data()
    indicator(data, 6)["target"] = 5001
    path = write_plan_file(tmp_path, data)
    result = zhizao("plan", "check", str(path), db_dir=db_dir)
    assert result.returncode == 1
    assert "指标 6「完成规上企业智能化改造家数」是累计存量指标" in result.stderr
    assert "与五年目标 5001 不符" in result.stderr


def test_export_of_an_unknown_plan_fails(db_dir):
    result = zhizao("plan", "export", "nowhere", db_dir=db_dir)
    assert result.returncode == 1
    assert "找不到代码为「nowhere」的方案" in result.stderr


def test_demo_accounts_are_created_once_and_printed(db_dir):
    assert zhizao("plan", "load", "default", db_dir=db_dir).returncode == 0
    first = zhizao("demo", db_dir=db_dir)
    second = zhizao("demo", db_dir=db_dir)
    assert "admin / zhizao-admin" in first.stdout
    assert "区县用户（越城区）: yuecheng / zhizao-demo" in first.stdout
    assert "演示账号：新建 0 个，已有 6 个。" in second.stdout
    assert "演示企业：已生成 6000 家（规上 4500 家）" in first.stdout
    assert "保留现有数据" in second.stdout


def _without_secret(*args: str) -> subprocess.CompletedProcess:
    # An empty key wins over a developer's .env (the real environment wins over the file).
    env = {k: v for k, v in os.environ.items() if k != "DEBUG"}
    env.update(SECRET_KEY="", DATABASE_URL="")
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_code_only_commands_run_on_a_fresh_checkout_without_a_secret_key():
    result = _without_secret("makemigrations", "--check", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout


def test_commands_that_write_still_need_a_secret_key():
    result = _without_secret("migrate", "--plan")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr
