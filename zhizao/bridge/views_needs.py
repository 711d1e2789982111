"""供需对接 pages: an enterprise posts a need (or turns its diagnosis gaps into needs) and sees
the ranked matches with their reasons and steps; a provider or expert sees the needs matched to
it and moves a match on (contacted, negotiating, signed with the contract value, delivered) or
closes it with a reason; the city admin and district officers follow the needs of their area.
Who may see a need or a match is the scoping function's (needs.visible_*); who may act, the
services'."""

from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, F, Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhizao.bridge import needs as need_services
from zhizao.bridge.forms import (
    DIVISION_NAMES,
    AdvanceForm,
    GapsForm,
    NeedForm,
    ReasonForm,
    subdomain_choices,
)
from zhizao.bridge.models import Library, Match, MatchStatus, MatchStep, Need, NeedStatus
from zhizao.bridge.services import BridgeError
from zhizao.bridge.views import _page
from zhizao.core.models import IndustryCluster, Region, RegionLevel, TaskStatus
from zhizao.core.roles import Role, is_city_admin
from zhizao.core.scoping import get_scoped_object_or_404, scope_queryset
from zhizao.diagnosis.models import SelfAssessment
from zhizao.enterprises.models import Enterprise

MATCH_STYLES = {
    MatchStatus.RECOMMENDED: "info",
    MatchStatus.CONTACTED: "primary",
    MatchStatus.NEGOTIATING: "warning",
    MatchStatus.SIGNED: "success",
    MatchStatus.DELIVERED: "success",
    MatchStatus.CLOSED: "secondary",
}
NEED_STYLES = {NeedStatus.DRAFT: "secondary", NeedStatus.OPEN: "primary", NeedStatus.CLOSED: "dark"}
FLOW = list(need_services.MATCH_FLOW)
MATCHED_TABS = (
    ("waiting", _lazy(gettext_lazy("待响应"))),
    ("active", _lazy(gettext_lazy("对接中"))),
    ("signed", _lazy(gettext_lazy("已签约"))),
    ("closed", _lazy(gettext_lazy("已关闭"))),
)


def role_of(user) -> str:
    return "city" if is_city_admin(user) else getattr(user, "role", "")


def _need_queryset():
    return Need.objects.select_related(
        "enterprise", "region", "cluster", "created_by", "matching_task"
    )


def scoped_need(request, pk: int) -> Need:
    # distinct: a provider answering two matches of one need reaches it twice through them
    return get_scoped_object_or_404(request.user, _need_queryset().distinct(), pk=pk)


# --- lists -----------------------------------------------------------------------------------


@login_required
@require_GET
def need_list(request):
    """An enterprise's own needs; the needs of the district (officer) or city (admin)."""
    user = request.user
    role = role_of(user)
    if role in (Role.PROVIDER, Role.EXPERT):
        return redirect("bridge:matched")
    if role not in ("city", Role.DISTRICT, Role.ENTERPRISE):
        raise Http404
    ids = need_services.visible_needs(user).values("pk")
    needs = _need_queryset().filter(pk__in=ids)
    status = request.GET.get("status", "")
    if status in NeedStatus.values:
        needs = needs.filter(status=status)
    cluster = request.GET.get("cluster", "")
    if cluster:
        needs = needs.filter(cluster__code=cluster)
    region = request.GET.get("region", "")
    if region and role == "city":
        needs = needs.filter(region__code=region)
    q = " ".join(request.GET.get("q", "").split())[:100]
    if q:
        needs = needs.filter(Q(title__icontains=q) | Q(enterprise__name__icontains=q))
    needs = needs.annotate(
        match_count=Count("matches", distinct=True),
        signed_count=Count(
            "matches",
            filter=Q(matches__status__in=(MatchStatus.SIGNED, MatchStatus.DELIVERED)),
            distinct=True,
        ),
        active_count=Count(
            "matches",
            filter=Q(matches__status__in=(MatchStatus.CONTACTED, MatchStatus.NEGOTIATING)),
            distinct=True,
        ),
    ).order_by("-created_at", "-pk")
    page, query = _page(request, needs)
    return render(
        request,
        "bridge/need_list.html",
        {
            "page": page,
            "query": query,
            "role": role,
            "can_post": role == Role.ENTERPRISE,
            "statuses": NeedStatus.choices,
            "status": status,
            "clusters": IndustryCluster.objects.all(),
            "cluster": cluster,
            "regions": Region.objects.filter(level=RegionLevel.COUNTY) if role == "city" else [],
            "region": region,
            "q": q,
            "need_styles": NEED_STYLES,
            "filtered": bool(status or cluster or region or q),
        },
    )


