"""In-app notifications (站内通知): the services that tell people something waits for them, and
mark what they have read. Other apps call `notify` in the same transaction as the change that
makes the work wait, so a rolled-back change leaves no notification behind."""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from zhizao.core.models import Notification


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
