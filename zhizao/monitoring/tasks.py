"""Background recomputation, queued by name when a figure that counts changes (e.g. a report's
city approval), so the app that changed it need not know the engine."""

from zhizao.core.tasks import register
from zhizao.monitoring.engine import recompute, recompute_registry
from zhizao.plans.models import Plan

RECOMPUTE_TASK = "monitoring.recompute"


@register(RECOMPUTE_TASK)
def recompute_values(task, report) -> dict:
    """payload: {"year": Y, "district": region id} for one district's change; {"registry":
    true} when only a registry (titles) changed; empty for all."""
    payload = task.payload
    if payload.get("registry"):
        report(10, "正在重算平台登记类指标…")
        written = sum(recompute_registry(plan) for plan in Plan.objects.all())
        return {"summary": f"已重算 {written} 个指标值。", "written": written}
    year, district = payload.get("year"), payload.get("district")
    written = 0
    plans = Plan.objects.all()
    for plan in plans:
        years = changed_years = None
        if year is not None:
            # A growth rate of the next year compares with this one, so it changes too; only
            # this year's reports changed, so the other years' parts are the stored ones.
            years = [y for y in (year, year + 1) if plan.base_year <= y <= plan.last_year]
            changed_years = [year]
        report(10, f"正在重算「{plan.name}」…")
        written += recompute(
            plan,
            years=years,
            districts=[district] if district else None,
            changed_years=changed_years,
        )
    return {"summary": f"已重算 {written} 个指标值。", "written": written}
