"""The title-type file (data/title-types.yaml): reading it, checking it and loading it.

A file with any problem is refused whole, with every problem listed in Chinese; loading an
unchanged file writes nothing, so the history shows only real edits."""

from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.db import transaction

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
        raise TitleTypeFileError([f"文件「{Path(path).name}」不是 UTF-8 编码。"]) from None
    except OSError as exc:
        raise TitleTypeFileError([f"无法读取文件「{path}」：{exc.strerror}。"]) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        where = f"第 {line + 1} 行" if line is not None else "文件中"
        raise TitleTypeFileError([f"{where}不是有效的 YAML。"]) from None
    return _specs(data)


def _specs(data) -> list[TitleTypeSpec]:
    if not isinstance(data, dict) or not isinstance(data.get("title_types"), list):
        raise TitleTypeFileError(["文件应包含 title_types 列表。"])
    errors, specs = [], []
    for position, raw in enumerate(data["title_types"], start=1):
        where = f"第 {position} 个称号类型"
        if not isinstance(raw, dict):
            errors.append(f"{where}应是键值对。")
            continue
        code, name = str(raw.get("code") or "").strip(), str(raw.get("name") or "").strip()
        if not code or not name:
            errors.append(f"{where}缺少 code 或 name。")
            continue
        where = f"称号类型「{name}」"
        level, holder = raw.get("level"), raw.get("holder")
        if level not in LEVELS:
            errors.append(
                f"{where}的认定层级 level「{level}」无效，应为 {'、'.join(sorted(LEVELS))}。"
            )
        if holder not in HOLDERS:
            errors.append(f"{where}的申报主体 holder「{holder}」无效，应为 enterprise 或 region。")
        indicator = raw.get("indicator")
        if indicator is not None and (not isinstance(indicator, int) or indicator < 1):
            errors.append(f"{where}的指标序号 indicator「{indicator}」应是正整数。")
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
        errors.append(f"称号类型代码「{code}」重复。")
    names = [s.name for s in specs]
    for name in sorted({n for n in names if names.count(n) > 1}):
        errors.append(f"称号类型名称「{name}」重复。")
    for spec in specs:
        for code in spec.prerequisites:
            if code not in codes:
                errors.append(f"称号类型「{spec.name}」的前置称号「{code}」不存在。")
            elif code == spec.code:
                errors.append(f"称号类型「{spec.name}」不能以自己为前置称号。")
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
