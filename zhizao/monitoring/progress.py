"""Progress of one indicator for one region at year Y (DESIGN.md, "What the plan means").

Pure Python: no Django, no database. The engine computes the actual values per region and year;
this module turns them, with the plan's base, target and yearly values, into the figures a
dashboard shows: the year's completion, the cumulative value, the five-year progress against the
schedule (序时进度), a status colour and a forecast of the final year.

What the values mean, by kind (the yearly values and the actual values are in the same terms):

=========  ==========================  ===============================  ==========================
kind       a yearly / actual value is  cumulative value at Y            five-year progress
=========  ==========================  ===============================  ==========================
stock      the year's additions        B + Σ additions                  (cumulative − B) / (T − B)
flow       the year's additions        Σ additions (B is context only)  cumulative / T
level      the year-end level          the level of Y                   (level − B) / (T − B)
growth     the year's rate in %        geometric-mean rate so far       mean rate / T
=========  ==========================  ===============================  ==========================

The schedule is the same expression with the plan's yearly values in place of the actual ones,
over the plan years up to Y. A plan without yearly values follows the even path: k/n of the way
after k of n years (its implied yearly values are (T − B)/n a year for stock, T/n for flow and
B + k(T − B)/n for level); for growth the even path is the target rate T every year, so the
schedule is 1.

Missing data is never 0 (DESIGN.md):

* No actual value for Y itself means the year cannot be judged: the status is ``no_data`` and every
  figure derived from actual values (actual, year completion, cumulative value, progress,
  forecast, at risk) is None. The plan's figures (year target, target, schedule) are still given.
  Comparing a partial sum with the full schedule would show the missing year as a shortfall, which
  is the same as counting it as 0.
* A missing earlier year, when Y has data, is a gap: stock and flow sum the additions of the years
  that have data, growth takes the geometric mean over the years that have data, the forecast line
  goes through the years that have data, and ``missing_years`` lists every plan year up to Y
  without data so that a page can say the figure is incomplete. A gap can only make stock and flow
  progress look lower than it is, never higher.

Status: green when progress ≥ green_at × schedule, amber when ≥ amber_at × schedule, red below;
``green_at`` and ``amber_at`` are settings (defaults 1 and 0.9). The comparison is exact (fractions),
so progress equal to the schedule is green and equal to 0.9 × the schedule is amber.

Forecast of the final plan year: the least-squares line through the base year and the years with
data up to Y, evaluated at the final year; stock and flow fit the cumulative additions (the base
year at 0; stock adds B back), level fits the levels (the base year at B). Growth forecasts the
geometric-mean rate so far. In the final year itself the outcome is known, so the forecast is the
cumulative value. ``at_risk`` when the forecast's progress is below 1, i.e. it falls short of T
(for a target below its base, "short" means above it).

Rounding (half up, 四舍五入), only on the way out: ratios (year completion, progress, schedule) to
4 places as fractions (0.4046, not 40.46 %); rates and forecasts to 2 places in the indicator's
unit. Sums and levels of the inputs are returned exactly. Status and at-risk are decided on the
exact values, before rounding.
"""

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, localcontext
from enum import StrEnum
from fractions import Fraction

STOCK, FLOW, LEVEL, GROWTH = "stock", "flow", "level", "growth"
KINDS = (STOCK, FLOW, LEVEL, GROWTH)

RATIO_PLACES = 4
VALUE_PLACES = 2

DEFAULT_GREEN_AT = Decimal("1")
DEFAULT_AMBER_AT = Decimal("0.9")


