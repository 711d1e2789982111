from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from zhizao.core.scoping import scope_queryset
from zhizao.monitoring.services import latest_year, plan_progress, visible_regions
from zhizao.monitoring.sparkline import sparkline_svg
from zhizao.plans.models import Plan

STATUS_STYLES = {
    "green": ("success", "达到序时"),
    "amber": ("warning", "略滞后"),
    "red": ("danger", "滞后"),
    "no_data": ("secondary", "无数据"),
    "no_target": ("light", "无分解目标"),
}


def _int(value, default):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


@login_required
@require_GET
def overview(request):
    """All indicators at a glance for a region and year; the selectors swap the table in place."""
    plan = scope_queryset(
        request.user, Plan.objects.filter(code=settings.ZHIZAO_DEFAULT_PLAN)
    ).first()
    if plan is None:
        return redirect("plans:list")
    regions = visible_regions(request.user, plan)
    if not regions:
        raise Http404
    region = regions[0]
    if request.GET.get("region"):
        region = next((r for r in regions if r.code == request.GET["region"]), None)
        if region is None:
            raise Http404  # another district's figures are indistinguishable from none
    year = _int(request.GET.get("year"), latest_year(plan))
    if not plan.first_year <= year <= plan.last_year:
        year = latest_year(plan)
    rows = plan_progress(plan, year, region, user=request.user, with_series=True)
    groups: list[tuple[str, list]] = []
    for row in rows:
        row["style"], row["status_label"] = STATUS_STYLES[row["status"]]
        # Built from numbers only, so it is safe to insert as markup.
        row["sparkline"] = mark_safe(
            sparkline_svg(row["series"]["targets"], row["series"]["actuals"])
        )
        category = row["indicator"].category
        if not groups or groups[-1][0] != category:
            groups.append((category, []))
        groups[-1][1].append(row)
    counts = {key: sum(1 for r in rows if r["status"] == key) for key in STATUS_STYLES}
    context = {
        "plan": plan,
        "regions": regions,
        "region": region,
        "year": year,
        "years": plan.years,
        "groups": groups,
        "counts": counts,
        "status_styles": STATUS_STYLES,
    }
    template = (
        "monitoring/_overview_table.html"
        if request.headers.get("HX-Request")
        else "monitoring/overview.html"
    )
    return render(request, template, context)
