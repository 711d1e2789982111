"""The maturity questionnaire file (data/maturity-questionnaire.yaml): reading and checking it.

A file with any problem is refused whole, with every problem listed in Chinese and naming the
item. `load_questionnaire()` reads the file once per process and again only when it changes
(cached by path and modification time). The structure is GB/T 39116-2020's; what the file
holds and which parts are our own defaults is described in docs/diagnosis.md."""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

import yaml
from django.conf import settings
from django.utils.translation import gettext as _

DEFAULT_QUESTIONNAIRE_FILE = (
    Path(__file__).resolve().parent / "data" / "maturity-questionnaire.yaml"
)
LEVEL_NUMBERS = (1, 2, 3, 4, 5)
ID_PATTERN = re.compile(r"^[A-Z]{2,4}-[1-5]-\d{2}$")


class QuestionnaireError(Exception):
    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class Level:
    number: int
    label: str  # 二级
    name: str  # 规范级


@dataclass(frozen=True)
class Band:
    level: int
    lower: Decimal
    name: str  # 未达一级, 一级 …


@dataclass(frozen=True)
class SubDomain:
    code: str
    name: str
    domain: str
    element: str


@dataclass(frozen=True)
class Domain:
    name: str
    element: str
    subdomains: tuple[str, ...]  # codes, in the file's order


@dataclass(frozen=True)
class Element:
    name: str
    domains: tuple[str, ...]


@dataclass(frozen=True)
class Requirement:
    id: str
    subdomain: str  # code
    level: int
    text: str
    evidence: str
    not_applicable_allowed: bool
    answers: tuple[str, ...]  # the scale labels this requirement accepts


@dataclass
class Questionnaire:
    version: str
    title: str
    basis: str
    industry_types: tuple[str, ...]
    levels: tuple[Level, ...]
    scale: dict[str, Decimal]  # label → score, in the file's order
    not_applicable: str
    threshold: Decimal
    bands: tuple[Band, ...]
    elements: tuple[Element, ...]
    domains: dict[str, Domain]  # by name, in order
    subdomains: dict[str, SubDomain]  # by code, in order
    weights: dict[str, dict[str, Decimal]]  # industry type → sub-domain code → weight
    requirements: tuple[Requirement, ...]
    by_id: dict[str, Requirement] = field(init=False, repr=False)

    def __post_init__(self):
        self.by_id = {r.id: r for r in self.requirements}

    @property
    def max_total(self) -> Decimal:
        return len(self.levels) * max(self.scale.values())

    def at_level(self, level: int) -> list[Requirement]:
        return [r for r in self.requirements if r.level == level]

    def level_label(self, level: int) -> str:
        """二级, or the band's name for 0 (未达一级)."""
        for item in self.levels:
            if item.number == level:
                return item.label
        return next((b.name for b in self.bands if b.level == level), str(level))

    def level_name(self, level: int) -> str:
        """规范级, or 未达一级 for 0."""
        for item in self.levels:
            if item.number == level:
                return item.name
        return self.level_label(level)

    def allowed_answers(self, requirement: Requirement) -> tuple[str, ...]:
        if requirement.not_applicable_allowed:
            return (*requirement.answers, self.not_applicable)
        return requirement.answers

    def domain_of(self, requirement: Requirement) -> Domain:
        return self.domains[self.subdomains[requirement.subdomain].domain]


# --- reading ----------------------------------------------------------------------------


def questionnaire_path() -> Path:
    return Path(getattr(settings, "ZHIZAO_DIAGNOSIS_QUESTIONNAIRE", DEFAULT_QUESTIONNAIRE_FILE))


def load_questionnaire(path: str | Path | None = None) -> Questionnaire:
    """The questionnaire in force (the setting's file, or the shipped one), read once per
    process and re-read when the file changes."""
    resolved = Path(path or questionnaire_path()).resolve()
    try:
        modified = resolved.stat().st_mtime_ns
    except OSError as exc:
        raise QuestionnaireError(
            [
                _("无法读取问卷文件「%(resolved)s」：%(strerror)s。")
                % {"resolved": resolved, "strerror": exc.strerror}
            ]
        ) from None
    return _cached(str(resolved), modified)


@lru_cache(maxsize=8)
def _cached(path: str, modified: int) -> Questionnaire:
    return read_questionnaire(path)