class Status(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    NO_DATA = "no_data"


@dataclass(frozen=True)
class Progress:
    """One indicator, one region, year Y. Values derived from actual values are None without
    data for Y; ratios are fractions (1 = done), values are in the indicator's unit."""

    year: int
    kind: str
    actual: Decimal | None
    year_target: Decimal
    year_completion: Decimal | None
    cumulative_actual: Decimal | None
    five_year_target: Decimal
    five_year_progress: Decimal | None
    schedule: Decimal
    status: str
    forecast: Decimal | None
    at_risk: bool | None
    missing_years: tuple[int, ...] = ()
    # How far the judged value is behind the schedule, in the indicator's unit (percentage
    # points for growth): positive when behind, negative when ahead, None without data. Exact
    # to 4 places, so that a page can say 差 0.003 where the figures round to the same number.
    gap: Decimal | None = None

    def to_dict(self) -> dict:
        """JSON-ready numbers (int when whole, else float; None stays None)."""
        return {
            "actual": _json_number(self.actual),
            "year_target": _json_number(self.year_target),
            "year_completion": _json_number(self.year_completion),
            "cumulative_actual": _json_number(self.cumulative_actual),
            "five_year_target": _json_number(self.five_year_target),
            "five_year_progress": _json_number(self.five_year_progress),
            "schedule": _json_number(self.schedule),
            "status": str(self.status),
            "forecast": _json_number(self.forecast),
            "at_risk": self.at_risk,
            "gap": _json_number(self.gap),
        }


def compute_progress(
    kind: str,
    base: Decimal | None,
    target: Decimal,
    yearly_targets: Mapping[int, Decimal],
    actuals: Mapping[int, Decimal | None],
    year: int,
    *,
    base_year: int,
    years: Iterable[int] | None = None,
    amber_at: Decimal = DEFAULT_AMBER_AT,
    green_at: Decimal = DEFAULT_GREEN_AT,
) -> Progress:
    """Progress at `year` of an indicator of `kind` with `base` (the base year's value), five-year
    `target`, the plan's `yearly_targets` (year → value; empty for a plan without yearly values)
    and the `actuals` (year → value; a missing year or None is no data).

    `years` are the plan's years; they default to the years of `yearly_targets` and must be given
    when the plan has no yearly values. Raises ValueError for an unknown kind, a year outside the
    plan, yearly values that do not cover the plan years, a level indicator without a base, a
    target that equals its base (nothing to make progress on) and thresholds out of order.
    """
    kind = str(getattr(kind, "value", kind))
    if kind not in KINDS:
        raise ValueError(f"unknown indicator kind {kind!r}; expected one of {', '.join(KINDS)}")
    target = _decimal(target)
    base = None if base is None else _decimal(base)
    planned = {int(y): _decimal(v) for y, v in (yearly_targets or {}).items()}
    plan_years = sorted({int(y) for y in years} if years is not None else planned)
    _check(kind, base, target, planned, plan_years, year, base_year, amber_at, green_at)
    green_at, amber_at = Fraction(_decimal(green_at)), Fraction(_decimal(amber_at))

    # origin and span: progress of a cumulative value v is (v − origin) / span.
    if kind in (STOCK, LEVEL):
        origin = Fraction(base or 0)
        span = Fraction(target) - origin
    else:
        origin, span = Fraction(0), Fraction(target)

    def progress_of(value: Fraction) -> Fraction:
        return (value - origin) / span

    so_far = plan_years[: plan_years.index(year) + 1]
    path = (
        {y: Fraction(v) for y, v in planned.items()}
        if planned
        else _even_path(kind, origin, Fraction(target), plan_years)
    )
    schedule = progress_of(_cumulative(kind, origin, {y: path[y] for y in so_far}, year))
    year_target = planned[year] if planned else _round(path[year], VALUE_PLACES)

    data = {y: _decimal(actuals[y]) for y in so_far if y in actuals and actuals[y] is not None}
    missing = tuple(y for y in so_far if y not in data)
    plan_figures = {
        "year": year,
        "kind": kind,
        "year_target": year_target,
        "five_year_target": target,
        "schedule": _round(schedule, RATIO_PLACES),
        "missing_years": missing,
    }
    if year not in data:
        return Progress(
            **plan_figures,
            actual=None,
            year_completion=None,
            cumulative_actual=None,
            five_year_progress=None,
            status=Status.NO_DATA,
            forecast=None,
            at_risk=None,
        )

    actual = data[year]
    exact = {y: Fraction(v) for y, v in data.items()}
    cumulative = _cumulative(kind, origin, exact, year)
    progress = progress_of(cumulative)
    if progress >= green_at * schedule:
        status = Status.GREEN
    elif progress >= amber_at * schedule:
        status = Status.AMBER
    else:
        status = Status.RED

    forecast = _forecast(kind, origin, exact, cumulative, year, base_year, plan_years[-1])
    path_year_target = path[year]
    return Progress(
        **plan_figures,
        actual=actual,
        year_completion=(
            None
            if path_year_target == 0
            else _round(Fraction(actual) / path_year_target, RATIO_PLACES)
        ),
        cumulative_actual=(
            _round(cumulative, VALUE_PLACES) if kind == GROWTH else _exact(kind, base, data, year)
        ),
        five_year_progress=_round(progress, RATIO_PLACES),
        status=status,
        forecast=_round(forecast, VALUE_PLACES),
        at_risk=progress_of(forecast) < 1,
        gap=_round((schedule - progress) * abs(span), RATIO_PLACES),
    )


def compute_held_progress(
    base: Decimal,
    target: Decimal,
    actuals: Mapping[int, Decimal | None],
    year: int,
    *,
    base_year: int,
    years: Iterable[int],
    rising: bool = True,
    amber_at: Decimal = DEFAULT_AMBER_AT,
    green_at: Decimal = DEFAULT_GREEN_AT,
) -> Progress:
    """Progress of a level that a region had already reached at its base (a district whose robot
    density was above the city's target level in the base year): the task is to hold it.

    The schedule is 1 every year and the year target is the target level. Progress is 1 while
    the level is at or beyond the target, else the share of the target held (level / target;
    target / level for a `rising=False` target, one to be brought down). The forecast is the
    level's least-squares line, as for any level, and at risk when it ends short of the target.
    """
    target, base = _decimal(target), _decimal(base)
    plan_years = sorted(int(y) for y in years)
    if year not in plan_years:
        raise ValueError(f"{year} is not one of the plan years {plan_years}")
    if target == 0:
        raise ValueError("a target level of 0 cannot be held as a share")
    so_far = plan_years[: plan_years.index(year) + 1]
    data = {y: _decimal(actuals[y]) for y in so_far if y in actuals and actuals[y] is not None}
    plan_figures = {
        "year": year,
        "kind": LEVEL,
        "year_target": target,
        "five_year_target": target,
        "schedule": Decimal(1),
        "missing_years": tuple(y for y in so_far if y not in data),
    }
    if year not in data:
        return Progress(
            **plan_figures, actual=None, year_completion=None, cumulative_actual=None,
            five_year_progress=None, status=Status.NO_DATA, forecast=None, at_risk=None,
        )  # fmt: skip
    goal = Fraction(target)

    def held(level: Fraction) -> Fraction:
        beyond = level >= goal if rising else level <= goal
        return Fraction(1) if beyond else (level / goal if rising else goal / level)

    actual = data[year]
    progress = held(Fraction(actual))
    if progress >= Fraction(_decimal(green_at)):
        status = Status.GREEN
    elif progress >= Fraction(_decimal(amber_at)):
        status = Status.AMBER
    else:
        status = Status.RED
    exact = {y: Fraction(v) for y, v in data.items()}
    forecast = (
        exact[year]
        if year == plan_years[-1]
        else _least_squares([(base_year, Fraction(base)), *sorted(exact.items())], plan_years[-1])
    )
    gap = goal - Fraction(actual) if rising else Fraction(actual) - goal
    return Progress(
        **plan_figures,
        actual=actual,
        year_completion=_round(progress, RATIO_PLACES),
        cumulative_actual=actual,
        five_year_progress=_round(progress, RATIO_PLACES),
        status=status,
        forecast=_round(forecast, VALUE_PLACES),
        at_risk=held(forecast) < 1,
        gap=_round(gap, RATIO_PLACES),
    )


def geometric_mean_rate(rates_in_percent: Iterable[Decimal]) -> Decimal | None:
    """The average yearly rate, in %, that compounds to the same total as `rates_in_percent`:
    (Π(1 + r/100))^(1/n) − 1, × 100. None for no rates. Not rounded."""
    rates = [_decimal(r) for r in rates_in_percent]
    if not rates:
        return None
    if all(r == rates[0] for r in rates):
        return rates[0]
    with localcontext() as context:
        context.prec = 40
        product = Decimal(1)
        for rate in rates:
            factor = 1 + rate / 100
            if factor < 0:
                raise ValueError(f"a growth rate of {rate}% is below −100%")
            product *= factor
        if product == 0:
            return Decimal(-100)
        mean = product ** (Decimal(1) / Decimal(len(rates)))
        return (mean - 1) * 100


def least_squares_at(points: Iterable[tuple[int, Decimal]], x: int) -> Decimal:
    """The least-squares line through `points` (x, y), evaluated at `x`. With one point, or all
    points at the same x, the line is flat at the mean of y. Not rounded."""
    value = _least_squares([(Fraction(px), Fraction(_decimal(py))) for px, py in points], x)
    with localcontext() as context:
        context.prec = 28
        return Decimal(value.numerator) / Decimal(value.denominator)


# ------------------------------------------------------------------------------------------------


def _check(kind, base, target, planned, plan_years, year, base_year, amber_at, green_at) -> None:
    if not plan_years:
        raise ValueError("the plan's years are unknown: pass years= when it has no yearly values")
    if plan_years[0] <= base_year:
        raise ValueError(f"plan years {plan_years} must come after the base year {base_year}")
    if planned and set(planned) != set(plan_years):
        raise ValueError(
            f"yearly values for {sorted(planned)} do not cover the plan years {plan_years}"
        )
    if year not in plan_years:
        raise ValueError(f"{year} is not one of the plan years {plan_years}")
    if kind == LEVEL and base is None:
        raise ValueError("a level indicator needs a base to measure progress from")
    origin = (base or 0) if kind in (STOCK, LEVEL) else 0
    if target == origin:
        raise ValueError(f"a {kind} indicator's target {target} leaves nothing to progress on")
    if not 0 <= _decimal(amber_at) <= _decimal(green_at):
        raise ValueError(
            f"thresholds must satisfy 0 ≤ amber_at ({amber_at}) ≤ green_at ({green_at})"
        )


def _even_path(kind: str, origin: Fraction, target: Fraction, plan_years: list[int]) -> dict:
    """Implied yearly values of a plan without them: k/n of the way after k of n years."""
    n = len(plan_years)
    if kind == STOCK:
        return dict.fromkeys(plan_years, (target - origin) / n)
    if kind == FLOW:
        return dict.fromkeys(plan_years, target / n)
    if kind == LEVEL:
        return {y: origin + (target - origin) * k / n for k, y in enumerate(plan_years, 1)}
    return dict.fromkeys(plan_years, target)


def _cumulative(kind: str, origin: Fraction, values: dict[int, Fraction], year: int) -> Fraction:
    """The value progress is measured on: the stock, the sum, the level of `year`, the mean rate."""
    if kind == STOCK:
        return origin + sum(values.values(), Fraction(0))
    if kind == FLOW:
        return sum(values.values(), Fraction(0))
    if kind == LEVEL:
        return values[year]
    return Fraction(geometric_mean_rate(_fraction_to_decimal(v) for v in values.values()))


def _exact(kind: str, base: Decimal | None, data: dict[int, Decimal], year: int) -> Decimal:
    """The cumulative value of stock, flow and level in the inputs' own decimals."""
    if kind == STOCK:
        return (base or Decimal(0)) + sum(data.values(), Decimal(0))
    if kind == FLOW:
        return sum(data.values(), Decimal(0))
    return data[year]


def _forecast(kind, origin, data, cumulative, year, base_year, last_year) -> Fraction:
    if kind == GROWTH or year == last_year:
        return cumulative
    if kind == LEVEL:
        return _least_squares([(base_year, origin), *sorted(data.items())], last_year)
    running, points = Fraction(0), [(base_year, Fraction(0))]
    for y, addition in sorted(data.items()):
        running += addition
        points.append((y, running))
    line = _least_squares(points, last_year)
    return origin + line if kind == STOCK else line


def _least_squares(points: list[tuple[int, Fraction]], x: int) -> Fraction:
    if not points:
        raise ValueError("a least-squares line needs at least one point")
    n = len(points)
    mean_x = Fraction(sum(px for px, _ in points), n)
    mean_y = sum((py for _, py in points), Fraction(0)) / n
    sxx = sum((px - mean_x) ** 2 for px, _ in points)
    if sxx == 0:
        return mean_y
    sxy = sum((px - mean_x) * (py - mean_y) for px, py in points)
    return mean_y + sxy / sxx * (x - mean_x)


def _decimal(value) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise TypeError(f"not a number: {value!r}")
    if isinstance(value, int | str):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    raise TypeError(f"not a number: {value!r}")


def _fraction_to_decimal(value: Fraction) -> Decimal:
    with localcontext() as context:
        context.prec = 40
        return Decimal(value.numerator) / Decimal(value.denominator)


def _round(value: Fraction, places: int) -> Decimal:
    """`value` rounded half up (四舍五入) to `places` decimal places, exactly."""
    scaled = abs(value) * 10**places
    digits = math.floor(scaled + Fraction(1, 2))
    sign = "-" if value < 0 and digits else ""
    return Decimal(f"{sign}{digits}E-{places}")


def _json_number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)
