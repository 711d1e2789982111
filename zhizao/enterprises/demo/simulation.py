"""The yearly simulation: move every firm on by a year, then solve for the latent levels at which
the city aggregates over the above-scale firms hit the year's targets."""

import math
import random
from collections.abc import Callable

from zhizao.enterprises.demo.firms import _Firm
from zhizao.enterprises.demo.profiles import ABOVE_SCALE_REVENUE, DISTRICTS, YearTargets
from zhizao.enterprises.fields import SOFTWARE_MINIMUM

SAMPLE_SIZE = 20000  # calibrate on a sample first when more enterprises than this are above scale
ROBOT_SCALE = 0.02  # robots per employee at a latent level of 0
ROBOT_PACE = 1.2  # district paces act more strongly on robots (log units) than on rates (logit)


def _clip(value: float, low: float, high: float) -> float:
    return low if value < low else high if value > high else value


# --- one year -------------------------------------------------------------------------------


def _sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x)) if x > -700 else 0.0


def _solve(f: Callable[[float], float], target: float, low: float, high: float) -> float:
    """Where the increasing (step) function f comes closest to target, by the Illinois variant
    of false position; the answer is within 0.01 % of target unless f cannot get there."""
    f_low, f_high = f(low), f(high)
    while f_low > target and low > -60:
        low, high, f_high = low - 2 * (high - low), low, f_low
        f_low = f(low)
    while f_high < target and high < 60:
        low, high, f_low = high, high + 2 * (high - low), f_high
        f_high = f(high)
    best = min((abs(f_low - target), low), (abs(f_high - target), high))
    if f_low >= target or f_high <= target:
        return best[1]
    side = 0
    for _ in range(80):
        x = high - (f_high - target) * (high - low) / (f_high - f_low)
        if not low < x < high:
            x = (low + high) / 2
        fx = f(x)
        best = min(best, (abs(fx - target), x))
        if abs(fx - target) <= 1e-4 * abs(target) or high - low < 1e-10:
            break
        if fx < target:
            low, f_low = x, fx
            if side < 0:
                f_high = target + (f_high - target) / 2
            side = -1
        else:
            high, f_high = x, fx
            if side > 0:
                f_low = target + (f_low - target) / 2
            side = 1
    return best[1]


