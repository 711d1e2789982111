"""Numbers as a plan states and prints them: parsing what officials type, printing as the plan does."""

import re
import unicodedata
from decimal import Decimal, InvalidOperation


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
