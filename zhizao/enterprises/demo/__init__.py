"""Demo data: a reproducible synthetic Shaoxing of manufacturers and their yearly reports.

`generate_demo()` invents enterprises in the six districts of the default (Shaoxing) plan: by
default 6,000 of them, 4,500 above-scale (规上) and 1,500 smaller ones, in each district in
proportion to its five-year target for 规上企业改造 in the plan's annex (越城区 560, 柯桥区 1132,
上虞区 710, 诸暨市 1145, 嵊州市 640, 新昌县 250), with industry clusters, GB/T 4754 industry
classes, towns, addresses and valid 统一社会信用代码 that look real but are invented. Every
enterprise gets a city-approved yearly report and a ScaleStatus row for each year (by default the
plan's base year to the year before its last, 2020–2024). The demo account `enterprise` becomes a
member of one mid-sized enterprise in its district (越城区), which never gets a report for the
plan's last year (2025), so that the user can fill it in. Scale status follows revenue (规上: at
least 2,000 万元), so a few smaller enterprises grow above scale over the years.

The same seed gives the same data: every random draw comes from one `random.Random(seed)`.

What the city aggregates reproduce
----------------------------------
Over the enterprises above scale in a year (ScaleStatus.above_scale), the figures are calibrated so
that the city's values equal the plan's 2020 bases and then its yearly targets (to 0.01 % at
the default size; the software share moves in steps of one enterprise):

- 制造业机器人密度 (台/万人) = Σ industrial_robots / Σ employees × 10,000 (2020: 214);
- 关键工序数控化率 (%) = Σ cnc_key_processes / Σ key_processes × 100 (2020: 65);
- 关键管控软件普及率 (%) = the share of above-scale reporters that use **at least two** of the eight
  key management-control systems (ERP, MES, PLM/PDM, SCM, WMS, APS, QMS, EMS), × 100 (2020: 50);
  one system alone (almost always a finance-led ERP) does not yet make management digital;
- 机器联网率 (%) = Σ networked_equipment / Σ networkable_equipment × 100 (2020: 40).

Districts move at different paces: 柯桥区 and 诸暨市 run ahead of the city's schedule, 越城区 and
上虞区 about on it, 嵊州市 and 新昌县 behind, so some districts are ahead of the 2024 targets and
some behind. Labour productivity (Σ value_added / Σ employees) and 亩均增加值 (Σ value_added /
Σ land_area) of the above-scale enterprises grow each year by the plan's yearly rate ± 0.5
percentage points (between 6 % and 8 %).

Every report passes `checks.check_report` (parts within wholes, value added within output,
nothing negative), and year-on-year changes stay within the 3× that would need a comment (robot
counts never fall to zero once installed, adoption never goes backwards); should a change ever fall
outside, the report's `comment` says so.

How it is written
-----------------
Demo data is generated, not changed by anyone, so it has no history rows (simple-history is
bypassed) and no ReviewStep rows: the reports are written directly as city-approved. Rows are
written in bulk, year by year: `bulk_create` in batches on SQLite (and other databases), COPY
through psycopg 3 on PostgreSQL, which puts national scale (500,000 enterprises) within reach.
"""

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from zhizao.core.models import IndustryCluster, Region
from zhizao.enterprises.demo.firms import (
    _add_member,
    _make_firms,
    _pick_member,
    demo_member_account,
)
from zhizao.enterprises.demo.identities import make_uscc, organisation_code
from zhizao.enterprises.demo.profiles import (
    ABOVE_SCALE_REVENUE,
    CLUSTERS,
    DEFAULT_ENTERPRISES,
    DEFAULT_SEED,
    DEFAULT_SMALL_SHARE,
    DEFAULT_YEARS,
    DISTRICTS,
    SHAOXING_TARGETS,
    SOFTWARE,
    ClusterProfile,
    DistrictProfile,
    YearTargets,
    default_plan,
    default_years,
    plan_targets,
)
from zhizao.enterprises.demo.simulation import _simulate_year
from zhizao.enterprises.demo.writing import _BulkWriter, _CopyWriter, _report_row
from zhizao.enterprises.models import Enterprise

# The generator lives in submodules by subdomain (profiles, identities, firms, simulation,
# writing); these are the names other modules and the tests import from the package.
__all__ = [
    "ABOVE_SCALE_REVENUE",
    "CLUSTERS",
    "DEFAULT_ENTERPRISES",
    "DEFAULT_SEED",
    "DEFAULT_SMALL_SHARE",
    "DEFAULT_YEARS",
    "DISTRICTS",
    "SHAOXING_TARGETS",
    "SOFTWARE",
    "ClusterProfile",
    "DemoError",
    "DemoResult",
    "DistrictProfile",
    "YearTargets",
    "default_plan",
    "default_years",
    "demo_member_account",
    "generate_demo",
    "make_uscc",
    "organisation_code",
    "plan_targets",
]