def read_questionnaire(path: str | Path) -> Questionnaire:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise QuestionnaireError(
            [_("问卷文件「%(name)s」不是 UTF-8 编码。") % {"name": Path(path).name}]
        ) from None
    except OSError as exc:
        raise QuestionnaireError(
            [
                _("无法读取问卷文件「%(path)s」：%(strerror)s。")
                % {"path": path, "strerror": exc.strerror}
            ]
        ) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        where = f"第 {line + 1} 行" if line is not None else "文件中"
        raise QuestionnaireError(
            [_("问卷文件%(where)s不是有效的 YAML。") % {"where": where}]
        ) from None
    return parse_questionnaire(data)


def parse_questionnaire(data) -> Questionnaire:
    """The questionnaire a parsed file states, or QuestionnaireError listing every problem."""
    if not isinstance(data, dict):
        raise QuestionnaireError([_("问卷文件应是键值对（version、levels、requirements 等）。")])
    errors: list[str] = []
    version = str(data.get("version") or "").strip()
    if not version:
        errors.append("问卷文件缺少版本号 version。")
    types = _industry_types(data.get("industry_types"), errors)
    levels = _levels(data.get("levels"), errors)
    scale = _scale(data.get("scale"), errors)
    not_applicable = str(data.get("not_applicable") or "").strip()
    if not not_applicable:
        errors.append("问卷文件缺少「不适用」选项的名称 not_applicable。")
    elif not_applicable in scale:
        errors.append(f"「不适用」选项「{not_applicable}」与答案选项重名。")
    threshold = _decimal(data.get("threshold"))
    if threshold is None or not Decimal(0) < threshold <= Decimal(1):
        errors.append(f"达标阈值 threshold「{data.get('threshold')}」应大于 0 且不大于 1。")
    max_total = len(levels) * max(scale.values(), default=Decimal(1))
    bands = _bands(data.get("bands"), levels, max_total, errors)
    elements, domains, subdomains = _structure(data.get("elements"), errors)
    weights = _weights(data.get("weights"), types, subdomains, errors)
    requirements = _requirements(data.get("requirements"), scale, subdomains, errors)
    _coverage(requirements, subdomains, levels, errors)
    if errors:
        raise QuestionnaireError(errors)
    return Questionnaire(
        version=version,
        title=str(data.get("title") or "智能制造能力成熟度自评估问卷"),
        basis=str(data.get("basis") or ""),
        industry_types=types,
        levels=levels,
        scale=scale,
        not_applicable=not_applicable,
        threshold=threshold,
        bands=bands,
        elements=elements,
        domains=domains,
        subdomains=subdomains,
        weights=weights,
        requirements=requirements,
    )


def _decimal(value) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _duplicates(items: list[str]) -> list[str]:
    seen, repeated = set(), []
    for item in items:
        if item in seen and item not in repeated:
            repeated.append(item)
        seen.add(item)
    return repeated


def _industry_types(raw, errors: list[str]) -> tuple[str, ...]:
    if not isinstance(raw, list) or not raw:
        errors.append("问卷文件应列出行业类型 industry_types（例如 离散型、流程型）。")
        return ()
    types = tuple(str(t).strip() for t in raw if str(t).strip())
    for name in _duplicates(list(types)):
        errors.append(f"行业类型「{name}」重复。")
    return types


def _levels(raw, errors: list[str]) -> tuple[Level, ...]:
    if not isinstance(raw, list) or len(raw) != len(LEVEL_NUMBERS):
        errors.append("问卷文件应列出 5 个成熟度等级 levels（1 至 5 级）。")
        return tuple(Level(n, f"{n}级", f"{n}级") for n in LEVEL_NUMBERS)
    levels = []
    for expected, item in zip(LEVEL_NUMBERS, raw, strict=True):
        item = item if isinstance(item, dict) else {}
        label, name = str(item.get("label") or "").strip(), str(item.get("name") or "").strip()
        if item.get("level") != expected:
            errors.append(
                f"第 {expected} 个成熟度等级应为 {expected} 级，实际为「{item.get('level')}」。"
            )
        if not label or not name:
            errors.append(f"成熟度等级 {expected} 缺少 label（如 一级）或 name（如 规划级）。")
        levels.append(Level(expected, label or f"{expected}级", name or f"{expected}级"))
    return tuple(levels)


