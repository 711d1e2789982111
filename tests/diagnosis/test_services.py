"""The self-assessment and the expert diagnosis through their services: who may do what, what
is saved and locked, the messages refusals give, scoping, and the report's figures."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.accounts.factories import make_user
from tests.diagnosis.factories import (
    EXAMPLE,
    FULL,
    MOST,
    PART,
    make_assessment,
    make_diagnosis,
    make_diagnostician,
    write_questionnaire,
)
from tests.enterprises.factories import make_enterprise
from zhizao.core.models import Notification
from zhizao.core.roles import Role
from zhizao.core.scoping import scope_queryset
from zhizao.diagnosis.models import (
    AssessmentStatus,
    DiagnosisStatus,
    ExpertDiagnosis,
    IndustryType,
    SelfAssessment,
)
from zhizao.diagnosis.services import (
    DiagnosisError,
    DiagnosisForbidden,
    acknowledge_diagnosis,
    assessment_report,
    assign_diagnosis,
    diagnosis_report,
    latest_assessment,
    record_diagnosis,
    save_answers,
    start_assessment,
    submit_assessment,
    suggested_industry_type,
)

D = Decimal


@pytest.fixture(autouse=True)
def mini(settings, tmp_path):
    """The small, hand-computable questionnaire of the factories is the one in force."""
    settings.ZHIZAO_DIAGNOSIS_QUESTIONNAIRE = write_questionnaire(tmp_path)


@pytest.fixture
def firm(enterprise_user):
    enterprise = make_enterprise("越城智造有限公司", region="越城区", cluster="现代纺织")
    enterprise.members.add(enterprise_user)
    return enterprise


def _submitted(firm, user, year=2024, answers=EXAMPLE):
    assessment = start_assessment(firm, user, "离散型", year)
    save_answers(assessment, user, answers)
    return submit_assessment(assessment, user)


# --- the self-assessment ---------------------------------------------------------------------


def test_answers_are_saved_as_given_over_several_sittings(firm, enterprise_user):
    # given a new draft
    assessment = start_assessment(firm, enterprise_user, "离散型", 2024)
    assert (assessment.status, assessment.questionnaire_version) == ("draft", "test-1")

    # when the enterprise answers in three sittings, changing one answer and clearing another
    save_answers(assessment, enterprise_user, {"OS-1-01": FULL, "PS-1-01": PART})
    save_answers(assessment, enterprise_user, {"PO-1-01": MOST, "OS-1-01": PART})
    save_answers(assessment, enterprise_user, {"PS-1-01": ""})

    # then the draft holds the answers as last given
    assessment.refresh_from_db()
    assert assessment.answers == {"OS-1-01": PART, "PO-1-01": MOST}
    assert assessment.total is None
    # and each sitting is a history entry, with who and why
    entries = [
        (h.history_change_reason, h.history_user)
        for h in assessment.history.order_by("history_date", "history_id")
    ]
    assert entries == [
        ("开始自评估", enterprise_user),
        ("保存答案 2 条", enterprise_user),
        ("保存答案 2 条", enterprise_user),
        ("保存答案 1 条", enterprise_user),
    ]


def test_unknown_ids_and_labels_are_refused_by_name_and_nothing_is_saved(firm, enterprise_user):
    assessment = start_assessment(firm, enterprise_user, "离散型", 2024)
    save_answers(assessment, enterprise_user, {"OS-1-01": FULL})

    with pytest.raises(DiagnosisError) as refused:
        save_answers(
            assessment, enterprise_user, {"PS-1-01": FULL, "XX-9-99": FULL, "PO-1-01": "很好"}
        )

    assert refused.value.errors == [
        "要求「XX-9-99」不在问卷（版本 test-1）中。",
        "要求「PO-1-01」的答案「很好」无效，应为 不满足、部分满足、大部分满足、全部满足 之一。",
    ]
    assessment.refresh_from_db()
    assert assessment.answers == {"OS-1-01": FULL}


def test_submit_needs_every_requirement_answered(firm, enterprise_user):
    assessment = start_assessment(firm, enterprise_user, "离散型", 2024)
    incomplete = {k: v for k, v in EXAMPLE.items() if k not in ("OS-5-01", "PO-4-02")}
    save_answers(assessment, enterprise_user, incomplete)

    with pytest.raises(DiagnosisError) as refused:
        submit_assessment(assessment, enterprise_user)

    assert str(refused.value) == "以下 2 条要求尚未作答：PO-4-02、OS-5-01。"
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.DRAFT


def test_submit_scores_the_assessment_and_locks_it(firm, enterprise_user):
    # when the example's answers are submitted (S = 2.40 → 二级, see test_scoring)
    assessment = _submitted(firm, enterprise_user)

    # then the scores are stored with the record
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.SUBMITTED
    assert (assessment.total, assessment.level) == (D("2.40"), 2)
    assert assessment.level_scores == {
        "1": "0.9500",
        "2": "0.8500",
        "3": "0.6000",
        "4": "0.3000",
        "5": "0.0000",
    }
    assert assessment.domain_scores == {"组织战略": "3.3000", "生产": "1.6000"}
    assert assessment.submitted_at is not None
    # and it cannot change any more
    day = f"{timezone.localtime(assessment.submitted_at):%Y-%m-%d}"
    for attempt in (
        lambda: save_answers(assessment, enterprise_user, {"OS-1-01": PART}),
        lambda: submit_assessment(assessment, enterprise_user),
    ):
        with pytest.raises(DiagnosisError) as refused:
            attempt()
        assert str(refused.value) == f"该自评估已于 {day} 提交，不能再修改。"
    with pytest.raises(DiagnosisError) as refused:
        start_assessment(firm, enterprise_user, "流程型", 2024)
    assert str(refused.value) == f"越城智造有限公司2024年的自评估已于 {day} 提交，不能重复开始。"


def test_one_draft_a_year_and_not_for_a_future_year(firm, enterprise_user):
    draft = start_assessment(firm, enterprise_user, IndustryType.PROCESS, 2024)
    day = f"{timezone.localtime(draft.started_at):%Y-%m-%d}"

    with pytest.raises(DiagnosisError) as refused:
        start_assessment(firm, enterprise_user, "流程型", 2024)
    assert (
        str(refused.value) == f"越城智造有限公司已有2024年的自评估草稿（{day} 开始），请继续填写。"
    )
    with pytest.raises(DiagnosisError, match="评估年度 2031 晚于今年（2030年）。"):
        start_assessment(firm, enterprise_user, "流程型", 2031, today=datetime.date(2030, 1, 1))
    with pytest.raises(DiagnosisError, match="行业类型「装配型」无效，应为离散型或流程型。"):
        start_assessment(firm, enterprise_user, "装配型", 2023)


def test_only_the_enterprises_own_users_fill_in_its_assessment(firm, enterprise_user, plan):
    other = make_user(Role.ENTERPRISE, "越城区")
    make_enterprise("别家公司", region="越城区").members.add(other)

    with pytest.raises(DiagnosisForbidden, match="您不能为该企业填写自评估。"):
        start_assessment(firm, other, "离散型", 2024)
    assessment = start_assessment(firm, enterprise_user, "离散型", 2024)
    with pytest.raises(DiagnosisForbidden, match="您不能填写该企业的自评估。"):
        save_answers(assessment, other, {"OS-1-01": FULL})


def test_the_industry_type_is_suggested_from_the_industry_code(plan):
    dyeing = make_enterprise(industry_code="1713")
    machinery = make_enterprise(industry_code="3411")

    assert suggested_industry_type(dyeing) == IndustryType.PROCESS
    assert suggested_industry_type(machinery) == IndustryType.DISCRETE


# --- scoping ---------------------------------------------------------------------------------


def test_each_role_sees_only_its_own_assessments(
    firm, enterprise_user, yuecheng_officer, keqiao_officer, city_admin
):
    # given one assessment in 越城区 and one in 柯桥区
    ours = make_assessment(firm, 2024)
    theirs_enterprise = make_enterprise("柯桥纺织有限公司", region="柯桥区")
    theirs = make_assessment(theirs_enterprise, 2024)
    expert = make_diagnostician()
    everything = SelfAssessment.objects.all()

    # then
    assert list(scope_queryset(enterprise_user, everything)) == [ours]
    assert list(scope_queryset(yuecheng_officer, everything)) == [ours]
    assert list(scope_queryset(keqiao_officer, everything)) == [theirs]
    assert not scope_queryset(keqiao_officer, everything.filter(pk=ours.pk)).exists()
    assert scope_queryset(city_admin, everything).count() == 2
    assert not scope_queryset(expert, everything).exists()


def test_a_diagnosis_is_seen_by_its_diagnostician_enterprise_and_district_only(
    firm, enterprise_user, yuecheng_officer, keqiao_officer
):
    assigned, other = make_diagnostician(), make_diagnostician()
    diagnosis = make_diagnosis(firm, assigned)
    everything = ExpertDiagnosis.objects.all()

    assert list(scope_queryset(assigned, everything)) == [diagnosis]
    assert not scope_queryset(other, everything).exists()
    assert list(scope_queryset(enterprise_user, everything)) == [diagnosis]
    assert list(scope_queryset(yuecheng_officer, everything)) == [diagnosis]
    assert not scope_queryset(keqiao_officer, everything).exists()


def test_a_provider_sees_the_diagnoses_assigned_to_it(firm):
    provider = make_diagnostician(Role.PROVIDER, "某服务商")
    diagnosis = make_diagnosis(firm, provider)

    assert list(scope_queryset(provider, ExpertDiagnosis.objects.all())) == [diagnosis]


# --- assigning a diagnosis -------------------------------------------------------------------


def test_the_city_or_the_enterprises_district_assigns_an_expert_or_a_provider(
    firm, city_admin, yuecheng_officer
):
    expert = make_diagnostician(name="王专家")
    provider = make_diagnostician(Role.PROVIDER, "某服务商")

    by_city = assign_diagnosis(firm, expert, city_admin, today=datetime.date(2026, 12, 8))
    by_district = assign_diagnosis(firm, provider, yuecheng_officer)

    assert (by_city.status, by_city.assigned_by) == (DiagnosisStatus.ASSIGNED, city_admin)
    assert by_district.diagnostician == provider
    # due 14 days (ZHIZAO_EXPERT_DUE_DAYS) after 2026-12-08
    assert by_city.due_on == datetime.date(2026, 12, 22)
    assert (
        Notification.objects.get(user=expert).text
        == "请于 2026-12-22 前对越城智造有限公司开展现场诊断。"
    )
    assert by_city.history.first().history_change_reason == "分配现场诊断"


def test_assignment_refusals(firm, enterprise_user, keqiao_officer, city_admin):
    expert = make_diagnostician(name="王专家")
    linked = make_diagnostician(name="李专家")
    firm.linked_experts.add(linked)
    retired = make_diagnostician(name="赵专家", is_active=False)
    assign_diagnosis(firm, expert, city_admin)

    cases = [
        (keqiao_officer, expert, "越城智造有限公司属于越城区，您只能为本区县的企业分配现场诊断。"),
        (enterprise_user, expert, "只有市级管理员或区县用户可以分配现场诊断。"),
        (
            city_admin,
            enterprise_user,
            "「enterprise-user」不是在册的专家或服务商，不能分配现场诊断。",
        ),
        (city_admin, retired, "「赵专家」不是在册的专家或服务商，不能分配现场诊断。"),
        (city_admin, linked, "「李专家」已声明与越城智造有限公司存在关联，须回避，不能分配。"),
        (city_admin, expert, "「王专家」已被分配诊断越城智造有限公司，尚未完成，不能重复分配。"),
    ]
    for user, diagnostician, message in cases:
        with pytest.raises(DiagnosisError) as refused:
            assign_diagnosis(firm, diagnostician, user)
        assert str(refused.value) == message
    assert ExpertDiagnosis.objects.count() == 1


# --- recording and acknowledging -------------------------------------------------------------


def _record(diagnosis, user, **overrides):
    values = {
        "visit_date": datetime.date(2024, 5, 10),
        "findings": {"组织战略": " 规划已有，缺少考核 ", "生产": "排产靠人工"},
        "answers": EXAMPLE,
        "industry_type": "离散型",
        "measures": "上线 MES，建设设备联网",
        "estimated_investment": "350.5",
        "expected_effect": "生产效率提高 15%",
        **overrides,
    }
    return record_diagnosis(diagnosis, user, **values)


def test_the_diagnostician_records_the_visit_and_the_enterprise_acknowledges_it(
    firm, enterprise_user, city_admin
):
    # given an assignment
    expert = make_diagnostician()
    diagnosis = assign_diagnosis(firm, expert, city_admin)

    # when the expert records the visit with their own scoring of the example's answers
    _record(diagnosis, expert)

    # then the diagnosis is scored like a self-assessment (S = 2.40 → 二级)
    diagnosis.refresh_from_db()
    assert diagnosis.status == DiagnosisStatus.SUBMITTED
    assert (diagnosis.total, diagnosis.level) == (D("2.40"), 2)
    assert diagnosis.findings == {"组织战略": "规划已有，缺少考核", "生产": "排产靠人工"}
    assert diagnosis.estimated_investment == D("350.5")
    assert diagnosis_report(diagnosis).level_name == "规范级"
    assert Notification.objects.filter(user=enterprise_user, text__contains="请查看并确认").exists()

    # when the enterprise acknowledges it
    acknowledge_diagnosis(diagnosis, enterprise_user)

    # then it is final
    diagnosis.refresh_from_db()
    assert (diagnosis.status, diagnosis.acknowledged_by) == ("acknowledged", enterprise_user)
    day = f"{timezone.localtime(diagnosis.acknowledged_at):%Y-%m-%d}"
    with pytest.raises(DiagnosisError) as refused:
        _record(diagnosis, expert)
    assert str(refused.value) == f"越城智造有限公司已于 {day} 确认该诊断，不能再修改。"
    with pytest.raises(DiagnosisError) as refused:
        acknowledge_diagnosis(diagnosis, enterprise_user)
    assert str(refused.value) == f"该诊断已于 {day} 确认。"
    reasons = [h.history_change_reason for h in diagnosis.history.order_by("history_id")]
    assert reasons == ["分配现场诊断", "提交现场诊断", "企业确认诊断"]


def test_recording_refusals(firm, enterprise_user, city_admin):
    expert, other = make_diagnostician(), make_diagnostician()
    diagnosis = assign_diagnosis(firm, expert, city_admin)
    incomplete = {k: v for k, v in EXAMPLE.items() if k != "PS-4-01"}

    cases = [
        (other, {}, "只有被分配的诊断专家（服务商）本人可以填写该诊断。"),
        (expert, {"visit_date": datetime.date(2099, 1, 1)}, "诊断日期 2099-01-01 晚于今天。"),
        (expert, {"findings": {"财务": "x"}}, "诊断发现中的能力域「财务」不在问卷中。"),
        (expert, {"findings": {"生产": " ", "组织战略": ""}}, "请至少填写一个能力域的诊断发现。"),
        (expert, {"measures": " "}, "请填写改造方案的主要措施。"),
        (expert, {"estimated_investment": "-1"}, "预计投资「-1」万元不能为负数。"),
        (expert, {"answers": incomplete}, "以下 1 条要求尚未作答：PS-4-01。"),
    ]
    for user, overrides, message in cases:
        with pytest.raises(DiagnosisError) as refused:
            _record(diagnosis, user, **overrides)
        assert str(refused.value) == message
    with pytest.raises(DiagnosisError, match="该诊断尚未提交，不能确认。"):
        acknowledge_diagnosis(diagnosis, enterprise_user)
    _record(diagnosis, expert)
    with pytest.raises(DiagnosisForbidden, match="只有该企业的用户可以确认现场诊断。"):
        acknowledge_diagnosis(diagnosis, make_user(Role.ENTERPRISE))


# --- the report ------------------------------------------------------------------------------


def test_the_report_compares_with_the_district_and_cluster_medians(settings, firm, enterprise_user):
    # given (N = 3: the window for a 2024 assessment is 2022–2024)
    settings.ZHIZAO_DIAGNOSIS_COVERAGE_YEARS = 3
    make_assessment(firm, 2022, total="1.5")
    ours = _submitted(firm, enterprise_user, 2024)  # S = 2.40
    p1 = make_enterprise(region="越城区", cluster="现代纺织")
    make_assessment(p1, 2020, total="0.3")  # before the window
    make_assessment(p1, 2023, total="1.2")  # p1's latest in the window
    make_assessment(make_enterprise(region="越城区", cluster="黄酒"), 2024, total="0.6")
    make_assessment(make_enterprise(region="柯桥区", cluster="现代纺织"), 2022, total="3.1")
    make_assessment(make_enterprise(region="柯桥区", cluster="现代纺织"), 2024, total="2.0")
    make_assessment(make_enterprise(region="柯桥区", cluster="现代纺织"), 2021, total="4.0")
    make_assessment(make_enterprise(region="越城区"), 2024, status=AssessmentStatus.DRAFT)

    # when
    report = assessment_report(ours)

    # then S, level and scores
    assert (report.total, report.level, report.level_label, report.level_name) == (
        D("2.40"),
        2,
        "二级",
        "规范级",
    )
    assert report.level_scores[3] == D("0.6")
    assert report.counted_levels == (1, 2, 3)
    assert report.domain_scores == {"组织战略": D("3.3"), "生产": D("1.6")}
    assert [g.requirement.id for g in report.gaps] == ["OS-3-01", "PS-3-01", "PO-3-01", "PO-3-02"]
    # and the history of the enterprise's submitted assessments
    assert [(h.year, h.total, h.level_label) for h in report.history] == [
        (2022, D("1.5"), "一级"),
        (2024, D("2.40"), "二级"),
    ]
    # and 越城区: 2.40, 1.2, 0.6 → median 1.2
    assert (report.district_median, report.district_count) == (D("1.2"), 3)
    # and 现代纺织: 2.40, 1.2, 3.1, 2.0 → median (2.0 + 2.40) / 2 = 2.2
    assert (report.cluster_median, report.cluster_count) == (D("2.2"), 4)
    assert report.comparison_years == (2022, 2024)
    assert latest_assessment(firm) == ours


def test_a_draft_has_no_report(firm, enterprise_user):
    assessment = start_assessment(firm, enterprise_user, "离散型", 2024)

    with pytest.raises(DiagnosisError, match="该自评估尚未提交，还没有报告。"):
        assessment_report(assessment)
    assert latest_assessment(firm) is None
    assert latest_assessment(firm, include_drafts=True) == assessment