@login_required
@require_GET
def matched_list(request):
    """匹配给我的需求: the needs matched to a provider or an expert, one row each with the
    entries of its own that matched, in tabs by where those matches stand; the tabs count
    needs, not matches."""
    user = request.user
    if role_of(user) not in (Role.PROVIDER, Role.EXPERT):
        raise Http404
    counts = need_services.matched_need_counts(user)
    tabs = [{"code": code, "label": label, "count": counts[code]} for code, label in MATCHED_TABS]
    tab = request.GET.get("tab") or next((t["code"] for t in tabs if t["count"]), "waiting")
    if tab not in need_services.MATCHED_GROUPS:
        raise Http404
    page, query = _page(request, need_services.matched_needs(user, tab))
    return render(
        request,
        "bridge/matched.html",
        {
            "page": page,
            "query": query,
            "tabs": tabs,
            "tab": tab,
            "match_styles": MATCH_STYLES,
            "library_names": dict(Library.choices),
        },
    )


# --- posting ---------------------------------------------------------------------------------


def _own_enterprises(user):
    if getattr(user, "role", None) != Role.ENTERPRISE:
        raise Http404
    return scope_queryset(user, Enterprise.objects.all()).order_by("name")


def _queue_matching(request, need: Need):
    """Queue the need's matching (the worker runs it; the need's page shows the progress).
    Returns the task, or None with a message saying why the need cannot be matched."""
    try:
        return need_services.request_matching(need, request.user)
    except BridgeError as exc:
        messages.warning(request, _("需求已发布，但暂未能匹配：%(reason)s") % {"reason": exc})
        return None


def _matching_message(request, task, done: str, waiting: str) -> None:
    """Say what became of the matching: done at once (a worker that was free, or tasks run
    inline), failed, or under way."""
    if task is None:
        return
    if task.status == TaskStatus.DONE:
        messages.success(request, f"{done}{task.result.get('summary', '')}")
    elif task.status == TaskStatus.FAILED:
        messages.warning(request, _("暂未能匹配：%(reason)s") % {"reason": task.error})
    else:
        messages.success(request, waiting)


