"""The formula language of enterprise-sourced indicators, kept in the plan file as data.

A formula is arithmetic over aggregates of city-approved yearly reports:
    sum(industrial_robots) / sum(employees) * 10000
    sum(cnc_key_processes) / sum(key_processes) * 100
    count_if(uses_erp + uses_mes + uses_plm + uses_scm + uses_wms + uses_aps + uses_qms + uses_ems >= 2) / count() * 100
    growth(sum(value_added) / sum(employees))
It is parsed with Python's `ast` into a whitelisted tree, never evaluated with `eval`. Each
aggregate (sum, count, count_if) becomes one SQL aggregate computed per region and year in one
query (which several formulas can share: `Formula.query_expressions` names them with a prefix,
can restrict them with a filter, and can read the report's fields through a relation, e.g. from
the above-scale statuses joined to their reports); the arithmetic around them is done on those few numbers,
so a city's value is the same formula over the sums of its districts' parts. `growth(x)` is the
year's rate of x against the previous year, in %.
"""

import ast
from dataclasses import dataclass, field
from decimal import Decimal, DivisionByZero, InvalidOperation

from django.db.models import Count, DecimalField, F, IntegerField, Q, Sum, Value
from django.db.models.functions import Cast, Coalesce
from django.utils.translation import gettext as _

from zhizao.enterprises.fields import FIELDS_BY_NAME

AGGREGATES = {"sum", "count", "count_if"}
COMPARISONS = {ast.GtE: "gte", ast.Gt: "gt", ast.LtE: "lte", ast.Lt: "lt", ast.Eq: "exact"}
ROW_OPERATORS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*"}


class FormulaError(ValueError):
    """A formula the engine cannot run; the message names the part and why, in Chinese."""


@dataclass(frozen=True)
class AggregateSpec:
    """One aggregate of a formula: count(), sum(expression) or count_if(expression lookup value)."""

    function: str
    expression: object = None  # the row-level ORM expression summed or compared
    lookup: str = ""
    value: object = None
    node: object = None  # the row expression as parsed, to build it again through a relation


@dataclass
class Formula:
    text: str
    tree: ast.expr
    aggregates: dict[str, object] = field(default_factory=dict)  # key → ORM aggregate
    # Row-level expressions that count_if compares, added to the query as aliases first.
    row_aliases: dict[str, object] = field(default_factory=dict)
    growth: bool = False
    specs: dict[str, AggregateSpec] = field(default_factory=dict)  # key → what it aggregates

    def query_expressions(
        self, prefix: str = "", where: Q | None = None, path: str = ""
    ) -> tuple[dict, dict]:
        """The row aliases and aggregates of this formula for a query shared with others: every
        name starts with `prefix` (so two formulas' a0 or row aliases do not collide), and every
        aggregate counts only the rows matching `where` (e.g. the source's industry divisions).
        `path` reaches the report from the query's rows (e.g. "report__" for a relation joined
        as `report`); count() and count_if then count the rows that have a report."""
        aliases, aggregates = {}, {}
        for key, spec in self.specs.items():
            alias = f"{prefix}row_{key}"
            if path and spec.node is not None:
                spec = AggregateSpec(
                    spec.function, _row_expression(spec.node, path), spec.lookup, spec.value
                )
            if spec.function == "count_if":
                aliases[alias] = spec.expression
            aggregates[prefix + key] = _build_aggregate(spec, alias, where, path)
        return aliases, aggregates

    def evaluate(self, components: dict[str, Decimal]) -> Decimal | None:
        """The formula's value from its aggregates' values; None where it is undefined
        (nothing reported, or a division by zero), never 0."""
        try:
            return _evaluate(self.tree, components)
        except (DivisionByZero, InvalidOperation, ZeroDivisionError, KeyError, TypeError):
            return None


def parse_formula(text: str) -> Formula:
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except SyntaxError as exc:
        raise FormulaError(
            _("公式「%(text)s」有语法错误：%(msg)s。") % {"text": text, "msg": exc.msg}
        ) from None
    growth = False
    if isinstance(tree, ast.Call) and _name(tree.func) == "growth":
        if len(tree.args) != 1:
            raise FormulaError(_("growth(…) 只接受一个表达式。"))
        tree, growth = tree.args[0], True
    formula = Formula(text=text, tree=tree, growth=growth)
    formula.tree = _compile_outer(tree, formula)
    if not formula.aggregates:
        raise FormulaError(
            _("公式「%(text)s」没有 sum、count 或 count_if，无法从企业数据计算。") % {"text": text}
        )
    return formula


def _name(node) -> str:
    return node.id if isinstance(node, ast.Name) else ""


