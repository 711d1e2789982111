"""待办: one page for every role, a tab per kind of work, each listing the items that wait for
the viewer's action (core.inbox)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from zhizao.core.inbox import WaitingItems, tabs_for

PAGE_SIZE = 30


def inbox_tabs(user) -> list[dict]:
    """Each of the user's tabs with its waiting items (counted once, for the tab and the menu)."""
    return [
        {"tab": tab, "code": tab.code, "label": tab.label, "items": WaitingItems(user, tab)}
        for tab in tabs_for(user)
    ]


@login_required
@require_GET
def inbox(request):
    user = request.user
    tabs = inbox_tabs(user)
    for tab in tabs:
        tab["count"] = len(tab["items"])
    code = request.GET.get("tab") or next((t["code"] for t in tabs if t["count"]), "")
    if not tabs:
        current = None
    else:
        current = next((t for t in tabs if t["code"] == code), None) if code else tabs[0]
        if current is None:
            raise Http404
    page = (
        Paginator(current["items"], PAGE_SIZE).get_page(request.GET.get("page"))
        if current
        else None
    )
    return render(
        request,
        "core/inbox.html",
        {
            "tabs": tabs,
            "current": current,
            "page": page,
            "more": current["tab"].more(user) if current else None,
            "inbox_total": sum(t["count"] for t in tabs),
        },
    )
