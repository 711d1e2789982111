"""The checks a yearly report must pass before it is saved, whatever the way in (form, import,
API): errors refuse it; warnings (unusual year-on-year jumps) need a comment."""

from dataclasses import dataclass, field
from decimal import Decimal

from zhizao.core.numbers import plain
from zhizao.enterprises.fields import FIELDS_BY_NAME, JUMP_FACTOR, REPORT_FIELDS

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


def check_report(
    values: dict,
    *,
    year: int,
    years: range,
    previous: dict | None = None,
    comment: str = "",
) -> ReportCheck:
    """`values` holds parsed figures by field name; `years` the years reports may be filed for;
    `previous` last year's figures of the same enterprise, when there are any."""
    result = ReportCheck()
    if year not in years:
        result.errors["year"] = f"年份 {year} 不在方案年份内（{years.start}—{years.stop - 1}年）。"
    for spec in REPORT_FIELDS:
        value = values.get(spec.name)
        if value is None and spec.kind != "bool":
            result.errors[spec.name] = f"「{spec.label}」不能为空。"
        elif spec.kind != "bool" and value < 0:
            result.errors[spec.name] = f"「{spec.label}」不能为负数（填写的是 {plain(value)}）。"
    for part, whole in PART_OF:
        p, w = values.get(part), values.get(whole)
        if p is not None and w is not None and part not in result.errors and p > w:
            result.errors[part] = (
                f"「{label(part)}」{plain(p)} 不能大于「{label(whole)}」{plain(w)}。"
            )
    if previous:
        for spec in REPORT_FIELDS:
            if not spec.watch_jumps or spec.name in result.errors:
                continue
            now, before = values.get(spec.name), previous.get(spec.name)
            if now is None or not before:
                continue
            ratio = Decimal(now) / Decimal(before)
            if ratio > JUMP_FACTOR or ratio < 1 / JUMP_FACTOR:
                result.warnings[spec.name] = (
                    f"「{spec.label}」从上年的 {plain(before)} 变为 {plain(now)}，"
                    f"为上年的 {ratio:.2f} 倍，请在说明中写明原因。"
                )
    if result.warnings and not comment.strip():
        result.errors["comment"] = "有同比变化异常的数据，请在“说明”中写明原因后再保存。"
    return result
