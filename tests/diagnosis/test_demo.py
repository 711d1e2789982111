"""The diagnosis demo (`zhizao demo`): self-assessments of a realistic share of the above-scale
enterprises, most at 一级 or below, scored by the real scoring; a draft to carry on with for the
demo enterprise user; expert diagnoses at every step; idempotent."""

from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command

from zhizao.accounts.models import User
from zhizao.core import demo_steps
from zhizao.diagnosis.models import (
    AssessmentStatus,
    DiagnosisStatus,
    ExpertDiagnosis,
    SelfAssessment,
)
from zhizao.diagnosis.questionnaire import load_questionnaire
from zhizao.diagnosis.scoring import score_answers
from zhizao.diagnosis.services import assessment_report, coverage

SMALL = 1000  # 750 above-scale enterprises


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def demo(plan) -> str:
    return run_demo("--enterprises", str(SMALL), "--years", "2020-2024")


def test_the_step_is_registered():
    assert "diagnosis" in {step.name for step in demo_steps.registered_steps()}


def test_self_assessments_of_a_realistic_share_mostly_at_level_one_or_below(demo):
    submitted = SelfAssessment.objects.filter(status=AssessmentStatus.SUBMITTED)
    years = set(submitted.values_list("year", flat=True))
    assert years == {2022, 2023, 2024, 2025}
    enterprises = submitted.values("enterprise").distinct().count()
    # some 17 % of the 750 above-scale enterprises, a few more than once
    assert 80 <= enterprises <= 200 and submitted.count() > enterprises
    levels = Counter(submitted.values_list("level", flat=True))
    total = sum(levels.values())
    assert (levels[0] + levels[1]) / total > 0.6
    assert levels[1] > levels[2] > levels[3] >= levels[4] + levels[5]
    assert (levels[4] + levels[5]) / total < 0.06
    assert "诊断服务：已生成 2022—2025 年已提交的自评估" in demo


def test_the_scores_are_the_real_scoring_of_the_answers(demo):
    q = load_questionnaire()
    for record in SelfAssessment.objects.filter(status=AssessmentStatus.SUBMITTED)[:40]:
        scores = score_answers(q, record.industry_type_name, record.answers)
        assert (record.total, record.level) == (scores.total, scores.level)
        assert record.level_scores == scores.stored()["level_scores"]
        assert record.domain_scores == scores.stored()["domain_scores"]
    for record in ExpertDiagnosis.objects.exclude(status=DiagnosisStatus.ASSIGNED)[:10]:
        assert record.total == score_answers(q, record.industry_type_name, record.answers).total


def test_the_demo_enterprise_has_history_and_a_draft_to_carry_on(demo):
    member = User.objects.get(username="enterprise")
    enterprise = member.enterprises.get()
    records = SelfAssessment.objects.filter(enterprise=enterprise).order_by("year")
    assert [r.status for r in records] == ["submitted", "submitted", "draft"]
    draft = records.last()
    assert 0 < len(draft.answers) < len(load_questionnaire().requirements)
    report = assessment_report(records[1])
    assert len(report.history) == 2 and report.district_count >= 1
    # and a diagnosis waits for its acknowledgement
    waiting = ExpertDiagnosis.objects.get(enterprise=enterprise)
    assert waiting.status == DiagnosisStatus.SUBMITTED


def test_expert_diagnoses_at_every_step_by_the_demo_expert(demo):
    expert = User.objects.get(username="expert")
    statuses = Counter(
        ExpertDiagnosis.objects.filter(diagnostician=expert).values_list("status", flat=True)
    )
    assert all(statuses[s] > 0 for s in DiagnosisStatus.values)
    assert ExpertDiagnosis.objects.filter(diagnostician__username="provider").exists()
    visited = ExpertDiagnosis.objects.exclude(status=DiagnosisStatus.ASSIGNED)
    for record in visited:
        assert record.findings and record.measures and record.visit_date
        assert record.assigned_at.date() <= record.visit_date
    # they count towards coverage
    assert coverage(as_of_year=2025).total.expert_diagnosed > 0


def test_each_record_has_its_creation_in_the_history(demo):
    assert SelfAssessment.history.count() == SelfAssessment.objects.count()
    entry = SelfAssessment.history.first()
    assert entry.history_type == "+" and entry.history_change_reason == "生成演示数据"


def test_a_second_run_keeps_what_is_there(demo):
    before = (SelfAssessment.objects.count(), ExpertDiagnosis.objects.count())
    out = run_demo("--enterprises", str(SMALL))
    assert "诊断服务：库中已有" in out and "保留现有数据" in out
    assert (SelfAssessment.objects.count(), ExpertDiagnosis.objects.count()) == before


def test_the_same_seed_gives_the_same_data(plan):
    from zhizao.diagnosis.demo import generate_diagnosis_demo
    from zhizao.enterprises.demo import DEFAULT_SEED

    run_demo("--enterprises", "200", "--years", "2020-2024")
    first = list(
        SelfAssessment.objects.order_by("enterprise_id", "year").values_list("total", flat=True)
    )
    SelfAssessment.history.all().delete()
    ExpertDiagnosis.history.all().delete()
    ExpertDiagnosis.objects.all().delete()
    SelfAssessment.objects.all().delete()
    generate_diagnosis_demo(seed=DEFAULT_SEED, years=range(2020, 2025))
    again = list(
        SelfAssessment.objects.order_by("enterprise_id", "year").values_list("total", flat=True)
    )
    assert first == again