def _compile_outer(node, formula: Formula):
    """The arithmetic around the aggregates; aggregates are replaced by named placeholders."""
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return node
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        node.operand = _compile_outer(node.operand, formula)
        return node
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub | ast.Mult | ast.Div):
        node.left = _compile_outer(node.left, formula)
        node.right = _compile_outer(node.right, formula)
        return node
    if isinstance(node, ast.Call) and _name(node.func) in AGGREGATES:
        key = f"a{len(formula.aggregates)}"
        spec = _aggregate(node)
        formula.specs[key] = spec
        alias = f"row_{key}"
        if spec.function == "count_if":
            formula.row_aliases[alias] = spec.expression
        formula.aggregates[key] = _build_aggregate(spec, alias)
        return ast.Name(id=key, ctx=ast.Load())
    raise FormulaError(
        _("公式中「%(value)s」不受支持：只能用数字、+ - * /、sum、count、count_if。")
        % {"value": ast.unparse(node)}
    )


def _aggregate(node: ast.Call) -> AggregateSpec:
    function = _name(node.func)
    if function == "count":
        if node.args:
            raise FormulaError(_("count() 不带参数，它数的是报送企业。"))
        return AggregateSpec("count")
    if len(node.args) != 1:
        raise FormulaError(_("%(function)s(…) 只接受一个表达式。") % {"function": function})
    if function == "sum":
        return AggregateSpec("sum", _row_expression(node.args[0]), node=node.args[0])
    comparison = node.args[0]
    if not (isinstance(comparison, ast.Compare) and len(comparison.ops) == 1):
        raise FormulaError(_("count_if(…) 需要一个比较，例如 count_if(uses_mes >= 1)。"))
    operator = COMPARISONS.get(type(comparison.ops[0]))
    right = comparison.comparators[0]
    if operator is None or not (
        isinstance(right, ast.Constant) and isinstance(right.value, int | float)
    ):
        raise FormulaError(
            _("count_if 中的比较「%(value)s」不受支持。") % {"value": ast.unparse(comparison)}
        )
    return AggregateSpec(
        "count_if", _row_expression(comparison.left), operator, right.value, comparison.left
    )


def _build_aggregate(spec: AggregateSpec, alias: str, where: Q | None = None, path: str = ""):
    """The ORM aggregate of `spec`; a count_if compares through the row-level alias `alias` (so
    that sums of flags, uses_erp + uses_mes …, work); `where` restricts the rows counted; counts
    count the reports reached through `path`."""
    if spec.function == "count":
        return Count(f"{path}pk", filter=where)
    if spec.function == "sum":
        return Coalesce(
            Sum(
                spec.expression,
                filter=where,
                output_field=DecimalField(max_digits=24, decimal_places=4),
            ),
            Value(Decimal(0)),
            output_field=DecimalField(max_digits=24, decimal_places=4),
        )
    condition = Q(**{f"{alias}__{spec.lookup}": spec.value})
    return Count(f"{path}pk", filter=condition if where is None else condition & where)


def _row_expression(node, path: str = ""):
    if isinstance(node, ast.Name):
        spec = FIELDS_BY_NAME.get(node.id)
        if spec is None:
            raise FormulaError(_("「%(id)s」不是年度数据的字段。") % {"id": node.id})
        if spec.kind == "bool":
            return Cast(F(path + node.id), IntegerField())
        return F(path + node.id)
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return Value(node.value)
    if isinstance(node, ast.BinOp) and type(node.op) in ROW_OPERATORS:
        left, right = _row_expression(node.left, path), _row_expression(node.right, path)
        return {"+": left + right, "-": left - right, "*": left * right}[
            ROW_OPERATORS[type(node.op)]
        ]
    raise FormulaError(
        _("「%(value)s」不能用在 sum 或 count_if 里：只能用字段、数字和 + - *。")
        % {"value": ast.unparse(node)}
    )


def _evaluate(node, values: dict[str, Decimal]) -> Decimal:
    if isinstance(node, ast.Constant):
        return Decimal(str(node.value))
    if isinstance(node, ast.Name):
        return Decimal(values[node.id])
    if isinstance(node, ast.UnaryOp):
        return -_evaluate(node.operand, values)
    left, right = _evaluate(node.left, values), _evaluate(node.right, values)
    if isinstance(node.op, ast.Add):
        return left + right
    if isinstance(node.op, ast.Sub):
        return left - right
    if isinstance(node.op, ast.Mult):
        return left * right
    return left / right


def formula_fields(text: str) -> list[str]:
    """The report fields a formula reads, in the order they appear (for drill-down tables)."""
    names = []
    for node in ast.walk(ast.parse(text.strip(), mode="eval")):
        if isinstance(node, ast.Name) and node.id in FIELDS_BY_NAME and node.id not in names:
            names.append(node.id)
    return names


# --- the formula in plain Chinese ------------------------------------------------------------

