"""The invented enterprises: each firm's starting figures, latent digital levels and identity,
drawn district by district, and the demo enterprise user's membership of one of them."""

import math
import random

from zhizao.accounts.models import User
from zhizao.accounts.services import DEMO_ACCOUNTS
from zhizao.core.roles import Role
from zhizao.enterprises.demo.identities import (
    GIVEN,
    ROAD_KINDS,
    ROAD_ROOTS,
    SURNAMES,
    _company_name,
    make_uscc,
)
from zhizao.enterprises.demo.profiles import ABOVE_SCALE_REVENUE, CLUSTERS, DISTRICTS, SOFTWARE
from zhizao.enterprises.fields import SOFTWARE_MINIMUM
from zhizao.enterprises.models import Enterprise


class _Firm:
    """One invented enterprise and its state as the years go by."""

    __slots__ = (
        "above",
        "address",
        "cluster",
        "cnc",
        "cnc_b",
        "cnc_level",
        "contact",
        "district",
        "employees",
        "energy_intensity",
        "equipment_ratio",
        "id",
        "industry_code",
        "investment",
        "key_processes",
        "land",
        "name",
        "net_b",
        "net_level",
        "networkable",
        "networked",
        "output",
        "phone",
        "prev_watch",
        "productivity",
        "raw_employees",
        "rd_share",
        "revenue",
        "revenue_ratio",
        "robot_b",
        "robot_level",
        "robots",
        "software",
        "software_b",
        "software_level",
        "software_second",
        "software_thresholds",
        "town",
        "uscc",
        "value_added",
        "value_added_ratio",
    )


def demo_member_account():
    return next(a for a in DEMO_ACCOUNTS if a.role == Role.ENTERPRISE)


def _weighted(rng: random.Random, items: tuple[tuple, ...]):
    return rng.choices([i[0] for i in items], weights=[i[1] for i in items])[0]


def _apportion(total: int, weights: list[int]) -> list[int]:
    """`total` split in proportion to `weights`, by largest remainder."""
    whole = sum(weights)
    shares = [total * w / whole for w in weights]
    counts = [int(s) for s in shares]
    order = sorted(range(len(weights)), key=lambda i: counts[i] - shares[i])
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _make_firms(
    rng: random.Random, above: int, small: int, regions: dict, first_id: int
) -> list[_Firm]:
    weights = [d.weight for d in DISTRICTS]
    plan = []
    for district, n_above, n_small in zip(
        DISTRICTS, _apportion(above, weights), _apportion(small, weights), strict=True
    ):
        plan += [(district, True)] * n_above + [(district, False)] * n_small
    rng.shuffle(plan)
    # Organisation codes: an affine permutation of 0..10⁸-1 keeps them distinct and scattered.
    multiplier = rng.randrange(10**7, 10**8) | 1
    while multiplier % 5 == 0:
        multiplier += 2
    offset = rng.randrange(10**8)
    names: set[str] = set()
    firms = []
    for serial, (district, is_above) in enumerate(plan):
        f = _Firm()
        f.id = first_id + serial
        f.district = district
        f.cluster = _weighted(rng, district.clusters)
        profile = CLUSTERS[f.cluster]
        f.industry_code, word = rng.choice(profile.classes)
        if is_above:
            revenue = ABOVE_SCALE_REVENUE + min(rng.lognormvariate(math.log(6500), 1.2), 2e6)
        else:
            revenue = math.exp(rng.uniform(math.log(200), math.log(1990)))
        f.revenue_ratio = rng.uniform(0.92, 1.08)
        f.value_added_ratio = profile.value_added_ratio * rng.uniform(0.8, 1.2)
        productivity = profile.productivity * rng.lognormvariate(0, 0.3)
        if not is_above:
            productivity *= 0.75
        value_added = revenue / f.revenue_ratio * f.value_added_ratio
        f.employees = max(5, round(value_added / productivity))
        f.productivity = value_added / f.employees
        f.land = max(0.5, value_added / (110 * rng.lognormvariate(0, 0.45)))
        f.energy_intensity = profile.energy * rng.lognormvariate(0, 0.3)
        f.rd_share = profile.rd * rng.uniform(0.3, 1.5) * (1 if is_above else 0.5)
        f.equipment_ratio = profile.equipment * rng.uniform(0.6, 1.4)
        f.key_processes = int(3 + 2.2 * math.log(1 + f.employees / 15)) + rng.randint(0, 3)
        size = math.log(f.employees / 150)
        maturity = rng.gauss(0, 1)
        common = profile.digital + district.offset + 0.8 * maturity + 0.2 * size
        f.cnc_b = common + 0.5 * rng.gauss(0, 1)
        f.net_b = common + 0.5 * rng.gauss(0, 1)
        f.software_b = common + 0.5 * rng.gauss(0, 1)
        f.robot_b = (
            profile.robots + district.offset + 0.5 * maturity + 0.3 * size + 0.5 * rng.gauss(0, 1)
        )
        f.software_thresholds = tuple(-w + rng.gauss(0, 0.8) for _, w in SOFTWARE)
        f.software_second = sorted(f.software_thresholds)[SOFTWARE_MINIMUM - 1]
        f.cnc_level = f.net_level = f.software_level = f.robot_level = -math.inf
        f.robots = 0
        f.prev_watch = None
        f.investment = 0.0
        # Identity.
        new_style = rng.random() < 0.35
        f.uscc = make_uscc(
            regions[district.name].code, (multiplier * serial + offset) % 10**8, new_style
        )
        f.name = _company_name(rng, district, word, revenue, names)
        f.town = rng.choice(district.towns)
        road = rng.choice(ROAD_ROOTS) + rng.choice(ROAD_KINDS)
        f.address = f"浙江省绍兴市{district.name}{f.town}{road}{rng.randint(1, 999)}号"
        f.contact = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))
        # Local numbers never begin with 0: plausible to the eye, nobody's real number.
        f.phone = f"0575-0{rng.randrange(10**6, 10**7)}"
        f.revenue = revenue
        firms.append(f)
    return firms


def _pick_member(rng: random.Random, firms: list[_Firm]) -> _Firm:
    """The demo enterprise user's enterprise: a mid-sized above-scale firm in its district."""
    district = demo_member_account().region_name
    candidates = (
        [
            f
            for f in firms
            if f.district.name == district
            and f.cluster
            and f.revenue >= 3 * ABOVE_SCALE_REVENUE
            and 80 <= f.employees <= 600
        ]
        or [f for f in firms if f.district.name == district]
        or firms
    )
    return rng.choice(candidates)


def _add_member(firm: _Firm) -> None:
    account = demo_member_account()
    user = User.objects.filter(username=account.username).first()
    if user is not None:
        Enterprise.objects.get(pk=firm.id).members.add(user)
