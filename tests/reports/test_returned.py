"""A returned report: the enterprise sees the reason, corrects the figures and submits again; the
history shows each step (issue 12, point 1)."""

from tests.conftest import signed_in
from tests.reports.conftest import GOOD_VALUES, new_report
from tests.reports.test_pages import form_data
from zhizao.enterprises.models import ReportStatus, ReviewStep, YearlyReport
from zhizao.enterprises.services import return_report, save_report, submit_report


def test_a_returned_report_shows_its_reason_and_is_corrected_and_resubmitted(
    member, yuecheng_enterprise, yuecheng_officer, yuecheng_client
):
    # given a submitted 2025 report the district returns with a reason
    report = submit_report(save_report(yuecheng_enterprise, 2025, GOOD_VALUES, member), member)
    return_report(report, yuecheng_officer, "用地面积与不动产证不符，请核实")
    url = f"/enterprises/{yuecheng_enterprise.pk}/reports/2025/"
    client = signed_in(member)
    # when the enterprise opens it
    response = client.get(url)
    # then the page answers with the reason at the top and the form to correct it
    assert response.status_code == 200
    html = response.content.decode()
    reason = html.split('data-testid="return-reason"')[1].split("</div>")[0]
    assert "用地面积与不动产证不符，请核实" in reason
    assert 'data-testid="report-form"' in html
    # and the officer sees the same page without a crash
    assert yuecheng_client.get(url).status_code == 200
    # when the enterprise corrects the land area and submits again
    response = client.post(url, form_data(land_area="48", submit="1"))
    assert response.status_code == 302
    report = YearlyReport.objects.get()
    assert (report.status, report.land_area) == (ReportStatus.SUBMITTED, 48)
    # then the history shows every step, the reason with the return
    steps = list(
        ReviewStep.objects.filter(report=report)
        .order_by("created_at", "id")
        .values_list("action", "to_status", "comment")
    )
    assert steps == [
        ("create", "draft", ""),
        ("submit", "submitted", ""),
        ("return", "returned", "用地面积与不动产证不符，请核实"),
        ("submit", "submitted", ""),
    ]
    assert "用地面积与不动产证不符，请核实" in client.get(url).content.decode()


def test_a_report_returned_twice_shows_the_latest_reason(
    member, yuecheng_enterprise, yuecheng_officer
):
    # given a report returned, resubmitted and returned again
    report = new_report(yuecheng_enterprise, 2025, status=ReportStatus.SUBMITTED)
    return_report(report, yuecheng_officer, "第一次：从业人员有误")
    submit_report(report, member)
    return_report(report, yuecheng_officer, "第二次：产值单位应为万元")
    # when the enterprise opens it
    html = signed_in(member).get(f"/enterprises/{yuecheng_enterprise.pk}/reports/2025/")
    reason = html.content.decode().split('data-testid="return-reason"')[1].split("</div>")[0]
    # then the reason shown is the latest one
    assert "第二次：产值单位应为万元" in reason and "第一次" not in reason


def test_the_enterprise_page_says_a_report_was_returned_and_why(
    member, yuecheng_enterprise, yuecheng_officer
):
    # given a 2025 report returned with a reason
    report = new_report(yuecheng_enterprise, 2025, status=ReportStatus.SUBMITTED)
    return_report(report, yuecheng_officer, "产值单位应为万元")
    # when the enterprise opens its page (where it lands from the registry)
    html = signed_in(member).get(f"/enterprises/{yuecheng_enterprise.pk}/").content.decode()
    # then the reason is there with a link to correct it
    alert = html.split('data-testid="returned-2025"')[1].split("</div>\n</div>")[0]
    assert "2025年数据已被退回：" in alert and "产值单位应为万元" in alert
    assert f"/enterprises/{yuecheng_enterprise.pk}/reports/2025/" in alert
