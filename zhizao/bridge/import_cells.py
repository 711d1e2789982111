"""Reading one cell of a library import as what its column holds: what people type is accepted
(full-width digits and letters, stray spaces, 是/否, labels or codes, lists separated by 、 or
commas), and anything else is refused with a Chinese message naming the column and the value.
Relations named by text (服务商, 所用方案) are resolved by the import, which knows the file."""

import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from zhizao.bridge.libraries import (
    BOOL,
    CHOICE,
    CLUSTERS,
    DATE,
    DECIMAL,
    DIVISIONS,
    ENTERPRISE,
    INT,
    LONG_TEXT,
    PERCENT,
    PROVIDER,
    RATING,
    REGIONS,
    RESULTS,
    SOLUTION,
    SUBDOMAINS,
    TEXT,
    USCC,
    USER,
    Column,
)
from zhizao.core.numbers import NotANumber, parse_number
from zhizao.enterprises.importing.cells import CellError, compact, display, parse_figure
from zhizao.enterprises.importing.cells import parse_yes_no as _parse_yes_no

SEPARATORS = re.compile(r"[、，,；;／/\s]+")
ITEM_SEPARATORS = re.compile(r"[；;\n]+")
ARROW = re.compile(r"\s*(?:→|->|—>|=>|－>)\s*")

__all__ = ["CellError", "display", "parse_cell", "split_list", "text_of"]


def text_of(value) -> str:
    """A cell as text: whole numbers without a trailing .0, dates as ISO dates."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    return str(value)


def split_list(value) -> list[str]:
    """The items of a list cell: 现代纺织、绿色化工 / 17,28 / PO；PS."""
    text = unicodedata.normalize("NFKC", text_of(value))
    return [item for item in SEPARATORS.split(text) if item]


def parse_cell(column: Column, value, lookups) -> object:
    """The cell as the column's value; `lookups` resolves names of clusters, districts,
    sub-domains, users and enterprises. Raises CellError."""
    kind, label = column.kind, column.label
    if kind in (TEXT, USCC, PROVIDER, SOLUTION):
        return text_of(value).strip()
    if kind == LONG_TEXT:
        return text_of(value)
    if kind == INT:
        return parse_figure(value, label, "int", column.unit)
    if kind == DECIMAL:
        return parse_figure(value, label, "decimal", column.unit)
    if kind in (PERCENT, RATING):
        return _parse_rate(value, label, percent=kind == PERCENT)
    if kind == DATE:
        return _parse_date(value, label)
    if kind == BOOL:
        return _parse_yes_no(value, label)
    if kind == CHOICE:
        return _parse_choice(value, column)
    if kind == CLUSTERS:
        return _resolve(split_list(value), lookups.clusters, _("未知的产业集群"))
    if kind == REGIONS:
        return _resolve(split_list(value), lookups.regions, _("未知的区县"))
    if kind == SUBDOMAINS:
        # A name is read as its code; an unknown code is refused by the library's checks.
        return [lookups.subdomains.get(item, item.upper()) for item in split_list(value)]
    if kind == DIVISIONS:
        return split_list(value)
    if kind == USER:
        return _resolve(split_list(value), lookups.users, _("找不到平台账号"))[0]
    if kind == ENTERPRISE:
        code = compact(value).upper()
        found = lookups.enterprises(code)
        if found is None:
            raise CellError(
                _("企业库中没有统一社会信用代码为「%(code)s」的企业。") % {"code": code}
            )
        return found
    if kind == RESULTS:
        return _parse_results(value, label)
    raise CellError(
        _("「%(label)s」无法识别。") % {"label": label}
    )  # pragma: no cover - every kind is handled above


def _resolve(items: list[str], table: dict, unknown: str) -> list:
    missing = [item for item in items if item not in table]
    if missing:
        raise CellError("".join(f"{unknown}「{item}」。" for item in missing))
    return list(dict.fromkeys(table[item] for item in items))


def _parse_rate(value, label: str, percent: bool) -> Decimal:
    text = compact(value) if isinstance(value, str) else value
    if percent and isinstance(text, str) and text.endswith("%"):
        text = text[:-1]
    try:
        return parse_number(text)
    except NotANumber:
        raise CellError(
            _("「%(label)s」应填写数字，「%(value)s」不是有效的数字。")
            % {"label": label, "value": display(value)}
        ) from None


DATE_PATTERN = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?")


def _parse_date(value, label: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    match = DATE_PATTERN.fullmatch(compact(value))
    if match:
        try:
            return date(*(int(part) for part in match.groups()))
        except ValueError:
            pass
    raise CellError(
        _("「%(label)s」应为日期，如 2021-05-01，填写的是「%(value)s」。")
        % {"label": label, "value": display(value)}
    )


def chinese(text) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return str(text)


def _parse_choice(value, column: Column) -> str:
    text = compact(value).lower()
    for choice in column.choices:
        label = chinese(choice.label)  # the file speaks Chinese whatever the interface does
        names = {choice.value.lower(), compact(label).lower()}
        names.update(compact(part).lower() for part in label.split(" "))
        if text in names:
            return choice.value
    allowed = "、".join(str(c.label) for c in column.choices)
    raise CellError(
        _("「%(label)s」只能填写 %(allowed)s，填写的是「%(value)s」。")
        % {"label": column.label, "allowed": allowed, "value": display(value)}
    )


RESULT_ITEM = re.compile(
    r"(?P<name>[^:：]+?)(?:[（(](?P<unit>[^）)]*)[）)])?\s*[:：]\s*(?P<rest>.+)"
)


def _parse_results(value, label: str) -> list[dict]:
    """劳动生产率（万元/人）：120→150；产品不良品率（%）：3→1.5"""
    results = []
    for item in ITEM_SEPARATORS.split(text_of(value)):
        item = item.strip()
        if not item:
            continue
        match = RESULT_ITEM.fullmatch(item)
        sides = ARROW.split(match.group("rest").strip()) if match else []
        if len(sides) != 2 or not all(sides):
            raise CellError(
                _(
                    "「%(label)s」中的「%(item)s」应写成 名称（单位）：改造前→改造后，如 劳动生产率（万元/人）：120→150。"
                )
                % {"label": label, "item": item}
            )
        numbers = []
        for side in sides:
            try:
                numbers.append(format(parse_number(compact(side)), "f"))
            except NotANumber:
                raise CellError(
                    _("「%(label)s」中的「%(item)s」：「%(side)s」不是数字。")
                    % {"label": label, "item": item, "side": side}
                ) from None
        results.append(
            {
                "name": match.group("name").strip(),
                "unit": (match.group("unit") or "").strip(),
                "before": numbers[0],
                "after": numbers[1],
            }
        )
    return results
