"""A notification for every state change of every workflow, addressed to the people the work
now waits for (or whose work it was), and to nobody else: one case per row of the table in
docs/notifications.md."""

import pytest

from tests.accounts.factories import make_user
from tests.bridge.factories import make_match, make_need, make_provider_user, make_solution
from tests.cultivation.factories import make_application, make_batch, make_expert
from tests.diagnosis.factories import make_diagnosis
from tests.enterprises.factories import make_enterprise, make_report
from zhizao.bridge.models import MatchStatus
from zhizao.bridge.needs import advance_match, close_match
from zhizao.core.models import Notification
from zhizao.core.roles import Role
from zhizao.cultivation import review
from zhizao.cultivation.models import ApplicationStatus, ExpertReview
from zhizao.diagnosis.models import DiagnosisStatus
from zhizao.diagnosis.services import acknowledge_diagnosis, assign_diagnosis
from zhizao.enterprises import services as reports
from zhizao.enterprises.models import ReportStatus

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def people(plan, city_admin, yuecheng_officer, keqiao_officer, enterprise_user):
    firm = make_enterprise("越城智造有限公司", "越城区")
    firm.members.add(enterprise_user)
    bystander = make_user(Role.ENTERPRISE, "越城区", username="bystander")
    return {
        "city": city_admin,
        "yuecheng": yuecheng_officer,
        "keqiao": keqiao_officer,
        "member": enterprise_user,
        "bystander": bystander,
        "firm": firm,
        "expert": make_expert("王"),
        "provider": make_provider_user(),
    }


def _application(p, status, code="municipal-digital-workshop"):
    batch = make_batch(code, required_attachments=[])
    return make_application(p["firm"], batch, status, project_name="数字化车间项目")


def _scored(p, code="municipal-digital-workshop"):
    return _application(p, ApplicationStatus.SCORED, code)


# --- the transitions: each does one step and names who must be told -------------------------


def _report(p, status):
    return make_report(p["firm"], 2025, status)


def submit_report(p):
    reports.submit_report(_report(p, ReportStatus.DRAFT), p["member"])
    return ["yuecheng"], "越城智造有限公司提交了2025年智能制造数据，待区县审核"


def withdraw_report(p):
    reports.withdraw_report(_report(p, ReportStatus.SUBMITTED), p["member"], "数据有误")
    return ["yuecheng"], "越城智造有限公司撤回了2025年智能制造数据"


def district_approves_report(p):
    reports.approve_report(_report(p, ReportStatus.SUBMITTED), p["yuecheng"])
    return ["member", "city"], "2025年智能制造数据已通过区县审核，待市级审核"


def city_approves_report(p):
    reports.approve_report(_report(p, ReportStatus.DISTRICT_APPROVED), p["city"])
    return ["member"], "2025年智能制造数据已通过市级审核"


def district_returns_report(p):
    reports.return_report(_report(p, ReportStatus.SUBMITTED), p["yuecheng"], "产值有误")
    return ["member"], "2025年智能制造数据被退回修改：产值有误"


def city_returns_report(p):
    reports.return_report(_report(p, ReportStatus.DISTRICT_APPROVED), p["city"], "口径不符")
    return ["member", "yuecheng"], "2025年智能制造数据被"


def submit_application(p):
    review.submit_application(_application(p, ApplicationStatus.DRAFT), p["member"])
    return ["yuecheng"], "提交了「市级数字化车间」申报，待区县审核"


def pass_district_review(p):
    review.pass_district_review(_application(p, ApplicationStatus.SUBMITTED), p["yuecheng"])
    return ["city", "member"], "待分配评审专家"


def return_application(p):
    application = _application(p, ApplicationStatus.SUBMITTED)
    review.return_application(application, p["yuecheng"], "缺少设备清单")
    return ["member"], "被退回修改：缺少设备清单"


def assign_experts(p):
    application = _application(p, ApplicationStatus.DISTRICT_PASSED)
    review.assign_experts(application, [p["expert"]], p["city"])
    return ["expert"], "请于 2026-12-22 前评审越城智造有限公司的「市级数字化车间」申报"


def score_application(p):
    application = _application(p, ApplicationStatus.EXPERT_REVIEW)
    own = ExpertReview.objects.create(application=application, expert=p["expert"])
    review.score_application(own, p["expert"], [36, 30, 16], "场景完整")
    return ["city"], "专家评审完成（均分 82.00），待市级认定"


def recognise_application(p):
    review.recognise_application(_scored(p), p["city"], document_number="绍市经信〔2026〕12号")
    return ["member"], "被认定为市级数字化车间（绍市经信〔2026〕12号）"


def recommend_to_province(p):
    review.recommend_to_province(_scored(p, "provincial-smart-factory"), p["city"])
    return ["member"], "已由市级推荐申报省级智能工厂（数字化车间），待省级认定"


def reject_application(p):
    review.reject_application(_scored(p), p["city"], "场景不足")
    return ["member"], "未获认定：场景不足"


def assign_a_diagnosis(p):
    assign_diagnosis(p["firm"], p["expert"], p["yuecheng"])
    return ["expert"], "请于 2026-12-22 前对越城智造有限公司开展现场诊断"


def acknowledge_a_diagnosis(p):
    diagnosis = make_diagnosis(p["firm"], p["expert"], status=DiagnosisStatus.SUBMITTED)
    acknowledge_diagnosis(diagnosis, p["member"])
    return ["expert"], "越城智造有限公司已确认您提交的现场诊断"


def _match(p, status=MatchStatus.RECOMMENDED):
    need = make_need(p["firm"], title="冲压MES")
    solution = make_solution("冲压MES方案", maintainers=[p["provider"]])
    return make_match(need, solution, status=status)


def provider_contacts(p):
    advance_match(_match(p), p["provider"], MatchStatus.CONTACTED)
    return ["member"], "对接已推进到「已联系」"


def enterprise_negotiates(p):
    advance_match(_match(p, MatchStatus.CONTACTED), p["member"], MatchStatus.NEGOTIATING)
    return ["provider"], "对接已推进到「洽谈中」"


def enterprise_closes_a_match(p):
    close_match(_match(p, MatchStatus.CONTACTED), p["member"], "预算不足")
    return ["provider"], "对接已关闭：预算不足"


TRANSITIONS = [
    submit_report,
    withdraw_report,
    district_approves_report,
    city_approves_report,
    district_returns_report,
    city_returns_report,
    submit_application,
    pass_district_review,
    return_application,
    assign_experts,
    score_application,
    recognise_application,
    recommend_to_province,
    reject_application,
    assign_a_diagnosis,
    acknowledge_a_diagnosis,
    provider_contacts,
    enterprise_negotiates,
    enterprise_closes_a_match,
]


@pytest.mark.parametrize("transition", TRANSITIONS, ids=lambda t: t.__name__)
def test_each_transition_tells_exactly_the_right_people(people, transition):
    everyone = {key: user for key, user in people.items() if key != "firm"}

    expected, words = transition(people)

    told = {key for key, user in everyone.items() if Notification.objects.filter(user=user)}
    assert told == set(expected)
    for key in expected:
        texts = list(Notification.objects.filter(user=everyone[key]).values_list("text", "url"))
        assert any(words in text and url for text, url in texts), (key, texts)
