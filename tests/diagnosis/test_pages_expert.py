"""The expert diagnosis pages: the city or a district assigns (a conflicted expert refused with
the service's message), the diagnostician records the visit with the same questionnaire, the
enterprise acknowledges; each role's list of what waits for it; 404 for what it may not see."""

import datetime
import re

import pytest

from tests.accounts.factories import make_user
from tests.conftest import signed_in
from tests.diagnosis.factories import make_diagnostician
from tests.diagnosis.test_pages import answers_up_to, html_of
from tests.diagnosis.test_pdf import text_of
from tests.enterprises.factories import make_enterprise
from zhizao.core.models import Notification
from zhizao.core.roles import Role
from zhizao.diagnosis.forms import finding_field
from zhizao.diagnosis.models import DiagnosisStatus, ExpertDiagnosis
from zhizao.diagnosis.services import assign_diagnosis, record_diagnosis


@pytest.fixture
def firm(enterprise_user):
    enterprise = make_enterprise("越城智造有限公司", region="越城区", cluster="现代纺织")
    enterprise.members.add(enterprise_user)
    return enterprise


@pytest.fixture
def expert(plan):
    return make_diagnostician(name="王专家", username="wang")


@pytest.fixture
def assigned(firm, expert, yuecheng_officer):
    return assign_diagnosis(firm, expert, yuecheng_officer)


def record_form(visit="2025-05-10", **extra) -> dict:
    """A complete record: every requirement answered (S = 2), findings for 数据 (the 3rd domain)
    and the proposal."""
    return {
        "visit_date": visit,
        "industry_type": "discrete",
        finding_field(3): "数据分散在各车间的表格中，未建立统一的数据平台。",
        "measures": "建设数据中台，打通 ERP 与 MES。",
        "estimated_investment": "320.5",
        "expected_effect": "生产效率提升 15%。",
        **answers_up_to(2),
        **extra,
    }


def test_a_district_officer_assigns_an_expert_and_the_expert_is_notified(
    firm, expert, yuecheng_officer
):
    client = signed_in(yuecheng_officer)
    page = html_of(client.get(f"/diagnosis/enterprises/{firm.pk}/assign/"))
    assert "王专家（专家）" in page

    response = client.post(
        f"/diagnosis/enterprises/{firm.pk}/assign/", {"diagnostician": expert.pk}
    )

    diagnosis = ExpertDiagnosis.objects.get(enterprise=firm)
    assert response.url == f"/diagnosis/diagnoses/{diagnosis.pk}/"
    assert (diagnosis.diagnostician, diagnosis.assigned_by) == (expert, yuecheng_officer)
    assert Notification.objects.filter(user=expert, text__contains="越城智造有限公司").exists()


def test_a_conflicted_expert_is_refused_with_the_services_message(firm, expert, city_admin):
    # given the enterprise declared a tie with the expert
    firm.linked_experts.add(expert)
    client = signed_in(city_admin)

    # the form marks it, and assigning it is refused, naming it
    assert "已声明关联，须回避" in html_of(client.get(f"/diagnosis/enterprises/{firm.pk}/assign/"))
    page = html_of(
        client.post(f"/diagnosis/enterprises/{firm.pk}/assign/", {"diagnostician": expert.pk})
    )
    assert "「王专家」已声明与越城智造有限公司存在关联，须回避，不能分配。" in page
    assert not ExpertDiagnosis.objects.exists()


def test_a_provider_may_be_assigned_too(firm, city_admin):
    provider = make_diagnostician(Role.PROVIDER, name="智联服务商")
    signed_in(city_admin).post(
        f"/diagnosis/enterprises/{firm.pk}/assign/", {"diagnostician": provider.pk}
    )
    assert ExpertDiagnosis.objects.get().diagnostician == provider


