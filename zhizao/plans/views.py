from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from zhizao.core.models import Region
from zhizao.core.roles import is_city_admin
from zhizao.core.scoping import get_scoped_object_or_404, scope_queryset
from zhizao.core.xlsx import XLSX_CONTENT_TYPE
from zhizao.plans.history import plan_history
from zhizao.plans.models import Plan, RegionTarget
from zhizao.plans.services import plan_tables, plan_tables_workbook
from zhizao.plans.tables import region_target_rows
from zhizao.plans.workbooks import (
    workbook_bytes,
    write_indicator_sheet,
    write_region_sheet,
)


@login_required
@require_GET
def plan_list(request):
    plans = scope_queryset(request.user, Plan.objects.select_related("region"))
    if plans.count() == 1:
        return redirect("plans:detail", code=plans.get().code)
    return render(request, "plans/plan_list.html", {"plans": plans})


@login_required
@require_GET
def plan_detail(request, code: str):
    plan = get_scoped_object_or_404(request.user, Plan.objects.select_related("region"), code=code)
    indicators, regions = plan_tables(request.user, plan)
    context = {
        "plan": plan,
        "indicator_table": indicators,
        "region_table": regions,
        "history": plan_history(plan) if is_city_admin(request.user) else None,
    }
    return render(request, "plans/plan_detail.html", context)


def _xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="{filename.encode("ascii", "ignore").decode() or "plan.xlsx"}"; '
        f"filename*=UTF-8''{quote(filename)}"
    )
    return response


@login_required
@require_GET
def plan_table_xlsx(request, code: str, table: str):
    plan = get_scoped_object_or_404(request.user, Plan.objects.all(), code=code)
    if table == "all":
        return _xlsx_response(plan_tables_workbook(plan, user=request.user), f"{plan.code}.xlsx")
    indicators, regions = plan_tables(request.user, plan)
    if table == "indicators":
        content = workbook_bytes((write_indicator_sheet, indicators))
        return _xlsx_response(content, _("%(code)s-主要目标.xlsx") % {"code": plan.code})
    content = workbook_bytes((write_region_sheet, regions))
    return _xlsx_response(content, _("%(code)s-目标任务表.xlsx") % {"code": plan.code})


@login_required
@require_GET
def region_targets(request, code: str, region_code: str):
    """One district's share of the plan (本区目标), as its officer and the city see it."""
    plan = get_scoped_object_or_404(request.user, Plan.objects.all(), code=code)
    region = get_scoped_object_or_404(
        request.user, Region.objects.filter(parent=plan.region), code=region_code
    )
    targets = scope_queryset(
        request.user,
        RegionTarget.objects.filter(indicator__plan=plan, region=region)
        .select_related("indicator")
        .order_by("indicator__number"),
    )
    return render(
        request,
        "plans/region_targets.html",
        {"plan": plan, "region": region, "rows": region_target_rows(targets)},
    )