def _scale(raw, errors: list[str]) -> dict[str, Decimal]:
    if not isinstance(raw, list) or not raw:
        errors.append("问卷文件应列出答案选项 scale（名称 label 和分值 score）。")
        return {}
    scale: dict[str, Decimal] = {}
    for position, item in enumerate(raw, start=1):
        item = item if isinstance(item, dict) else {}
        label = str(item.get("label") or "").strip()
        if not label:
            errors.append(f"第 {position} 个答案选项缺少名称 label。")
            continue
        score = _decimal(item.get("score"))
        if score is None or not Decimal(0) <= score <= Decimal(1):
            errors.append(f"答案选项「{label}」的分值「{item.get('score')}」应在 0 到 1 之间。")
            score = Decimal(0)
        if label in scale:
            errors.append(f"答案选项「{label}」重复。")
        scale[label] = score
    return scale


def _bands(raw, levels, max_total: Decimal, errors: list[str]) -> tuple[Band, ...]:
    expected = (0, *(level.number for level in levels))
    if not isinstance(raw, list) or len(raw) != len(expected):
        errors.append("问卷文件应列出 6 档成熟度等级划分 bands（0 至 5 级，每档的下限 from）。")
        return ()
    labels = {level.number: level.label for level in levels}
    bands: list[Band] = []
    for number, item in zip(expected, raw, strict=True):
        item = item if isinstance(item, dict) else {}
        name = str(item.get("name") or labels.get(number) or "").strip()
        if item.get("level") != number:
            errors.append(
                f"成熟度等级划分第 {number + 1} 档应为 {number} 级，实际为「{item.get('level')}」。"
            )
        if not name:
            errors.append("成熟度等级划分中 0 级一档缺少名称 name（如 未达一级）。")
        lower = _decimal(item.get("from"))
        if lower is None:
            errors.append(f"成熟度等级划分「{name}」的下限 from「{item.get('from')}」不是数字。")
            lower = Decimal(0)
        if bands and lower <= bands[-1].lower:
            errors.append(
                f"成熟度等级划分应逐档递增：「{name}」的下限 {lower} 不大于"
                f"「{bands[-1].name}」的下限 {bands[-1].lower}。"
            )
        bands.append(Band(number, lower, name))
    if bands and bands[0].lower != 0:
        errors.append(f"成熟度等级划分「{bands[0].name}」的下限应为 0，实际为 {bands[0].lower}。")
    if bands and bands[-1].lower > max_total:
        errors.append(
            f"成熟度等级划分「{bands[-1].name}」的下限 {bands[-1].lower} 超过总分上限 {max_total}。"
        )
    return tuple(bands)


def _structure(raw, errors: list[str]):
    elements, domains, subdomains = [], {}, {}
    if not isinstance(raw, list) or not raw:
        errors.append("问卷文件应列出能力要素 elements（要素 → 能力域 → 能力子域）。")
        return (), {}, {}
    for element_raw in raw:
        element_raw = element_raw if isinstance(element_raw, dict) else {}
        element = str(element_raw.get("name") or "").strip()
        if not element:
            errors.append("有能力要素缺少名称 name。")
            continue
        if element in [e.name for e in elements]:
            errors.append(f"能力要素「{element}」重复。")
        domain_names = []
        for domain_raw in element_raw.get("domains") or []:
            domain_raw = domain_raw if isinstance(domain_raw, dict) else {}
            domain = str(domain_raw.get("name") or "").strip()
            if not domain:
                errors.append(f"能力要素「{element}」下有能力域缺少名称 name。")
                continue
            if domain in domains:
                errors.append(f"能力域「{domain}」重复。")
            codes = []
            for sub_raw in domain_raw.get("subdomains") or []:
                sub_raw = sub_raw if isinstance(sub_raw, dict) else {}
                code, name = (
                    str(sub_raw.get("code") or "").strip(),
                    str(sub_raw.get("name") or "").strip(),
                )
                if not code or not name:
                    errors.append(f"能力域「{domain}」下有能力子域缺少代码 code 或名称 name。")
                    continue
                if code in subdomains:
                    errors.append(f"能力子域代码「{code}」重复。")
                subdomains[code] = SubDomain(code, name, domain, element)
                codes.append(code)
            if not codes:
                errors.append(f"能力域「{domain}」没有能力子域。")
            domains[domain] = Domain(domain, element, tuple(codes))
            domain_names.append(domain)
        if not domain_names:
            errors.append(f"能力要素「{element}」没有能力域。")
        elements.append(Element(element, tuple(domain_names)))
    return tuple(elements), domains, subdomains


