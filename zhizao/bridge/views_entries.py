"""The maintainers' pages of 新智造鹊桥: 我维护的条目, an entry's create and edit forms, the
review actions (submit, approve, return, unpublish) and the city admin's review queue. The
services decide who may do what; an entry the user may not see is a 404 (scoping), an action it
may not take on one it sees the service's message."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhizao.bridge import services
from zhizao.bridge.forms import EntryForm, ReasonForm
from zhizao.bridge.libraries import LIBRARIES, spec_for
from zhizao.bridge.models import EntryStatus, Library
from zhizao.bridge.views import STATUS_STYLES, entry_queryset, is_registry
from zhizao.core.roles import is_city_admin
from zhizao.core.scoping import get_scoped_object_or_404, scope_queryset

ACTION_DONE = {
    "submit": gettext_lazy("已提交审核，市经信局审核通过后公开。"),
    "approve": gettext_lazy("已审核通过并发布。"),
    "return": gettext_lazy("已退回修改。"),
    "unpublish": gettext_lazy("已下架。"),
}
REVIEW_LIMIT = 200  # per library on the queue page; the oldest first


def spec_or_404(library: str):
    if library not in Library.values or is_registry(library):
        raise Http404
    return spec_for(library)


def _rows(entries, spec) -> list[dict]:
    return [
        {
            "entry": entry,
            "spec": spec,
            "title": spec.title_of(entry),
            "style": STATUS_STYLES.get(entry.status, "secondary"),
        }
        for entry in entries
    ]


@login_required
@require_GET
def my_entries(request):
    """The entries the user maintains, by library, with their review status."""
    user = request.user
    rows = []
    for spec in LIBRARIES.values():
        found = scope_queryset(user, spec.model.objects.filter(maintainers=user)).order_by(
            "-updated_at", "-pk"
        )
        rows += _rows(found, spec)
    rows.sort(key=lambda r: r["entry"].updated_at, reverse=True)
    creatable = [
        spec for spec in LIBRARIES.values() if services.creation_problem(spec, user) is None
    ]
    counts = {s: sum(1 for r in rows if r["entry"].status == s) for s in EntryStatus.values}
    return render(
        request,
        "bridge/mine.html",
        {
            "rows": rows,
            "creatable": creatable,
            "counts": [(EntryStatus(s).label, n, STATUS_STYLES[s]) for s, n in counts.items() if n],
            "is_city": is_city_admin(user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def entry_create(request, library: str):
    spec = spec_or_404(library)
    user = request.user
    problem = services.creation_problem(spec, user)
    if problem:
        messages.error(request, problem)
        return redirect("bridge:mine")
    admin = is_city_admin(user)
    form = EntryForm(request.POST or None, spec=spec, user=user, is_admin=admin)
    if request.method == "POST" and form.is_valid():
        publish = admin and "publish" in request.POST
        try:
            entry = services.create_entry(spec, user, form.values(), publish=publish)
        except services.BridgeError as exc:
            form.add_error(None, str(exc))
        else:
            if "submit" in request.POST and not publish:
                _act(request, entry, "submit")
            elif publish:
                messages.success(request, _("已新建并发布。"))
            else:
                messages.success(request, _("已保存为草稿：确认无误后提交审核。"))
            return redirect("bridge:entry", library=spec.library, pk=entry.pk)
    return render(
        request,
        "bridge/entry_form.html",
        {"spec": spec, "form": form, "entry": None, "is_city": admin},
    )


def _maintained_or_404(request, spec, pk):
    entry = get_scoped_object_or_404(request.user, entry_queryset(spec), pk=pk)
    if not services.may_maintain(entry, request.user):
        raise Http404
    return entry


@login_required
@require_http_methods(["GET", "POST"])
def entry_edit(request, library: str, pk: int):
    spec = spec_or_404(library)
    user = request.user
    entry = _maintained_or_404(request, spec, pk)
    admin = is_city_admin(user)
    if request.method == "POST":
        form = EntryForm(request.POST, spec=spec, user=user, entry=entry, is_admin=admin)
        if form.is_valid():
            was_published = entry.status == EntryStatus.PUBLISHED
            try:
                entry = services.update_entry(entry, user, form.values())
            except services.BridgeError as exc:
                form.add_error(None, str(exc))
            else:
                if "submit" in request.POST and entry.status in (
                    EntryStatus.DRAFT,
                    EntryStatus.UNPUBLISHED,
                ):
                    _act(request, entry, "submit")
                elif was_published and entry.status == EntryStatus.PENDING:
                    messages.success(request, _("已保存：修改需经市经信局重新审核后公开。"))
                else:
                    messages.success(request, _("已保存。"))
                return redirect("bridge:entry", library=spec.library, pk=entry.pk)
    else:
        form = EntryForm(spec=spec, user=user, entry=entry, is_admin=admin)
    return render(
        request,
        "bridge/entry_form.html",
        {
            "spec": spec,
            "form": form,
            "entry": entry,
            "title": spec.title_of(entry),
            "is_city": admin,
        },
    )


def _act(request, entry, action: str, reason: str = "") -> bool:
    user = request.user
    try:
        if action == "submit":
            services.submit_entry(entry, user)
        elif action == "approve":
            services.approve_entry(entry, user)
        elif action == "return":
            services.return_entry(entry, user, reason)
        elif action == "unpublish":
            services.unpublish_entry(entry, user, reason)
        else:
            raise Http404
    except services.BridgeError as exc:
        messages.error(request, str(exc))
        return False
    messages.success(request, ACTION_DONE[action])
    return True


@login_required
@require_POST
def entry_action(request, library: str, pk: int, action: str):
    spec = spec_or_404(library)
    if action not in ACTION_DONE:
        raise Http404
    entry = get_scoped_object_or_404(request.user, spec.model.objects.all(), pk=pk)
    reason = ""
    if action in ("return", "unpublish"):
        form = ReasonForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("退回或下架必须填写原因。"))
            return _back(request, spec, entry)
        reason = form.cleaned_data["reason"]
    _act(request, entry, action, reason)
    return _back(request, spec, entry)


def _back(request, spec, entry):
    if request.POST.get("next") == "review" and is_city_admin(request.user):
        return redirect("bridge:review")
    return redirect("bridge:entry", library=spec.library, pk=entry.pk)


@login_required
@require_GET
def review_queue(request):
    """The city admin's queue: every entry waiting for review, oldest first."""
    if not is_city_admin(request.user):
        raise Http404
    rows = []
    for spec in LIBRARIES.values():
        pending = scope_queryset(
            request.user, spec.model.objects.filter(status=EntryStatus.PENDING)
        )
        pending = pending.prefetch_related("maintainers").order_by("updated_at", "pk")
        rows += _rows(pending[:REVIEW_LIMIT], spec)
    rows.sort(key=lambda r: r["entry"].updated_at)
    return render(request, "bridge/review.html", {"rows": rows})
