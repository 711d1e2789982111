import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from zhizao.core.roles import Role, is_city_admin
from zhizao.core.scoping import get_scoped_object_or_404, scope_queryset
from zhizao.enterprises.fields import REPORT_FIELDS
from zhizao.enterprises.filters import EnterpriseFilter, annotate_year
from zhizao.enterprises.forms import ReportForm, YearLockForm
from zhizao.enterprises.models import (
    Enterprise,
    ReportStatus,
    YearLock,
    YearlyReport,
)
from zhizao.enterprises.services import (
    ReportError,
    latest_return_steps,
    lock_year,
    locked_years,
    may_fill_in,
    previous_values,
    reporting_years,
    save_report,
    submit_report,
    unlock_year,
)
from zhizao.enterprises.views_review import review_context

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
            "returned": latest_return_steps(
                [r for r in reports.values() if r.status == ReportStatus.RETURNED]
            ),
            "locked": locked_years(),
        },
    )


def _ratio(report, part: str, whole: str, scale: int):
    if report is None or not getattr(report, whole) or getattr(report, part) is None:
        return None  # no report, or a draft not filled in yet
    return round(float(getattr(report, part)) / float(getattr(report, whole)) * scale, 1)


@login_required
@require_http_methods(["GET", "POST"])
def report_detail(request, pk: int, year: int):
    """One enterprise's report for one year: the form while it may be filled in (last year's
    value beside each field), otherwise the figures beside last year's with the derived rates;
    the review steps and the actions the viewer may take."""
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
    previous = previous_values(enterprise, year)
    form = None
    if editable:
        submitting = "submit" in request.POST
        form = ReportForm(
            request.POST or None,
            instance=report,
            enterprise=enterprise,
            year=year,
            submitting=submitting,
            previous=previous,
        )
        if request.method == "POST" and form.is_valid():
            try:
                report = save_report(
                    enterprise, year, form.values(), request.user, form.cleaned_data["comment"]
                )
                if submitting:
                    submit_report(report, request.user)
                    messages.success(
                        request, _("%(year)s年数据已提交，等待区县审核。") % {"year": year}
                    )
                elif form.warnings:
                    messages.warning(
                        request,
                        _(
                            "%(year)s年数据已保存为草稿。有 %(n)s 项与上年相比变化较大，"
                            "提交前请核实，并在“说明”中写明原因。"
                        )
                        % {"year": year, "n": len(form.warnings)},
                    )
                else:
                    messages.success(request, _("%(year)s年数据已保存为草稿。") % {"year": year})
                return redirect("enterprises:report", pk=enterprise.pk, year=year)
            except ReportError as exc:
                form.add_error(None, str(exc))
    elif request.method == "POST":
        raise Http404
    return render(
        request,
        "enterprises/report_detail.html",
        {
            "enterprise": enterprise,
            "year": year,
            "report": report,
            "form": form,
            "year_locked": year_locked,
            "previous": previous,
            **review_context(request.user, enterprise, year, report, previous),
        },
    )


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
                    messages.success(request, _("%(year)s年数据已解锁。") % {"year": year})
                else:
                    lock_year(year, request.user, reason)
                    messages.success(request, _("%(year)s年数据已锁定。") % {"year": year})
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
