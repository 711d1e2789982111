"""待办: one inbox for every role. Each app registers the kinds of work it makes wait (a tab: 报表,
称号申报, 评审, 诊断, 需求对接) from its AppConfig.ready(), the same pattern as `core.tasks` and
`core.demo_steps`, so that core knows no app and no app imports one above it.

A tab gives, for a user, the querysets of the items that wait for that user's action (each one
narrowed by the scoping function) and how to show one item as a row. The page lists them, the
menu shows their total in one query (UNION ALL of the ids); never a query per item."""

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone


@dataclass(frozen=True)
class InboxRow:
    """One waiting item as the inbox shows it."""

    title: str
    url: str
    detail: str = ""
    status: str = ""
    since: datetime.datetime | None = None
    due_on: datetime.date | None = None
    style: str = "secondary"

    @property
    def overdue(self) -> bool:
        return self.due_on is not None and self.due_on < timezone.localdate()


@dataclass(frozen=True)
class Source:
    """The items of one model that wait for a user, and how one of them becomes a row."""

    items: Callable[[object], QuerySet]
    row: Callable[[object], InboxRow]


@dataclass(frozen=True)
class InboxTab:
    code: str
    label: str
    order: int
    # Who may have this kind of work at all: a predicate on the user.
    applies: Callable[[object], bool]
    sources: Callable[[object], Sequence[Source]]
    # The app's own page for this work (batch tools, filters), with its label.
    more: Callable[[object], tuple[str, str] | None] = field(default=lambda user: None)


REGISTRY: dict[str, InboxTab] = {}


def register_inbox_tab(tab: InboxTab) -> InboxTab:
    """Register (or replace) the tab `tab.code`."""
    REGISTRY[tab.code] = tab
    return tab


def tabs_for(user) -> list[InboxTab]:
    if not getattr(user, "is_authenticated", False):
        return []
    tabs = sorted(REGISTRY.values(), key=lambda tab: (tab.order, tab.code))
    return [tab for tab in tabs if tab.applies(user)]


class WaitingItems(Sequence):
    """The items of a tab's sources one after another, counted and sliced in the database: a
    paginator over it costs one COUNT per source and one query per source on the page."""

    def __init__(self, user, tab: InboxTab):
        self.sources = list(tab.sources(user))
        self.querysets = [source.items(user) for source in self.sources]
        self._counts: list[int] | None = None

    @property
    def counts(self) -> list[int]:
        if self._counts is None:
            self._counts = [queryset.count() for queryset in self.querysets]
        return self._counts

    def __len__(self) -> int:
        return sum(self.counts)

    def count(self) -> int:  # the Paginator asks for count() when it exists
        return len(self)

    def __getitem__(self, index):
        if not isinstance(index, slice):
            rows = self[index : index + 1]
            if not rows:
                raise IndexError(index)
            return rows[0]
        start, stop, _ = index.indices(len(self))
        rows, offset = [], 0
        for source, queryset, count in zip(self.sources, self.querysets, self.counts, strict=True):
            low, high = max(start - offset, 0), min(stop - offset, count)
            if low < high:
                rows += [source.row(item) for item in queryset[low:high]]
            offset += count
        return rows


def waiting_counts(user) -> dict[str, int]:
    """How many items wait in each of the user's tabs: one COUNT per source."""
    return {tab.code: len(WaitingItems(user, tab)) for tab in tabs_for(user)}


def waiting_total(user) -> int:
    """How many items wait in all of the user's tabs, in one query (the menu's badge): the ids
    of every source, UNION ALL, counted."""
    ids = [
        source.items(user).order_by().values_list("pk")
        for tab in tabs_for(user)
        for source in tab.sources(user)
    ]
    if not ids:
        return 0
    first, *rest = ids
    return first.union(*rest, all=True).count() if rest else first.count()
