"""称号申报 pages: the list and the 待我处理 queue, drafting, the application page with its
attachments, and one POST endpoint per workflow action. The services decide who may do what;
a user who may not see an application at all gets 404 (scoping), anyone else the service's
message."""

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import F, Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhizao.core.deadlines import default_due_date
from zhizao.core.models import Region, RegionLevel
from zhizao.core.roles import Role, is_city_admin
from zhizao.core.scoping import get_scoped_object_or_404, is_visible, scope_queryset
from zhizao.cultivation import review
from zhizao.cultivation.attachments import attachment_path
from zhizao.cultivation.filters import ApplicationFilter
from zhizao.cultivation.forms import ApplicationCreateForm, ApplicationForm, AttachmentForm
from zhizao.cultivation.models import (
    Application,
    ApplicationAction,
    ApplicationStatus,
    ApplicationStep,
    Attachment,
    Batch,
    ExpertReview,
    Holder,
    Title,
    TitleLevel,
)
from zhizao.cultivation.services import (
    KEY_FIGURES,
    CultivationError,
    CultivationForbidden,
    add_attachment,
    batch_is_open,
    create_application,
    may_edit,
    remove_attachment,
    update_application,
)
from zhizao.cultivation.views import page_of, styled
from zhizao.enterprises.models import Enterprise

# The label of each action button, as the page shows it.
ACTION_LABELS = {
    ApplicationAction.SUBMIT: gettext_lazy("提交申报"),
    ApplicationAction.DISTRICT_PASS: gettext_lazy("区县审核通过"),
    ApplicationAction.RETURN: gettext_lazy("退回修改"),
    ApplicationAction.ASSIGN: gettext_lazy("分配评审专家"),
    ApplicationAction.SCORE: gettext_lazy("专家评分"),
    ApplicationAction.RECOGNISE: gettext_lazy("认定"),
    ApplicationAction.RECOMMEND: gettext_lazy("推荐省级"),
    ApplicationAction.PROVINCE_RESULT: gettext_lazy("录入省级结果"),
    ApplicationAction.REJECT: gettext_lazy("不予认定"),
}
STATUS_STYLES = {
    ApplicationStatus.DRAFT: "secondary",
    ApplicationStatus.RETURNED: "danger",
    ApplicationStatus.RECOGNISED: "success",
    ApplicationStatus.REJECTED: "dark",
}


def _applications(user):
    return scope_queryset(
        user,
        Application.objects.select_related(
            "enterprise", "region", "cluster", "title_type", "batch__title_type"
        ),
    )


def waiting_queue(user):
    """review.waiting_for, scoped."""
    ids = scope_queryset(user, review.waiting_for(user)).values("pk")
    return _applications(user).filter(pk__in=ids)


@login_required
@require_GET
def application_list(request):
    user = request.user
    tab = "waiting" if request.GET.get("tab") == "waiting" else "all"
    waiting = waiting_queue(user)
    if tab == "waiting":
        filterset = styled(ApplicationFilter(request.GET or None, queryset=waiting))
    else:
        filterset = styled(ApplicationFilter(request.GET or None, queryset=_applications(user)))
    ordered = filterset.qs.order_by(F("submitted_at").desc(nulls_last=True), "-created_at", "-pk")
    page, query = page_of(request, ordered)
    return render(
        request,
        "cultivation/application_list.html",
        {
            "filter": filterset,
            "page": page,
            "query": query,
            "tab": tab,
            "waiting_count": waiting.count(),
            "show_scores": is_city_admin(user),
            "status_styles": STATUS_STYLES,
        },
    )


# --- drafting -----------------------------------------------------------------------------


def _create_form(request, batch: Batch):
    user = request.user
    if batch.title_type.holder == Holder.REGION:
        if is_city_admin(user):
            regions = scope_queryset(user, Region.objects.filter(level=RegionLevel.COUNTY))
        elif user.role == Role.DISTRICT and user.region_id:
            regions = scope_queryset(user, Region.objects.filter(pk=user.region_id))
        else:
            return None
        return ApplicationCreateForm(request.POST or None, held_by_region=True, regions=regions)
    if user.role != Role.ENTERPRISE:
        return None
    enterprises = scope_queryset(user, Enterprise.objects.all()).order_by("name")
    return ApplicationCreateForm(
        request.POST or None, held_by_region=False, enterprises=enterprises
    )