def _solve_large(make: Callable[[list], Callable[[float], float]], data: list, target: float):
    """_solve over `data`, narrowed first on an evenly spread sample when `data` is large."""
    low, high = -12.0, 12.0
    if len(data) > SAMPLE_SIZE:
        guess = _solve(make(data[:: len(data) // SAMPLE_SIZE]), target, low, high)
        low, high = guess - 0.05, guess + 0.05
    return _solve(make(data), target, low, high)


def _simulate_year(
    rng: random.Random,
    firms: list[_Firm],
    index: int,
    target: YearTargets,
    previous: dict | None,
) -> dict[str, float]:
    """Move every firm on by one year (or set up the first), calibrate the city aggregates over
    the above-scale firms to `target`, and return them."""
    _economy(rng, firms, index, target, previous)
    above = [f for f in firms if f.above]
    paces = {id(d): d.pace * index for d in DISTRICTS}

    # Key-process CNC rate.
    key_total = sum(f.key_processes for f in above)

    def cnc_at(data):
        total = sum(k for k, *_ in data)

        def ratio(a):
            count = 0
            for k, b, level in data:
                x = a + b
                if x < level:
                    x = level
                count += int(k / (1 + math.exp(-x)) + 0.5)
            return count * 100 / total

        return ratio

    cnc = _solve_large(
        cnc_at,
        [(f.key_processes, f.cnc_b + paces[id(f.district)], f.cnc_level) for f in above],
        target.cnc_rate,
    )
    for f in firms:
        f.cnc_level = max(f.cnc_level, cnc + f.cnc_b + paces[id(f.district)])
        f.cnc = int(f.key_processes * _sigmoid(f.cnc_level) + 0.5)

    # Networking rate.
    for f in firms:
        f.networkable = max(1, int(f.employees * f.equipment_ratio + 0.5))

    def net_at(data):
        total = sum(n for n, *_ in data)

        def ratio(a):
            count = 0
            for n, b, level in data:
                x = a + b
                if x < level:
                    x = level
                count += int(n / (1 + math.exp(-x)) + 0.5)
            return count * 100 / total

        return ratio

    net = _solve_large(
        net_at,
        [(f.networkable, f.net_b + paces[id(f.district)], f.net_level) for f in above],
        target.networking_rate,
    )
    for f in firms:
        f.net_level = max(f.net_level, net + f.net_b + paces[id(f.district)])
        f.networked = int(f.networkable * _sigmoid(f.net_level) + 0.5)

    # Robot density: robots never fall to zero or change beyond 3× once installed.
    def robots_at(data):
        total = sum(e for e, *_ in data)

        def density(a):
            count = 0
            for e, b, level, low, high in data:
                x = a + b
                if x < level:
                    x = level
                r = int(e * ROBOT_SCALE * math.exp(x) + 0.5)
                count += low if r < low else high if r > high else r
            return count * 10000 / total

        return density

    def robot_bounds(f):
        return ((f.robots + 2) // 3, 3 * f.robots) if f.robots else (0, 1 << 40)

    robot = _solve_large(
        robots_at,
        [
            (
                f.employees,
                f.robot_b + ROBOT_PACE * paces[id(f.district)],
                f.robot_level,
                *robot_bounds(f),
            )
            for f in above
        ],
        target.robot_density,
    )
    for f in firms:
        f.robot_level = max(f.robot_level, robot + f.robot_b + ROBOT_PACE * paces[id(f.district)])
        low, high = robot_bounds(f)
        r = int(f.employees * ROBOT_SCALE * math.exp(min(f.robot_level, 50)) + 0.5)
        f.robots = _clip(r, low, high)

    # Software: a firm uses system j once its level passes its threshold j, and counts once it
    # passes the second-lowest; levels never go down, so the solution is a quantile.
    already = sum(1 for f in above if f.software_level > f.software_second)
    others = sorted(
        f.software_second - f.software_b - paces[id(f.district)]
        for f in above
        if f.software_level <= f.software_second
    )
    needed = round(target.software_rate / 100 * len(above)) - already
    if needed <= 0:
        software = (others[0] - 1) if others else 0.0
    elif needed >= len(others):
        software = others[-1] + 1
    else:
        software = (others[needed - 1] + others[needed]) / 2
    for f in firms:
        f.software_level = max(f.software_level, software + f.software_b + paces[id(f.district)])
        f.software = tuple(f.software_level > t for t in f.software_thresholds)

    employees = sum(f.employees for f in above)
    value_added = sum(f.value_added for f in above)
    networkable = sum(f.networkable for f in above)
    return {
        "above_scale": len(above),
        "robot_density": sum(f.robots for f in above) * 10000 / employees,
        "cnc_rate": sum(f.cnc for f in above) * 100 / key_total,
        "software_rate": sum(1 for f in above if sum(f.software) >= SOFTWARE_MINIMUM)
        * 100
        / len(above),
        "networking_rate": sum(f.networked for f in above) * 100 / networkable,
        "productivity": value_added / employees,
        "per_mu": value_added / sum(f.land for f in above),
    }


def _economy(
    rng: random.Random,
    firms: list[_Firm],
    index: int,
    target: YearTargets,
    previous: dict | None,
) -> None:
    """Employees, land, value added, output, revenue and energy for the year. After the first
    year, employees and value added are scaled so that the above-scale firms' labour
    productivity and 亩均增加值 grow by the year's rates (plan ± 0.5 points, within 6–8 %)."""
    if index == 0:
        for f in firms:
            f.above = f.revenue >= ABOVE_SCALE_REVENUE
            f.value_added = f.employees * f.productivity
    else:
        for f in firms:
            f.raw_employees = f.employees * _clip(rng.lognormvariate(0.008, 0.05), 0.8, 1.25)
            f.productivity *= 1 + _clip(rng.gauss(0.07, 0.035), -0.05, 0.2)
            if rng.random() < 0.04:
                f.land *= rng.uniform(1.1, 1.5)
            estimate = f.raw_employees * f.productivity / f.value_added_ratio * f.revenue_ratio
            f.above = estimate >= ABOVE_SCALE_REVENUE
        above = [f for f in firms if f.above]
        growth = _clip(target.productivity_growth + rng.uniform(-0.5, 0.5), 6.0, 8.0) / 100
        per_mu_growth = _clip(target.per_mu_growth + rng.uniform(-0.5, 0.5), 6.0, 8.0) / 100
        productivity = previous["productivity"] * (1 + growth)
        per_mu = previous["per_mu"] * (1 + per_mu_growth)
        land = sum(f.land for f in above)
        # Σ value added = 亩均 × Σ land and = productivity × Σ employees.
        scale = land * per_mu / productivity / sum(f.raw_employees for f in above)
        for f in firms:
            f.employees = max(1, int(f.raw_employees * scale + 0.5))
        value_added = sum(f.employees * f.productivity for f in above)
        factor = per_mu * land / value_added
        for f in firms:
            f.productivity *= factor
            f.value_added = f.employees * f.productivity
            f.energy_intensity *= 1 - rng.uniform(0.01, 0.05)
    for f in firms:
        f.output = f.value_added / f.value_added_ratio
        revenue = f.output * f.revenue_ratio * rng.uniform(0.98, 1.02)
        if f.above:
            revenue = max(revenue, ABOVE_SCALE_REVENUE)
        else:
            revenue = min(revenue, ABOVE_SCALE_REVENUE - 0.01)
        f.revenue = revenue
        f.investment = (
            f.revenue * rng.uniform(0.005, 0.04)
            if rng.random() < (0.25 if f.above else 0.1)
            else 0.0
        )
