"""Enterprise and report pages: scoped lists, 404 for what a user may not see, the form."""

import pytest

from tests.conftest import signed_in
from tests.plans.test_pages import rows_of
from tests.reports.conftest import GOOD_VALUES, new_enterprise, new_report
from zhizao.enterprises.models import ReportStatus, ScaleStatus, YearlyReport


def form_data(**overrides) -> dict:
    data = {k: ("on" if v is True else v) for k, v in GOOD_VALUES.items() if v is not False}
    data.update(overrides)
    return data


def test_district_officer_lists_only_its_district(
    yuecheng_client, yuecheng_enterprise, keqiao_enterprise
):
    html = yuecheng_client.get("/enterprises/").content.decode()
    rows = rows_of(html, "enterprise-table")
    assert [r[0] for r in rows] == ["越城智造示范有限公司"]


@pytest.mark.parametrize("path", ["/enterprises/{pk}/", "/enterprises/{pk}/reports/2024/"])
def test_another_districts_enterprise_is_404(yuecheng_client, keqiao_enterprise, path):
    new_report(keqiao_enterprise, 2024)
    assert yuecheng_client.get(path.format(pk=keqiao_enterprise.pk)).status_code == 404


def test_enterprise_user_sees_only_itself(member, yuecheng_enterprise, plan):
    other = new_enterprise("越城区", 3)
    client = signed_in(member)
    assert client.get("/enterprises/")["Location"] == f"/enterprises/{yuecheng_enterprise.pk}/"
    listed = rows_of(client.get("/enterprises/?q=").content.decode(), "enterprise-table")
    assert [r[0] for r in listed] == ["越城智造示范有限公司"]
    assert client.get(f"/enterprises/{other.pk}/").status_code == 404


def test_list_filters_by_above_scale_and_report_status(
    admin_client_, yuecheng_enterprise, keqiao_enterprise
):
    # given 越城 is above scale in 2024 and reported; 柯桥 is not and did not
    ScaleStatus.objects.create(enterprise=yuecheng_enterprise, year=2024, above_scale=True)
    ScaleStatus.objects.create(enterprise=keqiao_enterprise, year=2024, above_scale=False)
    new_report(yuecheng_enterprise, 2024)

    def names(q):
        return [
            r[0]
            for r in rows_of(
                admin_client_.get(f"/enterprises/?{q}").content.decode(), "enterprise-table"
            )
        ]

    assert names("year=2024&above_scale=true") == ["越城智造示范有限公司"]
    assert names("year=2024&above_scale=false") == ["柯桥印染科技有限公司"]
    assert names("year=2024&report_status=none") == ["柯桥印染科技有限公司"]
    assert names("year=2024&report_status=city_approved") == ["越城智造示范有限公司"]
    assert names("q=柯桥") == ["柯桥印染科技有限公司"]
    assert names(f"q={yuecheng_enterprise.uscc[:8].lower()}") == ["越城智造示范有限公司"]
    assert names("region=330603") == ["柯桥印染科技有限公司"]


def test_list_page_queries_do_not_grow_with_the_data(
    admin_client_, plan, django_assert_max_num_queries
):
    for serial in range(10, 70):
        new_report(new_enterprise("越城区", serial), 2024)
    with django_assert_max_num_queries(12):
        response = admin_client_.get("/enterprises/?year=2024")
    assert len(rows_of(response.content.decode(), "enterprise-table")) == 50


def test_enterprise_fills_in_and_submits_through_the_form(member, yuecheng_enterprise):
    client = signed_in(member)
    url = f"/enterprises/{yuecheng_enterprise.pk}/reports/2025/"
    assert 'data-testid="report-form"' in client.get(url).content.decode()
    # a part larger than its whole comes back beside the field, in Chinese
    response = client.post(url, form_data(cnc_key_processes=30, submit="1"))
    assert (
        "「其中数控化关键工序数（个）」30 不能大于「关键工序数（个）」20。"
        in response.content.decode()
    )
    assert not YearlyReport.objects.exists()
    # full-width digits typed on a phone are read as numbers
    response = client.post(url, form_data(employees="２００", submit="1"))
    assert response.status_code == 302
    report = YearlyReport.objects.get()
    assert (report.status, report.employees) == (ReportStatus.SUBMITTED, 200)


def test_a_submitted_report_shows_no_form_and_refuses_posts(member, yuecheng_enterprise):
    new_report(yuecheng_enterprise, 2025, status=ReportStatus.SUBMITTED)
    client = signed_in(member)
    url = f"/enterprises/{yuecheng_enterprise.pk}/reports/2025/"
    html = client.get(url).content.decode()
    assert 'data-testid="report-form"' not in html and 'data-testid="report-figures"' in html
    assert client.post(url, form_data()).status_code == 404


def test_officer_approves_from_the_page_and_other_officer_cannot(
    yuecheng_client, keqiao_officer, yuecheng_enterprise
):
    report = new_report(yuecheng_enterprise, 2025, status=ReportStatus.SUBMITTED)
    action = f"/enterprises/{yuecheng_enterprise.pk}/reports/2025/approve/"
    assert signed_in(keqiao_officer).post(action).status_code == 404
    response = yuecheng_client.post(action, {"comment": "同意"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.DISTRICT_APPROVED


def test_review_queue_shows_what_waits_for_each_role(
    yuecheng_client, admin_client_, yuecheng_enterprise, keqiao_enterprise
):
    new_report(yuecheng_enterprise, 2025, status=ReportStatus.SUBMITTED)
    new_report(keqiao_enterprise, 2025, status=ReportStatus.SUBMITTED)
    new_report(keqiao_enterprise, 2024, status=ReportStatus.DISTRICT_APPROVED)
    officer_rows = rows_of(
        yuecheng_client.get("/enterprises/reviews/").content.decode(), "review-queue"
    )
    # the first column is the batch approval's checkbox
    assert [(r[1], r[3]) for r in officer_rows] == [("越城智造示范有限公司", "2025")]
    city_rows = rows_of(admin_client_.get("/enterprises/reviews/").content.decode(), "review-queue")
    assert [(r[1], r[3]) for r in city_rows] == [("柯桥印染科技有限公司", "2024")]


def test_year_lock_page_is_the_city_admins(admin_client_, yuecheng_client, plan):
    assert yuecheng_client.get("/enterprises/years/").status_code == 404
    response = admin_client_.post(
        "/enterprises/years/", {"year": 2024, "reason": "年报结束", "lock": "1"}
    )
    assert response.status_code == 302
    html = admin_client_.get("/enterprises/years/").content.decode()
    assert "已锁定" in html.split('data-year="2024"')[1].split("</tr>")[0]