@login_required
@require_http_methods(["GET", "POST"])
def application_create(request):
    batch_id = request.GET.get("batch") or request.POST.get("batch")
    if not str(batch_id or "").isdigit():
        raise Http404
    batch = get_scoped_object_or_404(
        request.user, Batch.objects.select_related("title_type"), pk=int(batch_id)
    )
    form = _create_form(request, batch)
    if form is None:
        raise Http404
    if not batch_is_open(batch):
        messages.error(
            request,
            _("%(batch)s的申报时间为 %(opens_on)s 至 %(closes_on)s，当前不在申报期内。")
            % {
                "batch": batch,
                "opens_on": format(batch.opens_on, "%Y-%m-%d"),
                "closes_on": format(batch.closes_on, "%Y-%m-%d"),
            },
        )
        return redirect("cultivation:batch", pk=batch.pk)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            application = create_application(
                batch,
                request.user,
                project_name=data["project_name"],
                enterprise=data.get("enterprise"),
                region=data.get("region"),
                cluster=data.get("cluster"),
            )
        except CultivationError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, _("申报草稿已创建：请填写建设场景、关键指标，上传附件后提交。")
            )
            return redirect("cultivation:application", pk=application.pk)
    return render(request, "cultivation/application_create.html", {"batch": batch, "form": form})


# --- the application page ---------------------------------------------------------------------


def _detail_queryset():
    return Application.objects.select_related(
        "batch__title_type",
        "title_type",
        "enterprise",
        "region",
        "cluster",
        "applicant",
    ).prefetch_related(
        Prefetch("steps", ApplicationStep.objects.select_related("actor")),
        Prefetch("attachments", Attachment.objects.select_related("uploaded_by")),
        Prefetch("expert_reviews", ExpertReview.objects.select_related("expert")),
    )


def _scoped_application(request, pk: int) -> Application:
    return get_scoped_object_or_404(request.user, _detail_queryset(), pk=pk)


def _visible_steps(user, application: Application) -> list[dict]:
    """The steps with who, when and what was said. Who the experts are and what each one gave
    stays with the city (and each expert's own); the applicant sees the outcome."""
    city = is_city_admin(user)
    steps = []
    for step in application.steps.all():
        actor = str(step.actor) if step.actor else _("系统")
        comment = step.comment
        if not city:
            if step.action == ApplicationAction.ASSIGN:
                comment = _("已分配评审专家")
            elif step.action == ApplicationAction.SCORE and step.actor_id != user.pk:
                actor = _("评审专家")
                if comment != _("专家评审完成"):
                    comment = _("已提交评分")
        steps.append(
            {
                "when": step.created_at,
                "actor": actor,
                "action": step.get_action_display(),
                "to_status": step.get_to_status_display(),
                "comment": comment,
            }
        )
    return steps


def _key_figure_rows(application: Application) -> list[dict]:
    figures = application.key_figures or {}
    return [
        {
            "figure": figure,
            "before": (figures.get(figure.key) or {}).get("before", ""),
            "after": (figures.get(figure.key) or {}).get("after", ""),
        }
        for figure in KEY_FIGURES
    ]


def _review_rows(application: Application) -> list[dict]:
    criteria = application.batch.criteria
    rows = []
    for item in application.expert_reviews.all():
        scores = list(item.scores or [])
        rows.append(
            {
                "review": item,
                "scores": scores + [None] * (len(criteria) - len(scores)),
            }
        )
    return rows


