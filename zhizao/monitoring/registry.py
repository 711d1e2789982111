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
