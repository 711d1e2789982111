"""待办: each role's tabs list exactly the items waiting for its action (and none of another
district's), the menu's badge equals the tabs' total, and the pages run a bounded number of
queries."""

import datetime
import re

import pytest

from tests.accounts.factories import make_user
from tests.bridge.factories import make_match, make_need, make_provider_user, make_solution
from tests.conftest import signed_in
from tests.cultivation.factories import make_application, make_batch, make_expert
from tests.diagnosis.factories import make_assessment, make_diagnosis
from tests.enterprises.factories import make_enterprise, make_report
from zhizao.bridge.models import MatchStatus, MatchStep
from zhizao.core.roles import Role
from zhizao.cultivation.models import ApplicationStatus, ExpertReview
from zhizao.diagnosis.models import AssessmentStatus, DiagnosisStatus
from zhizao.enterprises.models import ReportStatus

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def world(plan, city_admin, yuecheng_officer, keqiao_officer, enterprise_user):
    """Work waiting in every workflow, in 越城区 and 柯桥区."""
    yc = make_enterprise("越城甲有限公司", "越城区")
    yc.members.add(enterprise_user)
    yc2 = make_enterprise("越城乙有限公司", "越城区")
    kq = make_enterprise("柯桥丙有限公司", "柯桥区")
    # reports
    make_report(yc, 2025, ReportStatus.RETURNED)
    make_report(yc, 2024, ReportStatus.SUBMITTED)
    make_report(yc, 2023, ReportStatus.DISTRICT_APPROVED)
    make_report(yc, 2022, ReportStatus.CITY_APPROVED)
    make_report(kq, 2024, ReportStatus.SUBMITTED)
    make_report(kq, 2023, ReportStatus.DISTRICT_APPROVED)
    # applications, one title type each so that none is a second open one of its kind
    workshop = make_batch("municipal-digital-workshop")
    factory = make_batch("municipal-smart-factory")
    make_application(yc, workshop, ApplicationStatus.RETURNED, project_name="甲车间")
    make_application(yc2, workshop, ApplicationStatus.SUBMITTED, project_name="乙车间")
    make_application(kq, workshop, ApplicationStatus.SUBMITTED, project_name="丙车间")
    make_application(yc2, factory, ApplicationStatus.DISTRICT_PASSED, project_name="乙工厂")
    scoring = make_application(kq, factory, ApplicationStatus.EXPERT_REVIEW, project_name="丙工厂")
    late, timely = make_expert("迟专家"), make_expert("准专家")
    ExpertReview.objects.create(application=scoring, expert=late, due_on=datetime.date(2026, 12, 1))
    ExpertReview.objects.create(
        application=scoring, expert=timely, due_on=datetime.date(2026, 12, 20)
    )
    # diagnoses and self-assessments
    provider = make_provider_user()
    make_diagnosis(yc, late, status=DiagnosisStatus.ASSIGNED, due_on=datetime.date(2026, 12, 1))
    make_diagnosis(yc, timely, status=DiagnosisStatus.SUBMITTED)
    make_diagnosis(
        kq, provider, status=DiagnosisStatus.ASSIGNED, due_on=datetime.date(2026, 12, 31)
    )
    make_assessment(yc, 2026, status=AssessmentStatus.DRAFT)
    # matches of 越城甲's need: a new one, one the provider moved, one the enterprise moved
    need = make_need(yc, title="冲压MES")
    new = make_match(need, make_solution("方案一", maintainers=[provider]))
    theirs = make_match(
        need, make_solution("方案二", maintainers=[provider]), status=MatchStatus.CONTACTED
    )
    ours = make_match(
        need, make_solution("方案三", maintainers=[provider]), status=MatchStatus.NEGOTIATING
    )
    MatchStep.objects.create(match=new, to_status=MatchStatus.RECOMMENDED)
    MatchStep.objects.create(match=theirs, to_status=MatchStatus.CONTACTED, actor=provider)
    MatchStep.objects.create(match=ours, to_status=MatchStatus.NEGOTIATING, actor=enterprise_user)
    return {
        "admin": city_admin,
        "yuecheng": yuecheng_officer,
        "keqiao": keqiao_officer,
        "enterprise": enterprise_user,
        "late": late,
        "timely": timely,
        "provider": provider,
    }


