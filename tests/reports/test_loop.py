"""The report loop's services (issue 12, points 6 and 7): incomplete drafts, year-on-year checks
on every figure, withdrawal, notifications, batch approval, the above-scale status carried
forward and set by the city."""

from decimal import Decimal

import pytest

from tests.reports.conftest import GOOD_VALUES, new_enterprise, new_report
from zhizao.core.models import Notification, Task
from zhizao.enterprises.checks import check_report
from zhizao.enterprises.models import ReportStatus, ReviewStep, ScaleStatus
from zhizao.enterprises.services import (
    ReportError,
    ReportForbidden,
    ReportInvalid,
    approve_report,
    approve_reports,
    carry_scale_status,
    next_waiting_report,
    reports_lacking_scale_status,
    return_report,
    save_report,
    set_scale_status,
    submit_report,
    withdraw_report,
)


def steps_of(report) -> list[tuple]:
    return list(
        ReviewStep.objects.filter(report=report)
        .order_by("created_at", "id")
        .values_list("action", "to_status", "comment")
    )


def texts_of(user) -> list[str]:
    return list(
        Notification.objects.filter(user=user).order_by("id").values_list("text", flat=True)
    )


# --- checks -----------------------------------------------------------------------------


def test_every_numeric_figure_is_checked_year_on_year():
    # given last year's figures and this year's with jumps in fields the old check ignored
    now = {
        **GOOD_VALUES,
        "key_processes": 6,  # 20 → 6: 0.30×
        "cnc_key_processes": 6,  # 14 → 6: 0.43×, within
        "networkable_equipment": 400,  # 100 → 400: 4.00×
        "networked_equipment": 45,
        "rd_spending": Decimal("1200"),  # 360 → 1200: 3.33×
        "transformation_investment": Decimal("0"),  # 500 → 0: 0.00×
    }
    # when checked as a draft
    draft = check_report(
        now, year=2025, years=range(2020, 2026), previous=GOOD_VALUES, complete=False
    )
    # then each jump is a warning, and a draft is not refused for them
    assert sorted(draft.warnings) == [
        "key_processes", "networkable_equipment", "rd_spending", "transformation_investment",
    ]  # fmt: skip
    assert draft.warnings["key_processes"] == (
        "「关键工序数（个）」从上年的 20 变为 6，为上年的 0.30 倍，请在说明中写明原因。"
    )
    assert draft.ok
    # but submitted without a comment it is
    submitted = check_report(now, year=2025, years=range(2020, 2026), previous=GOOD_VALUES)
    assert submitted.errors == {"comment": "有同比变化异常的数据，请在“说明”中写明原因。"}


def test_a_draft_may_be_incomplete_but_submitting_names_every_missing_figure(
    yuecheng_enterprise, member
):
    # given a draft with only the number of employees
    values = {name: None for name in GOOD_VALUES} | {"employees": 180, "uses_erp": True}
    report = save_report(yuecheng_enterprise, 2025, values, member)
    # then it is kept with the rest empty, not 0
    report.refresh_from_db()
    assert (report.employees, report.industrial_robots, report.revenue) == (180, None, None)
    assert report.uses_mes is False
    # when submitted
    with pytest.raises(ReportInvalid) as caught:
        submit_report(report, member)
    # then every empty figure is named and the report stays a draft
    errors = caught.value.check.errors
    assert len(errors) == 12 and "employees" not in errors
    assert errors["industrial_robots"] == "「在役工业机器人（台）」不能为空。"
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT


def test_a_negative_figure_is_refused_even_in_a_draft(yuecheng_enterprise, member):
    with pytest.raises(ReportInvalid) as caught:
        save_report(yuecheng_enterprise, 2025, {**GOOD_VALUES, "employees": -5}, member)
    assert caught.value.check.errors == {
        "employees": "「从业人员（人）」不能为负数（填写的是 -5）。"
    }


# --- withdraw and notifications -------------------------------------------------------------


