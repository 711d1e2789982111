"""Plan files for tests: the default plan as a dict to change one thing in, and loaders."""

import copy
from pathlib import Path

import yaml

from zhizao.plans.models import Plan
from zhizao.plans.planfile import DEFAULT_PLAN_FILE, read_plan_file, read_plan_text
from zhizao.plans.services import load_plan

DEFAULT_PLAN_CODE = "shaoxing-2021-2025"
_DEFAULT = yaml.safe_load(DEFAULT_PLAN_FILE.read_text(encoding="utf-8"))


def default_plan_data() -> dict:
    return copy.deepcopy(_DEFAULT)


def indicator(data: dict, number: int) -> dict:
    return next(i for i in data["indicators"] if i["number"] == number)


def region_item(data: dict, number: int) -> dict:
    return next(i for i in data["region_targets"] if i["indicator"] == number)


def plan_yaml(data: dict) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def write_plan_file(tmp_path: Path, data: dict, name: str = "plan.yaml") -> Path:
    path = tmp_path / name
    path.write_text(plan_yaml(data), encoding="utf-8")
    return path


def load_default_plan() -> Plan:
    return load_plan(read_plan_file(DEFAULT_PLAN_FILE)).plan


def load_plan_data(data: dict) -> Plan:
    return load_plan(read_plan_text(plan_yaml(data))).plan