EXPECTED = {
    "admin": {
        "reports": ["越城甲有限公司 2023年智能制造数据", "柯桥丙有限公司 2023年智能制造数据"],
        "applications": ["越城乙有限公司：市级智能工厂"],
        "reviews": ["柯桥丙有限公司：市级智能工厂"],
        "diagnoses": ["越城甲有限公司 现场诊断"],
    },
    "yuecheng": {
        "reports": ["越城甲有限公司 2024年智能制造数据"],
        "applications": ["越城乙有限公司：市级数字化车间"],
        "diagnoses": ["越城甲有限公司 现场诊断"],
    },
    "keqiao": {
        "reports": ["柯桥丙有限公司 2024年智能制造数据"],
        "applications": ["柯桥丙有限公司：市级数字化车间"],
        "diagnoses": [],
    },
    "enterprise": {
        "reports": ["越城甲有限公司 2025年智能制造数据"],
        "applications": ["越城甲有限公司：市级数字化车间"],
        "diagnoses": ["越城甲有限公司 现场诊断", "越城甲有限公司 2026年自评估"],
        "matches": ["冲压MES ↔ 方案二"],
    },
    "late": {
        "reviews": ["柯桥丙有限公司：市级智能工厂"],
        "diagnoses": ["越城甲有限公司 现场诊断"],
        "matches": [],
    },
    "timely": {"reviews": ["柯桥丙有限公司：市级智能工厂"], "diagnoses": [], "matches": []},
    "provider": {
        "diagnoses": ["柯桥丙有限公司 现场诊断"],
        # one row per need, however many of the provider's entries it was matched through
        "matches": ["冲压MES"],
    },
}


def tabs_of(html: str) -> dict[str, int]:
    found = re.findall(r'data-tab="(\w+)"[^>]*>[^<]*<span[^>]*data-testid="tab-count">(\d+)<', html)
    return {code: int(n) for code, n in found}


def titles_of(html: str) -> list[str]:
    block = html.split('data-testid="inbox"')[1].split("</ul>")[0]
    return re.findall(r'class="fw-semibold text-decoration-none" href="[^"]*">([^<]+)</a>', block)


def badge_of(html: str) -> int:
    found = re.search(r'data-testid="inbox-count">(\d+)<', html)
    return int(found.group(1)) if found else 0


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_each_role_sees_exactly_its_waiting_items_in_each_tab(world, who):
    client = signed_in(world[who])
    expected = EXPECTED[who]

    html = client.get("/inbox/").content.decode()
    assert tabs_of(html) == {tab: len(titles) for tab, titles in expected.items()}
    for tab, titles in expected.items():
        page = client.get(f"/inbox/?tab={tab}").content.decode()
        assert titles_of(page) == titles, tab


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_the_menu_badge_equals_the_tabs_total(world, who):
    client = signed_in(world[who])

    inbox = client.get("/inbox/").content.decode()
    other = client.get("/plans/shaoxing-2021-2025/").content.decode()

    total = sum(len(titles) for titles in EXPECTED[who].values())
    assert sum(tabs_of(inbox).values()) == total
    assert badge_of(inbox) == badge_of(other) == total


def test_overdue_assignments_are_highlighted_for_the_expert_and_the_city(world):
    expert_page = signed_in(world["late"]).get("/inbox/?tab=reviews").content.decode()
    city_page = signed_in(world["admin"]).get("/inbox/?tab=reviews").content.decode()
    timely_page = signed_in(world["timely"]).get("/inbox/?tab=reviews").content.decode()

    assert 'data-overdue="yes"' in expert_page and "已逾期 · 截止 2026-12-01" in expert_page
    assert 'data-overdue="yes"' in city_page and "迟专家" in city_page
    assert 'data-overdue="yes"' not in timely_page and "截止 2026-12-20" in timely_page


def test_an_unknown_tab_is_not_found(world):
    assert signed_in(world["enterprise"]).get("/inbox/?tab=nothing").status_code == 404


def test_a_role_without_work_gets_an_empty_inbox(plan):
    client = signed_in(make_user(Role.PROVIDER))

    response = client.get("/inbox/")

    assert response.status_code == 200
    assert sum(tabs_of(response.content.decode()).values()) == 0


def test_the_inbox_runs_a_bounded_number_of_queries(world, django_assert_max_num_queries):
    client = signed_in(world["admin"])
    client.get("/inbox/")
    with django_assert_max_num_queries(20) as few:
        client.get("/inbox/?tab=reports")
    # more waiting reports cost no more queries
    for serial in range(15):
        make_report(
            make_enterprise(f"新企业{serial}", "柯桥区"), 2024, ReportStatus.DISTRICT_APPROVED
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get("/inbox/?tab=reports").content.decode()
    assert len(titles_of(html)) == 17


def test_the_badge_costs_one_query_whatever_the_work(world, django_assert_max_num_queries):
    # session, user, the user's district, the notifications page's count, the unread count, the
    # plan's years (the report being filed) and the badge's one UNION
    client = signed_in(world["enterprise"])
    client.get("/notifications/")
    with django_assert_max_num_queries(7) as captured:
        client.get("/notifications/")
    unions = [q["sql"] for q in captured.captured_queries if "UNION ALL" in q["sql"]]
    assert len(unions) == 1
