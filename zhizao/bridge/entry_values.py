"""The values of library entries: how they are stored (text trimmed, codes normalised, lists
without repeats) and what is wrong with them, in Chinese, field by field; and the error the
services raise. The services, the import, the admin form and the API all check with these, so
an entry is refused with the same words wherever it comes from."""

import unicodedata
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from zhizao.bridge.libraries import (
    BOOL,
    CHOICE,
    DATE,
    DECIMAL,
    DIVISIONS,
    INT,
    LIST_KINDS,
    LONG_TEXT,
    PERCENT,
    RATING,
    RESULTS,
    SUBDOMAINS,
    TEXT,
    USCC,
    LibrarySpec,
)
from zhizao.bridge.models import Library, LibraryEntry
from zhizao.core.numbers import plain
from zhizao.core.roles import Role
from zhizao.diagnosis.questionnaire import load_questionnaire
from zhizao.enterprises.services import validate_uscc

MANY_TO_MANY = ("clusters", "regions_served", "maintainers")
DIVISION_CODES = {str(n) for n in range(13, 44)}


class BridgeError(Exception):
    """An action that is not allowed now; the message says why, in Chinese."""


class BridgeForbidden(BridgeError):
    """The user may not take this action at all."""


# --- values ----------------------------------------------------------------------------------


def subdomain_names() -> dict[str, str]:
    """The maturity model's sub-domains, code → name, from the questionnaire in force."""
    return {code: s.name for code, s in load_questionnaire().subdomains.items()}


def normalise_standard_code(text: str) -> str:
    """GB/T39116—2020, ＧＢ／Ｔ 39116-2020 and gb/t  39116-2020 are all GB/T 39116-2020."""
    code = " ".join(unicodedata.normalize("NFKC", text).split()).upper()
    code = code.replace("—", "-").replace("–", "-").replace(" -", "-").replace("- ", "-")
    prefix = code.rstrip("0123456789.-: ")
    if prefix and prefix != code and not prefix.endswith(" "):
        code = f"{prefix} {code[len(prefix) :].lstrip()}"
    return code


def one_line(value) -> str:
    """Text without runs of spaces or line breaks; a space is kept only between two characters
    that are not CJK."""
    parts = str(value or "").split()
    out = parts[:1]
    for part in parts[1:]:
        if not (_wide(out[-1][-1]) or _wide(part[0])):
            out.append(" ")
        out.append(part)
    return "".join(out)


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in "WF"


def normalise_values(spec: LibrarySpec, values: dict) -> dict:
    """The values as stored: text trimmed, codes normalised, lists without repeats, amounts
    rounded to the field's places. Keys the library does not have are refused."""
    columns = spec.columns_by_field
    result = {}
    for name, value in values.items():
        if name == "maintainers":
            result[name] = list(dict.fromkeys(value or []))
            continue
        if name not in columns:
            raise BridgeError(
                _("%(label)s没有「%(name)s」这一项。") % {"label": spec.label, "name": name}
            )
        kind = columns[name].kind
        if kind in (TEXT, USCC):
            value = one_line(value)
            if kind == USCC:
                value = unicodedata.normalize("NFKC", value).replace(" ", "").upper()
            if name == "code" and spec.library == Library.STANDARD:
                value = normalise_standard_code(value)
        elif kind == LONG_TEXT:
            value = "\n".join(line.strip() for line in str(value or "").strip().splitlines())
        elif kind in LIST_KINDS:
            value = list(dict.fromkeys(value or []))
            if kind == SUBDOMAINS:
                value = [str(v).strip().upper() for v in value]
            elif kind == DIVISIONS:
                value = [unicodedata.normalize("NFKC", str(v)).strip() for v in value]
        elif kind in (DECIMAL, PERCENT, RATING) and value is not None:
            places = spec.model._meta.get_field(name).decimal_places
            value = Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        elif kind == BOOL:
            value = bool(value)
        elif kind == CHOICE and value in (None, ""):
            default = spec.model._meta.get_field(name).default
            value = default if isinstance(default, str) else ""
        result[name] = value
    return result


def check_values(spec: LibrarySpec, values: dict, entry: LibraryEntry | None = None) -> list:
    """Every problem of an entry's values as (field, message); `values` holds every field of a
    new entry, or the changed ones of `entry`."""
    merged = {**_current_values(spec, entry), **values} if entry is not None else dict(values)
    problems: list[tuple[str, str]] = []
    for column in spec.columns:
        value = merged.get(column.field)
        message = _column_problem(spec, column, value)
        if message:
            problems.append((column.field, message))
    for low, high, unit in (
        ("investment_min", "investment_max", _(" 万元")),
        ("rate_min", "rate_max", "%"),
    ):
        a, b = merged.get(low), merged.get(high)
        if low in spec.columns_by_field and a is not None and b is not None and a > b:
            label = _("利率") if unit == "%" else _("典型投资")
            problems.append(
                (
                    low,
                    _("%(label)s下限（%(a)s%(unit)s）大于上限（%(b)s%(unit)s）。")
                    % {"label": label, "a": plain(a), "unit": unit, "b": plain(b)},
                )
            )
    issued, effective = merged.get("issued_on"), merged.get("effective_on")
    if issued and effective and issued > effective:
        problems.append(
            (
                "effective_on",
                _("实施日期 %(effective)s 早于发布日期 %(issued)s。")
                % {
                    "effective": format(effective, "%Y-%m-%d"),
                    "issued": format(issued, "%Y-%m-%d"),
                },
            )
        )
    solution, provider = merged.get("solution"), merged.get("provider")
    if solution is not None and provider is not None and solution.provider_id != provider.pk:
        problems.append(
            (
                "solution",
                _("方案「%(title)s」不属于服务商「%(name)s」。")
                % {"title": solution.title, "name": provider.name},
            )
        )
    problems += _user_problems(spec, merged, entry)
    if not any(field in spec.key and field != "provider" for field, _ in problems):
        duplicate = _duplicate_of(spec, merged, entry)
        if duplicate is not None:
            problems.append((spec.key[0], duplicate_message(spec, merged)))
    return problems


