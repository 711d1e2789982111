"""梯度培育 pages: the ladder (梯队) and the batches (申报批次). The applications are in
views_review.py and the recognised titles in views_titles.py. Views parse, call the services and
render; every queryset goes through the scoping function."""

import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from zhizao.core.downloads import content_disposition
from zhizao.core.models import Region, RegionLevel
from zhizao.core.roles import Role, is_city_admin
from zhizao.core.scoping import get_scoped_object_or_404, scope_queryset
from zhizao.core.xlsx import XLSX_CONTENT_TYPE, table_workbook_bytes
from zhizao.cultivation.filters import BatchFilter
from zhizao.cultivation.forms import BatchForm
from zhizao.cultivation.ladder import ladder
from zhizao.cultivation.models import Application, ApplicationStatus, Batch, Holder
from zhizao.cultivation.services import (
    CultivationError,
    batch_is_open,
    eligibility_problem,
    open_batch,
)
from zhizao.enterprises.models import Enterprise
from zhizao.plans.models import Plan

PAGE_SIZE = 50
STATUS_BY_LABEL = {str(label): value for value, label in ApplicationStatus.choices}


def xlsx_response(
    content: bytes, filename: str, ascii_fallback: str = "cultivation.xlsx"
) -> HttpResponse:
    """The workbook as a download; `ascii_fallback` names it for clients that cannot read a
    Chinese `filename` (stripping the Chinese would leave ".xlsx")."""
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    fallback = filename if filename.isascii() else ascii_fallback
    response["Content-Disposition"] = content_disposition(filename, fallback)
    return response


def page_of(request, queryset, size: int = PAGE_SIZE):
    """The requested page and the query string without `page`, for the pager's links."""
    page = Paginator(queryset, size).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


def styled(filterset):
    """Bootstrap's small controls on a filter form's widgets."""
    for field in filterset.form.fields.values():
        widget = field.widget
        is_select = getattr(widget, "input_type", "select") == "select"
        widget.attrs.setdefault(
            "class", "form-select form-select-sm" if is_select else "form-control form-control-sm"
        )
    return filterset


def _int(value, default):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


# --- the ladder ---------------------------------------------------------------------------


def _default_plan(request) -> Plan:
    plan = scope_queryset(
        request.user,
        Plan.objects.select_related("region").filter(code=settings.ZHIZAO_DEFAULT_PLAN),
    ).first()
    if plan is None:
        raise Http404
    return plan


def ladder_regions(user, plan: Plan) -> list[Region]:
    """The city and its districts for the city admin; its own district for an officer."""
    candidates = Region.objects.filter(Q(pk=plan.region_id) | Q(parent=plan.region_id))
    regions = list(scope_queryset(user, candidates).order_by("sort_order", "code"))
    if is_city_admin(user):
        city = [r for r in regions if r.pk == plan.region_id]
        return city + [r for r in regions if r.pk != plan.region_id]
    if getattr(user, "role", None) == Role.DISTRICT:
        return [r for r in regions if r.level == RegionLevel.COUNTY]
    return []


def ladder_year(request, plan: Plan) -> int:
    default = max(min(timezone.localdate().year, plan.last_year), plan.first_year)
    year = _int(request.GET.get("year"), default)
    return year if plan.first_year <= year <= plan.last_year else default


def _ratio_cell(value):
    return float(value) if value is not None else None


def ladder_tables(plan: Plan, year: int, regions: list[Region]):
    """The ladder of each region as the page and the workbook show it: one row per title type,
    recognitions before the plan and in each plan year, titles in force, plan-period additions
    against the annex target, and the applications at each step."""
    years = [y for y in plan.years if y <= year]
    city_id = plan.region_id
    tables = []
    for region_ladder in ladder(plan, year, regions):
        region = region_ladder.region
        rows = []
        for row in region_ladder.rows:
            type_query = {"title_type": row.title_type.code}
            if region.pk != city_id:
                type_query["region"] = region.code
            pipeline = [
                (label, n, urlencode({**type_query, "status": STATUS_BY_LABEL.get(label, "")}))
                for label, n in row.pipeline.items()
            ]
            rows.append(
                {
                    "row": row,
                    "earlier": sum(n for y, n in row.by_year.items() if y < plan.first_year),
                    "years": [
                        (y, row.by_year.get(y, 0), urlencode({**type_query, "year": y}))
                        for y in years
                    ],
                    "revoked": sum(row.revoked_by_year.values()),
                    "completion": row.completion,
                    "stretch_completion": row.stretch_completion,
                    "pipeline": pipeline,
                    "pipeline_total": sum(n for _, n, _ in pipeline),
                    "titles_query": urlencode({**type_query, "revoked": "false"}),
                    "applications_query": urlencode(type_query),
                }
            )
        tables.append({"region": region, "is_city": region.pk == city_id, "rows": rows})
    return years, tables


@login_required
@require_GET
def ladder_page(request):
    plan = _default_plan(request)
    regions = ladder_regions(request.user, plan)
    if not regions:
        raise Http404
    year = ladder_year(request, plan)
    years, tables = ladder_tables(plan, year, regions)
    if request.GET.get("format") == "xlsx":
        return _ladder_workbook(plan, year, years, tables)
    return render(
        request,
        "cultivation/ladder.html",
        {
            "plan": plan,
            "year": year,
            "years": years,
            "plan_years": plan.years,
            "tables": tables,
            "span": len(years) + 1,
        },
    )


