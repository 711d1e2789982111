"""The enterprise and report API: scoped like the pages, written through the report services."""

from tests.plans.test_api import api
from tests.reports.conftest import GOOD_VALUES, new_report
from zhizao.enterprises.models import ReportStatus, YearlyReport


def payload(enterprise, year=2025, **overrides) -> dict:
    values = {k: (str(v) if not isinstance(v, bool | int) else v) for k, v in GOOD_VALUES.items()}
    return {"enterprise": enterprise.uscc, "year": year, **values, **overrides}


def test_district_officer_gets_404_for_another_districts_enterprise_and_report(
    yuecheng_officer, keqiao_enterprise
):
    report = new_report(keqiao_enterprise, 2024)
    client = api(yuecheng_officer)
    assert client.get(f"/api/enterprises/{keqiao_enterprise.pk}/").status_code == 404
    assert client.get(f"/api/reports/{report.pk}/").status_code == 404
    assert client.post(f"/api/reports/{report.pk}/approve/").status_code == 404
    assert client.get("/api/enterprises/").json()["results"] == []


def test_enterprise_user_files_and_submits_through_the_api(member, yuecheng_enterprise):
    client = api(member)
    created = client.post("/api/reports/", payload(yuecheng_enterprise), format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["status"] == "draft"
    submitted = client.post(f"/api/reports/{created.json()['id']}/submit/")
    assert submitted.json()["status"] == "submitted"


def test_api_refuses_bad_figures_with_the_field_messages(member, yuecheng_enterprise):
    response = api(member).post(
        "/api/reports/", payload(yuecheng_enterprise, networked_equipment=120), format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "networked_equipment": "「其中已联网设备数（台）」120 不能大于「可联网设备数（台）」100。"
    }
    assert not YearlyReport.objects.exists()


def test_enterprise_user_cannot_file_for_an_enterprise_it_cannot_see(member, keqiao_enterprise):
    response = api(member).post("/api/reports/", payload(keqiao_enterprise), format="json")
    assert response.status_code == 400
    assert "enterprise" in response.json()


def test_district_officer_cannot_file_a_report(yuecheng_officer, yuecheng_enterprise):
    response = api(yuecheng_officer).post(
        "/api/reports/", payload(yuecheng_enterprise), format="json"
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "您不能填报该企业的数据。"


def test_approval_chain_and_return_through_the_api(
    yuecheng_officer, city_admin, yuecheng_enterprise
):
    report = new_report(yuecheng_enterprise, 2025, status=ReportStatus.SUBMITTED)
    officer, city = api(yuecheng_officer), api(city_admin)
    assert (
        officer.post(f"/api/reports/{report.pk}/approve/").json()["status"] == "district_approved"
    )
    refused = city.post(f"/api/reports/{report.pk}/return/", {"comment": ""})
    assert refused.status_code == 400
    assert refused.json() == {"detail": "退回必须填写原因。"}
    assert city.post(f"/api/reports/{report.pk}/approve/").json()["status"] == "city_approved"


def test_year_lock_through_the_api_is_the_city_admins(yuecheng_officer, city_admin, plan):
    assert api(yuecheng_officer).post("/api/year-locks/2025/lock/").status_code == 403
    response = api(city_admin).post("/api/year-locks/2025/lock/", {"reason": "年报结束"})
    assert response.json()["locked"] is True
    assert api(city_admin).post("/api/year-locks/2025/unlock/", {}).status_code == 400


def test_enterprise_list_api_query_count_is_bounded(
    city_admin, plan, django_assert_max_num_queries
):
    from tests.reports.conftest import new_enterprise

    for serial in range(10, 40):
        new_enterprise("诸暨市", serial)
    client = api(city_admin)
    with django_assert_max_num_queries(6):
        response = client.get("/api/enterprises/?region=330681")
    assert response.json()["count"] == 30


def test_the_enterprise_withdraws_through_the_api_and_an_other_district_gets_404(
    member, keqiao_officer, yuecheng_enterprise
):
    report = new_report(yuecheng_enterprise, 2025, status=ReportStatus.SUBMITTED)
    assert api(keqiao_officer).post(f"/api/reports/{report.pk}/withdraw/").status_code == 404
    response = api(member).post(f"/api/reports/{report.pk}/withdraw/", {"comment": "数据有误"})
    assert response.status_code == 200
    assert response.json()["status"] == "draft"
    again = api(member).post(f"/api/reports/{report.pk}/withdraw/")
    assert again.status_code == 400
    assert again.json() == {"detail": "该报表状态为「草稿」，只有等待区县审核的报表可以撤回。"}
