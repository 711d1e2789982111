"""The expert diagnosis pages (现场诊断): the city or a district assigns an expert or a provider,
the diagnostician records the visit with the same questionnaire, the enterprise acknowledges.
Each diagnosis is fetched through the scoping function: an expert sees only those assigned to
it, a district officer only its district's, so any other id is 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhizao.core.roles import Role, is_city_admin
from zhizao.core.scoping import get_scoped_object_or_404, scope_queryset
from zhizao.diagnosis import services
from zhizao.diagnosis.forms import (
    AssignForm,
    RecordForm,
    answers_from,
    finding_field,
    findings_from,
)
from zhizao.diagnosis.models import DiagnosisStatus, ExpertDiagnosis
from zhizao.diagnosis.pdf import diagnosis_pdf, diagnosis_title, pdf_response
from zhizao.diagnosis.views_common import (
    answered_count,
    domain_rows,
    level_rows,
    next_level,
    score_charts,
    sections,
)
from zhizao.enterprises.models import Enterprise

PAGE_SIZE = 50
DIAGNOSES = ExpertDiagnosis.objects.select_related(
    "enterprise__region", "enterprise__cluster", "diagnostician", "assigned_by", "acknowledged_by"
)
STATUS_STYLES = {
    DiagnosisStatus.ASSIGNED: "warning",
    DiagnosisStatus.SUBMITTED: "info",
    DiagnosisStatus.ACKNOWLEDGED: "success",
}


def _diagnosis(request, pk: int) -> ExpertDiagnosis:
    return get_scoped_object_or_404(request.user, DIAGNOSES, pk=pk)


def _may_assign(user, enterprise: Enterprise) -> bool:
    return is_city_admin(user) or (
        getattr(user, "role", None) == Role.DISTRICT
        and services.is_officer_of(user, enterprise.region)
    )


@login_required
@require_GET
def diagnosis_list(request):
    found = scope_queryset(request.user, DIAGNOSES.all())
    status = request.GET.get("status")
    if status in DiagnosisStatus.values:
        found = found.filter(status=status)
    name = (request.GET.get("q") or "").strip()
    if name:
        found = found.filter(enterprise__name__contains=name)
    page = Paginator(found.order_by("-assigned_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "diagnosis/diagnosis_list.html",
        {
            "page": page,
            "statuses": DiagnosisStatus.choices,
            "status": status,
            "q": name,
            "query": query.urlencode(),
            "styles": STATUS_STYLES,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def assign(request, pk: int):
    enterprise = get_scoped_object_or_404(
        request.user, Enterprise.objects.select_related("region"), pk=pk
    )
    if not _may_assign(request.user, enterprise):
        raise Http404
    form = AssignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            diagnosis = services.assign_diagnosis(
                enterprise,
                form.cleaned_data["diagnostician"],
                request.user,
                due_on=form.cleaned_data["due_on"],
            )
        except services.DiagnosisError as exc:
            for error in exc.errors:
                form.add_error(None, error)
        else:
            messages.success(
                request,
                _("已分配%(diagnostician)s对%(name)s开展现场诊断。")
                % {"diagnostician": diagnosis.diagnostician, "name": enterprise.name},
            )
            return redirect("diagnosis:diagnosis", pk=diagnosis.pk)
    # Who must stand aside, shown before choosing (the service refuses them all the same).
    linked = set(enterprise.linked_experts.values_list("pk", flat=True))
    open_ones = set(
        ExpertDiagnosis.objects.filter(
            enterprise=enterprise, status=DiagnosisStatus.ASSIGNED
        ).values_list("diagnostician_id", flat=True)
    )
    return render(
        request,
        "diagnosis/assign.html",
        {
            "enterprise": enterprise,
            "form": form,
            "linked": linked,
            "open_ones": open_ones,
            "choices": list(form.fields["diagnostician"].queryset),
        },
    )


@login_required
@require_GET
def diagnosis_detail(request, pk: int):
    diagnosis = _diagnosis(request, pk)
    user = request.user
    context = {
        "diagnosis": diagnosis,
        "enterprise": diagnosis.enterprise,
        "style": STATUS_STYLES.get(diagnosis.status, "secondary"),
        "may_record": diagnosis.diagnostician_id == user.pk
        and diagnosis.status != DiagnosisStatus.ACKNOWLEDGED,
        "may_acknowledge": diagnosis.status == DiagnosisStatus.SUBMITTED
        and services.is_member(user, diagnosis.enterprise),
    }
    if diagnosis.status != DiagnosisStatus.ASSIGNED:
        found = services.diagnosis_report(diagnosis)
        q = found.questionnaire
        context.update(
            report=found,
            charts=score_charts(found),
            domains=domain_rows(found),
            levels=level_rows(found),
            next_level=next_level(found),
            findings=[(name, diagnosis.findings.get(name)) for name in q.domains],
        )
    return render(request, "diagnosis/diagnosis_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def record(request, pk: int):
    """The diagnostician's record: visit date, findings per domain (beside each domain's
    questions), its own answers with the self-assessment's questionnaire, and the proposal."""
    diagnosis = _diagnosis(request, pk)
    if (
        diagnosis.diagnostician_id != request.user.pk
        or diagnosis.status == DiagnosisStatus.ACKNOWLEDGED
    ):
        raise Http404
    q = services.current_questionnaire()
    if request.method == "POST":
        form = RecordForm(request.POST)
        answers = answers_from(request.POST, q)
        findings = findings_from(request.POST, q)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.record_diagnosis(
                    diagnosis,
                    request.user,
                    visit_date=data["visit_date"],
                    findings=findings,
                    answers=answers,
                    industry_type=data["industry_type"],
                    measures=data["measures"],
                    estimated_investment=data["estimated_investment"],
                    expected_effect=data["expected_effect"],
                )
            except services.DiagnosisError as exc:
                for error in exc.errors:
                    form.add_error(None, error)
            else:
                messages.success(request, _("现场诊断已提交，已通知企业确认。"))
                return redirect("diagnosis:diagnosis", pk=diagnosis.pk)
    else:
        answers, findings = dict(diagnosis.answers), dict(diagnosis.findings)
        initial = {
            "visit_date": diagnosis.visit_date,
            "industry_type": diagnosis.industry_type
            or services.suggested_industry_type(diagnosis.enterprise).value,
            "measures": diagnosis.measures,
            "estimated_investment": diagnosis.estimated_investment,
            "expected_effect": diagnosis.expected_effect,
        }
        form = RecordForm(initial=initial)
    parts = sections(q, answers)
    for part in parts:
        part.finding_field = finding_field(part.number)
        part.finding = findings.get(part.domain, "")
    return render(
        request,
        "diagnosis/record.html",
        {
            "diagnosis": diagnosis,
            "enterprise": diagnosis.enterprise,
            "form": form,
            "sections": parts,
            "answered": answered_count(q, answers),
            "total": len(q.requirements),
        },
    )


@login_required
@require_POST
def acknowledge(request, pk: int):
    diagnosis = _diagnosis(request, pk)
    try:
        services.acknowledge_diagnosis(diagnosis, request.user)
    except services.DiagnosisError as exc:
        for error in exc.errors:
            messages.error(request, error)
    else:
        messages.success(request, _("已确认收到现场诊断。"))
    return redirect("diagnosis:diagnosis", pk=diagnosis.pk)


@login_required
@require_GET
def diagnosis_pdf_view(request, pk: int):
    diagnosis = _diagnosis(request, pk)
    if diagnosis.status == DiagnosisStatus.ASSIGNED:
        raise Http404
    content = diagnosis_pdf(services.diagnosis_report(diagnosis))
    return pdf_response(
        content,
        f"{diagnosis_title(diagnosis)}.pdf",
        f"diagnosis-{diagnosis.enterprise_id}-{diagnosis.pk}.pdf",
    )
