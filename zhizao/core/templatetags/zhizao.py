from decimal import Decimal

from django import template
from django.utils.translation import gettext as _

from zhizao.core.numbers import (
    distinct_figure,
    distinct_percent,
    plain,
    shortfall_text,
    split_figure,
)

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def at(sequence, index):
    """The item at a position of a list, e.g. a column's header for a card's label:
    {{ headers|at:forloop.counter0 }}; "" past the end."""
    try:
        return sequence[int(index)]
    except (IndexError, TypeError, ValueError):
        return ""


@register.filter
def figure(value):
    """A figure as the platform prints it: 1720 not 1720.00, booleans as 是/否, none as —."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, int | Decimal | float):
        return plain(Decimal(str(value)))
    return value


@register.filter
def rounded(value, places: int = 2):
    """A computed figure to at most `places` decimals (355.0198 → 355.02), none as —."""
    if value is None or value == "":
        return "—"
    quantum = Decimal(1).scaleb(-int(places))
    return plain(Decimal(str(value)).quantize(quantum))


@register.filter
def beside(value, reference):
    """A figure shown next to a status, precise enough to differ from `reference` (its target)
    where it differs: {{ row.actual|beside:row.year_target }} gives 55.997, not 56."""
    return distinct_figure(value, reference)


@register.filter
def percent_beside(ratio, reference):
    """A ratio in %, precise enough to differ from the `reference` ratio (the schedule):
    {{ row.five_year_progress|percent_beside:row.schedule }} gives 79.99%, not 80%."""
    return distinct_percent(ratio, reference)


@register.filter
def percent(ratio):
    """A ratio in % to whole percent (0.7581 → 76%), none as —."""
    return distinct_percent(ratio)


@register.filter
def shortfall(row):
    """差 0.003 个百分点: how far a progress row is behind its schedule, "" when it is not."""
    return shortfall_text(row.get("gap"), row.get("unit", ""))


@register.filter
def year_target(row):
    """A row's year target: a pro-rata split of a count rounded to whole units (see
    `year_target_split`, labelled 折算 by the template)."""
    return split_figure(row.get("year_target"), row.get("unit", ""), row.get("year_target_split"))
