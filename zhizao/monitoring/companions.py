"""What a later app publishes together with a year's figures (发布年度数据时一并公开).

Publishing a year (`services.publish_year`) freezes the indicator figures; other records are
made public by the app that keeps them (the title lists by cultivation's `publish_titles`).
That app registers a companion here under a name, with the label the publish form shows
beside its checkbox; `publish_year(..., companions=[name])` then calls it in the same
transaction, so the figures and the lists go public together or not at all. Monitoring thus
calls later apps without importing them, as the registry counters do (`registry.py`)."""

from collections.abc import Callable
from dataclasses import dataclass

# publish(user, year) -> how many records it made public
Publish = Callable[[object, int], int]


@dataclass(frozen=True)
class Companion:
    name: str
    # What the checkbox says, with {year} (a msgid: the form translates it).
    label: str
    # What was done, with {year} and {count}: the history entry in Chinese; the message
    # translates it (a msgid, marked with gettext_noop where registered).
    done: str
    publish: Publish


_COMPANIONS: dict[str, Companion] = {}


def register_companion(name: str, *, label: str, done: str):
    def decorator(function: Publish) -> Publish:
        _COMPANIONS[name] = Companion(name, label, done, function)
        return function

    return decorator


def companions() -> list[Companion]:
    """The companions registered, in the order their apps registered them."""
    return list(_COMPANIONS.values())


def companion_named(name: str) -> Companion | None:
    return _COMPANIONS.get(name)