def duplicate_message(spec: LibrarySpec, values: dict) -> str:
    if len(spec.key) == 1:
        return _("%(label)s「%(value)s」已存在。") % {
            "label": spec.column(spec.key[0]).label,
            "value": values.get(spec.key[0]),
        }
    return _("%(label)s%(value)s已存在。") % {
        "label": spec.label,
        "value": spec.describe_key(values),
    }


def _column_problem(spec: LibrarySpec, column, value) -> str | None:
    label, kind = column.label, column.kind
    if column.required and value in (None, "", []):
        return _("请填写%(label)s。") % {"label": label}
    if value in (None, "", []):
        return None
    if kind in (TEXT, USCC):
        limit = spec.model._meta.get_field(column.field).max_length
        if limit and len(value) > limit:
            return _("%(label)s过长：最多 %(limit)s 个字，填写了 %(value)s 个字。") % {
                "label": label,
                "limit": limit,
                "value": len(value),
            }
        if kind == USCC:
            try:
                validate_uscc(value)
            except ValueError as exc:
                return str(exc)
    if kind in (INT, DECIMAL, PERCENT, RATING) and value < 0:
        return _("%(label)s不能为负数，填写的是 %(value)s。") % {
            "label": label,
            "value": plain(value),
        }
    if kind == PERCENT and value > 100:
        return _("%(label)s应在 0—100 之间，填写的是 %(value)s。") % {
            "label": label,
            "value": plain(value),
        }
    if kind == RATING and value > 5:
        return _("%(label)s应在 0—5 之间，填写的是 %(value)s。") % {
            "label": label,
            "value": plain(value),
        }
    if kind in (DECIMAL, PERCENT):
        model_field = spec.model._meta.get_field(column.field)
        if abs(value) >= Decimal(10) ** (model_field.max_digits - model_field.decimal_places):
            return _("%(label)s数值过大（%(value)s），请核对单位。") % {
                "label": label,
                "value": plain(value),
            }
    if kind == CHOICE and value not in column.choices.values:
        allowed = "、".join(str(c.label) for c in column.choices)
        return _("%(label)s「%(value)s」不是可选的值，可选：%(allowed)s。") % {
            "label": label,
            "value": value,
            "allowed": allowed,
        }
    if kind == SUBDOMAINS:
        unknown = [code for code in value if code not in subdomain_names()]
        if unknown:
            return _("未知的能力子域代码「%(value)s」。") % {"value": "、".join(unknown)}
    if kind == DIVISIONS:
        unknown = [code for code in value if code not in DIVISION_CODES]
        if unknown:
            return _("未知的行业大类「%(value)s」：应为 13—43 的两位制造业大类代码。") % {
                "value": "、".join(unknown)
            }
    if kind == RESULTS and not _results_ok(value):
        return _(
            "%(label)s格式不正确：应为若干项改造前后的数值，每项有名称（name）、单位（unit）、改造前（before）和改造后（after）。"
        ) % {"label": label}
    if kind == DATE and not hasattr(value, "year"):
        return _("%(label)s应为日期。") % {"label": label}
    return None


def _results_ok(value) -> bool:
    if not isinstance(value, list):
        return False
    return all(
        isinstance(item, dict)
        and str(item.get("name", "")).strip()
        and set(item) <= {"name", "unit", "before", "after"}
        for item in value
    )


def _user_problems(spec: LibrarySpec, merged: dict, entry) -> list:
    user = merged.get("user")
    if spec.library != Library.EXPERT or user is None:
        return []
    if getattr(user, "role", None) != Role.EXPERT:
        return [("user", _("账号「%(username)s」不是专家账号。") % {"username": user.username})]
    taken = spec.model.objects.filter(user=user).exclude(pk=getattr(entry, "pk", None)).first()
    if taken is not None:
        return [
            (
                "user",
                _("账号「%(username)s」已关联专家「%(name)s」。")
                % {"username": user.username, "name": taken.name},
            )
        ]
    return []


def _duplicate_of(spec: LibrarySpec, merged: dict, entry):
    if any(merged.get(name) in (None, "") and name != "provider" for name in spec.key):
        return None
    found = spec.model.objects.filter(**spec.key_filter(merged))
    if entry is not None and entry.pk is not None:
        found = found.exclude(pk=entry.pk)
    return found.first()


def _current_values(spec: LibrarySpec, entry: LibraryEntry) -> dict:
    values = {}
    for column in spec.columns:
        if column.field in MANY_TO_MANY:
            values[column.field] = list(getattr(entry, column.field).all())
        else:
            values[column.field] = getattr(entry, column.field)
    return values


def changed_fields(entry: LibraryEntry, values: dict) -> list[str]:
    """The fields `values` would change (all of them for an entry not yet saved)."""
    if entry.pk is None:
        return list(values)
    changed = []
    for name, value in values.items():
        if name in MANY_TO_MANY:
            current = set(getattr(entry, name).values_list("pk", flat=True))
            if current != {v.pk for v in value}:
                changed.append(name)
        elif getattr(entry, name) != value:
            changed.append(name)
    return changed
