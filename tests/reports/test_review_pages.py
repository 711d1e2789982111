"""The report loop's pages (issue 12, points 6 and 7): last year beside each field, drafts that
may be incomplete, withdrawal, the reviewer's comparison, approve-and-next, batch approval,
the city's list of reports lacking an above-scale status; all scoped."""

import re

import pytest

from tests.conftest import signed_in
from tests.reports.conftest import GOOD_VALUES, new_enterprise, new_report
from tests.reports.test_pages import form_data
from zhizao.enterprises.models import ReportStatus, ReviewStep, ScaleStatus, YearlyReport
from zhizao.enterprises.services import save_report


def cells(html: str, testid: str) -> list[list[str]]:
    """Each body row of a table as the text of its th and td cells."""
    table = html.split(f'data-testid="{testid}"', 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1]
    return [
        [
            re.sub(r"<[^>]+>", "", c).strip()
            for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, flags=re.S)
    ]


def url(enterprise, year=2025, action=""):
    return f"/enterprises/{enterprise.pk}/reports/{year}/" + (f"{action}/" if action else "")


def test_the_form_shows_last_years_value_beside_each_field_and_starts_empty(
    member, yuecheng_enterprise
):
    # given last year's report
    new_report(yuecheng_enterprise, 2024, employees=190, industrial_robots=6)
    # when the enterprise opens this year's form
    html = signed_in(member).get(url(yuecheng_enterprise)).content.decode()
    # then each figure shows last year's value, and the inputs are empty (no default 0)
    assert re.search(r'data-testid="previous-employees">\s*上年 190\s*<', html)
    assert re.search(r'data-testid="previous-industrial_robots">\s*上年 6\s*<', html)
    assert re.search(r'data-testid="previous-revenue">\s*上年 11500\s*<', html)
    robots = re.search(r'<input[^>]*name="industrial_robots"[^>]*>', html)[0]
    assert "value=" not in robots


def test_the_software_boxes_read_whole_in_both_languages(member, yuecheng_enterprise):
    # given last year's report with ERP in use and MES not
    new_report(yuecheng_enterprise, 2024, uses_erp=True, uses_mes=False)
    client = signed_in(member)

    def box(html, name):
        cell = html.split(f'name="{name}"', 1)[1].split("</div>", 1)[0]
        return " ".join(re.sub(r"<[^>]+>", " ", cell.split(">", 1)[1]).split())

    # when the enterprise opens this year's form in Chinese, then in English
    chinese = client.get(url(yuecheng_enterprise)).content.decode()
    client.cookies["django_language"] = "en"
    english = client.get(url(yuecheng_enterprise)).content.decode()
    # then each box names the system without the 使用/Uses prefix, cut at no letter, and
    # last year's answer is a separate word
    assert box(chinese, "uses_erp") == "ERP（企业资源计划） 上年 是"
    assert box(chinese, "uses_mes") == "MES（制造执行系统） 上年 否"
    assert box(english, "uses_erp") == "ERP (enterprise resource planning) Last year Yes"


def test_a_draft_is_saved_incomplete_and_with_a_jump_but_submit_asks_for_both(
    member, yuecheng_enterprise
):
    new_report(yuecheng_enterprise, 2024)
    client = signed_in(member)
    # when a draft is saved with robots only, 8 → 30 (3.75×), no comment
    response = client.post(
        url(yuecheng_enterprise), {"employees": "200", "industrial_robots": "30", "save": "1"}
    )
    # then it is saved, with a warning message
    assert response.status_code == 302
    report = YearlyReport.objects.get(year=2025)
    assert (report.status, report.industrial_robots, report.revenue) == ("draft", 30, None)
    page = client.get(url(yuecheng_enterprise)).content.decode()
    assert "有 1 项与上年相比变化较大" in page
    # when submitted as it is
    html = client.post(
        url(yuecheng_enterprise), {"employees": "200", "industrial_robots": "30", "submit": "1"}
    ).content.decode()
    # then each empty figure and the missing comment are named, nothing submitted
    assert "「营业收入（万元）」不能为空。" in html
    summary = html.split('data-testid="form-errors"')[1].split("</div>\n    </div>")[0]
    assert 'href="#id_revenue">营业收入（万元）</a>' in summary and "说明" in summary
    assert "有同比变化异常的数据，请在“说明”中写明原因。" in html
    assert "为上年的 3.75 倍" in html
    assert YearlyReport.objects.get(year=2025).status == ReportStatus.DRAFT
    # and complete with a comment it is submitted
    response = client.post(
        url(yuecheng_enterprise),
        form_data(industrial_robots="30", comment="新增焊接线", submit="1"),
    )
    assert response.status_code == 302
    assert YearlyReport.objects.get(year=2025).status == ReportStatus.SUBMITTED


