"""The district officer's standing on its landing page (core.landing): its place in the
composite ranking of the districts and its indicators counted by status (cockpit.standing)."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zhizao.core.access import may_view_ranking
from zhizao.core.landing import Card, register_cards
from zhizao.core.roles import Role
from zhizao.core.scoping import scope_queryset
from zhizao.monitoring.cockpit import standing
from zhizao.monitoring.services import latest_year
from zhizao.plans.models import Plan

STATUS_LABELS = (("red", _("滞后")), ("amber", _("略滞后")), ("green", _("达到序时")))


@register_cards("monitoring", order=5)
def standing_cards(user) -> list[Card]:
    if getattr(user, "role", None) != Role.DISTRICT or user.region_id is None:
        return []
    plan = scope_queryset(
        user, Plan.objects.select_related("region").filter(code=settings.ZHIZAO_DEFAULT_PLAN)
    ).first()
    if plan is None:
        return []
    year = latest_year(plan)
    found = standing(plan, year, user.region)
    if found is None:
        return []
    counts = found["counts"]
    lines = [
        _("%(label)s：%(n)s 项") % {"label": label, "n": counts.get(key, 0)}
        for key, label in STATUS_LABELS
    ]
    links = [(reverse("monitoring:district", args=[user.region.code]), _("本区县指标进度"))]
    if may_view_ranking(user):
        links.append((reverse("monitoring:ranking"), _("区县排名")))
    return [
        Card(
            title=_("%(region)s %(year)s年综合排名") % {"region": user.region.name, "year": year},
            value=_("第 %(place)s / %(of)s 名")
            % {"place": found["place"] or "—", "of": found["of"]},
            status=_("%(n)s 项滞后") % {"n": counts["red"]} if counts.get("red") else "",
            style="danger",
            lines=tuple(lines),
            url=reverse("monitoring:cockpit"),
            action=_("驾驶舱"),
            links=tuple(links),
            testid="standing-card",
        )
    ]
