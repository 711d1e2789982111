"""Small factories for the diagnosis app: a hand-computable questionnaire, answer sheets for it,
and assessments and diagnoses at any step.

The small questionnaire has three sub-domains in two domains:
    组织战略 (OS): one requirement at each level 1–5;
    生产 = 计划与调度 (PS): one requirement at levels 1–4, none at level 5;
         + 生产作业 (PO): two at each level; PO-x-02 and PO-5-01 allow 不适用.
Weights: 离散型 OS 0.5, PS 0.3, PO 0.2; 流程型 OS 0.2, PS 0.3, PO 0.5."""

import copy
import datetime
import itertools
from decimal import Decimal
from pathlib import Path

import yaml

from tests.accounts.factories import make_user
from zhizao.core.roles import Role
from zhizao.diagnosis.models import (
    AssessmentStatus,
    DiagnosisStatus,
    ExpertDiagnosis,
    IndustryType,
    SelfAssessment,
)
from zhizao.diagnosis.questionnaire import Questionnaire, parse_questionnaire

_serial = itertools.count(1)

FULL, MOST, PART, NOT, NA = "全部满足", "大部分满足", "部分满足", "不满足", "不适用"


def _requirement(rid: str, na: bool = False) -> dict:
    code, level, _ = rid.split("-")
    item = {
        "id": rid,
        "subdomain": code,
        "level": int(level),
        "text": f"测试要求 {rid}",
        "evidence": "测试证据",
    }
    if na:
        item["not_applicable"] = True
    return item


def _requirements() -> list[dict]:
    items = []
    for level in range(1, 6):
        items.append(_requirement(f"OS-{level}-01"))
        if level < 5:
            items.append(_requirement(f"PS-{level}-01"))
        items.append(_requirement(f"PO-{level}-01", na=level == 5))
        items.append(_requirement(f"PO-{level}-02", na=True))
    return items


MINI = {
    "version": "test-1",
    "title": "测试问卷",
    "industry_types": ["离散型", "流程型"],
    "levels": [
        {"level": 1, "label": "一级", "name": "规划级"},
        {"level": 2, "label": "二级", "name": "规范级"},
        {"level": 3, "label": "三级", "name": "集成级"},
        {"level": 4, "label": "四级", "name": "优化级"},
        {"level": 5, "label": "五级", "name": "引领级"},
    ],
    "scale": [
        {"label": NOT, "score": 0},
        {"label": PART, "score": 0.5},
        {"label": MOST, "score": 0.8},
        {"label": FULL, "score": 1},
    ],
    "not_applicable": NA,
    "threshold": 0.8,
    "bands": [
        {"level": 0, "from": 0, "name": "未达一级"},
        {"level": 1, "from": 0.8},
        {"level": 2, "from": 1.8},
        {"level": 3, "from": 2.8},
        {"level": 4, "from": 3.8},
        {"level": 5, "from": 4.8},
    ],
    "elements": [
        {
            "name": "人员",
            "domains": [{"name": "组织战略", "subdomains": [{"code": "OS", "name": "组织战略"}]}],
        },
        {
            "name": "制造",
            "domains": [
                {
                    "name": "生产",
                    "subdomains": [
                        {"code": "PS", "name": "计划与调度"},
                        {"code": "PO", "name": "生产作业"},
                    ],
                }
            ],
        },
    ],
    "weights": {
        "离散型": {"OS": 0.5, "PS": 0.3, "PO": 0.2},
        "流程型": {"OS": 0.2, "PS": 0.3, "PO": 0.5},
    },
    "requirements": _requirements(),
}


def mini_data() -> dict:
    return copy.deepcopy(MINI)


def mini_questionnaire() -> Questionnaire:
    return parse_questionnaire(mini_data())


def write_questionnaire(folder: Path, data: dict | None = None, name="questionnaire.yaml") -> Path:
    path = Path(folder) / name
    path.write_text(yaml.safe_dump(data or mini_data(), allow_unicode=True), encoding="utf-8")
    return path


def sheet(rows: dict[int, tuple]) -> dict[str, str]:
    """Answers from {level: (OS, PS, PO-01, PO-02)}; PS asks nothing at level 5 (give None)."""
    answers = {}
    for level, (os_, ps, po1, po2) in rows.items():
        answers[f"OS-{level}-01"] = os_
        if ps is not None:
            answers[f"PS-{level}-01"] = ps
        answers[f"PO-{level}-01"] = po1
        answers[f"PO-{level}-02"] = po2
    return answers


# The example as 离散型 (weights OS 0.5, PS 0.3, PO 0.2):
#   level 1: OS 1, PS 1, PO (1 + 0.5)/2 = 0.75      → 0.5 + 0.3 + 0.15     = 0.95
#   level 2: OS 1, PS 0.5, PO 1                     → 0.5 + 0.15 + 0.2     = 0.85
#   level 3: OS 0.8, PS 0.5, PO (0.5 + 0)/2 = 0.25  → 0.4 + 0.15 + 0.05    = 0.60
#   level 4: OS 0.5, PS 0, PO 0.25                  → 0.25 + 0 + 0.05      = 0.30
#   level 5: OS 0, PO 0 (PS asks nothing)           → 0 / 0.7              = 0
#   S = 0.95 + 0.85 + 0.60 (the first level below 0.8, included) = 2.40 → 二级 (规范级)
EXAMPLE = sheet(
    {
        1: (FULL, FULL, FULL, PART),
        2: (FULL, PART, FULL, FULL),
        3: (MOST, PART, PART, NOT),
        4: (PART, NOT, PART, NOT),
        5: (NOT, None, NOT, NOT),
    }
)


def uniform(q: Questionnaire, by_level: dict[int, str]) -> dict[str, str]:
    """The same answer to every requirement of a level."""
    return {r.id: by_level[r.level] for r in q.requirements}


# --- records -------------------------------------------------------------------------------


def make_diagnostician(role: Role = Role.EXPERT, name: str | None = None, **fields):
    """An expert (or a provider) named `name`, or 专家1, 专家2 …"""
    return make_user(role, full_name=name or f"专家{next(_serial)}", **fields)


def make_assessment(
    enterprise,
    year: int,
    *,
    status: str = AssessmentStatus.SUBMITTED,
    total: str | None = "1.0000",
    level: int | None = 1,
    **fields,
) -> SelfAssessment:
    """A record as the services leave it (the scores are not recomputed here)."""
    submitted = status == AssessmentStatus.SUBMITTED
    return SelfAssessment.objects.create(
        enterprise=enterprise,
        year=year,
        status=status,
        questionnaire_version=fields.pop("questionnaire_version", "test-1"),
        industry_type=fields.pop("industry_type", IndustryType.DISCRETE),
        total=Decimal(total) if submitted and total is not None else None,
        level=level if submitted else None,
        submitted_at=fields.pop(
            "submitted_at",
            datetime.datetime(year, 6, 30, tzinfo=datetime.UTC) if submitted else None,
        ),
        **fields,
    )


def make_diagnosis(
    enterprise,
    diagnostician=None,
    *,
    status: str = DiagnosisStatus.SUBMITTED,
    visit_date: datetime.date | None = None,
    **fields,
) -> ExpertDiagnosis:
    return ExpertDiagnosis.objects.create(
        enterprise=enterprise,
        diagnostician=diagnostician or make_diagnostician(),
        status=status,
        visit_date=visit_date,
        questionnaire_version="test-1",
        **fields,
    )
