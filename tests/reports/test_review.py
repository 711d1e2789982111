"""The yearly report's life: checks, draft, submit, district and city approval, return, locks."""

from decimal import Decimal

import pytest
from stdnum.cn import uscc as uscc_number

from tests.reports.conftest import GOOD_VALUES, new_report
from zhizao.enterprises.models import ReportStatus, ReviewStep, YearlyReport
from zhizao.enterprises.services import (
    ReportError,
    ReportForbidden,
    ReportInvalid,
    approve_report,
    lock_year,
    return_report,
    save_report,
    submit_report,
    unlock_year,
    validate_uscc,
)


def test_parts_larger_than_wholes_are_refused_with_the_figures(yuecheng_enterprise, member):
    values = {**GOOD_VALUES, "cnc_key_processes": 25, "networked_equipment": 101}
    with pytest.raises(ReportInvalid) as caught:
        save_report(yuecheng_enterprise, 2025, values, member)
    assert caught.value.check.errors == {
        "cnc_key_processes": "「其中数控化关键工序数（个）」25 不能大于「关键工序数（个）」20。",
        "networked_equipment": "「其中已联网设备数（台）」101 不能大于「可联网设备数（台）」100。",
    }
    assert not YearlyReport.objects.exists()


def test_value_added_above_output_and_negative_numbers_are_refused(yuecheng_enterprise, member):
    values = {**GOOD_VALUES, "value_added": Decimal("13000"), "energy_use": Decimal("-1")}
    with pytest.raises(ReportInvalid) as caught:
        save_report(yuecheng_enterprise, 2025, values, member)
    assert caught.value.check.errors == {
        "value_added": "「工业增加值（万元）」13000 不能大于「工业总产值（万元）」12000。",
        "energy_use": "「综合能耗（吨标准煤）」不能为负数（填写的是 -1）。",
    }


def test_year_outside_the_plan_is_refused(yuecheng_enterprise, member):
    with pytest.raises(ReportInvalid) as caught:
        save_report(yuecheng_enterprise, 2026, GOOD_VALUES, member)
    assert caught.value.check.errors == {"year": "年份 2026 不在方案年份内（2020—2025年）。"}


def test_a_jump_from_last_year_is_saved_as_a_draft_but_needs_a_comment_to_submit(
    yuecheng_enterprise, member
):
    # given last year's approved report with 8 robots
    new_report(yuecheng_enterprise, 2024)
    values = {**GOOD_VALUES, "industrial_robots": 30}
    # when saved as a draft without a comment, it is kept
    report = save_report(yuecheng_enterprise, 2025, values, member)
    assert report.industrial_robots == 30
    # but submitting it without a comment is refused, with the figures named
    with pytest.raises(ReportInvalid) as caught:
        submit_report(report, member)
    assert caught.value.check.warnings == {
        "industrial_robots": "「在役工业机器人（台）」从上年的 8 变为 30，为上年的 3.75 倍，请在说明中写明原因。"
    }
    assert caught.value.check.errors == {"comment": "有同比变化异常的数据，请在“说明”中写明原因。"}
    # and with a comment it is accepted
    report = save_report(yuecheng_enterprise, 2025, values, member, "新建机器人焊接线两条")
    assert submit_report(report, member).status == ReportStatus.SUBMITTED


def test_full_review_path_records_every_step(
    yuecheng_enterprise, member, yuecheng_officer, city_admin
):
    report = save_report(yuecheng_enterprise, 2025, GOOD_VALUES, member)
    submit_report(report, member)
    approve_report(report, yuecheng_officer, "数据核实无误")
    report = approve_report(report, city_admin)
    assert report.status == ReportStatus.CITY_APPROVED
    steps = list(
        ReviewStep.objects.filter(report=report).values_list(
            "action", "to_status", "actor__username", "comment"
        )
    )
    assert steps == [
        ("create", "draft", "member", ""),
        ("submit", "submitted", "member", ""),
        ("district_approve", "district_approved", "yuecheng-officer", "数据核实无误"),
        ("city_approve", "city_approved", "city-admin", ""),
    ]


def test_an_approved_report_is_locked_against_edits(yuecheng_enterprise, member):
    new_report(yuecheng_enterprise, 2025)
    with pytest.raises(ReportError, match="该报表市级已审核，不能再修改。"):
        save_report(yuecheng_enterprise, 2025, GOOD_VALUES, member)


def test_officer_of_another_district_cannot_approve(yuecheng_enterprise, member, keqiao_officer):
    report = submit_report(save_report(yuecheng_enterprise, 2025, GOOD_VALUES, member), member)
    with pytest.raises(ReportError, match="您不能审核"):
        approve_report(report, keqiao_officer)


def test_return_needs_a_reason_and_lets_the_enterprise_fix_it(
    yuecheng_enterprise, member, yuecheng_officer
):
    report = submit_report(save_report(yuecheng_enterprise, 2025, GOOD_VALUES, member), member)
    with pytest.raises(ReportError, match="退回必须填写原因。"):
        return_report(report, yuecheng_officer, "  ")
    report = return_report(report, yuecheng_officer, "用地面积与不动产证不符")
    assert report.status == ReportStatus.RETURNED
    fixed = save_report(
        yuecheng_enterprise, 2025, {**GOOD_VALUES, "land_area": Decimal("48")}, member
    )
    assert submit_report(fixed, member).status == ReportStatus.SUBMITTED


def test_other_enterprises_users_cannot_fill_in(keqiao_enterprise, member):
    with pytest.raises(ReportForbidden, match="您不能填报该企业的数据。"):
        save_report(keqiao_enterprise, 2025, GOOD_VALUES, member)


def test_locked_year_refuses_edits_until_unlocked_and_both_are_recorded(
    yuecheng_enterprise, member, city_admin
):
    lock_year(2025, city_admin, "2025年数据已报统计局")
    with pytest.raises(ReportError, match="2025年的数据已由市级锁定"):
        save_report(yuecheng_enterprise, 2025, GOOD_VALUES, member)
    with pytest.raises(ReportError, match="解锁年度数据须说明原因。"):
        unlock_year(2025, city_admin, "")
    lock = unlock_year(2025, city_admin, "更正个别企业数据")
    assert save_report(yuecheng_enterprise, 2025, GOOD_VALUES, member).pk
    reasons = list(lock.history.order_by("history_date").values_list("locked", "reason"))
    assert reasons == [(True, "2025年数据已报统计局"), (False, "更正个别企业数据")]


def test_only_the_city_admin_locks_years(yuecheng_officer):
    with pytest.raises(ReportForbidden):
        lock_year(2025, yuecheng_officer)


def test_uscc_is_normalised_before_it_is_checked():
    body = "91330602MA2BC1234"
    good = body + uscc_number.calc_check_digit(body)
    lower_with_space = good[:10].lower() + " " + good[10:].lower()
    full_width = good.translate({ord(c): ord(c) + 0xFEE0 for c in good})
    assert validate_uscc(lower_with_space) == good
    assert validate_uscc(full_width) == good


def test_wrong_uscc_messages_name_the_code():
    with pytest.raises(ValueError) as short:
        validate_uscc("9133060212345")
    assert str(short.value) == "统一社会信用代码「9133060212345」应为 18 位，实际 13 位。"
    with pytest.raises(ValueError) as checksum:
        validate_uscc("91330602MA2BC12340")
    assert "校验位不正确" in str(checksum.value)
