import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhizao.core.roles import Role, is_city_admin
from zhizao.core.scoping import get_scoped_object_or_404, scope_queryset
from zhizao.enterprises.fields import REPORT_FIELDS
from zhizao.enterprises.filters import EnterpriseFilter, annotate_year
from zhizao.enterprises.forms import ReportForm, ReviewForm, YearLockForm
from zhizao.enterprises.models import (
    Enterprise,
    ReportStatus,
    ReviewAction,
    YearLock,
    YearlyReport,
)
from zhizao.enterprises.services import (
    ReportError,
    approve_report,
    lock_year,
    locked_years,
    may_fill_in,
    next_action_for,
    reporting_years,
    return_report,
    save_report,
    submit_report,
    unlock_year,
)

PAGE_SIZE = 50


def default_year() -> int | None:
    """The year being reported now: last year, within the plan's years."""
    years = reporting_years()
    if not years:
        return None
    return max(min(datetime.date.today().year - 1, years[-1]), years[0])


@login_required
@require_GET
def enterprise_list(request):
    base = scope_queryset(request.user, Enterprise.objects.all())
    if request.user.role == Role.ENTERPRISE and not request.GET:
        own = list(base.values_list("pk", flat=True)[:2])
        if len(own) == 1:  # an enterprise user's registry is its own enterprise
            return redirect("enterprises:detail", pk=own[0])
    filterset = EnterpriseFilter(request.GET or None, queryset=base, default_year=default_year())
    year = filterset.selected_year
    # Page through ids first, then fetch and annotate only the page's rows: the database would
    # otherwise compute the year's subqueries for every row an OFFSET skips.
    ids = filterset.qs.order_by("name", "pk").values_list("pk", flat=True)
    page = Paginator(ids, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = Enterprise.objects.filter(pk__in=list(page)).select_related("region", "cluster")
    if year is not None:
        rows = annotate_year(rows, year)
    page.object_list = list(rows.order_by("name", "pk"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "enterprises/enterprise_list.html",
        {
            "filter": filterset,
            "page": page,
            "year": year,
            "years": list(reporting_years()),
            "query": query.urlencode(),
            "status_labels": dict(ReportStatus.choices),
            "can_import": is_city_admin(request.user) or request.user.role == Role.DISTRICT,
        },
    )


@login_required
@require_GET
def enterprise_detail(request, pk: int):
    enterprise = get_scoped_object_or_404(
        request.user, Enterprise.objects.select_related("region", "cluster"), pk=pk
    )
    reports = {
        r.year: r
        for r in scope_queryset(request.user, YearlyReport.objects.filter(enterprise=enterprise))
    }
    years = list(reporting_years())
    above_scale = dict(enterprise.scale_statuses.values_list("year", "above_scale"))
    rows = [
        {"label": spec.label, "values": [getattr(reports.get(y), spec.name, None) for y in years]}
        for spec in REPORT_FIELDS
    ]
    chart = {
        "years": [str(y) for y in years],
        "robot_density": [
            _ratio(reports.get(y), "industrial_robots", "employees", 10000) for y in years
        ],
        "cnc_rate": [
            _ratio(reports.get(y), "cnc_key_processes", "key_processes", 100) for y in years
        ],
        "networking_rate": [
            _ratio(reports.get(y), "networked_equipment", "networkable_equipment", 100)
            for y in years
        ],
    }
    return render(
        request,
        "enterprises/enterprise_detail.html",
        {
            "enterprise": enterprise,
            "years": years,
            "reports": [reports.get(y) for y in years],
            "above_scale": [above_scale.get(y) for y in years],
            "rows": rows,
            "chart": chart,
            "can_fill_in": may_fill_in(request.user, enterprise),
            "locked": locked_years(),
        },
    )


def _ratio(report, part: str, whole: str, scale: int):
    if report is None or not getattr(report, whole):
        return None
    return round(float(getattr(report, part)) / float(getattr(report, whole)) * scale, 1)


@login_required
@require_http_methods(["GET", "POST"])
def report_detail(request, pk: int, year: int):
    """One enterprise's report for one year: the form while it may be filled in, the figures and
    the review steps otherwise, with the actions the viewer may take."""
    enterprise = get_scoped_object_or_404(
        request.user, Enterprise.objects.select_related("region"), pk=pk
    )
    if year not in reporting_years():
        raise Http404
    report = scope_queryset(
        request.user, YearlyReport.objects.filter(enterprise=enterprise, year=year)
    ).first()
    year_locked = year in locked_years()
    editable = (
        may_fill_in(request.user, enterprise)
        and not year_locked
        and (report is None or report.is_editable)
    )
    if report is None and not editable:
        raise Http404
    form = None
    if editable:
        form = ReportForm(request.POST or None, instance=report, enterprise=enterprise, year=year)
        if request.method == "POST" and form.is_valid():
            try:
                report = save_report(
                    enterprise, year, form.values(), request.user, form.cleaned_data["comment"]
                )
                if "submit" in request.POST:
                    submit_report(report, request.user)
                    messages.success(request, f"{year}年数据已提交，等待区县审核。")
                else:
                    messages.success(request, f"{year}年数据已保存为草稿。")
                return redirect("enterprises:report", pk=enterprise.pk, year=year)
            except ReportError as exc:
                form.add_error(None, str(exc))
    elif request.method == "POST":
        raise Http404
    steps = list(report.steps.select_related("actor")) if report else []
    returned = (
        next((s for s in reversed(steps) if s.action == ReviewAction.RETURN), None)
        if report is not None and report.status == ReportStatus.RETURNED
        else None
    )
    return render(
        request,
        "enterprises/report_detail.html",
        {
            "enterprise": enterprise,
            "year": year,
            "report": report,
            "form": form,
            "year_locked": year_locked,
            "steps": steps,
            "returned": returned,
            "fields": [(spec.label, getattr(report, spec.name)) for spec in REPORT_FIELDS]
            if report
            else [],
            "actions": next_action_for(request.user, report) if report else [],
            "review_form": ReviewForm(),
        },
    )


@login_required
@require_POST
def report_action(request, pk: int, year: int, action: str):
    enterprise = get_scoped_object_or_404(request.user, Enterprise.objects.all(), pk=pk)
    report = get_scoped_object_or_404(
        request.user, YearlyReport.objects.filter(enterprise=enterprise), year=year
    )
    form = ReviewForm(request.POST)
    comment = form.data.get("comment", "").strip()
    handlers = {
        ReviewAction.SUBMIT: lambda: submit_report(report, request.user),
        "approve": lambda: approve_report(report, request.user, comment),
        ReviewAction.RETURN: lambda: return_report(report, request.user, comment),
    }
    if action not in handlers:
        raise Http404
    try:
        report = handlers[action]()
        messages.success(
            request, f"{enterprise.name} {year}年数据：{report.get_status_display()}。"
        )
    except ReportError as exc:
        messages.error(request, str(exc))
    return redirect(request.POST.get("next") or f"/enterprises/{enterprise.pk}/reports/{year}/")


@login_required
@require_GET
def review_queue(request):
    """What waits for the viewer: a district officer's submitted reports, the city's district-
    approved ones, an enterprise's drafts and returned reports."""
    user = request.user
    if is_city_admin(user):
        waiting = [ReportStatus.DISTRICT_APPROVED]
    elif user.role == Role.DISTRICT:
        waiting = [ReportStatus.SUBMITTED]
    else:
        waiting = [ReportStatus.DRAFT, ReportStatus.RETURNED]
    reports = (
        scope_queryset(user, YearlyReport.objects.filter(status__in=waiting))
        .select_related("enterprise__region")
        .order_by("year", "enterprise__name")
    )
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "enterprises/review_queue.html", {"page": page, "waiting": waiting})


@login_required
@require_http_methods(["GET", "POST"])
def year_locks(request):
    if not is_city_admin(request.user):
        raise Http404
    if request.method == "POST":
        form = YearLockForm(request.POST)
        if form.is_valid():
            year, reason = form.cleaned_data["year"], form.cleaned_data["reason"]
            try:
                if "unlock" in request.POST:
                    unlock_year(year, request.user, reason)
                    messages.success(request, f"{year}年数据已解锁。")
                else:
                    lock_year(year, request.user, reason)
                    messages.success(request, f"{year}年数据已锁定。")
            except ReportError as exc:
                messages.error(request, str(exc))
        return redirect("enterprises:years")
    counts = {
        row["year"]: row
        for row in YearlyReport.objects.values("year").annotate(
            total=Count("pk"),
            approved=Count("pk", filter=Q(status=ReportStatus.CITY_APPROVED)),
            waiting=Count(
                "pk", filter=Q(status__in=[ReportStatus.SUBMITTED, ReportStatus.DISTRICT_APPROVED])
            ),
        )
    }
    locks = {lock.year: lock for lock in YearLock.objects.select_related("changed_by")}
    years = [
        {"year": y, "counts": counts.get(y, {}), "lock": locks.get(y)} for y in reporting_years()
    ]
    return render(request, "enterprises/year_locks.html", {"years": years})
