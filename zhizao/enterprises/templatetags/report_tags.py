from decimal import Decimal

from django import template

from zhizao.core.numbers import plain

register = template.Library()


@register.filter
def signed(value, places=None):
    """A change with its sign (+12, −3.5), rounded to `places` when given; none as —."""
    if value is None or value == "":
        return "—"
    value = Decimal(str(value))
    if places not in (None, ""):
        value = value.quantize(Decimal(1).scaleb(-int(places)))
    if value == 0:
        return "0"
    return ("+" if value > 0 else "−") + plain(abs(value))
