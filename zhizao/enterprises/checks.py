"""The checks a yearly report must pass, whatever the way in (form, import, API): errors refuse
it; warnings (a figure beyond 3× or below ⅓ of last year's) need a comment when it is submitted.

A draft may be saved incomplete and with unexplained jumps (`complete=False`): only what is
wrong in itself (a negative figure, a part larger than its whole) refuses a draft."""

import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from zhizao.core.numbers import plain
from zhizao.enterprises.fields import (
    FIELDS_BY_NAME,
    JUMP_FACTOR,
    NUMERIC_FIELDS,
    SOFTWARE_FIELDS,
)

# Parts that may not exceed their whole: (part, whole).
PART_OF = (
    ("cnc_key_processes", "key_processes"),
    ("networked_equipment", "networkable_equipment"),
    ("value_added", "industrial_output"),
)


@dataclass
class ReportCheck:
    errors: dict[str, str] = field(default_factory=dict)
    warnings: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def label(name: str) -> str:
    return FIELDS_BY_NAME[name].label


def jump_ratio(now, before) -> Decimal | None:
    """now / before when both are known and last year's is not zero."""
    if now is None or before is None or not before:
        return None
    return Decimal(now) / Decimal(before)


def is_jump(ratio: Decimal | None) -> bool:
    return ratio is not None and (ratio > JUMP_FACTOR or ratio < 1 / JUMP_FACTOR)


def check_report(
    values: dict,
    *,
    year: int,
    years: range,
    previous: dict | None = None,
    comment: str = "",
    complete: bool = True,
) -> ReportCheck:
    """`values` holds parsed figures by field name; `years` the years reports may be filed for;
    `previous` last year's figures of the same enterprise, when there are any; `complete` is
    true when the report is submitted or imported (every figure required, jumps explained)."""
    result = ReportCheck()
    if year not in years:
        result.errors["year"] = _("年份 %(year)s 不在方案年份内（%(first)s—%(last)s年）。") % {
            "year": year,
            "first": years.start,
            "last": years.stop - 1,
        }
    for spec in NUMERIC_FIELDS:
        value = values.get(spec.name)
        if value is None:
            if complete:
                result.errors[spec.name] = _("「%(label)s」不能为空。") % {"label": spec.label}
        elif value < 0:
            result.errors[spec.name] = _("「%(label)s」不能为负数（填写的是 %(value)s）。") % {
                "label": spec.label,
                "value": plain(value),
            }
    for part, whole in PART_OF:
        p, w = values.get(part), values.get(whole)
        if p is not None and w is not None and part not in result.errors and p > w:
            result.errors[part] = _("「%(part)s」%(p)s 不能大于「%(whole)s」%(w)s。") % {
                "part": label(part),
                "p": plain(p),
                "whole": label(whole),
                "w": plain(w),
            }
    if previous:
        for spec in NUMERIC_FIELDS:
            if spec.name in result.errors:
                continue
            now, before = values.get(spec.name), previous.get(spec.name)
            ratio = jump_ratio(now, before)
            if is_jump(ratio):
                result.warnings[spec.name] = _(
                    "「%(label)s」从上年的 %(before)s 变为 %(now)s，为上年的 %(ratio)s 倍，"
                    "请在说明中写明原因。"
                ) % {
                    "label": spec.label,
                    "before": plain(before),
                    "now": plain(now),
                    "ratio": f"{ratio:.2f}",
                }
    if complete and result.warnings and not comment.strip():
        result.errors["comment"] = _("有同比变化异常的数据，请在“说明”中写明原因。")
    return result


@dataclass(frozen=True)
class Comparison:
    """One figure of a report beside last year's: what a reviewer reads (上年 / 本年 / 变化)."""

    name: str
    label: str
    before: object
    now: object
    anomaly: bool

    @property
    def change(self):
        if self.before is None or self.now is None or isinstance(self.now, bool):
            return None
        return self.now - self.before

    @property
    def percent(self) -> Decimal | None:
        ratio = jump_ratio(self.now, self.before) if not isinstance(self.now, bool) else None
        return None if ratio is None else (ratio - 1) * 100


def compare(values: dict, previous: dict | None) -> list[Comparison]:
    """Every numeric figure with last year's value and whether it jumped."""
    previous = previous or {}
    rows = []
    for spec in NUMERIC_FIELDS:
        now, before = values.get(spec.name), previous.get(spec.name)
        rows.append(
            Comparison(spec.name, spec.label, before, now, is_jump(jump_ratio(now, before)))
        )
    return rows


def software_label(name: str) -> str:
    """「使用 ERP（企业资源计划）」 → 「ERP（企业资源计划）」; "Uses ERP (…)" → "ERP (…)"."""
    text, prefix = str(label(name)), _("使用 ")
    return text[len(prefix) :] if text.lower().startswith(prefix.lower()) else text


def short_name(name: str) -> str:
    """「使用 ERP（企业资源计划）」 → ERP, in either language."""
    return re.split(r"[（(]", software_label(name), maxsplit=1)[0].strip()


@dataclass(frozen=True)
class SoftwareChange:
    """The key management-control systems in use last year and this year, by short name."""

    before: list[str]
    now: list[str]

    @property
    def added(self) -> list[str]:
        return [s for s in self.now if s not in self.before]

    @property
    def dropped(self) -> list[str]:
        return [s for s in self.before if s not in self.now]


def compare_software(values: dict, previous: dict | None) -> SoftwareChange:
    def used(figures):
        return [short_name(n) for n in SOFTWARE_FIELDS if (figures or {}).get(n)]

    return SoftwareChange(used(previous) if previous else [], used(values))
