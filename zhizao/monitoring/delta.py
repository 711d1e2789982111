"""One report's city approval, or the return of an approved report, applied to the stored parts
as a delta (ADR 0004, "One approval, one delta").

The report's own contribution (its aggregates, from the same grouped query an aggregation runs,
joined to that report alone: the same filters of scale and divisions, the same count_if)
is added to, or taken from, its district's and the city's parts of that year; their values of
that year, and the growth rates of the next year that compare with it, are evaluated again from
the parts. The population (who should have reported) does not change with an approval.

It is applied exactly once. Under the plan's ValuesLock, which every aggregation also holds:
- a marker (AppliedChange: plan, task) is written with the delta; a retried task finds it and
  changes nothing;
- the district's parts carry the task watermark of their last aggregation: a change whose task
  is at or below it may already be in them, so it is re-aggregated rather than added;
- the report must still be as the change left it (same `updated_at`, status and district), and
  no earlier change of the same report may be unsettled (its task queued, running or failed):
  otherwise the stored parts do not hold the state the delta starts from.
Wherever a delta cannot be proved right (those cases, no stored parts yet, parts from before a
plan change, the previous year of a growth rate not stored), the district's year is
re-aggregated as before: exact whatever happened, only slower.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from zhizao.core.models import Task, TaskStatus
from zhizao.enterprises.models import ReportStatus, ScaleStatus, YearlyReport
from zhizao.monitoring.engine import (
    enterprise_sources,
    level_of,
    lock_values,
    recompute,
    report_parts,
    scale_parts,
    source_groups,
    value_of,
)
from zhizao.monitoring.models import AppliedChange, IndicatorValue
from zhizao.plans.models import Plan

RECOMPUTE_TASK = "monitoring.recompute"
DELTA = "delta"
ALREADY_APPLIED = "already applied"
UNSETTLED = (TaskStatus.QUEUED, TaskStatus.RUNNING, TaskStatus.FAILED)


@dataclass(frozen=True)
class ReportChange:
    """A report starting (+1, city approval) or stopping (−1, return) to count, as its
    background task carries it; `changed_at` is the report's `updated_at` as the change left it."""

    task: int
    report: int
    district: int
    year: int
    sign: int
    changed_at: datetime

    @classmethod
    def of_task(cls, task: Task) -> "ReportChange | None":
        """The change a recompute task carries; None for a payload without one (a whole
        recompute, or a task queued before changes were carried)."""
        payload = task.payload or {}
        try:
            sign = int(payload["sign"])
            change = cls(
                task=task.pk,
                report=int(payload["report"]),
                district=int(payload["district"]),
                year=int(payload["year"]),
                sign=sign,
                changed_at=datetime.fromisoformat(payload["changed_at"]),
            )
        except (KeyError, TypeError, ValueError):
            return None
        return change if sign in (1, -1) else None


@dataclass(frozen=True)
class Outcome:
    written: int  # values written
    how: str  # DELTA, ALREADY_APPLIED, or why it was re-aggregated (in Chinese)

    @property
    def by_delta(self) -> bool:
        return self.how in (DELTA, ALREADY_APPLIED)


class NotApplicable(Exception):
    """The delta cannot be proved right; the message says why (in Chinese)."""


@transaction.atomic
def apply_change(plan: Plan, change: ReportChange) -> Outcome:
    """Apply one report's change to the plan's stored parts exactly once, or re-aggregate its
    district's year where a delta cannot be proved right."""
    lock_values(plan)
    if AppliedChange.objects.filter(plan=plan, task_id=change.task).exists():
        return Outcome(0, ALREADY_APPLIED)
    try:
        rows = _delta(plan, change)
    except NotApplicable as exc:
        years = [y for y in (change.year, change.year + 1) if plan.base_year <= y <= plan.last_year]
        written = recompute(
            plan, years=years, districts=[change.district], changed_years=[change.year]
        )
        return Outcome(written, str(exc))
    IndicatorValue.objects.bulk_update(rows, ["value", "components", "reporters", "computed_at"])
    AppliedChange.objects.create(
        plan=plan, task_id=change.task, region_id=change.district, year=change.year
    )
    return Outcome(len(rows), DELTA)


