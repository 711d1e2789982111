"""In-app notifications (站内通知): the services that tell people something waits for them, and
mark what they have read. Other apps call `notify` in the same transaction as the change that
makes the work wait, so a rolled-back change leaves no notification behind.

Each workflow's services say who is told of each of its steps (docs/notifications.md lists them
all in one table, and tests/core/test_notifications.py checks each row); the usual recipients
are found with the helpers below."""

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from zhizao.core.models import Notification, Region
from zhizao.core.roles import Role


def notify(users: Iterable, text: str, url: str = "") -> int:
    """One notification for each distinct user; returns how many were written."""
    recipients = {user.pk: user for user in users if user is not None}
    Notification.objects.bulk_create(
        Notification(user=user, text=text[:300], url=url) for user in recipients.values()
    )
    return len(recipients)


@transaction.atomic
def mark_read(user, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the user's unread notifications (or the given ones of them) as read."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=list(notification_ids))
    return unread.update(read_at=timezone.now())


def city_admins():
    """The active city admins (superusers included)."""
    return get_user_model().objects.filter(
        Q(role=Role.CITY_ADMIN) | Q(is_superuser=True), is_active=True
    )


def district_officers(region: Region):
    """The active officers of `region`'s district (or of any region above it)."""
    codes = [code for code in region.path.strip("/").split("/") if code]
    paths = ["/" + "/".join(codes[: i + 1]) + "/" for i in range(len(codes))]
    return get_user_model().objects.filter(
        role=Role.DISTRICT, is_active=True, region__path__in=paths
    )