def test_the_expert_records_the_visit_with_the_same_questionnaire(assigned, expert, firm):
    client = signed_in(expert)

    # the expert finds it waiting
    assert (
        "越城智造有限公司" in html_of(client.get("/diagnosis/")).split('data-testid="waiting"')[1]
    )

    # the form shows every requirement with the self-assessment's scale, and findings per domain
    page = html_of(client.get(f"/diagnosis/diagnoses/{assigned.pk}/record/"))
    assert len(set(re.findall(r'name="([A-Z]{2}-\d-\d\d)"', page))) == 151
    assert page.count('name="finding-') == 12

    # when it submits without a finding, it is told, and its answers are kept on the form
    form = record_form()
    del form[finding_field(3)]
    page = html_of(client.post(f"/diagnosis/diagnoses/{assigned.pk}/record/", form))
    assert "请至少填写一个能力域的诊断发现。" in page
    assert re.search(r'name="OS-1-01"[^>]*value="全部满足"[^>]*checked', page)

    # when it submits the complete record
    response = client.post(f"/diagnosis/diagnoses/{assigned.pk}/record/", record_form())

    # then the diagnosis is scored and waits for the enterprise
    assert response.url == f"/diagnosis/diagnoses/{assigned.pk}/"
    assigned.refresh_from_db()
    assert assigned.status == DiagnosisStatus.SUBMITTED
    assert str(assigned.total) == "2.0000" and assigned.level == 2
    assert assigned.findings == {"数据": "数据分散在各车间的表格中，未建立统一的数据平台。"}
    assert str(assigned.estimated_investment) == "320.50"
    page = html_of(client.get(f"/diagnosis/diagnoses/{assigned.pk}/"))
    assert "2.00 · 二级 规范级" in page and "320.5 万元" in page
    assert "修改诊断（企业确认前）" in page


def test_the_enterprise_acknowledges_and_the_expert_can_no_longer_change_it(
    assigned, expert, enterprise_user
):
    signed_in(expert).post(f"/diagnosis/diagnoses/{assigned.pk}/record/", record_form())
    client = signed_in(enterprise_user)

    # the enterprise finds it waiting for its acknowledgement
    home = html_of(client.get("/diagnosis/"))
    assert f"/diagnosis/diagnoses/{assigned.pk}/" in home.split('data-testid="waiting"')[1]
    assert 'data-testid="acknowledge"' in html_of(
        client.get(f"/diagnosis/diagnoses/{assigned.pk}/")
    )

    client.post(f"/diagnosis/diagnoses/{assigned.pk}/acknowledge/")

    assigned.refresh_from_db()
    assert assigned.status == DiagnosisStatus.ACKNOWLEDGED
    assert assigned.acknowledged_by == enterprise_user
    assert signed_in(expert).get(f"/diagnosis/diagnoses/{assigned.pk}/record/").status_code == 404


def test_only_the_enterprise_acknowledges(assigned, expert, yuecheng_officer):
    signed_in(expert).post(f"/diagnosis/diagnoses/{assigned.pk}/record/", record_form())
    response = signed_in(yuecheng_officer).post(
        f"/diagnosis/diagnoses/{assigned.pk}/acknowledge/", follow=True
    )
    assert "只有该企业的用户可以确认现场诊断。" in html_of(response)
    assigned.refresh_from_db()
    assert assigned.status == DiagnosisStatus.SUBMITTED


