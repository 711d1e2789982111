"""Each enterprise's own value of an enterprise-sourced indicator (下钻到企业), computed in SQL.

The indicator's formula aggregates the counted reports of a region (`sum(industrial_robots) /
sum(employees) * 10000`); applied to one report, each aggregate is the report's own figure
(sum(x) → x, count() → 1, count_if(c) → 1 or 0), so the same formula gives the enterprise's own
rate (its robot density) or, for a sum, its contribution. Every report of the drill-down is
annotated at once with:

- ``level``: the formula over the report (for growth(x): x, the enterprise's own level);
- ``previous``: the same over the enterprise's counted report of the year before (a subquery);
- ``change``: level − previous; for a growth indicator, the enterprise's own rate in %;
- ``shortfall`` (formulas of the form k × A / B only): what the enterprise lacks for the region
  to reach the target level T, in A's unit: T × B / k − A. The region's shortfall is the sum of
  its enterprises' (Σ(T·B/k − A) = T·ΣB/k − ΣA), so sorting by it puts first the enterprises
  that hold the figure back most (for robot density: the robots missing at the target density).
"""

import ast
from dataclasses import dataclass

from django.db.models import (
    Case,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, NullIf
from django.utils.translation import gettext

from zhizao.enterprises.fields import FIELDS_BY_NAME
from zhizao.enterprises.models import ReportStatus, YearlyReport
from zhizao.monitoring.formulas import Formula

FLOAT = FloatField()


@dataclass(frozen=True)
class Ratio:
    """A formula k × A / B: the keys of its aggregates A and B, and k."""

    numerator: str
    denominator: str
    scale: float


def _float(expression):
    return Cast(expression, FLOAT)


def _parts(formula: Formula) -> tuple[dict, dict]:
    """The row aliases count_if compares, and each aggregate's value over one report."""
    aliases, parts = {}, {}
    for key, spec in formula.specs.items():
        if spec.function == "count":
            parts[key] = Value(1.0, output_field=FLOAT)
        elif spec.function == "sum":
            parts[key] = Coalesce(_float(spec.expression), Value(0.0, output_field=FLOAT))
        else:
            alias = f"row_{key}"
            aliases[alias] = spec.expression
            parts[key] = Case(
                When(Q(**{f"{alias}__{spec.lookup}": spec.value}), then=Value(1.0)),
                default=Value(0.0),
                output_field=FLOAT,
            )
    return aliases, parts


def _expression(node, parts: dict):
    """The formula's arithmetic over `parts` as one SQL expression; a division by zero is NULL."""
    if isinstance(node, ast.Constant):
        return Value(float(node.value), output_field=FLOAT)
    if isinstance(node, ast.Name):
        return parts[node.id]
    if isinstance(node, ast.UnaryOp):
        return ExpressionWrapper(Value(-1.0) * _expression(node.operand, parts), FLOAT)
    left, right = _expression(node.left, parts), _expression(node.right, parts)
    if isinstance(node.op, ast.Add):
        combined = left + right
    elif isinstance(node.op, ast.Sub):
        combined = left - right
    elif isinstance(node.op, ast.Mult):
        combined = left * right
    else:
        combined = left / NullIf(right, Value(0.0, output_field=FLOAT))
    return ExpressionWrapper(combined, FLOAT)


def ratio_of(formula: Formula) -> Ratio | None:
    """k × A / B (as A / B * k, k * (A / B), A * k / B or A / B), else None; never for growth."""
    if formula.growth:
        return None
    tree, scale = formula.tree, 1.0
    if isinstance(tree, ast.BinOp) and isinstance(tree.op, ast.Mult):
        if isinstance(tree.right, ast.Constant):
            tree, scale = tree.left, float(tree.right.value)
        elif isinstance(tree.left, ast.Constant):
            tree, scale = tree.right, float(tree.left.value)
    if not (isinstance(tree, ast.BinOp) and isinstance(tree.op, ast.Div)):
        return None
    numerator, denominator = tree.left, tree.right
    if (
        isinstance(numerator, ast.BinOp)
        and isinstance(numerator.op, ast.Mult)
        and isinstance(numerator.right, ast.Constant)
    ):
        numerator, scale = numerator.left, scale * float(numerator.right.value)
    if isinstance(numerator, ast.Name) and isinstance(denominator, ast.Name) and scale:
        return Ratio(numerator.id, denominator.id, scale)
    return None


def numerator_label(formula: Formula, ratio: Ratio) -> str:
    """The unit a shortfall is counted in: the summed field's label, or enterprises."""
    spec = formula.specs[ratio.numerator]
    if spec.function == "sum" and isinstance(spec.node, ast.Name):
        return FIELDS_BY_NAME[spec.node.id].label
    return gettext("企业（家）")


def level_expression(formula: Formula) -> tuple[dict, object]:
    aliases, parts = _parts(formula)
    return aliases, _expression(formula.tree, parts)


def with_values(reports, formula: Formula, target: float | None = None):
    """`reports` (a queryset of YearlyReport) annotated with level, previous, change and, for a
    ratio formula with a `target` level, shortfall (see the module's docstring)."""
    aliases, level = level_expression(formula)
    before_aliases, before_level = level_expression(formula)
    before = (
        YearlyReport.objects.filter(
            enterprise=OuterRef("enterprise_id"),
            year=OuterRef("year") - 1,
            status=ReportStatus.CITY_APPROVED,
        )
        .alias(**before_aliases)
        .annotate(level=before_level)
        .values("level")[:1]
    )
    reports = reports.alias(**aliases).annotate(
        level=level, previous=Subquery(before, output_field=FLOAT)
    )
    if formula.growth:
        rate = (F("level") / NullIf(F("previous"), Value(0.0, output_field=FLOAT)) - 1) * 100
        reports = reports.annotate(change=ExpressionWrapper(rate, FLOAT))
    else:
        reports = reports.annotate(change=ExpressionWrapper(F("level") - F("previous"), FLOAT))
    ratio = ratio_of(formula)
    if ratio is not None and target is not None:
        _, parts = _parts(formula)
        needed = Value(float(target) / ratio.scale, output_field=FLOAT) * parts[ratio.denominator]
        reports = reports.annotate(
            shortfall=ExpressionWrapper(needed - parts[ratio.numerator], FLOAT)
        )
    return reports
