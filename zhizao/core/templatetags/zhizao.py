from decimal import Decimal

from django import template

from zhizao.core.numbers import plain

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def figure(value):
    """A figure as the platform prints it: 1720 not 1720.00, booleans as 是/否, none as —."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
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