def test_the_diagnosis_pdf_downloads(assigned, expert, enterprise_user):
    signed_in(expert).post(f"/diagnosis/diagnoses/{assigned.pk}/record/", record_form())
    response = signed_in(enterprise_user).get(f"/diagnosis/diagnoses/{assigned.pk}/report.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    # saved as 越城智造有限公司智能制造现场诊断报告.pdf (UTF-8, percent-encoded), ASCII beside it
    assert response["Content-Disposition"] == (
        f'attachment; filename="diagnosis-{assigned.enterprise_id}-{assigned.pk}.pdf"; '
        "filename*=UTF-8''%E8%B6%8A%E5%9F%8E%E6%99%BA%E9%80%A0%E6%9C%89%E9%99%90%E5%85%AC%E5%8F%B8"
        "%E6%99%BA%E8%83%BD%E5%88%B6%E9%80%A0%E7%8E%B0%E5%9C%BA%E8%AF%8A%E6%96%AD%E6%8A%A5%E5%91%8A"
        ".pdf"
    )
    # and its text layer gives back the findings and the proposal, on whatever page they are
    text = text_of(response.content)
    for phrase in [
        "越城智造有限公司智能制造现场诊断报告",
        "诊断专家（服务商）：王专家",
        "数据分散在各车间的表格中，未建立统一的数据平台。",
        "建设数据中台，打通ERP与MES。",
        "320.50万元",
        "生产效率提升15%。",
    ]:
        assert phrase in text, phrase


# --- scoping --------------------------------------------------------------------------------


def test_who_may_see_a_diagnosis(assigned, expert, keqiao_officer, yuecheng_officer, city_admin):
    signed_in(expert).post(f"/diagnosis/diagnoses/{assigned.pk}/record/", record_form())
    url = f"/diagnosis/diagnoses/{assigned.pk}/"
    other_expert = make_diagnostician(name="李专家")
    other_enterprise = make_user(Role.ENTERPRISE, "越城区")
    for user in [keqiao_officer, other_expert, other_enterprise]:
        client = signed_in(user)
        for path in [url, url + "report.pdf", url + "record/"]:
            assert client.get(path).status_code == 404, (user, path)
        assert client.post(url + "acknowledge/").status_code == 404
    for user in [expert, yuecheng_officer, city_admin]:
        assert signed_in(user).get(url).status_code == 200
    # only the diagnostician records, even among those who see it
    assert signed_in(city_admin).get(url + "record/").status_code == 404
    # and the lists follow the same rule
    assert "越城智造有限公司" not in html_of(signed_in(other_expert).get("/diagnosis/diagnoses/"))
    assert "越城智造有限公司" not in html_of(signed_in(keqiao_officer).get("/diagnosis/diagnoses/"))


def test_only_the_city_and_the_enterprises_district_assign(firm, expert, keqiao_officer):
    enterprise_user = firm.members.get()
    assert (
        signed_in(keqiao_officer).get(f"/diagnosis/enterprises/{firm.pk}/assign/").status_code
        == 404
    )
    assert (
        signed_in(enterprise_user).get(f"/diagnosis/enterprises/{firm.pk}/assign/").status_code
        == 404
    )
    assert signed_in(expert).get(f"/diagnosis/enterprises/{firm.pk}/assign/").status_code == 404


def test_the_diagnosis_pages_run_a_bounded_number_of_queries(
    firm, expert, city_admin, django_assert_max_num_queries
):
    diagnoses = []
    for _serial in range(3):
        other = make_enterprise(region="越城区")
        diagnosis = assign_diagnosis(other, expert, city_admin)
        diagnoses.append(diagnosis)
    record_diagnosis(
        diagnoses[0],
        expert,
        visit_date=datetime.date(2025, 5, 1),
        findings={"数据": "无统一数据平台"},
        answers=answers_up_to(1),
        industry_type="离散型",
        measures="建设数据平台",
    )
    client = signed_in(expert)
    urls = {
        f"/diagnosis/diagnoses/{diagnoses[0].pk}/": 8,
        f"/diagnosis/diagnoses/{diagnoses[1].pk}/record/": 8,
        "/diagnosis/diagnoses/": 8,
        "/diagnosis/": 8,
    }
    for url, most in urls.items():
        client.get(url)
        with django_assert_max_num_queries(most):
            html_of(client.get(url))
    for _serial in range(10):
        assign_diagnosis(make_enterprise(region="越城区"), expert, city_admin)
    for url, most in urls.items():
        with django_assert_max_num_queries(most):
            html_of(client.get(url))