def test_the_enterprise_withdraws_from_the_page_and_others_get_404(
    member, yuecheng_enterprise, keqiao_officer, yuecheng_client
):
    report = new_report(yuecheng_enterprise, 2025, status=ReportStatus.SUBMITTED)
    client = signed_in(member)
    assert 'data-testid="withdraw-form"' in client.get(url(yuecheng_enterprise)).content.decode()
    # another district's officer cannot even see it
    assert (
        signed_in(keqiao_officer).post(url(yuecheng_enterprise, action="withdraw")).status_code
        == 404
    )
    # the district officer may see it but not withdraw it
    yuecheng_client.post(url(yuecheng_enterprise, action="withdraw"))
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    # the enterprise withdraws it and gets the form back
    response = client.post(url(yuecheng_enterprise, action="withdraw"))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT
    page = client.get(url(yuecheng_enterprise)).content.decode()
    assert 'data-testid="report-form"' in page
    # and is told it was withdrawn, not just "数据：草稿"
    assert "2025年数据已撤回，可修改后重新提交。" in page
    assert list(ReviewStep.objects.values_list("action", flat=True)) == ["withdraw"]


def test_the_reviewer_sees_last_year_this_year_change_anomalies_and_rates(
    yuecheng_client, yuecheng_enterprise, django_assert_max_num_queries
):
    # given last year's report and this year's submitted one with robots 8 → 30
    new_report(yuecheng_enterprise, 2024)
    new_report(
        yuecheng_enterprise, 2025, status="submitted", industrial_robots=30, comment="新增焊接线"
    )
    ScaleStatus.objects.create(enterprise=yuecheng_enterprise, year=2025, above_scale=True)
    # when the district officer opens it
    with django_assert_max_num_queries(20):
        html = yuecheng_client.get(url(yuecheng_enterprise)).content.decode()
    # then each figure shows 上年 / 本年 / 变化, the jump highlighted
    rows = {r[0].lstrip("⚠ "): r[1:] for r in cells(html, "report-figures")}
    assert rows["在役工业机器人（台）"] == ["8", "30", "+22 (+275%)"]
    assert rows["从业人员（人）"] == ["200", "200", "0 (0%)"]
    assert re.search(r'class="table-warning" data-anomaly="1" data-field="industrial_robots"', html)
    assert html.count('data-anomaly="1"') == 1
    # software in one row: ERP and MES both years
    assert rows["在用关键管控软件"] == ["ERP、MES", "ERP、MES", ""]
    # and the rates, computed by hand: 30 / 200 × 10,000 = 1500; 8 / 200 × 10,000 = 400;
    # 14 / 20 = 70 %; 2600 / 200 = 13 万元/人; 2600 / 45 = 57.78 万元/亩; 360 / 11500 = 3.13 %
    rates = {r[0]: r[1:] for r in cells(html, "report-rates")}
    assert rates["机器人密度（台/万人）"] == ["400", "1500", "+1100"]
    assert rates["关键工序数控化率（%）"] == ["70", "70", "0"]
    assert rates["人均工业增加值（万元/人）"] == ["13", "13", "0"]
    assert rates["亩均工业增加值（万元/亩）"] == ["57.78", "57.78", "0"]
    assert rates["研发经费占营业收入比重（%）"] == ["3.13", "3.13", "0"]
    assert rates["在用关键管控软件（个）"] == ["2", "2", "0"]
    # and what counting it does to the district: no other approved report → only "with"
    effects = {r[0]: r[1:] for r in cells(html, "district-effects")}
    assert effects["机器人密度（台/万人）"] == ["—", "—", "1500", "—"]
    assert "通过并处理下一份" in html


def test_the_district_effect_adds_the_report_to_the_other_approved_ones(
    yuecheng_client, yuecheng_enterprise, plan
):
    # given another approved above-scale 越城 report for 2025: 8 robots, 200 employees (400)
    other = new_enterprise("越城区", 7)
    new_report(other, 2025, industrial_robots=8)
    ScaleStatus.objects.create(enterprise=other, year=2025, above_scale=True)
    # and its 2024 one: 4 robots, 200 employees (200)
    new_report(other, 2024, industrial_robots=4)
    ScaleStatus.objects.create(enterprise=other, year=2024, above_scale=True)
    # and this one waiting: 24 robots, 200 employees
    new_report(yuecheng_enterprise, 2025, status="submitted", industrial_robots=24)
    ScaleStatus.objects.create(enterprise=yuecheng_enterprise, year=2025, above_scale=True)
    html = yuecheng_client.get(url(yuecheng_enterprise)).content.decode()
    # then (8 + 24) / 400 × 10,000 = 800, from 400: +400; last year 4 / 200 × 10,000 = 200
    effects = {r[0]: r[1:] for r in cells(html, "district-effects")}
    assert effects["机器人密度（台/万人）"] == ["200", "400", "800", "+400"]


def test_approve_and_next_opens_the_next_waiting_report(yuecheng_client, plan):
    a = new_report(new_enterprise("越城区", 11, name="A公司"), 2025, status="submitted")
    b = new_report(new_enterprise("越城区", 12, name="B公司"), 2025, status="submitted")
    response = yuecheng_client.post(url(a.enterprise, action="approve_next"), {"comment": "无误"})
    assert response["Location"] == url(b.enterprise)
    response = yuecheng_client.post(url(b.enterprise, action="approve_next"))
    assert response["Location"] == "/enterprises/reviews/"
    assert set(YearlyReport.objects.values_list("status", flat=True)) == {"district_approved"}


