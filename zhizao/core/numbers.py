"""Numbers as a plan states and prints them: parsing what officials type, printing as the plan does."""

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext


class NotANumber(ValueError):
    pass


def parse_number(raw, *, allow_percent: bool = False) -> Decimal:
    """A plan number from YAML or a spreadsheet cell.

    Accepts what people type: full-width digits (６５), stray spaces, thousands separators and,
    for percentage indicators, a trailing %. Booleans and empty values are refused.
    """
    if isinstance(raw, bool) or raw is None:
        raise NotANumber(raw)
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        return Decimal(repr(raw))
    if isinstance(raw, Decimal):
        return raw
    text = unicodedata.normalize("NFKC", str(raw)).strip().replace(",", "").replace(" ", "")
    if allow_percent and text.endswith("%"):
        text = text[:-1]
    if not re.fullmatch(r"[-+]?(\d+(\.\d*)?|\.\d+)", text):
        raise NotANumber(raw)
    try:
        return Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - the pattern above already guards
        raise NotANumber(raw) from exc


def plain(value: Decimal | int | None) -> str:
    """1720 not 1720.0000, 6.5 not 6.50, never 1.72E+3."""
    if value is None:
        return ""
    value = Decimal(value)
    if value == value.to_integral_value():
        return str(value.quantize(Decimal(1)))
    return format(value.normalize(), "f")


def as_json_number(value: Decimal | None) -> int | float | None:
    """Numbers as numbers in exports: integers stay integers (65, not 65.0)."""
    if value is None:
        return None
    value = Decimal(value)
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def sum_expression(values: list[Decimal]) -> str:
    """'15+15+15+15+10=70', for messages that show their arithmetic."""
    return "+".join(plain(v) for v in values) + f"={plain(sum(values, Decimal(0)))}"


# --- figures beside a status (a status decided on exact values must not contradict them) -----

# Units whose figures are whole things (factories, platforms, items): a pro-rata split of one is
# not a whole number, so it is shown rounded and labelled 折算.
COUNT_UNITS = frozenset({"家", "个", "项", "台", "座", "件", "所", "人"})
MAX_PLACES = 4


def distinct_figure(value, reference=None, places: int = 2) -> str:
    """`value` to `places` decimals (half up), or with as many more, up to 4, as it takes to
    print it differently from `reference` when the two differ: 55.997 beside a target of 56
    prints 55.997, not 56, so that a status of 略滞后 beside it is visibly right. "—" for none."""
    if value is None or value == "":
        return "—"
    value = Decimal(str(value))
    other = None if reference is None or reference == "" else Decimal(str(reference))
    for digits in range(places, MAX_PLACES + 1):
        shown = _quantized(value, digits)
        if other is None or value == other or shown != _quantized(other, digits):
            return plain(shown)
    return plain(value)


def distinct_percent(ratio, reference=None, places: int = 0) -> str:
    """A ratio (0.79985) in % (80%), with decimals added, up to 2, where fewer would print it as
    the `reference` ratio (the schedule) although it differs: 79.99% beside 80%. "—" for none."""
    if ratio is None or ratio == "":
        return "—"
    as_percent = Decimal(str(ratio)) * 100
    other = None if reference is None or reference == "" else Decimal(str(reference)) * 100
    for digits in range(places, 3):
        shown = _quantized(as_percent, digits)
        if other is None or as_percent == other or shown != _quantized(other, digits):
            return f"{plain(shown)}%"
    return f"{plain(as_percent)}%"


def shortfall_text(gap, unit: str) -> str:
    """How far a figure is behind its schedule, in words: 差 0.003 个百分点 (unit %), 差 2.5 亿元;
    "" when it is not behind. `gap` is the engine's exact gap (positive when behind)."""
    if gap is None or gap == "" or Decimal(str(gap)) <= 0:
        return ""
    gap = Decimal(str(gap))
    amount = plain(_quantized(gap, 2)) if gap >= Decimal("0.01") else plain(gap.normalize())
    if unit == "%":
        return gettext("差 %(amount)s 个百分点") % {"amount": amount}
    return (gettext("差 %(amount)s %(unit)s") % {"amount": amount, "unit": unit}).rstrip()


def split_figure(value, unit: str, split: bool) -> str:
    """A target as a page shows it: a pro-rata split (`split`) of a count is rounded to whole
    units (27.59 家 → 28), or to one decimal where that would make it 0 (0.4 个 stays 0.4, a
    page labels it 折算); other figures to 2 decimals. "—" for none."""
    if value is None or value == "":
        return "—"
    value = Decimal(str(value))
    if split and unit in COUNT_UNITS:
        whole = _quantized(value, 0)
        return plain(whole if whole or not value else _quantized(value, 1))
    return plain(_quantized(value, 2))


def _quantized(value: Decimal, digits: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