WORD_OPERATORS = {ast.Add: "+", ast.Sub: "−", ast.Mult: "×", ast.Div: "÷"}
PRECEDENCE = {ast.Add: 1, ast.Sub: 1, ast.Mult: 2, ast.Div: 2}
COMPARISON_WORDS = {ast.GtE: "≥", ast.Gt: ">", ast.LtE: "≤", ast.Lt: "<", ast.Eq: "="}


def formula_in_words(text: str) -> str:
    """A formula as an official reads it, generated from the formula itself so that it never
    drifts from what is computed: each report field by its label (without its unit), sums as
    …之和, count() as 报送企业数, count_if as …的企业数, growth as 比上年增长（%）:

        sum(networked_equipment) / sum(networkable_equipment) * 100
        → 已联网设备数之和 ÷ 可联网设备数之和 × 100

    The text as given when it cannot be parsed (the engine refuses it anyway)."""
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except SyntaxError:
        return text
    try:
        if isinstance(tree, ast.Call) and _name(tree.func) == "growth" and len(tree.args) == 1:
            inner = _words(tree.args[0])
            if isinstance(tree.args[0], ast.BinOp):
                inner = f"（{inner}）"
            return _("%(inner)s比上年增长的百分比") % {"inner": inner}
        return _words(tree)
    except (KeyError, ValueError):
        return text


def field_label(name: str) -> str:
    """A report field's label without its unit or 其中: 其中已联网设备数（台） → 已联网设备数."""
    spec = FIELDS_BY_NAME.get(name)
    if spec is None:
        raise KeyError(name)
    label = spec.label.split("（", 1)[0].split(" (", 1)[0].strip()
    return label.removeprefix("其中").removeprefix("of which ")


def _words(node, parent: int = 0) -> str:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return f"{node.value:g}" if isinstance(node.value, float) else str(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return f"−{_words(node.operand, 3)}"
    if isinstance(node, ast.Name):
        return field_label(node.id)
    if isinstance(node, ast.BinOp) and type(node.op) in WORD_OPERATORS:
        level = PRECEDENCE[type(node.op)]
        # a right operand of − or ÷ at the same level keeps its brackets: a − (b − c)
        right_level = level + 1 if isinstance(node.op, ast.Sub | ast.Div) else level
        text = (
            f"{_words(node.left, level)} {WORD_OPERATORS[type(node.op)]} "
            f"{_words(node.right, right_level)}"
        )
        return f"（{text}）" if level < parent else text
    if isinstance(node, ast.Call):
        return _aggregate_words(node)
    raise ValueError(ast.unparse(node))


def _aggregate_words(node: ast.Call) -> str:
    function = _name(node.func)
    if function == "count" and not node.args:
        return _("报送企业数")
    if function == "sum" and len(node.args) == 1:
        inner = node.args[0]
        words = _words(inner)
        if isinstance(inner, ast.BinOp):
            return _("（%(words)s）之和") % {"words": words}
        return _("%(words)s之和") % {"words": words}
    if function == "count_if" and len(node.args) == 1:
        comparison = node.args[0]
        if isinstance(comparison, ast.Compare) and len(comparison.ops) == 1:
            condition = _condition_words(comparison)
            space = " " if condition[-1:].isascii() and condition[-1:].isalnum() else ""
            return _("%(condition)s%(space)s的企业数") % {"condition": condition, "space": space}
    raise ValueError(ast.unparse(node))


def _condition_words(comparison: ast.Compare) -> str:
    """uses_erp + … + uses_ems >= 2 → 使用 ERP、…、EMS 中至少 2 项; uses_mes >= 1 → 使用 MES."""
    operator = type(comparison.ops[0])
    right = comparison.comparators[0]
    flags = _flag_names(comparison.left)
    if flags and isinstance(right, ast.Constant) and operator in (ast.GtE, ast.Gt):
        least = right.value + (1 if operator is ast.Gt else 0)
        labels = [field_label(f) for f in flags]
        if len(labels) == 1 and least == 1:
            return labels[0]
        names = [label.removeprefix("使用").removeprefix("Uses ").strip() for label in labels]
        return _("使用 %(names)s 中至少 %(least)s 项") % {
            "names": _("、").join(names),
            "least": f"{least:g}",
        }
    return f"{_words(comparison.left)} {COMPARISON_WORDS[operator]} {_words(right)} "


def _flag_names(node) -> list[str]:
    """The yes/no report fields summed in `node` (uses_erp + uses_mes …); [] if it is not such
    a sum."""
    if isinstance(node, ast.Name):
        spec = FIELDS_BY_NAME.get(node.id)
        return [node.id] if spec is not None and spec.kind == "bool" else []
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _flag_names(node.left), _flag_names(node.right)
        return left + right if left and right else []
    return []