def application_context(request, application: Application, **forms_) -> dict:
    user = request.user
    can_edit = application.is_editable and may_edit(user, application)
    actions = review.next_actions(user, application)
    attachments = list(application.attachments.all())
    present = {a.requirement for a in attachments}
    reviews = list(application.expert_reviews.all())
    own_review = next((r for r in reviews if r.expert_id == user.pk), None)
    context = {
        "application": application,
        "enterprise_link": is_visible(user, application.enterprise),
        "batch": application.batch,
        "status_style": STATUS_STYLES.get(application.status, "warning"),
        "steps": _visible_steps(user, application),
        "figures": _key_figure_rows(application),
        "attachments": attachments,
        "required": [
            {"name": name, "present": name in present}
            for name in application.batch.required_attachments
        ],
        "can_edit": can_edit,
        "actions": [(a, ACTION_LABELS[a]) for a in actions],
        "action_names": set(actions),
        "is_city": is_city_admin(user),
        "reviews": _review_rows(application) if is_city_admin(user) else [],
        "review_count": len(reviews),
        "scored_count": sum(1 for r in reviews if r.submitted_at),
        "own_review": own_review,
        "own_scores": list(zip(application.batch.criteria, own_review.scores or [], strict=False))
        if own_review
        else [],
        "district_level": application.title_type.level == TitleLevel.DISTRICT,
        "return_reason": next(
            (
                s.comment
                for s in reversed(application.steps.all())
                if s.action == ApplicationAction.RETURN
            ),
            "",
        )
        if application.status == ApplicationStatus.RETURNED
        else "",
    }
    if can_edit:
        context["form"] = forms_.get("form") or ApplicationForm(application=application)
        context["upload_form"] = forms_.get("upload_form") or AttachmentForm(
            batch=application.batch
        )
    if ApplicationAction.ASSIGN in actions:
        context["default_due_on"] = default_due_date()
        conflicted = review.conflicted_experts(application)
        assigned = {r.expert_id for r in reviews}
        context["experts"] = [
            {"user": e, "conflicted": e.pk in conflicted, "assigned": e.pk in assigned}
            for e in scope_queryset(
                user, get_user_model().objects.filter(role=Role.EXPERT, is_active=True)
            ).order_by("full_name", "username")
        ]
    if application.status == ApplicationStatus.RECOGNISED:
        context["title"] = scope_queryset(
            user, Title.objects.filter(application=application)
        ).first()
    return context


@login_required
@require_http_methods(["GET", "POST"])
def application_detail(request, pk: int):
    """The whole application; its applicant edits the draft here (POST)."""
    application = _scoped_application(request, pk)
    form = None
    if request.method == "POST":
        form = ApplicationForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                update_application(
                    application,
                    request.user,
                    project_name=data["project_name"],
                    summary=data["summary"],
                    scenes=form.scene_list(),
                    key_figures=form.key_figures(),
                    investment=data["investment"],
                )
            except CultivationForbidden as exc:
                messages.error(request, str(exc))
                return redirect("cultivation:application", pk=application.pk)
            except CultivationError as exc:
                form.add_error(None, str(exc))
            else:
                if "submit" not in request.POST:
                    messages.success(request, _("申报已保存。"))
                    return redirect("cultivation:application", pk=application.pk)
                try:
                    review.submit_application(application, request.user)
                except CultivationError as exc:
                    messages.warning(request, _("申报已保存，但未能提交：%(exc)s") % {"exc": exc})
                else:
                    messages.success(request, _("申报已保存并提交，等待区县审核。"))
                return redirect("cultivation:application", pk=application.pk)
        application = _scoped_application(request, pk)
    context = application_context(request, application, form=form)
    return render(request, "cultivation/application_detail.html", context)


@login_required
@require_POST
def attachment_upload(request, pk: int):
    application = _scoped_application(request, pk)
    form = AttachmentForm(request.POST, request.FILES, batch=application.batch)
    if form.is_valid():
        try:
            attachment = add_attachment(
                application,
                request.user,
                form.cleaned_data["file"],
                form.cleaned_data["requirement"],
            )
        except CultivationForbidden as exc:
            messages.error(request, str(exc))
            return redirect("cultivation:application", pk=application.pk)
        except CultivationError as exc:
            form.add_error("file", str(exc))
        else:
            messages.success(
                request,
                _("已上传「%(original_name)s」。") % {"original_name": attachment.original_name},
            )
            return redirect("cultivation:application", pk=application.pk)
    application = _scoped_application(request, pk)
    context = application_context(request, application, upload_form=form)
    return render(request, "cultivation/application_detail.html", context, status=400)


@login_required
@require_POST
def attachment_remove(request, pk: int):
    attachment = get_scoped_object_or_404(
        request.user, Attachment.objects.select_related("application"), pk=pk
    )
    application_id = attachment.application_id
    try:
        remove_attachment(attachment, request.user)
    except CultivationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("已删除「%(original_name)s」。") % {"original_name": attachment.original_name},
        )
    return redirect("cultivation:application", pk=application_id)