def test_the_enterprise_withdraws_a_waiting_report_corrects_and_resubmits(
    yuecheng_enterprise, member, yuecheng_officer, keqiao_officer
):
    # given a submitted report: the district officer is told, another district's is not
    report = submit_report(save_report(yuecheng_enterprise, 2025, GOOD_VALUES, member), member)
    assert texts_of(yuecheng_officer) == [
        "越城智造示范有限公司提交了2025年智能制造数据，待区县审核。"
    ]
    assert texts_of(keqiao_officer) == []
    # when the enterprise withdraws it
    report = withdraw_report(report, member, "发现产值填错")
    # then it is a draft again, the step recorded, the officer told
    assert report.status == ReportStatus.DRAFT
    assert texts_of(yuecheng_officer)[-1] == (
        "越城智造示范有限公司撤回了2025年智能制造数据，暂不需要审核。"
    )
    # and it can be corrected and submitted again
    save_report(yuecheng_enterprise, 2025, {**GOOD_VALUES, "revenue": Decimal("11800")}, member)
    submit_report(report, member)
    assert steps_of(report) == [
        ("create", "draft", ""),
        ("submit", "submitted", ""),
        ("withdraw", "draft", "发现产值填错"),
        ("submit", "submitted", ""),
    ]


def test_only_a_report_waiting_for_the_district_can_be_withdrawn_and_only_by_its_enterprise(
    yuecheng_enterprise, member, yuecheng_officer, keqiao_enterprise
):
    report = new_report(yuecheng_enterprise, 2025, status=ReportStatus.DISTRICT_APPROVED)
    with pytest.raises(ReportError, match="只有等待区县审核的报表可以撤回"):
        withdraw_report(report, member)
    other = new_report(keqiao_enterprise, 2025, status=ReportStatus.SUBMITTED)
    with pytest.raises(ReportForbidden, match="您不能撤回该企业的数据。"):
        withdraw_report(other, member)
    with pytest.raises(ReportForbidden):
        withdraw_report(
            new_report(new_enterprise("越城区", 9), 2025, status="submitted"), yuecheng_officer
        )


def test_return_and_approvals_tell_the_enterprises_users(
    yuecheng_enterprise, member, yuecheng_officer, city_admin
):
    report = new_report(yuecheng_enterprise, 2025, status=ReportStatus.SUBMITTED)
    return_report(report, yuecheng_officer, "用地面积有误")
    submit_report(report, member)
    approve_report(report, yuecheng_officer)
    approve_report(report, city_admin)
    assert texts_of(member) == [
        "越城智造示范有限公司：2025年智能制造数据被退回修改：用地面积有误",
        "越城智造示范有限公司：2025年智能制造数据已通过区县审核，待市级审核。",
        "越城智造示范有限公司：2025年智能制造数据已通过市级审核。",
    ]
    assert Notification.objects.filter(user=member).first().url == (
        f"/enterprises/{yuecheng_enterprise.pk}/reports/2025/"
    )


# --- batch approval and the next report -----------------------------------------------------


def test_batch_approval_gives_each_report_its_own_step(yuecheng_officer, plan):
    first = new_report(new_enterprise("越城区", 11, name="甲公司"), 2025, status="submitted")
    second = new_report(new_enterprise("越城区", 12, name="乙公司"), 2025, status="submitted")
    approved = approve_reports([second, first], yuecheng_officer, "批量核对无误")
    assert [r.status for r in approved] == [ReportStatus.DISTRICT_APPROVED] * 2
    for report in (first, second):
        assert steps_of(report) == [("district_approve", "district_approved", "批量核对无误")]


def test_batch_approval_is_all_or_nothing_and_names_the_report_that_cannot_pass(
    yuecheng_officer, plan
):
    # given one waiting report and one the district has already approved
    waiting = new_report(new_enterprise("越城区", 11, name="甲公司"), 2025, status="submitted")
    done = new_report(new_enterprise("越城区", 12, name="乙公司"), 2025, status="district_approved")
    # when both are approved in one batch
    with pytest.raises(ReportError) as caught:
        approve_reports([waiting, done], yuecheng_officer)
    # then the message names the one that cannot pass, and neither changed
    assert str(caught.value) == (
        "「乙公司」2025年：该报表区县已审核，待市级审核，您不能审核。 本批均未通过，请取消勾选后重试。"
    )
    waiting.refresh_from_db()
    assert waiting.status == ReportStatus.SUBMITTED
    assert not ReviewStep.objects.exists()
    assert not Notification.objects.exists()


