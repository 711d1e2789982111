"""The review side of yearly reports: what a reviewer reads on a report (last year beside this
year, the derived rates, what counting it would change), the actions on one report, the queue
with batch approval, and the city's list of approved reports lacking an above-scale status."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhizao.core.roles import is_city_admin
from zhizao.core.scoping import get_scoped_object_or_404, scope_queryset
from zhizao.enterprises.checks import compare, compare_software
from zhizao.enterprises.fields import report_values
from zhizao.enterprises.forms import ReviewForm, ScaleStatusForm
from zhizao.enterprises.models import (
    Enterprise,
    ReportStatus,
    ReviewAction,
    ScaleStatus,
    YearlyReport,
)
from zhizao.enterprises.rates import district_effects, rate_rows
from zhizao.enterprises.services import (
    ReportError,
    approve_report,
    approve_reports,
    next_action_for,
    next_waiting_report,
    reports_lacking_scale_status,
    return_report,
    set_scale_status,
    submit_report,
    waiting_statuses,
    withdraw_report,
)

PAGE_SIZE = 50
APPROVE_ACTIONS = (ReviewAction.DISTRICT_APPROVE, ReviewAction.CITY_APPROVE)


def review_context(user, enterprise, year: int, report, previous: dict | None) -> dict:
    """What the report page shows besides the form: steps, the return reason, last year beside
    this year, the rates, the district effect for a reviewer, the above-scale status."""
    steps = list(report.steps.select_related("actor")) if report else []
    returned = None
    if report is not None and report.status == ReportStatus.RETURNED:
        returned = next((s for s in reversed(steps) if s.action == ReviewAction.RETURN), None)
    actions = next_action_for(user, report) if report else []
    scale = dict(
        ScaleStatus.objects.filter(enterprise=enterprise, year__in=(year - 1, year)).values_list(
            "year", "above_scale"
        )
    )
    values = report_values(report) if report else {}
    comparison = compare(values, previous) if report else []
    reviewing = any(a in actions for a in APPROVE_ACTIONS)
    return {
        "steps": steps,
        "returned": returned,
        "actions": actions,
        "reviewing": reviewing,
        "comparison": comparison,
        "software": compare_software(values, previous) if report else None,
        "anomalies": sum(1 for row in comparison if row.anomaly),
        "rates": rate_rows(values, previous) if report else [],
        "effects": district_effects(report) if reviewing and scale.get(year) else [],
        "above_scale": scale.get(year),
        "above_scale_before": scale.get(year - 1),
        "scale_form": ScaleStatusForm(
            initial={
                "enterprise": enterprise.pk,
                "year": year,
                "above_scale": "0" if scale.get(year) is False else "1",
            }
        )
        if is_city_admin(user) and report is not None
        else None,
        "review_form": ReviewForm(),
    }


def _back(request, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


@login_required
@require_POST
def report_action(request, pk: int, year: int, action: str):
    enterprise = get_scoped_object_or_404(request.user, Enterprise.objects.all(), pk=pk)
    report = get_scoped_object_or_404(
        request.user, YearlyReport.objects.filter(enterprise=enterprise), year=year
    )
    comment = ReviewForm(request.POST).data.get("comment", "").strip()
    user = request.user
    handlers = {
        ReviewAction.SUBMIT: lambda: submit_report(report, user),
        ReviewAction.WITHDRAW: lambda: withdraw_report(report, user, comment),
        "approve": lambda: approve_report(report, user, comment),
        "approve_next": lambda: approve_report(report, user, comment),
        ReviewAction.RETURN: lambda: return_report(report, user, comment),
    }
    if action not in handlers:
        raise Http404
    here = reverse("enterprises:report", args=[enterprise.pk, year])
    try:
        report = handlers[action]()
    except ReportError as exc:
        messages.error(request, str(exc))
        return redirect(here)
    if action == ReviewAction.WITHDRAW:
        done = _("%(name)s %(year)s年数据已撤回，可修改后重新提交。")
    else:
        done = _("%(name)s %(year)s年数据：%(status)s。")
    messages.success(
        request,
        done % {"name": enterprise.name, "year": year, "status": report.get_status_display()},
    )
    if action == "approve_next":
        following = next_waiting_report(user, after=report)
        if following is None:
            messages.info(request, _("没有等待您审核的报表了。"))
            return redirect("enterprises:reviews")
        return redirect("enterprises:report", pk=following.enterprise_id, year=following.year)
    return redirect(_back(request, here))


@login_required
@require_GET
def review_queue(request):
    """What waits for the viewer: a district officer's submitted reports, the city's district-
    approved ones (both approvable in a batch), an enterprise's drafts and returned reports."""
    user = request.user
    waiting = waiting_statuses(user) or [ReportStatus.DRAFT, ReportStatus.RETURNED]
    reports = (
        scope_queryset(user, YearlyReport.objects.filter(status__in=waiting))
        .select_related("enterprise__region")
        .order_by("year", "enterprise__name", "pk")
    )
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "enterprises/review_queue.html",
        {
            "page": page,
            "waiting": waiting,
            "can_batch": bool(waiting_statuses(user)),
            "lacking_scale": reports_lacking_scale_status(user).count()
            if is_city_admin(user)
            else None,
        },
    )


@login_required
@require_POST
def batch_approve(request):
    """批量通过: the reports ticked in the queue, all or none; one outside the viewer's scope is
    a 404 like any guessed id."""
    try:
        ids = sorted({int(v) for v in request.POST.getlist("report")})
    except ValueError:
        raise Http404 from None
    if not ids:
        messages.error(request, _("请先勾选要通过的报表。"))
        return redirect("enterprises:reviews")
    reports = list(
        scope_queryset(request.user, YearlyReport.objects.filter(pk__in=ids)).select_related(
            "enterprise"
        )
    )
    if len(reports) != len(ids):
        raise Http404
    comment = request.POST.get("comment", "").strip()
    try:
        approved = approve_reports(reports, request.user, comment)
    except ReportError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已通过 %(n)s 份报表。") % {"n": len(approved)})
    return redirect(_back(request, reverse("enterprises:reviews")))


@login_required
@require_http_methods(["GET", "POST"])
def scale_statuses(request):
    """The city's list of city-approved reports without an above-scale status (left out of
    every 规上 indicator), each settable here; POST sets one (from here or a report page)."""
    if not is_city_admin(request.user):
        raise Http404
    if request.method == "POST":
        form = ScaleStatusForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("请选择规上状态。"))
            return redirect(_back(request, reverse("enterprises:scale_statuses")))
        data = form.cleaned_data
        enterprise = get_scoped_object_or_404(
            request.user, Enterprise.objects.all(), pk=data["enterprise"]
        )
        try:
            set_scale_status(
                enterprise, data["year"], data["above_scale"], request.user, data["reason"]
            )
        except ReportError as exc:
            messages.error(request, str(exc))
        else:
            word = _("规上企业") if data["above_scale"] else _("规下企业")
            messages.success(
                request,
                _("%(name)s %(year)s年已设为%(word)s。")
                % {"name": enterprise.name, "year": data["year"], "word": word},
            )
        return redirect(_back(request, reverse("enterprises:scale_statuses")))
    reports = (
        reports_lacking_scale_status(request.user)
        .select_related("enterprise__region")
        .order_by("-year", "enterprise__region__sort_order", "enterprise__name", "pk")
    )
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "enterprises/scale_statuses.html", {"page": page})