def _ladder_workbook(plan, year, years, tables) -> HttpResponse:
    headers = [
        _("地区"), _("称号类型"), _("计入指标"), _("%(value)s年及以前") % {"value": plan.first_year - 1},
        *[_("%(y)s年认定") % {"y": y} for y in years],
        _("累计摘牌"), _("在册"), _("方案期净增"), _("保底目标"), _("争取目标"), _("保底完成率"), _("争取完成率"),
        _("在途申报"),
    ]  # fmt: skip
    body = []
    for table in tables:
        for item in table["rows"]:
            row = item["row"]
            body.append(
                [
                    table["region"].name,
                    row.title_type.name,
                    row.title_type.indicator_number,
                    item["earlier"],
                    *[n for _, n, _ in item["years"]],
                    item["revoked"],
                    row.in_force,
                    row.plan_additions,
                    _ratio_cell(row.floor),
                    _ratio_cell(row.stretch),
                    _ratio_cell(item["completion"]),
                    _ratio_cell(item["stretch_completion"]),
                    "；".join(f"{label} {n}" for label, n, _ in item["pipeline"]),
                ]
            )
    percent = len(headers) - 3
    content = table_workbook_bytes(
        _("%(year)s年梯度培育梯队") % {"year": year},
        headers,
        body,
        {percent: "0.0%", percent + 1: "0.0%"},
    )
    return xlsx_response(content, f"ladder-{year}.xlsx")


# --- batches --------------------------------------------------------------------------------


@login_required
@require_GET
def batch_list(request):
    today = timezone.localdate()
    batches = scope_queryset(request.user, Batch.objects.select_related("title_type"))
    if is_city_admin(request.user):
        batches = batches.annotate(application_count=Count("applications"))
    filterset = styled(BatchFilter(request.GET or None, queryset=batches))
    page, query = page_of(request, filterset.qs.order_by("-year", "-number", "-pk"))
    for batch in page:
        batch.is_open = batch_is_open(batch, today)
    return render(
        request,
        "cultivation/batch_list.html",
        {
            "filter": filterset,
            "page": page,
            "query": query,
            "can_open": is_city_admin(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def batch_create(request):
    if not is_city_admin(request.user):
        raise Http404
    today = timezone.localdate()
    form = BatchForm(
        request.POST or None,
        initial={
            "year": today.year,
            "number": 1,
            "opens_on": today,
            "closes_on": today + datetime.timedelta(days=30),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            batch = open_batch(
                data["title_type"],
                year=data["year"],
                number=data["number"],
                opens_on=data["opens_on"],
                closes_on=data["closes_on"],
                criteria=data["criteria"],
                required_attachments=data["required_attachments"],
                notes=data["notes"],
                user=request.user,
            )
        except CultivationError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已发布%(batch)s。") % {"batch": batch})
            return redirect("cultivation:batch", pk=batch.pk)
    return render(request, "cultivation/batch_form.html", {"form": form})


def apply_choices(user, batch: Batch) -> list[dict]:
    """Who the user may apply as in this batch, each with the reason it may not (if any)."""
    title_type = batch.title_type
    if title_type.holder == Holder.REGION:
        if is_city_admin(user) or getattr(user, "role", None) == Role.DISTRICT:
            return [{"label": _("区县申报"), "problem": None}]
        return []
    if getattr(user, "role", None) != Role.ENTERPRISE:
        return []
    open_ones = set(
        Application.objects.filter(title_type=title_type, enterprise__members=user)
        .exclude(status__in=(ApplicationStatus.RECOGNISED, ApplicationStatus.REJECTED))
        .values_list("enterprise_id", flat=True)
    )
    choices = []
    for enterprise in scope_queryset(user, Enterprise.objects.all()).order_by("name"):
        problem = eligibility_problem(title_type, enterprise, batch.year)
        if problem is None and enterprise.pk in open_ones:
            problem = _("%(name)s已有一份未办结的「%(name2)s」申报。") % {
                "name": enterprise.name,
                "name2": title_type.name,
            }
        choices.append({"label": enterprise.name, "problem": problem})
    return choices


@login_required
@require_GET
def batch_detail(request, pk: int):
    batch = get_scoped_object_or_404(
        request.user, Batch.objects.select_related("title_type", "created_by"), pk=pk
    )
    is_open = batch_is_open(batch)
    applications = (
        scope_queryset(request.user, Application.objects.filter(batch=batch))
        .select_related("enterprise", "region", "cluster")
        .order_by("region__sort_order", "project_name", "pk")
    )
    page, query = page_of(request, applications)
    choices = apply_choices(request.user, batch) if is_open else []
    return render(
        request,
        "cultivation/batch_detail.html",
        {
            "batch": batch,
            "is_open": is_open,
            "page": page,
            "query": query,
            "choices": choices,
            "can_apply": any(c["problem"] is None for c in choices),
        },
    )