def _delta(plan: Plan, change: ReportChange) -> list[IndicatorValue]:
    """The stored values the change rewrites, rewritten (not saved); NotApplicable when a delta
    cannot be proved right."""
    if not plan.base_year <= change.year <= plan.last_year:
        raise NotApplicable(_("年份不在方案期内"))
    report = (
        YearlyReport.objects.filter(pk=change.report)
        .values("status", "updated_at", "year", "enterprise_id", "enterprise__region_id")
        .first()
    )
    counted = report is not None and report["status"] == ReportStatus.CITY_APPROVED
    if (
        report is None
        or (report["enterprise__region_id"], report["year"]) != (change.district, change.year)
        or report["updated_at"] != change.changed_at
        or counted != (change.sign > 0)
    ):
        raise NotApplicable(_("报表此后又有变动"))
    earlier = Task.objects.filter(
        name=RECOMPUTE_TASK, pk__lt=change.task, status__in=UNSETTLED, payload__report=change.report
    )
    if earlier.exists():
        raise NotApplicable(_("同一报表较早的变动尚未计入"))

    sources = enterprise_sources(plan.indicators.all())
    own: dict[int, dict[str, Decimal]] = {}
    for above_scale, group in source_groups(sources):
        if above_scale:  # its enterprise's status that year, joined to this report alone
            statuses = ScaleStatus.objects.filter(
                enterprise_id=report["enterprise_id"], year=change.year
            )
            found = scale_parts(group, statuses, Q(enterprise__reports__pk=change.report))
            by_region = [parts for parts, _population in found.values()]
        else:
            by_region = report_parts(group, YearlyReport.objects.filter(pk=change.report)).values()
        for parts in by_region:
            own.update(parts)
    if not own:  # it counts for no indicator (e.g. below scale that year): nothing changes
        return []

    year, district, city = change.year, change.district, plan.region_id
    growth = any(sources[pk].formula.growth for pk in own)
    if growth and year - 1 < plan.base_year:
        raise NotApplicable(_("增速指标的上年分量未存"))
    years = [y for y in (year - 1, year, year + 1) if plan.base_year <= y <= plan.last_year]
    stored = {
        (v.indicator_id, v.region_id, v.year): v
        for v in IndicatorValue.objects.filter(
            indicator_id__in=list(own),
            region_id__in=[district, city],
            year__in=years if growth else [year],
        )
    }
    rows = []
    now = timezone.now()
    for pk, contribution in own.items():
        source = sources[pk]
        formula = source.formula
        needed = [year - 1, year, year + 1] if formula.growth else [year]
        needed = [y for y in needed if plan.base_year <= y <= plan.last_year]
        keys = [(pk, region, y) for region in (district, city) for y in needed]
        if any(k not in stored or stored[k].basis != source.basis for k in keys):
            raise NotApplicable(_("没有可累加的已存分量"))
        mark = stored[(pk, district, year)].aggregated_through
        if mark is None or mark >= change.task:
            raise NotApplicable(_("已存分量汇总时可能已含此变动"))
        for region in (district, city):
            row = stored[(pk, region, year)]
            parts = _parts(row)
            new = {
                name: parts.get(name, Decimal(0)) + change.sign * value
                for name, value in contribution.items()
            }
            if new["reporters"] < 0 or (not new["reporters"] and any(new.values())):
                raise NotApplicable(_("已存分量与报表不符"))
            new = new if new["reporters"] else {}
            row.components = {k: str(v) for k, v in new.items()}
            row.reporters = int(new["reporters"]) if new else 0
            level = level_of(formula, new)
            before = (
                level_of(formula, _parts(stored[(pk, region, year - 1)]))
                if formula.growth
                else None
            )
            row.value = value_of(formula, level, before)
            rows.append(row)
            following = stored.get((pk, region, year + 1)) if formula.growth else None
            if following is not None:
                following.value = value_of(formula, level_of(formula, _parts(following)), level)
                rows.append(following)
    for row in rows:
        row.computed_at = now
    return rows


def _parts(value: IndicatorValue) -> dict[str, Decimal]:
    return {k: Decimal(v) for k, v in value.components.items()}
