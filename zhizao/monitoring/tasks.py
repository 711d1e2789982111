"""Background recomputation, queued by name when a figure that counts changes (e.g. a report's
city approval), so the app that changed it need not know the engine."""

from zhizao.core.tasks import register
from zhizao.monitoring.delta import RECOMPUTE_TASK, ReportChange, apply_change
from zhizao.monitoring.engine import recompute, recompute_registry
from zhizao.plans.models import Plan

__all__ = ["RECOMPUTE_TASK", "recompute_values"]


@register(RECOMPUTE_TASK)
def recompute_values(task, report) -> dict:
    """payload: {"year": Y, "district": region id} for one district's change, with {"report":
    id, "sign": +1 or -1, "changed_at": the report's updated_at} when it is one report's city
    approval (+1) or the return of an approved report (-1), applied as a delta where it can be
    (monitoring/delta.py); {"registry": true} when only a registry (titles) changed; empty for
    all."""
    payload = task.payload
    if payload.get("registry"):
        report(10, "正在重算平台登记类指标…")
        written = sum(recompute_registry(plan) for plan in Plan.objects.all())
        return {"summary": f"已重算 {written} 个指标值。", "written": written}
    year, district = payload.get("year"), payload.get("district")
    change = ReportChange.of_task(task) if district else None
    written, how = 0, []
    for plan in Plan.objects.all():
        years = changed_years = None
        if year is not None:
            # A growth rate of the next year compares with this one, so it changes too; only
            # this year's reports changed, so the other years' parts are the stored ones.
            years = [y for y in (year, year + 1) if plan.base_year <= y <= plan.last_year]
            changed_years = [year]
            if not years:  # the change is outside this plan's years
                continue
        report(10, f"正在重算「{plan.name}」…")
        if change is not None:
            outcome = apply_change(plan, change)
            written += outcome.written
            how.append(outcome.how)
            continue
        written += recompute(
            plan,
            years=years,
            districts=[district] if district else None,
            changed_years=changed_years,
        )
    result = {"summary": f"已重算 {written} 个指标值。", "written": written}
    if how:
        result["how"] = how
    return result
