"""Registry sources (平台登记): indicators whose actual values are counts kept by another app of
the platform (titles recognised, transformations completed, providers, parks).

The app that keeps the registry registers a counter under a name; the plan file's source names
it (`source: {type: registry, counter: titles}`). The engine thus reads later apps without
importing them, as it reads the enterprise reports. An indicator whose counter is not registered,
or has nothing counting towards it, takes its values from reported figures instead."""

from collections.abc import Callable

from zhizao.core.models import Region

# counter(indicator number, years, districts, city) -> {(region id, year): value} or None
Counter = Callable[[int, list[int], list[Region], Region], dict | None]

_COUNTERS: dict[str, Counter] = {}


def register_counter(name: str):
    def decorator(function: Counter) -> Counter:
        _COUNTERS[name] = function
        return function

    return decorator


def counter_named(name: str) -> Counter | None:
    return _COUNTERS.get(name)


# The rows behind a registry figure, for the indicator page's drill-down: the records that made
# one region's count of one year (for titles: those recognised that year, +1, and those revoked
# that year, −1), as the user may see them (the function narrows with scope_queryset).
#
# rows(indicator number, region, year, user) -> list of RegistryRow, or None when the registry
# has nothing counting towards the indicator (its figures then come from reported values).
# A RegistryRow is a dict with these keys (values already fit to print; "" when not known):
#   change         +1 (counted in: recognised) or −1 (counted out: revoked) in that year
#   holder         who holds the record (an enterprise, or a region for a cluster)
#   kind           what it is (the title type)
#   region         the district it counts for
#   batch          the batch it came from
#   document       the document that recognised it (认定文号)
#   recognised_on  date
#   revoked_on     date or None
#   revoke_reason  why it was revoked
#   url            the record's own page
Rows = Callable[[int, Region, int, object], list[dict] | None]

_ROWS: dict[str, Rows] = {}


def register_rows(name: str):
    def decorator(function: Rows) -> Rows:
        _ROWS[name] = function
        return function

    return decorator


def rows_named(name: str) -> Rows | None:
    return _ROWS.get(name)
