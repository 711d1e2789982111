"""The title-type file (data/title-types.yaml): reading it, checking it and loading it.

A file with any problem is refused whole, with every problem listed in Chinese; loading an
unchanged file writes nothing, so the history shows only real edits."""

from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.db import transaction
from django.utils.translation import gettext as _

from zhizao.core.services import mark_change
from zhizao.cultivation.models import Holder, TitleLevel, TitleType

DEFAULT_TITLE_TYPE_FILE = Path(__file__).resolve().parent / "data" / "title-types.yaml"
LEVELS = {choice.value for choice in TitleLevel}
HOLDERS = {choice.value for choice in Holder}


class TitleTypeFileError(Exception):
    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class TitleTypeSpec:
    code: str
    name: str
    level: str
    holder: str
    above_scale_only: bool = False
    expert_review: bool = True
    indicator_number: int | None = None
    description: str = ""
    prerequisites: list[str] = field(default_factory=list)


def read_title_types(path: str | Path = DEFAULT_TITLE_TYPE_FILE) -> list[TitleTypeSpec]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise TitleTypeFileError(
            [_("文件「%(name)s」不是 UTF-8 编码。") % {"name": Path(path).name}]
        ) from None
    except OSError as exc:
        raise TitleTypeFileError(
            [
                _("无法读取文件「%(path)s」：%(strerror)s。")
                % {"path": path, "strerror": exc.strerror}
            ]
        ) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        where = _("第 %(value)s 行") % {"value": line + 1} if line is not None else _("文件中")
        raise TitleTypeFileError([_("%(where)s不是有效的 YAML。") % {"where": where}]) from None
    return _specs(data)


def _specs(data) -> list[TitleTypeSpec]:
    if not isinstance(data, dict) or not isinstance(data.get("title_types"), list):
        raise TitleTypeFileError([_("文件应包含 title_types 列表。")])
    errors, specs = [], []
    for position, raw in enumerate(data["title_types"], start=1):
        where = _("第 %(position)s 个称号类型") % {"position": position}
        if not isinstance(raw, dict):
            errors.append(_("%(where)s应是键值对。") % {"where": where})
            continue
        code, name = str(raw.get("code") or "").strip(), str(raw.get("name") or "").strip()
        if not code or not name:
            errors.append(_("%(where)s缺少 code 或 name。") % {"where": where})
            continue
        where = _("称号类型「%(name)s」") % {"name": name}
        level, holder = raw.get("level"), raw.get("holder")
        if level not in LEVELS:
            errors.append(
                _("%(where)s的认定层级 level「%(level)s」无效，应为 %(value)s。")
                % {"where": where, "level": level, "value": "、".join(sorted(LEVELS))}
            )
        if holder not in HOLDERS:
            errors.append(
                _("%(where)s的申报主体 holder「%(holder)s」无效，应为 enterprise 或 region。")
                % {"where": where, "holder": holder}
            )
        indicator = raw.get("indicator")
        if indicator is not None and (not isinstance(indicator, int) or indicator < 1):
            errors.append(
                _("%(where)s的指标序号 indicator「%(indicator)s」应是正整数。")
                % {"where": where, "indicator": indicator}
            )
        specs.append(
            TitleTypeSpec(
                code=code,
                name=name,
                level=str(level),
                holder=str(holder),
                above_scale_only=bool(raw.get("above_scale_only", False)),
                expert_review=bool(raw.get("expert_review", True)),
                indicator_number=indicator if isinstance(indicator, int) else None,
                description=str(raw.get("description") or ""),
                prerequisites=[str(c) for c in raw.get("prerequisites") or []],
            )
        )
    codes = [s.code for s in specs]
    for code in sorted({c for c in codes if codes.count(c) > 1}):
        errors.append(_("称号类型代码「%(code)s」重复。") % {"code": code})
    names = [s.name for s in specs]
    for name in sorted({n for n in names if names.count(n) > 1}):
        errors.append(_("称号类型名称「%(name)s」重复。") % {"name": name})
    for spec in specs:
        for code in spec.prerequisites:
            if code not in codes:
                errors.append(
                    _("称号类型「%(name)s」的前置称号「%(code)s」不存在。")
                    % {"name": spec.name, "code": code}
                )
            elif code == spec.code:
                errors.append(_("称号类型「%(name)s」不能以自己为前置称号。") % {"name": spec.name})
    if errors:
        raise TitleTypeFileError(errors)
    return specs


@transaction.atomic
def load_title_types(specs: list[TitleTypeSpec]) -> dict[str, int]:
    """Create or update the types; types no longer in the file stay (titles refer to them)."""
    existing = {t.code: t for t in TitleType.objects.all()}
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for order, spec in enumerate(specs, start=1):
        values = {
            "name": spec.name,
            "level": spec.level,
            "holder": spec.holder,
            "above_scale_only": spec.above_scale_only,
            "expert_review": spec.expert_review,
            "indicator_number": spec.indicator_number,
            "description": spec.description,
            "sort_order": order,
        }
        title_type = existing.get(spec.code)
        if title_type is None:
            title_type = TitleType(code=spec.code, **values)
            mark_change(title_type, "载入称号类型文件")
            title_type.save()
            existing[spec.code] = title_type
            counts["created"] += 1
        elif any(getattr(title_type, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(title_type, key, value)
            mark_change(title_type, "载入称号类型文件")
            title_type.save()
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    for spec in specs:
        wanted = {existing[c].pk for c in spec.prerequisites}
        title_type = existing[spec.code]
        if set(title_type.prerequisites.values_list("pk", flat=True)) != wanted:
            title_type.prerequisites.set(wanted)
    return counts


def ensure_title_types() -> None:
    """Load the default file on a platform that has no title types yet (demo, first run)."""
    if not TitleType.objects.exists():
        load_title_types(read_title_types())