class DemoError(Exception):
    """The demo cannot be generated; the message says why, in Chinese."""


# --- the generator --------------------------------------------------------------------------


@dataclass
class DemoResult:
    enterprises: int
    above_scale: int  # in the first year
    reports: int
    years: range
    member_enterprise: str = ""
    seconds: float = 0.0
    # City aggregates over above-scale enterprises, per year: robot_density, cnc_rate,
    # software_rate, networking_rate, productivity (万元/人), per_mu (万元/亩).
    aggregates: dict[int, dict[str, float]] = field(default_factory=dict)


def generate_demo(
    enterprises: int = DEFAULT_ENTERPRISES,
    *,
    small: int | None = None,
    years: range | None = None,
    seed: int = DEFAULT_SEED,
    log: Callable[[str], None] | None = None,
) -> DemoResult:
    """Generate `enterprises` demo enterprises (`small` of them below scale, a quarter by
    default) with city-approved reports for `years`, and make the demo enterprise user a member
    of one in its district. Refuses when the database already holds enterprises."""
    started = time.perf_counter()
    years = years if years is not None else default_years()
    small = round(enterprises * DEFAULT_SMALL_SHARE) if small is None else small
    if enterprises < 20 or not 0 <= small < enterprises:
        raise DemoError("演示企业数量至少为 20 家，且规下企业须少于企业总数。")
    if len(years) == 0:
        raise DemoError("演示数据的年份范围为空。")
    if Enterprise.objects.exists():
        raise DemoError("数据库中已有企业数据，演示企业只在空库中生成。")
    regions = {r.name: r for r in Region.objects.filter(name__in=[d.name for d in DISTRICTS])}
    missing = [d.name for d in DISTRICTS if d.name not in regions]
    if missing:
        raise DemoError(
            f"找不到区县「{'、'.join(missing)}」：演示企业按绍兴市的方案生成，"
            "请先加载方案（zhizao plan load default）。"
        )
    clusters = {c.code: c for c in IndustryCluster.objects.all()}
    missing = [code for code in CLUSTERS if code and code not in clusters]
    if missing:
        raise DemoError(f"找不到产业集群「{'、'.join(missing)}」：请先加载方案。")
    targets = plan_targets(years)
    log = log or (lambda message: None)
    rng = random.Random(seed)
    plan = default_plan()
    open_year = plan.last_year if plan else DEFAULT_YEARS.stop

    with transaction.atomic():
        first_id = (
            Enterprise.objects.order_by("-id").values_list("id", flat=True).first() or 0
        ) + 1
        firms = _make_firms(rng, enterprises - small, small, regions, first_id)
        member = _pick_member(rng, firms)
        writer = _CopyWriter() if connection.vendor == "postgresql" else _BulkWriter()
        writer.enterprises(
            (
                f.id,
                f.uscc,
                f.name,
                regions[f.district.name].id,
                f.town,
                clusters[f.cluster].id if f.cluster else None,
                f.industry_code,
                f.industry_code[:2],
                f.address,
                f.contact,
                f.phone,
            )
            for f in firms
        )
        log(f"已写入 {len(firms)} 家企业。")
        result = DemoResult(
            enterprises=len(firms),
            above_scale=enterprises - small,
            reports=0,
            years=years,
            member_enterprise=member.name,
        )
        stamp = timezone.now()
        previous = None
        for index, year in enumerate(years):
            aggregates = _simulate_year(rng, firms, index, targets[year], previous)
            result.aggregates[year] = aggregates
            previous = aggregates
            rows = [
                _report_row(f, year, stamp)
                for f in firms
                if not (f is member and year >= open_year)
            ]
            writer.reports(rows)
            writer.statuses((f.id, year, f.above) for f in firms)
            result.reports += len(rows)
            log(
                f"{year}年：报表 {len(rows)} 份；机器人密度 {aggregates['robot_density']:.1f}，"
                f"数控化率 {aggregates['cnc_rate']:.1f}%，软件普及率 "
                f"{aggregates['software_rate']:.1f}%，联网率 {aggregates['networking_rate']:.1f}%。"
            )
        writer.finish()
        _add_member(member)
    result.seconds = time.perf_counter() - started
    return result