@login_required
@require_GET
def attachment_download(request, pk: int):
    """The file, only to someone who may see its application; never from a public URL."""
    attachment = get_scoped_object_or_404(request.user, Attachment.objects.all(), pk=pk)
    try:
        handle = attachment_path(attachment.stored_name).open("rb")
    except (OSError, ValueError):
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- workflow actions -----------------------------------------------------------------------


def _text(request, name: str) -> str:
    return request.POST.get(name, "").strip()


def _date(request, name: str, label: str):
    value = _text(request, name)
    if not value:
        return None
    try:
        return forms.DateField().clean(value)
    except ValidationError:
        raise CultivationError(
            _("%(label)s「%(value)s」不是有效日期，应为 年-月-日。")
            % {"label": label, "value": value}
        ) from None


def _assign(request, application):
    ids = [i for i in request.POST.getlist("experts") if i.isdigit()]
    experts = list(scope_queryset(request.user, get_user_model().objects.filter(pk__in=ids)))
    due_on = _date(request, "due_on", _("评审截止日期"))
    review.assign_experts(application, experts, request.user, due_on=due_on)
    return _("已分配 %(experts)s 位评审专家。") % {"experts": len(experts)}


def _score(request, application):
    own = application.expert_reviews.filter(expert=request.user).first()
    if own is None:
        raise CultivationForbidden(_("只有被分配的专家本人可以评分。"))
    scores = [
        request.POST.get(f"score_{i}", "").strip() for i in range(len(application.batch.criteria))
    ]
    done = review.score_application(own, request.user, scores, _text(request, "comment"))
    return _("评分已提交，总分 %(value)s 分。") % {
        "value": done.total.normalize() if done.total else Decimal(0)
    }


def _recognise(request, application):
    title = review.recognise_application(
        application,
        request.user,
        document_number=_text(request, "document_number"),
        recognised_on=_date(request, "recognised_on", _("认定日期")),
        comment=_text(request, "comment"),
    )
    return _("已认定为%(name)s（%(document_number)s）。") % {
        "name": title.title_type.name,
        "document_number": title.document_number,
    }


def _province_result(request, application):
    result = request.POST.get("result")
    if result == "yes":
        return _recognise(request, application)
    if result == "no":
        review.reject_application(application, request.user, _text(request, "reason"))
        return _("已录入省级结果：未获认定。")
    raise CultivationError(_("请选择省级认定结果：认定或未获认定。"))


def _district_pass(request, application):
    done = review.pass_district_review(
        application,
        request.user,
        comment=_text(request, "comment"),
        document_number=_text(request, "document_number"),
    )
    return _("区县审核通过：%(value)s。") % {"value": done.get_status_display()}


ACTIONS = {
    ApplicationAction.SUBMIT: lambda request, a: (
        review.submit_application(a, request.user) and _("申报已提交，等待区县审核。")
    ),
    ApplicationAction.DISTRICT_PASS: _district_pass,
    ApplicationAction.RETURN: lambda request, a: (
        review.return_application(a, request.user, _text(request, "reason")) and _("已退回修改。")
    ),
    ApplicationAction.ASSIGN: _assign,
    ApplicationAction.SCORE: _score,
    ApplicationAction.RECOGNISE: _recognise,
    ApplicationAction.RECOMMEND: lambda request, a: (
        review.recommend_to_province(a, request.user, _text(request, "comment"))
        and _("已推荐省级，待录入省级结果。")
    ),
    ApplicationAction.PROVINCE_RESULT: _province_result,
    ApplicationAction.REJECT: lambda request, a: (
        review.reject_application(a, request.user, _text(request, "reason"))
        and _("已作出不予认定决定。")
    ),
}


@login_required
@require_POST
def application_action(request, pk: int, action: str):
    handler = ACTIONS.get(action)
    if handler is None:
        raise Http404
    application = get_scoped_object_or_404(
        request.user, Application.objects.select_related("batch"), pk=pk
    )
    try:
        messages.success(request, handler(request, application))
    except CultivationError as exc:
        messages.error(request, str(exc))
    return redirect("cultivation:application", pk=application.pk)