def test_batch_approval_from_the_queue(
    yuecheng_client, keqiao_officer, plan, django_assert_max_num_queries
):
    reports = [
        new_report(new_enterprise("越城区", 20 + i), 2025, status="submitted") for i in range(3)
    ]
    with django_assert_max_num_queries(12):
        html = yuecheng_client.get("/enterprises/reviews/").content.decode()
    assert html.count('name="report" value=') == 3
    ids = [r.pk for r in reports[:2]]
    # another district's officer gets 404 for the batch, and nothing changes
    assert (
        signed_in(keqiao_officer).post("/enterprises/reviews/approve/", {"report": ids}).status_code
        == 404
    )
    assert set(YearlyReport.objects.values_list("status", flat=True)) == {"submitted"}
    # the district's officer approves two of them
    response = yuecheng_client.post("/enterprises/reviews/approve/", {"report": ids}, follow=True)
    assert "已通过 2 份报表。" in response.content.decode()
    assert [r.status for r in YearlyReport.objects.order_by("pk")] == [
        "district_approved", "district_approved", "submitted",
    ]  # fmt: skip
    assert ReviewStep.objects.count() == 2


def test_batch_approval_refuses_all_when_one_cannot_pass(yuecheng_client, plan):
    a = new_report(new_enterprise("越城区", 11, name="A公司"), 2025, status="submitted")
    b = new_report(new_enterprise("越城区", 12, name="B公司"), 2025, status="city_approved")
    response = yuecheng_client.post(
        "/enterprises/reviews/approve/", {"report": [a.pk, b.pk]}, follow=True
    )
    assert "「B公司」2025年：该报表市级已审核，您不能审核。" in response.content.decode()
    a.refresh_from_db()
    assert a.status == ReportStatus.SUBMITTED


def test_another_districts_officer_gets_404_on_approve_and_approve_next(
    keqiao_officer, yuecheng_enterprise
):
    new_report(yuecheng_enterprise, 2025, status="submitted")
    client = signed_in(keqiao_officer)
    for action in ("approve", "approve_next", "return"):
        assert client.post(url(yuecheng_enterprise, action=action)).status_code == 404


def test_the_city_sees_how_many_approved_reports_lack_a_status_and_sets_them(
    admin_client_,
    yuecheng_client,
    yuecheng_enterprise,
    keqiao_enterprise,
    django_assert_max_num_queries,
):
    # given two approved 2024 reports without a status
    new_report(yuecheng_enterprise, 2024)
    new_report(keqiao_enterprise, 2024)
    # then the city's queue counts them and links to the list
    queue = admin_client_.get("/enterprises/reviews/").content.decode()
    assert "2 份已审核的报表缺少规上状态" in queue and "/enterprises/scale-statuses/" in queue
    with django_assert_max_num_queries(10):
        listing = admin_client_.get("/enterprises/scale-statuses/").content.decode()
    assert [r[0] for r in cells(listing, "lacking-scale-table")] == [
        "越城智造示范有限公司",
        "柯桥印染科技有限公司",
    ]  # in the regions' order
    # the district officer has no such page
    assert yuecheng_client.get("/enterprises/scale-statuses/").status_code == 404
    assert (
        yuecheng_client.post(
            "/enterprises/scale-statuses/",
            {"enterprise": yuecheng_enterprise.pk, "year": 2024, "above_scale": "1"},
        ).status_code
        == 404
    )
    # when the city sets 越城's as above scale
    response = admin_client_.post(
        "/enterprises/scale-statuses/",
        {"enterprise": yuecheng_enterprise.pk, "year": 2024, "above_scale": "1"},
    )
    assert response["Location"] == "/enterprises/scale-statuses/"
    assert ScaleStatus.objects.get(enterprise=yuecheng_enterprise, year=2024).above_scale is True
    listing = admin_client_.get("/enterprises/scale-statuses/").content.decode()
    assert [r[0] for r in cells(listing, "lacking-scale-table")] == ["柯桥印染科技有限公司"]


@pytest.mark.parametrize("status", ["submitted", "returned", "city_approved"])
def test_the_report_page_query_count_is_bounded(
    status, admin_client_, yuecheng_enterprise, django_assert_max_num_queries
):
    new_report(yuecheng_enterprise, 2024)
    report = new_report(yuecheng_enterprise, 2025, status=status)
    for _ in range(5):
        ReviewStep.objects.create(report=report, action="submit", to_status=status, comment="x")
    with django_assert_max_num_queries(20):
        assert admin_client_.get(url(yuecheng_enterprise)).status_code == 200


def test_the_enterprise_page_shows_an_incomplete_draft(member, yuecheng_enterprise):
    # given a 2025 draft with only the number of employees
    values = {name: None for name in GOOD_VALUES} | {"employees": 180}
    save_report(yuecheng_enterprise, 2025, values, member)
    # then the enterprise's page and the report page answer, the empty figures as —
    client = signed_in(member)
    assert client.get(f"/enterprises/{yuecheng_enterprise.pk}/").status_code == 200
    assert client.get(url(yuecheng_enterprise)).status_code == 200