def test_the_next_waiting_report_follows_the_queue_order_within_the_officers_district(
    yuecheng_officer, plan
):
    b = new_report(new_enterprise("越城区", 11, name="B公司"), 2025, status="submitted")
    a = new_report(new_enterprise("越城区", 12, name="A公司"), 2025, status="submitted")
    early = new_report(new_enterprise("越城区", 13, name="C公司"), 2024, status="submitted")
    new_report(new_enterprise("柯桥区", 14, name="0柯桥公司"), 2025, status="submitted")
    assert next_waiting_report(yuecheng_officer) == early
    assert next_waiting_report(yuecheng_officer, after=early) == a
    assert next_waiting_report(yuecheng_officer, after=a) == b
    # after the last, the queue starts again from its first remaining report
    assert next_waiting_report(yuecheng_officer, after=b) == early


# --- above-scale status ---------------------------------------------------------------------


def test_a_new_report_carries_last_years_scale_status_with_history(yuecheng_enterprise, member):
    # given 2024's status: above scale
    ScaleStatus.objects.create(enterprise=yuecheng_enterprise, year=2024, above_scale=True)
    # when the enterprise fills in 2025 (the form never asks 是否规上)
    report = save_report(yuecheng_enterprise, 2025, GOOD_VALUES, member)
    # then 2025 is above scale too, with why in its history and a step on the report
    status = ScaleStatus.objects.get(enterprise=yuecheng_enterprise, year=2025)
    assert status.above_scale is True
    assert status.history.get().history_change_reason == "沿用2024年的规上状态"
    assert steps_of(report)[-1] == ("scale", "draft", "沿用2024年：规上企业")


def test_carrying_forward_keeps_a_status_already_set_and_needs_an_earlier_one(
    yuecheng_enterprise, keqiao_enterprise
):
    ScaleStatus.objects.create(enterprise=yuecheng_enterprise, year=2024, above_scale=True)
    ScaleStatus.objects.create(enterprise=yuecheng_enterprise, year=2025, above_scale=False)
    assert carry_scale_status(new_report(yuecheng_enterprise, 2025, status="draft"), None) is None
    assert carry_scale_status(new_report(keqiao_enterprise, 2025, status="draft"), None) is None
    assert ScaleStatus.objects.get(enterprise=yuecheng_enterprise, year=2025).above_scale is False
    assert not ScaleStatus.objects.filter(enterprise=keqiao_enterprise).exists()


def test_the_city_lists_approved_reports_lacking_a_status_and_sets_one(
    city_admin, yuecheng_officer, yuecheng_enterprise, keqiao_enterprise
):
    # given two approved reports without a status, one with, and a draft without
    lacking = new_report(yuecheng_enterprise, 2024)
    other = new_report(keqiao_enterprise, 2024)
    counted = new_report(new_enterprise("越城区", 5), 2024)
    ScaleStatus.objects.create(enterprise=counted.enterprise, year=2024, above_scale=True)
    new_report(new_enterprise("越城区", 6), 2024, status="draft")
    # then the city sees both lacking ones, the district officer only its own
    assert set(reports_lacking_scale_status(city_admin)) == {lacking, other}
    assert list(reports_lacking_scale_status(yuecheng_officer)) == [lacking]
    # when the city sets 越城's to above scale
    set_scale_status(yuecheng_enterprise, 2024, True, city_admin, "2024年统计年报在库")
    # then it leaves the list, its history and the report's steps say so, and the district's
    # figures are recomputed
    assert list(reports_lacking_scale_status(city_admin)) == [other]
    status = ScaleStatus.objects.get(enterprise=yuecheng_enterprise, year=2024)
    assert status.history.get().history_change_reason == "2024年统计年报在库"
    assert steps_of(lacking) == [
        ("scale", "city_approved", "设为规上企业（原：未设定）：2024年统计年报在库")
    ]
    task = Task.objects.get()
    assert (task.payload["year"], task.payload["district"]) == (2024, yuecheng_enterprise.region_id)


def test_only_the_city_sets_a_scale_status(yuecheng_officer, yuecheng_enterprise):
    with pytest.raises(ReportForbidden, match="只有市级管理员可以设定企业的规上状态。"):
        set_scale_status(yuecheng_enterprise, 2024, True, yuecheng_officer)
