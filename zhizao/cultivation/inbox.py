"""The 称号申报 and 评审 tabs of the 待办 inbox (core.inbox): the applications that wait for the
user's step (an enterprise's drafts and returned ones, a district's first review, the city's
assignment and decision) and the expert reviews that wait for a score — the expert's own, and
for the city the ones past their due date."""

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhizao.core.inbox import InboxRow, InboxTab, Source, register_inbox_tab
from zhizao.core.landing import Card, register_cards
from zhizao.core.roles import Role, is_city_admin
from zhizao.core.scoping import scope_queryset
from zhizao.cultivation.models import Application, ApplicationStatus, Batch, ExpertReview
from zhizao.cultivation.review import waiting_for
from zhizao.cultivation.services import application_url

STYLES = {
    ApplicationStatus.DRAFT: "secondary",
    ApplicationStatus.RETURNED: "danger",
    ApplicationStatus.SUBMITTED: "primary",
}


def waiting_applications(user):
    """The applications that wait for `user`'s step (not an expert's score), scoped."""
    ids = scope_queryset(user, waiting_for(user)).values("pk")
    return (
        scope_queryset(user, Application.objects.filter(pk__in=ids))
        .select_related("enterprise", "region", "cluster", "title_type")
        .order_by("submitted_at", "created_at", "pk")
    )


def waiting_reviews(user):
    """An expert's reviews still to score; for the city, every review past its due date."""
    reviews = ExpertReview.objects.filter(
        submitted_at__isnull=True, application__status=ApplicationStatus.EXPERT_REVIEW
    )
    if is_city_admin(user):
        reviews = reviews.filter(due_on__lt=timezone.localdate())
    elif getattr(user, "role", None) == Role.EXPERT:
        reviews = reviews.filter(expert=user)
    else:
        reviews = reviews.none()
    return (
        scope_queryset(user, reviews)
        .select_related(
            "expert",
            "application__enterprise",
            "application__region",
            "application__cluster",
            "application__title_type",
        )
        .order_by("due_on", "assigned_at", "pk")
    )


def _application_row(application: Application) -> InboxRow:
    return InboxRow(
        title=f"{application.holder_name}：{application.title_type.name}",
        url=application_url(application),
        detail=f"{application.region.name} · {application.project_name}",
        status=application.get_status_display(),
        since=application.submitted_at or application.created_at,
        style=STYLES.get(application.status, "warning"),
    )


def _review_row(review: ExpertReview) -> InboxRow:
    application = review.application
    return InboxRow(
        title=f"{application.holder_name}：{application.title_type.name}",
        url=application_url(application),
        detail=_("%(region)s · 评审专家：%(expert)s")
        % {"region": application.region.name, "expert": review.expert},
        status=_("待评分"),
        since=review.assigned_at,
        due_on=review.due_on,
        style="warning",
    )


def _applies_to_applications(user) -> bool:
    return is_city_admin(user) or getattr(user, "role", None) in (Role.DISTRICT, Role.ENTERPRISE)


def _applies_to_reviews(user) -> bool:
    return is_city_admin(user) or getattr(user, "role", None) == Role.EXPERT


def _more_applications(user):
    return reverse("cultivation:applications") + "?tab=waiting", _("称号申报")


register_inbox_tab(
    InboxTab(
        code="applications",
        label=_("称号申报"),
        order=20,
        applies=_applies_to_applications,
        sources=lambda user: [Source(waiting_applications, _application_row)],
        more=_more_applications,
    )
)
register_inbox_tab(
    InboxTab(
        code="reviews",
        label=_("评审"),
        order=30,
        applies=_applies_to_reviews,
        sources=lambda user: [Source(waiting_reviews, _review_row)],
    )
)


# --- landing cards ---------------------------------------------------------------------------


@register_cards("cultivation", order=30)
def cultivation_cards(user) -> list[Card]:
    """An enterprise's applications and the batches open to it; an expert's reviews to score."""
    role = getattr(user, "role", None)
    if role == Role.ENTERPRISE:
        counts = dict(
            scope_queryset(user, Application.objects.all())
            .order_by()
            .values("status")
            .annotate(n=Count("pk", distinct=True))
            .values_list("status", "n")
        )
        today = timezone.localdate()
        open_batches = scope_queryset(
            user, Batch.objects.filter(opens_on__lte=today, closes_on__gte=today)
        ).count()
        lines = [
            f"{label}：{counts[status]}"
            for status, label in ApplicationStatus.choices
            if counts.get(status)
        ]
        lines.append(_("正在申报的批次：%(n)s 个") % {"n": open_batches})
        returned = counts.get(ApplicationStatus.RETURNED, 0)
        return [
            Card(
                title=_("称号申报"),
                value=str(sum(counts.values())),
                status=_("%(n)s 份被退回") % {"n": returned} if returned else "",
                style="danger",
                lines=tuple(lines),
                url=reverse("cultivation:batches"),
                action=_("申报称号"),
                links=((reverse("cultivation:applications"), _("我的申报")),),
                testid="applications-card",
            )
        ]
    if role == Role.EXPERT:
        reviews = waiting_reviews(user)
        count = reviews.count()
        first = reviews.first()
        return [
            Card(
                title=_("待评审的申报"),
                value=str(count),
                lines=(_("请在截止日期前提交评分。"),) if count else (_("没有待评审的申报。"),),
                due_on=first.due_on if first else None,
                url=reverse("core:inbox") + "?tab=reviews",
                action=_("去评审"),
                testid="reviews-card",
            )
        ]
    return []
