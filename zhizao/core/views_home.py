"""The landing page (`home`): each role lands on its work. The city admin on its cockpit; the
others on their cards (core.landing) and the first items of each 待办 tab (core.inbox)."""

from django.apps import apps
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET

from zhizao.core.access import role_of
from zhizao.core.landing import cards_for
from zhizao.core.roles import Role
from zhizao.core.scoping import scope_queryset
from zhizao.core.views_inbox import inbox_tabs

PREVIEW_ROWS = 5


def city_landing() -> str:
    """The city's cockpit when the monitoring app has one, else the indicator overview."""
    for name in settings.ZHIZAO_CITY_LANDING:
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return reverse("plans:list")


@login_required
@require_GET
def home(request):
    user = request.user
    # Core imports no app above it: the plan model is looked up by name.
    plans = apps.get_model("plans", "Plan").objects.filter(code=settings.ZHIZAO_DEFAULT_PLAN)
    if not scope_queryset(user, plans).exists():
        return redirect("plans:list")  # which says how to load one
    if role_of(user) == Role.CITY_ADMIN:
        return redirect(city_landing())
    tabs = inbox_tabs(user)
    for tab in tabs:
        tab["count"] = len(tab["items"])
        tab["rows"] = tab["items"][:PREVIEW_ROWS] if tab["count"] else []
    return render(
        request,
        "core/home.html",
        {
            "cards": cards_for(user),
            "tabs": tabs,
            "inbox_total": sum(t["count"] for t in tabs),
        },
    )
