"""The landing page's cards (工作台): each app registers a function that gives the cards of its
work for a user (the enterprise's report of the year, its self-assessment, its applications,
its needs; the provider's matched needs; the district's standing), from its AppConfig.ready(),
like the inbox tabs (core.inbox). A card function makes a bounded number of queries."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone


@dataclass(frozen=True)
class Card:
    title: str
    value: str = ""
    lines: tuple[str, ...] = ()
    status: str = ""
    style: str = "secondary"
    url: str = ""
    action: str = ""
    due_on: datetime.date | None = None
    done: bool = False
    links: tuple[tuple[str, str], ...] = field(default=())
    testid: str = ""

    @property
    def overdue(self) -> bool:
        return not self.done and self.due_on is not None and self.due_on < timezone.localdate()


REGISTRY: dict[str, tuple[int, Callable[[object], list[Card]]]] = {}


def register_cards(name: str, order: int):
    """Register the decorated function (user → list of Card) as the cards `name`."""

    def decorator(function):
        REGISTRY[name] = (order, function)
        return function

    return decorator


def cards_for(user) -> list[Card]:
    cards = []
    for _, function in sorted(REGISTRY.values(), key=lambda item: item[0]):
        cards += function(user) or []
    return cards
