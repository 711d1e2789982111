"""The self-assessment pages (自评估): the diagnosis home with what waits for the viewer, one
enterprise's diagnoses, starting, filling in over several sittings (each answer saved as it is
given), submitting, and the report with its PDF. Views parse and call the services; every
record is fetched through the scoping function, so another district's or enterprise's id is
404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhizao.core.roles import Role, is_city_admin
from zhizao.core.scoping import get_scoped_object_or_404, scope_queryset
from zhizao.diagnosis import services
from zhizao.diagnosis.forms import StartForm, answers_from
from zhizao.diagnosis.models import (
    AssessmentStatus,
    DiagnosisStatus,
    ExpertDiagnosis,
    IndustryType,
    SelfAssessment,
)
from zhizao.diagnosis.pdf import assessment_pdf, assessment_title, pdf_response
from zhizao.diagnosis.views_common import (
    answered_count,
    comparison_rows,
    domain_rows,
    level_names,
    level_rows,
    may_follow_coverage,
    next_level,
    report_charts,
    sections,
)
from zhizao.enterprises.models import Enterprise

PAGE_SIZE = 50
ASSESSMENTS = SelfAssessment.objects.select_related(
    "enterprise__region", "enterprise__cluster", "created_by"
)


def _assessment(request, pk: int) -> SelfAssessment:
    return get_scoped_object_or_404(request.user, ASSESSMENTS, pk=pk)


def _int(value, default=None):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


# --- home: what waits for the viewer -----------------------------------------------------


@login_required
@require_GET
def home(request):
    user = request.user
    diagnoses = scope_queryset(
        user, ExpertDiagnosis.objects.select_related("enterprise__region", "diagnostician")
    )
    context = {
        "role": user.role,
        "may_follow": may_follow_coverage(user),
        "level_names": level_names(services.current_questionnaire()),
    }
    if user.role == Role.ENTERPRISE:
        enterprises = list(
            scope_queryset(user, Enterprise.objects.select_related("region")).order_by("name")[:20]
        )
        assessments = scope_queryset(
            user, SelfAssessment.objects.filter(enterprise__in=enterprises)
        )
        by_enterprise: dict[int, list] = {}
        for a in assessments.order_by("-year"):
            by_enterprise.setdefault(a.enterprise_id, []).append(a)
        q = services.current_questionnaire()
        context["own"] = [
            {
                "enterprise": e,
                "draft": next((a for a in by_enterprise.get(e.pk, []) if not a.is_submitted), None),
                "latest": next((a for a in by_enterprise.get(e.pk, []) if a.is_submitted), None),
                "count": len(by_enterprise.get(e.pk, [])),
            }
            for e in enterprises
        ]
        for row in context["own"]:
            if row["draft"]:
                row["answered"] = answered_count(q, row["draft"].answers)
        context["total_questions"] = len(q.requirements)
        context["waiting"] = list(diagnoses.filter(status=DiagnosisStatus.SUBMITTED)[:50])
    elif user.role in (Role.EXPERT, Role.PROVIDER):
        context["waiting"] = list(
            diagnoses.filter(status=DiagnosisStatus.ASSIGNED).order_by("assigned_at")[:50]
        )
        context["correctable"] = list(diagnoses.filter(status=DiagnosisStatus.SUBMITTED)[:50])
    else:
        # The city and the districts follow what they assigned and what is still open.
        context["waiting"] = list(
            diagnoses.filter(status=DiagnosisStatus.ASSIGNED).order_by("assigned_at")[:50]
        )
        context["recent"] = list(
            scope_queryset(user, ASSESSMENTS.filter(status=AssessmentStatus.SUBMITTED)).order_by(
                "-submitted_at"
            )[:10]
        )
    return render(request, "diagnosis/home.html", context)


# --- one enterprise ----------------------------------------------------------------------


@login_required
@require_GET
def enterprise_page(request, pk: int):
    """One enterprise's self-assessments and expert diagnoses, with what the viewer may start."""
    enterprise = get_scoped_object_or_404(
        request.user, Enterprise.objects.select_related("region", "cluster"), pk=pk
    )
    assessments = scope_queryset(
        request.user, SelfAssessment.objects.filter(enterprise=enterprise)
    ).order_by("-year")
    diagnoses = scope_queryset(
        request.user, ExpertDiagnosis.objects.filter(enterprise=enterprise)
    ).select_related("diagnostician")
    may_assign = is_city_admin(request.user) or (
        request.user.role == Role.DISTRICT
        and services.is_officer_of(request.user, enterprise.region)
    )
    return render(
        request,
        "diagnosis/enterprise.html",
        {
            "enterprise": enterprise,
            "assessments": list(assessments),
            "diagnoses": list(diagnoses),
            "may_fill_in": services.may_fill_in(request.user, enterprise),
            "may_assign": may_assign,
            "suggested": services.suggested_industry_type(enterprise),
            "level_names": level_names(services.current_questionnaire()),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def start(request, pk: int):
    enterprise = get_scoped_object_or_404(
        request.user, Enterprise.objects.select_related("region"), pk=pk
    )
    if not services.may_fill_in(request.user, enterprise):
        raise Http404
    draft = services.draft_assessment(enterprise)
    if draft is not None:
        messages.info(
            request,
            _("%(name)s已有%(year)s年的自评估草稿，请继续填写。")
            % {"name": enterprise.name, "year": draft.year},
        )
        return redirect("diagnosis:fill", pk=draft.pk)
    suggested = services.suggested_industry_type(enterprise)
    form = StartForm(request.POST or None, initial={"industry_type": suggested.value})
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.start_assessment(
                enterprise,
                request.user,
                form.cleaned_data["industry_type"],
                form.cleaned_data["year"],
            )
        except services.DiagnosisError as exc:
            for error in exc.errors:
                form.add_error(None, error)
        else:
            return redirect("diagnosis:fill", pk=assessment.pk)
    return render(
        request,
        "diagnosis/start.html",
        {
            "enterprise": enterprise,
            "form": form,
            "suggested": suggested,
            "questionnaire": services.current_questionnaire(),
        },
    )


# --- filling in --------------------------------------------------------------------------


def _fill_context(request, assessment: SelfAssessment, number: int | None) -> dict:
    q = services.current_questionnaire()
    parts = sections(q, assessment.answers)
    current = next((s for s in parts if s.number == number), parts[0])
    return {
        "assessment": assessment,
        "enterprise": assessment.enterprise,
        "questionnaire": q,
        "sections": parts,
        "section": current,
        "previous": parts[current.number - 2] if current.number > 1 else None,
        "next": parts[current.number] if current.number < len(parts) else None,
        "answered": sum(s.answered for s in parts),
        "total": len(q.requirements),
        "editable": services.may_fill_in(request.user, assessment.enterprise)
        and not assessment.is_submitted,
        "check": request.GET.get("check") == "1",
        "industry_types": IndustryType.choices,
    }


@login_required
@require_GET
def fill(request, pk: int):
    """One domain of the questionnaire at a time; every answer is saved as it is given."""
    assessment = _assessment(request, pk)
    if assessment.is_submitted:
        return redirect("diagnosis:report", pk=assessment.pk)
    context = _fill_context(request, assessment, _int(request.GET.get("section"), 1))
    return render(request, "diagnosis/fill.html", context)


@login_required
@require_POST
def answer(request, pk: int):
    """Save the answers posted (htmx: one as it is clicked; without script: a whole section)
    and the industry type when it changes."""
    assessment = _assessment(request, pk)
    if not services.may_fill_in(request.user, assessment.enterprise):
        raise Http404
    q = services.current_questionnaire()
    given = answers_from(request.POST, q)
    industry_type = request.POST.get("industry_type") or None
    error = None
    try:
        if given or industry_type:
            assessment = services.save_answers(
                assessment, request.user, given, industry_type=industry_type
            )
    except services.DiagnosisError as exc:
        error = "；".join(exc.errors)
    number = _int(request.POST.get("section"), 1)
    if request.headers.get("HX-Request"):
        context = _fill_context(request, assessment, number)
        context.update(error=error, saved=list(given), industry_type_saved=bool(industry_type))
        return HttpResponse(render_to_string("diagnosis/_saved.html", context, request=request))
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("已保存 %(given)s 条答案。") % {"given": len(given)})
    target = _int(request.POST.get("go"), number)
    return redirect(f"{reverse('diagnosis:fill', args=[assessment.pk])}?section={target}")


@login_required
@require_POST
def submit(request, pk: int):
    assessment = _assessment(request, pk)
    if not services.may_fill_in(request.user, assessment.enterprise):
        raise Http404
    try:
        services.submit_assessment(assessment, request.user)
    except services.DiagnosisError as exc:
        for error in exc.errors:
            messages.error(request, _("未能提交：%(error)s") % {"error": error})
        parts = sections(services.current_questionnaire(), assessment.answers)
        first = next((s.number for s in parts if s.missing), 1)
        url = reverse("diagnosis:fill", args=[assessment.pk])
        return redirect(f"{url}?section={first}&check=1")
    messages.success(request, _("%(year)s年自评估已提交。") % {"year": assessment.year})
    return redirect("diagnosis:report", pk=assessment.pk)


# --- the report --------------------------------------------------------------------------


@login_required
@require_GET
def report(request, pk: int):
    assessment = _assessment(request, pk)
    if not assessment.is_submitted:
        return redirect("diagnosis:fill", pk=assessment.pk)
    found = services.assessment_report(assessment)
    return render(
        request,
        "diagnosis/report.html",
        {
            "assessment": assessment,
            "enterprise": assessment.enterprise,
            "report": found,
            "charts": report_charts(found),
            "domains": domain_rows(found),
            "levels": level_rows(found),
            "comparison": comparison_rows(found),
            "next_level": next_level(found),
        },
    )


@login_required
@require_GET
def report_pdf(request, pk: int):
    assessment = _assessment(request, pk)
    if not assessment.is_submitted:
        raise Http404
    content = assessment_pdf(services.assessment_report(assessment))
    return pdf_response(
        content,
        f"{assessment_title(assessment)}.pdf",
        f"self-assessment-{assessment.enterprise_id}-{assessment.year}.pdf",
    )


# --- lists -------------------------------------------------------------------------------


@login_required
@require_GET
def assessment_list(request):
    found = scope_queryset(request.user, ASSESSMENTS.all())
    status = request.GET.get("status")
    if status in AssessmentStatus.values:
        found = found.filter(status=status)
    year = _int(request.GET.get("year"))
    if year:
        found = found.filter(year=year)
    name = (request.GET.get("q") or "").strip()
    if name:
        found = found.filter(enterprise__name__contains=name)
    page = Paginator(found.order_by("-year", "enterprise__name", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "diagnosis/assessment_list.html",
        {
            "page": page,
            "statuses": AssessmentStatus.choices,
            "status": status,
            "year": year,
            "q": name,
            "query": query.urlencode(),
            "level_names": level_names(services.current_questionnaire()),
        },
    )
