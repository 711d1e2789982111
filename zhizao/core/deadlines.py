"""Due dates of work assigned to a person (an expert's review, an on-site diagnosis): set on
assignment, shown to the assignee, highlighted once past."""

import datetime

from django.conf import settings
from django.utils import timezone


def default_due_date(today: datetime.date | None = None) -> datetime.date:
    """The due date of an assignment made today: ZHIZAO_EXPERT_DUE_DAYS days later."""
    today = today or timezone.localdate()
    return today + datetime.timedelta(days=settings.ZHIZAO_EXPERT_DUE_DAYS)


def is_overdue(due_on, done_at=None, today: datetime.date | None = None) -> bool:
    """Past its due date and not done."""
    if due_on is None or done_at is not None:
        return False
    return due_on < (today or timezone.localdate())
