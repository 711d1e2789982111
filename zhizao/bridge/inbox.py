"""The 需求对接 tab of the 待办 inbox (core.inbox): the matches whose next step is the user's.
A new recommendation waits for its responders (the provider's or expert's users); a match in
contact, negotiation or signed waits for the side that did not take its last step — the need's
enterprise when a responder moved it, the responders when the enterprise did."""

from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zhizao.bridge.models import Library, Match, MatchStatus, MatchStep, NeedStatus
from zhizao.bridge.needs import matched_need_counts, need_url, visible_matches, visible_needs
from zhizao.core.inbox import InboxRow, InboxTab, Source, register_inbox_tab
from zhizao.core.landing import Card, register_cards
from zhizao.core.roles import Role, is_city_admin

RESPONDER_ROLES = (Role.PROVIDER, Role.EXPERT)
IN_CONTACT = (MatchStatus.CONTACTED, MatchStatus.NEGOTIATING, MatchStatus.SIGNED)


def _with_last_actor_role(matches):
    last = MatchStep.objects.filter(match=OuterRef("pk")).order_by("-created_at", "-id")
    return matches.annotate(last_actor_role=Subquery(last.values("actor__role")[:1]))


def waiting_matches(user):
    """The matches that wait for `user`'s step; an enterprise's and a responder's own only
    (Match.scope, applied through the service that scopes them)."""
    role = None if is_city_admin(user) else getattr(user, "role", None)
    matches = _with_last_actor_role(visible_matches(user))
    if role in RESPONDER_ROLES:
        matches = matches.filter(responders=user).filter(
            Q(status=MatchStatus.RECOMMENDED)
            | Q(status__in=IN_CONTACT, last_actor_role=Role.ENTERPRISE)
        )
    elif role == Role.ENTERPRISE:
        matches = matches.filter(status__in=IN_CONTACT, last_actor_role__in=RESPONDER_ROLES)
    else:
        matches = matches.none()
    return matches.select_related("need__enterprise").order_by("updated_at", "pk")


def _row(match: Match) -> InboxRow:
    need = match.need
    return InboxRow(
        title=f"{need.title} ↔ {match.title}",
        url=need_url(need) or reverse("bridge:matched"),
        detail=_("%(enterprise)s · %(library)s")
        % {"enterprise": need.enterprise.name, "library": Library(match.library).label},
        status=match.get_status_display(),
        since=match.updated_at,
        style="warning" if match.status == MatchStatus.RECOMMENDED else "info",
    )


def waiting_needs(user):
    """A responder's waiting work, one row per need (as on the matched-needs page): the needs
    with a match of the user's that waits for its step, each with `waiting` (those matches)."""
    mine = waiting_matches(user)
    waiting = Match.objects.filter(pk__in=mine.values("pk")).order_by("rank", "pk")
    return (
        visible_needs(user)
        .filter(pk__in=mine.values("need_id"))
        .select_related("enterprise")
        .prefetch_related(Prefetch("matches", queryset=waiting, to_attr="waiting"))
        .order_by("created_at", "pk")
    )


def _need_row(need) -> InboxRow:
    recommended = any(m.status == MatchStatus.RECOMMENDED for m in need.waiting)
    return InboxRow(
        title=need.title,
        url=need_url(need) or reverse("bridge:matched"),
        detail=" · ".join([need.enterprise.name, *(m.title for m in need.waiting)]),
        status=_("待响应"),
        since=max((m.updated_at for m in need.waiting), default=need.created_at),
        style="warning" if recommended else "info",
    )


def _sources(user) -> list[Source]:
    if getattr(user, "role", None) in RESPONDER_ROLES:
        return [Source(waiting_needs, _need_row)]
    return [Source(waiting_matches, _row)]


def _applies(user) -> bool:
    if is_city_admin(user):
        return False
    return getattr(user, "role", None) in (*RESPONDER_ROLES, Role.ENTERPRISE)


def _more(user):
    if getattr(user, "role", None) in RESPONDER_ROLES:
        return reverse("bridge:matched"), _("匹配给我的需求")
    return reverse("bridge:needs"), _("我的需求")


register_inbox_tab(
    InboxTab(
        code="matches",
        label=_("需求对接"),
        order=50,
        applies=_applies,
        sources=_sources,
        more=_more,
    )
)


# --- landing cards ---------------------------------------------------------------------------


def _count_by_status(matches) -> dict[str, int]:
    return dict(
        matches.order_by()
        .values("status")
        .annotate(n=Count("pk", distinct=True))
        .values_list("status", "n")
    )


@register_cards("bridge", order=40)
def bridge_cards(user) -> list[Card]:
    """An enterprise's needs and how far their matches have got; the needs matched to a
    provider or an expert."""
    role = None if is_city_admin(user) else getattr(user, "role", None)
    if role == Role.ENTERPRISE:
        needs = visible_needs(user)
        open_needs = needs.filter(status=NeedStatus.OPEN).count()
        counts = _count_by_status(visible_matches(user))
        lines = [_("进行中的需求：%(n)s 个") % {"n": open_needs}] + [
            f"{label}：{counts[status]}"
            for status, label in MatchStatus.choices
            if counts.get(status)
        ]
        return [
            Card(
                title=_("需求对接"),
                value=str(open_needs),
                lines=tuple(lines),
                url=reverse("bridge:needs"),
                action=_("我的需求"),
                links=((reverse("bridge:need_create"), _("发布需求")),),
                testid="needs-card",
            )
        ]
    if role in RESPONDER_ROLES:
        # needs, not matches: a need matched through two of the user's entries counts once,
        # as on the matched-needs page's tabs
        counts = matched_need_counts(user)
        if role == Role.EXPERT and not any(counts.values()):
            return []
        return [
            Card(
                title=_("匹配给我的需求"),
                value=str(counts["waiting"]),
                lines=(
                    _("待响应：%(n)s") % {"n": counts["waiting"]},
                    _("对接中：%(n)s") % {"n": counts["active"]},
                    _("已签约：%(n)s") % {"n": counts["signed"]},
                ),
                url=reverse("bridge:matched"),
                action=_("查看并响应"),
                testid="matched-card",
            )
        ]
    return []