def _weights(raw, types, subdomains, errors: list[str]) -> dict[str, dict[str, Decimal]]:
    if not isinstance(raw, dict):
        errors.append("问卷文件应给出各行业类型的能力子域权重 weights。")
        return {}
    weights: dict[str, dict[str, Decimal]] = {}
    for name in raw:
        if str(name) not in types:
            errors.append(f"权重表中的行业类型「{name}」不在 industry_types 中。")
    for name in types:
        table = raw.get(name)
        if not isinstance(table, dict):
            errors.append(f"行业类型「{name}」没有能力子域权重。")
            continue
        weights[name] = {}
        for code, value in table.items():
            if code not in subdomains:
                errors.append(f"行业类型「{name}」的权重中有未知的能力子域「{code}」。")
                continue
            weight = _decimal(value)
            if weight is None or weight < 0:
                errors.append(
                    f"行业类型「{name}」中能力子域「{code}」的权重「{value}」应为非负数。"
                )
                continue
            weights[name][code] = weight
        for code, sub in subdomains.items():
            if code not in table:
                errors.append(f"行业类型「{name}」缺少能力子域「{sub.name}」（{code}）的权重。")
        total = sum(weights[name].values(), Decimal(0))
        if total != 1:
            errors.append(f"行业类型「{name}」的能力子域权重合计应为 1，实际为 {total}。")
    return weights


def _requirements(raw, scale, subdomains, errors: list[str]) -> tuple[Requirement, ...]:
    if not isinstance(raw, list) or not raw:
        errors.append("问卷文件应列出要求 requirements。")
        return ()
    requirements, ids = [], []
    for position, item in enumerate(raw, start=1):
        item = item if isinstance(item, dict) else {}
        rid = str(item.get("id") or "").strip()
        if not rid:
            errors.append(f"第 {position} 条要求缺少编号 id。")
            continue
        ids.append(rid)
        where = f"要求「{rid}」"
        code, level = str(item.get("subdomain") or "").strip(), item.get("level")
        if code not in subdomains:
            errors.append(f"{where}的能力子域「{code}」不存在。")
        if isinstance(level, bool) or level not in LEVEL_NUMBERS:
            errors.append(f"{where}的等级「{level}」应为 1 至 5 的整数。")
        elif code in subdomains and not (
            ID_PATTERN.match(rid) and rid.startswith(f"{code}-{level}-")
        ):
            errors.append(
                f"{where}的编号与能力子域 {code}、等级 {level} 不一致，应形如「{code}-{level}-01」。"
            )
        text = str(item.get("text") or "").strip()
        if not text:
            errors.append(f"{where}缺少要求内容 text。")
        answers = item.get("answers")
        if answers is None:
            answers = list(scale)
        elif not isinstance(answers, list) or not answers:
            errors.append(f"{where}的答案选项 answers 应是非空列表。")
            answers = list(scale)
        for label in answers:
            if label not in scale:
                errors.append(f"{where}的答案选项「{label}」不在答案选项中（{'、'.join(scale)}）。")
        requirements.append(
            Requirement(
                id=rid,
                subdomain=code,
                level=level if level in LEVEL_NUMBERS else 0,
                text=text,
                evidence=str(item.get("evidence") or "").strip(),
                not_applicable_allowed=bool(item.get("not_applicable", False)),
                answers=tuple(str(label) for label in answers),
            )
        )
    for rid in _duplicates(ids):
        errors.append(f"要求编号「{rid}」重复。")
    return tuple(requirements)


def _coverage(requirements, subdomains, levels, errors: list[str]) -> None:
    """Every sub-domain asks something somewhere, and every level asks something."""
    asked_codes = {r.subdomain for r in requirements}
    for code, sub in subdomains.items():
        if code not in asked_codes:
            errors.append(f"能力子域「{sub.name}」（{code}）没有任何要求。")
    asked_levels = {r.level for r in requirements}
    for level in levels:
        if level.number not in asked_levels:
            errors.append(f"{level.label}（{level.name}）没有任何要求。")
