"""Parsing one cell: what a person may type for a code, a year, a yes/no or a figure, and
how a cell is shown back in an error message."""

import math
import re
import unicodedata
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from zhizao.core.numbers import NotANumber, parse_number, plain
from zhizao.enterprises.services import validate_uscc


class CellError(ValueError):
    """A cell that cannot be read as what its column holds; the message says why."""


def display(value) -> str:
    """A cell as the person typed or sees it, for error messages."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


def clean_text(value) -> str:
    """Free text without line breaks or runs of spaces; a space is kept only between two
    characters that are not CJK (绍兴 某某 → 绍兴某某, Co.,  Ltd. → Co., Ltd.)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    parts = str(value).split()
    if not parts:
        return ""
    out = [parts[0]]
    for part in parts[1:]:
        if not (_is_wide(out[-1][-1]) or _is_wide(part[0])):
            out.append(" ")
        out.append(part)
    return "".join(out)


def _is_wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in "WF"


def compact(value) -> str:
    """Half-width text without any spaces or line breaks (for codes, years, yes/no)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "".join(unicodedata.normalize("NFKC", str(value)).split())


def parse_figure(value, label: str, kind: str, unit: str) -> Decimal | int:
    """A count (int) or an amount (Decimal, two places) from a cell."""
    if isinstance(value, bool | datetime | date | time | timedelta):
        raise CellError(
            _("「%(label)s」应填写数字，「%(value)s」不是数字。")
            % {"label": label, "value": display(value)}
        )
    if isinstance(value, float) and not math.isfinite(value):
        raise CellError(
            _("「%(label)s」应填写数字，「%(value)s」不是有效的数字。")
            % {"label": label, "value": display(value)}
        )
    if isinstance(value, str):
        text = compact(value)
        if text.endswith("%"):
            what = _("数量") if kind == "int" else _("数值")
            raise CellError(
                _("「%(label)s」应填写%(what)s（单位：%(unit)s），不能填写百分比「%(value)s」。")
                % {"label": label, "what": what, "unit": unit, "value": value.strip()}
            )
        value = text
    try:
        number = parse_number(value)
    except NotANumber:
        raise CellError(
            _("「%(label)s」应填写数字，「%(value)s」不是有效的数字。")
            % {"label": label, "value": display(value)}
        ) from None
    if kind == "int":
        if number != number.to_integral_value():
            raise CellError(
                _("「%(label)s」应为整数，填写的是 %(number)s。")
                % {"label": label, "number": plain(number)}
            )
        if abs(number) > 2_147_483_647:
            raise CellError(
                _("「%(label)s」数值过大（%(number)s），请核对单位。")
                % {"label": label, "number": plain(number)}
            )
        return int(number)
    number = number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if abs(number) >= Decimal(10) ** 12:
        raise CellError(
            _("「%(label)s」数值过大（%(number)s），请核对单位是否为%(unit)s。")
            % {"label": label, "number": plain(number), "unit": unit}
        )
    return number


YES = {"是", "y", "yes", "true", "1", "√", "✓", "有", "t"}
NO = {"否", "n", "no", "false", "0", "×", "✗", "无", "f", "不是"}


def parse_yes_no(value, label: str) -> bool:
    if isinstance(value, bool):
        return value
    text = compact(value).lower()
    if text in YES:
        return True
    if text in NO:
        return False
    raise CellError(
        _("「%(label)s」只能填“是”或“否”，填写的是「%(value)s」。")
        % {"label": label, "value": display(value)}
    )


def parse_year(value, label: str) -> int:
    text = compact(value)
    if text.endswith("年"):
        text = text[:-1]
    if re.fullmatch(r"\d{4}(\.0+)?", text):
        return int(float(text))
    raise CellError(
        _("「%(label)s」应为 4 位数字的年份，如 2023，填写的是「%(value)s」。")
        % {"label": label, "value": display(value)}
    )


def parse_uscc(value) -> str:
    if isinstance(value, float | int) and not isinstance(value, bool):
        if isinstance(value, int) or abs(value) < 2**53:
            value = str(int(value))
        else:
            raise CellError(
                _(
                    "统一社会信用代码被 Excel 存成了数字，末几位已经丢失；请把本列设为文本格式后重新填写。"
                )
            )
    return validate_uscc(value)


def parse_industry_code(value, label: str) -> str:
    code = compact(value)
    if re.fullmatch(r"\d{2,4}", code) and 13 <= int(code[:2]) <= 43:
        return code
    raise CellError(
        _(
            "「%(label)s」应为 GB/T 4754 制造业代码：2 位大类（13—43），或以大类开头的 3 位中类、4 位小类，如 17、171、1711，填写的是「%(value)s」。"
        )
        % {"label": label, "value": display(value)}
    )