@login_required
@require_http_methods(["GET", "POST"])
def need_create(request):
    enterprises = _own_enterprises(request.user)
    first = enterprises.first()
    if first is None:
        messages.error(request, _("您的账号还没有关联企业，请联系所在区县经信部门。"))
        return redirect("bridge:needs")
    form = NeedForm(
        request.POST or None,
        enterprises=enterprises,
        initial={"enterprise": first, "cluster": first.cluster},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            need = need_services.post_need(
                data["enterprise"],
                request.user,
                {k: data.get(k) for k in NEED_FIELDS},
            )
        except BridgeError as exc:
            form.add_error(None, str(exc))
        else:
            _matching_message(
                request,
                _queue_matching(request, need),
                _("需求已发布。"),
                _("需求已发布，平台正在为您匹配资源，完成后本页显示结果。"),
            )
            return redirect("bridge:need", pk=need.pk)
    return render(request, "bridge/need_form.html", {"form": form})


NEED_FIELDS = (
    "title",
    "description",
    "cluster",
    "subdomains",
    "budget_min",
    "budget_max",
    "deadline",
)


@login_required
@require_http_methods(["GET", "POST"])
def needs_from_gaps(request):
    """转为需求: the gaps of a submitted self-assessment as checkboxes, each chosen gap a need."""
    from zhizao.diagnosis.services import scored_report

    raw = request.GET.get("assessment") or request.POST.get("assessment") or ""
    if not raw.isdigit():
        raise Http404
    assessment = get_scoped_object_or_404(
        request.user, SelfAssessment.objects.select_related("enterprise"), pk=int(raw)
    )
    if not assessment.is_submitted or not need_services.may_post(
        request.user, assessment.enterprise
    ):
        raise Http404
    report = scored_report(assessment)
    taken = dict(
        Need.objects.filter(
            enterprise=assessment.enterprise,
            status=NeedStatus.OPEN,
            source_requirement__in=[g.requirement.id for g in report.gaps],
        ).values_list("source_requirement", "pk")
    )
    open_gaps = [g for g in report.gaps if g.requirement.id not in taken]
    form = GapsForm(request.POST or None, gaps=open_gaps)
    if request.method == "POST" and form.is_valid():
        try:
            created = need_services.needs_from_gaps(
                assessment, request.user, form.cleaned_data["requirements"]
            )
        except BridgeError as exc:
            form.add_error(None, str(exc))
        else:
            for need in created:
                _queue_matching(request, need)
            messages.success(
                request,
                _("已由 %(count)s 个差距项生成需求，平台正在为其匹配资源。")
                % {"count": len(created)},
            )
            if len(created) == 1:
                return redirect("bridge:need", pk=created[0].pk)
            return redirect("bridge:needs")
    gaps = [
        {"gap": g, "need_id": taken.get(g.requirement.id), "field_id": f"gap-{i}"}
        for i, g in enumerate(report.gaps)
    ]
    return render(
        request,
        "bridge/needs_from_gaps.html",
        {"assessment": assessment, "report": report, "gaps": gaps, "form": form},
    )


# --- a need and its matches ------------------------------------------------------------------


def _steps_prefetch():
    return Prefetch("steps", MatchStep.objects.select_related("actor").order_by("created_at", "pk"))


def match_rows(user, matches) -> list[dict]:
    rows = []
    for match in matches:
        closed = match.status == MatchStatus.CLOSED
        reached = (
            FLOW.index(match.status)
            if not closed
            else max(
                (FLOW.index(s.from_status) for s in match.steps.all() if s.from_status in FLOW),
                default=0,
            )
        )
        actions = need_services.next_match_actions(match, user)
        advance_to = [a for a in actions if a != "close"]
        rows.append(
            {
                "match": match,
                "style": MATCH_STYLES.get(match.status, "secondary"),
                "percent": round(float(match.score) * 100),
                "flow": [
                    {"label": MatchStatus(s).label, "done": i <= reached}
                    for i, s in enumerate(FLOW)
                ],
                "closed": closed,
                "steps": list(match.steps.all()),
                "advance_form": AdvanceForm(
                    statuses=advance_to, prefix=f"m{match.pk}", initial={"status": advance_to[0]}
                )
                if advance_to
                else None,
                "can_close": "close" in actions,
                "signing": MatchStatus.SIGNED in advance_to,
            }
        )
    return rows


def need_context(request, need: Need) -> dict:
    user = request.user
    matches = (
        need_services.visible_matches(user, need)
        .prefetch_related(_steps_prefetch())
        .select_related("need__enterprise")
        .order_by(F("rank").asc(nulls_last=True), "-score", "pk")
    )
    rows = match_rows(user, matches)
    may_post = need_services.may_post(user, need.enterprise)
    responder = any(need_services.is_responder(user, r["match"]) for r in rows) if rows else False
    names = dict(subdomain_choices())
    division = need.enterprise.industry_division
    return {
        "need": need,
        "rows": rows,
        "need_style": NEED_STYLES.get(need.status, "secondary"),
        "subdomains": [(c, names.get(c, c)) for c in need.subdomains or []],
        "division": (division, DIVISION_NAMES.get(division, "")),
        "may_post": may_post,
        "can_rematch": may_post and need.status == NeedStatus.OPEN,
        "can_close": may_post and need.status == NeedStatus.OPEN,
        "show_contact": responder or is_city_admin(user),
        "is_responder": responder,
        "library_names": dict(Library.choices),
        "summary": Counter(r["match"].status for r in rows),
        "matching": _shown_matching(need) if may_post else None,
    }


def _shown_matching(need: Need):
    """The matching task the need's page shows: one under way, or the last one if it failed."""
    task = need.matching_task
    if task is not None and task.status != TaskStatus.DONE:
        return task
    return None


@login_required
@require_GET
def need_detail(request, pk: int):
    need = scoped_need(request, pk)
    return render(request, "bridge/need_detail.html", need_context(request, need))


@login_required
@require_GET
def need_matching(request, pk: int):
    """The progress of the need's matching, which its page polls (htmx) while it runs; once
    done, the page reloads to show the matches."""
    need = scoped_need(request, pk)
    task = _shown_matching(need)
    if task is None or not need_services.may_post(request.user, need.enterprise):
        return HttpResponse(headers={"HX-Refresh": "true"})
    return render(request, "bridge/_matching.html", {"need": need, "matching": task})


@login_required
@require_POST
def need_action(request, pk: int, action: str):
    need = scoped_need(request, pk)
    try:
        if action == "rematch":
            _matching_message(
                request,
                need_services.request_matching(need, request.user),
                _("已重新匹配。"),
                _("正在重新匹配，完成后本页显示结果。"),
            )
        elif action == "close":
            need_services.close_need(need, request.user, request.POST.get("reason", ""))
            messages.success(request, _("需求已关闭。"))
        else:
            raise Http404
    except BridgeError as exc:
        messages.error(request, str(exc))
    return redirect("bridge:need", pk=need.pk)


@login_required
@require_POST
def match_action(request, pk: int, action: str):
    """A step of a match: advance (to the next status) or close (with a reason)."""
    user = request.user
    match = get_scoped_object_or_404(user, Match.objects.select_related("need"), pk=pk)
    prefix = f"m{match.pk}"
    try:
        if action == "advance":
            actions = need_services.next_match_actions(match, user)
            form = AdvanceForm(
                request.POST, statuses=[a for a in actions if a != "close"], prefix=prefix
            )
            if not form.is_valid():
                errors = [e for errs in form.errors.values() for e in errs]
                raise BridgeError("".join(errors) or _("请检查填写的内容。"))
            data = form.cleaned_data
            need_services.advance_match(
                match,
                user,
                data["status"],
                comment=data.get("comment") or "",
                contract_value=data.get("contract_value"),
            )
            messages.success(
                request,
                _("对接已推进到「%(label)s」。") % {"label": MatchStatus(data["status"]).label},
            )
        elif action == "close":
            form = ReasonForm(request.POST, prefix=prefix)
            if not form.is_valid():
                raise BridgeError(_("关闭对接必须填写原因。"))
            need_services.close_match(match, user, form.cleaned_data["reason"])
            messages.success(request, _("对接已关闭。"))
        else:
            raise Http404
    except BridgeError as exc:
        messages.error(request, str(exc))
    if request.POST.get("next") == "matched":
        return redirect("bridge:matched")
    return redirect(f"{reverse('bridge:need', args=[match.need_id])}#match-{match.pk}")
