"""Demo reports in every state of the review loop, for the year being reported (the year after
the demo's approved reports, 2025 by default), so that every page of the loop has data:

- the demo `enterprise` account's own report, submitted and returned by 越城区 with a reason (the
  enterprise sees it on login, corrects it and submits again);
- one withdrawn by its enterprise before the district reviewed it (a draft again);
- reports waiting for 越城区 and for 柯桥区 (one with a year-on-year jump and its comment), and
  reports the districts have approved, waiting for the city;
- city-approved reports lacking an above-scale status (the 2024 status of three enterprises
  below scale is left unset, as a report filed without 是否规上 would be), for the city's list.

Every report goes through the report services, so the steps, the notifications and the carried
forward above-scale status are what real use leaves. The enterprises other than the demo
account's get a filler account of their own (no password: it cannot sign in) so that each step
has a person behind it.
"""

import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from zhizao.core.demo_steps import register_demo_step
from zhizao.core.roles import Role
from zhizao.enterprises.demo.firms import demo_member_account
from zhizao.enterprises.fields import NUMERIC_FIELDS, REPORT_FIELDS, report_values
from zhizao.enterprises.models import Enterprise, ReportStatus, ScaleStatus, YearlyReport
from zhizao.enterprises.services import (
    approve_report,
    reporting_years,
    return_report,
    save_report,
    submit_report,
    withdraw_report,
)

RETURN_REASON = (
    "用地面积与上年不一致，请对照不动产权证核实；工业增加值请按统计年报口径填写后重新提交。"
)
WITHDRAW_REASON = "发现从业人员数填错，撤回修改。"
JUMP_COMMENT = "新建两条机器人焊接线，机器人数量大幅增加。"
# (district, reports waiting for its officer, reports it approved that wait for the city)
WAITING = (("越城区", 5, 2), ("柯桥区", 5, 2))
LACKING_STATUS = ("越城区", "柯桥区", "上虞区")


def grown(values: dict, rng: random.Random) -> dict:
    """Next year's figures: money up 3–9 %, one more robot now and then, the rest as they were
    (within the checks, so no comment is needed)."""
    factor = Decimal(str(round(rng.uniform(1.03, 1.09), 3)))
    new = dict(values)
    for spec in NUMERIC_FIELDS:
        if spec.kind == "decimal" and values[spec.name] is not None:
            new[spec.name] = (values[spec.name] * factor).quantize(Decimal("0.01"))
    new["industrial_robots"] = values["industrial_robots"] + rng.choice((0, 0, 1, 2))
    return new


def _filler(enterprise: Enterprise):
    """The enterprise's demo filler account (created once, no usable password)."""
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=f"demo-firm-{enterprise.pk}",
        defaults={
            "role": Role.ENTERPRISE,
            "region_id": enterprise.region_id,
            "full_name": f"{enterprise.contact_name or '填报人'}（{enterprise.name[:8]}）",
        },
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    enterprise.members.add(user)
    return user


def _candidates(region: str, year: int, rng: random.Random, count: int, taken: set) -> list:
    """`count` above-scale enterprises of `region` with last year's approved report."""
    reports = list(
        YearlyReport.objects.filter(
            year=year - 1,
            status=ReportStatus.CITY_APPROVED,
            enterprise__region__name=region,
            enterprise__scale_statuses__year=year - 1,
            enterprise__scale_statuses__above_scale=True,
        )
        .exclude(enterprise_id__in=taken)
        .select_related("enterprise")
        .order_by("enterprise_id")
    )
    chosen = rng.sample(reports, min(count, len(reports)))
    taken.update(r.enterprise_id for r in chosen)
    return chosen


def _officer(region: str):
    return (
        get_user_model()
        .objects.filter(role=Role.DISTRICT, region__name=region, is_active=True)
        .order_by("pk")
        .first()
    )


def _file(previous: YearlyReport, user, year: int, rng, comment: str = "", **changes):
    values = {**grown(report_values(previous), rng), **changes}
    values = {f.name: values[f.name] for f in REPORT_FIELDS}
    report = save_report(previous.enterprise, year, values, user, comment)
    return submit_report(report, user)


@transaction.atomic
def generate_report_states(seed: int, year: int) -> dict[str, int]:
    rng = random.Random(f"{seed}-report-states")
    counts = dict.fromkeys(("returned", "withdrawn", "district", "city", "lacking"), 0)
    taken: set[int] = set()
    account = demo_member_account()
    member = get_user_model().objects.filter(username=account.username).first()
    own = member.enterprises.first() if member is not None else None
    yuecheng = _officer("越城区")
    if own is not None and yuecheng is not None:
        previous = YearlyReport.objects.filter(enterprise=own, year=year - 1).first()
        if previous is not None:
            taken.add(own.pk)
            report = _file(previous, member, year, rng, land_area=previous.land_area * 2)
            return_report(report, yuecheng, RETURN_REASON)
            counts["returned"] += 1
    for region, waiting, approved in WAITING:
        officer = _officer(region)
        chosen = _candidates(region, year, rng, waiting + approved + 1, taken)
        for index, previous in enumerate(chosen):
            user = _filler(previous.enterprise)
            if index == 0 and region == "越城区":
                report = _file(previous, user, year, rng)
                withdraw_report(report, user, WITHDRAW_REASON)
                counts["withdrawn"] += 1
                continue
            jump = index == 1
            changes = {"industrial_robots": previous.industrial_robots * 4 + 4} if jump else {}
            report = _file(previous, user, year, rng, JUMP_COMMENT if jump else "", **changes)
            if index > waiting and officer is not None:
                approve_report(report, officer, "数据已核实。")
                counts["city"] += 1
            else:
                counts["district"] += 1
    for region in LACKING_STATUS:
        below = (
            ScaleStatus.objects.filter(
                year=year - 1, above_scale=False, enterprise__region__name=region
            )
            .exclude(enterprise_id__in=taken)
            .order_by("enterprise_id")
            .first()
        )
        if below is not None:
            below.delete()
            counts["lacking"] += 1
    return counts


@register_demo_step("reports", order=10)
def report_states_demo_step(*, seed: int, years: range, stdout=None) -> str:
    year = years.stop
    if year not in reporting_years():
        return f"年度报表流程：{year}年不在方案年份内，未生成待审核的演示报表。"
    if YearlyReport.objects.filter(year=year).exists():
        return f"年度报表流程：库中已有{year}年报表，保留现有数据，不再生成。"
    counts = generate_report_states(seed, year)
    return (
        f"年度报表流程：{year}年退回 {counts['returned']} 份、撤回 {counts['withdrawn']} 份、"
        f"待区县审核 {counts['district']} 份、待市级审核 {counts['city']} 份；"
        f"{counts['lacking']} 份已审核报表缺少规上状态。"
    )
