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

import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone
from stdnum.cn import uscc as uscc_number

from zhizao.accounts.models import User
from zhizao.accounts.services import DEMO_ACCOUNTS
from zhizao.core.models import IndustryCluster, Region
from zhizao.core.roles import Role
from zhizao.enterprises.fields import SOFTWARE_MINIMUM
from zhizao.enterprises.models import Enterprise, ReportStatus, ScaleStatus, YearlyReport
from zhizao.plans.models import Plan

DEFAULT_ENTERPRISES = 6000
DEFAULT_SMALL_SHARE = 0.25
DEFAULT_SEED = 20210901  # the day the plan was issued
DEFAULT_YEARS = range(2020, 2025)
ABOVE_SCALE_REVENUE = 2000.0  # 万元: main business revenue of a 规模以上工业企业
BATCH_SIZE = 2000
SAMPLE_SIZE = 20000  # calibrate on a sample first when more enterprises than this are above scale


class DemoError(Exception):
    """The demo cannot be generated; the message says why, in Chinese."""


# --- what the demo is calibrated to -------------------------------------------------------


@dataclass(frozen=True)
class YearTargets:
    robot_density: float  # 台/万人
    cnc_rate: float  # %
    software_rate: float  # %
    networking_rate: float  # %
    productivity_growth: float  # % over the previous year
    per_mu_growth: float  # % over the previous year


# The Shaoxing plan's table, used when no plan with these indicators is loaded.
SHAOXING_TARGETS = {
    2020: YearTargets(214, 65, 50, 40, 6.5, 8.1),
    2021: YearTargets(250, 70, 55, 44, 7, 6.5),
    2022: YearTargets(285, 74, 60, 48, 7, 7),
    2023: YearTargets(320, 78, 64, 52, 7, 7),
    2024: YearTargets(355, 82, 67, 56, 7, 7),
    2025: YearTargets(400, 85, 70, 60, 7, 7),
}
INDICATOR_CODES = {
    "robot_density": "robot-density",
    "cnc_rate": "cnc-rate",
    "software_rate": "software-adoption",
    "networking_rate": "networking-rate",
    "productivity_growth": "labour-productivity-growth",
    "per_mu_growth": "value-added-per-mu-growth",
}


def default_plan() -> Plan | None:
    return Plan.objects.filter(code=settings.ZHIZAO_DEFAULT_PLAN).first() or Plan.objects.first()


def default_years() -> range:
    """The plan's base year to the year before its last: the years already reported."""
    plan = default_plan()
    return range(plan.base_year, plan.last_year) if plan else DEFAULT_YEARS


def plan_targets(years: range) -> dict[int, YearTargets]:
    """Each year's city values from the default plan (base for its base year, yearly values
    after), the Shaoxing table where the plan lacks an indicator; beyond the plan's years the
    last step continues (rates at most 95 %)."""
    values = {year: dict(t.__dict__) for year, t in SHAOXING_TARGETS.items()}
    plan = default_plan()
    if plan is not None:
        indicators = plan.indicators.filter(code__in=INDICATOR_CODES.values()).prefetch_related(
            "year_targets"
        )
        by_code = {i.code: i for i in indicators}
        for name, code in INDICATOR_CODES.items():
            indicator = by_code.get(code)
            if indicator is None:
                continue
            if indicator.base is not None:
                values.setdefault(plan.base_year, {})[name] = float(indicator.base)
            for target in indicator.year_targets.all():
                values.setdefault(target.year, {})[name] = float(target.value)
    known = sorted(y for y, v in values.items() if len(v) == len(INDICATOR_CODES))
    result = {}
    for year in years:
        if year in known:
            result[year] = YearTargets(**values[year])
        elif year < known[0]:
            result[year] = YearTargets(**values[known[0]])
        else:
            last, before = values[known[-1]], values[known[-2]]
            steps = year - known[-1]
            result[year] = YearTargets(
                **{
                    name: (
                        last[name]
                        if name.endswith("growth")
                        else min(
                            last[name] + steps * (last[name] - before[name]),
                            95.0 if name.endswith("rate") else math.inf,
                        )
                    )
                    for name in INDICATOR_CODES
                }
            )
    return result


# --- how Shaoxing looks ---------------------------------------------------------------------


@dataclass(frozen=True)
class ClusterProfile:
    """One industry cluster as the generator sees it; the figures are typical, not statistics."""

    value_added_ratio: float  # value added / industrial output
    productivity: float  # 万元 value added per employee in the base year
    digital: float  # logit offset of CNC, networking and software adoption
    robots: float  # log offset of robot density
    equipment: float  # networkable equipment per employee
    energy: float  # tonnes of standard coal per 万元 of output
    rd: float  # R&D spending / revenue
    # GB/T 4754-2017 classes, each with the word it puts in a company name: "1751 纺织 …".
    industries: str

    @cached_property
    def classes(self) -> tuple[tuple[str, str], ...]:
        words = self.industries.split()
        return tuple(zip(words[::2], words[1::2], strict=True))


# fmt: off
CLUSTERS: dict[str | None, ClusterProfile] = {
    "textile": ClusterProfile(
        0.20, 16, 0.0, -0.2, 0.60, 0.100, 0.015,
        "1751 纺织 1752 印染 1713 印染 1712 织造 1761 针织 1771 家纺 1819 服装 1830 服饰",
    ),
    "green-chemical": ClusterProfile(
        0.22, 35, 0.1, -0.5, 0.25, 0.250, 0.020,
        "2614 化工 2645 染料 2641 涂料 2661 助剂 2662 新材料 2822 化纤 2826 氨纶",
    ),
    "integrated-circuit": ClusterProfile(
        0.30, 40, 0.6, 0.8, 0.35, 0.040, 0.050,
        "3973 微电子 3972 半导体 3976 光电 3985 电子材料 3981 电子",
    ),
    "pharmaceutical": ClusterProfile(
        0.35, 38, 0.4, 0.2, 0.20, 0.080, 0.060,
        "2710 药业 2720 制药 2740 中药 2761 生物医药 2770 医疗用品",
    ),
    "metal-processing": ClusterProfile(
        0.16, 22, -0.1, 0.4, 0.30, 0.060, 0.015,
        "3130 金属材料 3251 铜业 3311 钢结构 3351 五金 3360 表面处理 3340 金属制品 3240 合金",
    ),
    "equipment-parts": ClusterProfile(
        0.24, 22, 0.2, 0.6, 0.35, 0.020, 0.030,
        "3451 轴承 3443 阀门 3441 泵业 3484 机械 3551 纺织机械 3812 电机 3813 微电机 3824 电气",
    ),
    "pearl-jewellery": ClusterProfile(
        0.25, 14, -0.6, -1.0, 0.15, 0.010, 0.010,
        "2438 珍珠 2438 珠宝 2438 饰品 4190 工艺品",
    ),
    "kitchen-appliance": ClusterProfile(
        0.24, 20, 0.2, 0.7, 0.30, 0.015, 0.030,
        "3854 厨卫电器 3861 集成灶 3854 电器 3857 电器配件",
    ),
    "construction": ClusterProfile(
        0.25, 25, -0.3, -0.4, 0.20, 0.350, 0.010,
        "3021 建材 3022 构件 3011 水泥 3024 新型建材 3034 保温材料",
    ),
    "yellow-wine": ClusterProfile(
        0.40, 28, -0.2, -0.3, 0.15, 0.050, 0.010,
        "1514 酿酒 1514 黄酒 1514 酒业",
    ),
    # Manufacturers outside the ten clusters.
    None: ClusterProfile(
        0.22, 18, -0.2, -0.2, 0.25, 0.050, 0.015,
        "2231 包装 2927 塑业 2319 印务 4021 仪器 2110 家具",
    ),
}
# fmt: on


@dataclass(frozen=True)
class DistrictProfile:
    name: str
    weight: int  # the annex's five-year target for 规上企业改造
    offset: float  # logit offset of digital adoption in the base year
    pace: float  # logit units a year ahead of (> 0) or behind (< 0) the city's schedule
    cluster_weights: str  # "textile 22 green-chemical 10 …"; "other" for no cluster
    town_names: str  # towns (镇、街道) where its manufacturers are
    name_prefixes: str  # how company names of the district begin

    @cached_property
    def clusters(self) -> tuple[tuple[str | None, int], ...]:
        words = self.cluster_weights.split()
        return tuple(
            (None if code == "other" else code, int(weight))
            for code, weight in zip(words[::2], words[1::2], strict=True)
        )

    @cached_property
    def towns(self) -> list[str]:
        return self.town_names.split()

    @cached_property
    def prefixes(self) -> list[str]:
        return self.name_prefixes.split()


# fmt: off
DISTRICTS = (
    DistrictProfile(
        "越城区", 560, 0.15, 0.0,
        "textile 22 green-chemical 10 integrated-circuit 14 pharmaceutical 8 metal-processing 10 "
        "equipment-parts 14 yellow-wine 6 construction 6 other 10",
        "府山街道 塔山街道 北海街道 城南街道 稽山街道 迪荡街道 东湖街道 皋埠街道 马山街道 斗门街道 "
        "灵芝街道 东浦街道 陶堰街道 孙端街道 鉴湖街道",
        "绍兴 绍兴市 绍兴越城",
    ),
    DistrictProfile(
        "柯桥区", 1132, 0.05, 0.10,
        "textile 52 green-chemical 14 equipment-parts 8 metal-processing 7 construction 6 "
        "yellow-wine 3 pharmaceutical 2 other 8",
        "柯桥街道 柯岩街道 华舍街道 湖塘街道 齐贤街道 安昌街道 钱清街道 杨汛桥街道 兰亭街道 "
        "马鞍街道 福全街道 漓渚镇 平水镇 王坛镇 夏履镇",
        "绍兴柯桥 绍兴市柯桥区 绍兴",
    ),
    DistrictProfile(
        "上虞区", 710, 0.10, 0.0,
        "green-chemical 30 pharmaceutical 12 equipment-parts 16 metal-processing 10 textile 10 "
        "construction 8 integrated-circuit 4 other 10",
        "百官街道 曹娥街道 东关街道 道墟街道 梁湖街道 小越街道 崧厦街道 沥海街道 盖北镇 丰惠镇 "
        "章镇镇 永和镇 驿亭镇 长塘镇 汤浦镇",
        "绍兴上虞 绍兴市上虞区 上虞",
    ),
    DistrictProfile(
        "诸暨市", 1145, 0.0, 0.08,
        "metal-processing 28 textile 24 equipment-parts 18 pearl-jewellery 8 construction 7 "
        "green-chemical 3 kitchen-appliance 2 other 10",
        "暨阳街道 浣东街道 陶朱街道 暨南街道 大唐街道 店口镇 枫桥镇 山下湖镇 次坞镇 牌头镇 安华镇 "
        "姚江镇 草塔镇 璜山镇 应店街镇",
        "诸暨 诸暨市",
    ),
    DistrictProfile(
        "嵊州市", 640, -0.10, -0.07,
        "kitchen-appliance 28 textile 22 equipment-parts 22 metal-processing 8 construction 6 "
        "green-chemical 4 other 10",
        "剡湖街道 三江街道 鹿山街道 浦口街道 甘霖镇 长乐镇 崇仁镇 黄泽镇 石璜镇 三界镇 仙岩镇 谷来镇",
        "嵊州 嵊州市",
    ),
    DistrictProfile(
        "新昌县", 250, -0.05, -0.09,
        "equipment-parts 38 pharmaceutical 26 textile 10 metal-processing 8 construction 5 "
        "green-chemical 3 other 10",
        "七星街道 南明街道 羽林街道 澄潭街道 沃洲镇 儒岙镇 梅渚镇 小将镇 回山镇 镜岭镇",
        "新昌 新昌县",
    ),
)
# fmt: on

# The eight key management-control systems and how common each is (logit offset).
SOFTWARE = (
    ("uses_erp", 1.2),
    ("uses_mes", 0.2),
    ("uses_plm", -0.3),
    ("uses_scm", -0.1),
    ("uses_wms", 0.0),
    ("uses_aps", -1.0),
    ("uses_qms", 0.3),
    ("uses_ems", -0.5),
)

ROBOT_SCALE = 0.02  # robots per employee at a latent level of 0
ROBOT_PACE = 1.2  # district paces act more strongly on robots (log units) than on rates (logit)

NAME_CHARS = (
    "恒达华盛永兴新宏远金鑫泰隆丰瑞祥宇航天海明光东方中信诚嘉佳美富源润博德凯越峰益康立正通汇"
    "合和力创科联亿万振升荣昌锦鼎晟舜禹稽鉴兰亭龙腾飞扬精工骏驰星辰"
)
# fmt: off
ROAD_ROOTS = (
    "兴业", "工业", "创业", "振兴", "人民", "中兴", "环城", "滨江", "越兴", "镜湖", "迎宾", "开发", "科技",
    "纺都", "湖西", "金湖", "建设", "望江", "阳光", "兴越", "明珠", "长江", "古越", "复兴", "创新", "富民",
    "江滨", "东升",
)
# fmt: on
ROAD_KINDS = ("路", "路", "路", "大道", "街")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖夏方邵钱严楼俞骆宣裘"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚英华建国志红文斌波辉鹏飞宇浩晨燕琴萍峰"

# 统一社会信用代码: 9 (市场监管部门) 1 (企业); the 9-character organisation code has its own
# GB 11714 check character.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def organisation_code(serial: int, new_style: bool) -> str:
    """A valid 9-character organisation code for `serial` (< 10⁸): eight digits, or from 2015 on
    "MA" and six characters, then the GB 11714 check character. Distinct serials give distinct
    codes within each style, and the styles never collide."""
    if new_style:
        chars = []
        for _ in range(6):
            serial, digit = divmod(serial, 31)
            chars.append(USCC_ALPHABET[digit])
        body = "MA" + "".join(reversed(chars))
    else:
        body = f"{serial:08d}"
    total = sum(
        (int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body, ORG_WEIGHTS, strict=True)
    )
    check = 11 - total % 11
    return body + ("X" if check == 10 else "0" if check == 11 else str(check))


def make_uscc(region_code: str, serial: int, new_style: bool) -> str:
    number = f"91{region_code}{organisation_code(serial, new_style)}"
    return number + uscc_number.calc_check_digit(number)


# --- the generator --------------------------------------------------------------------------


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


def demo_member_account():
    return next(a for a in DEMO_ACCOUNTS if a.role == Role.ENTERPRISE)


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


def _clip(value: float, low: float, high: float) -> float:
    return low if value < low else high if value > high else value


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


def _company_name(
    rng: random.Random, district: DistrictProfile, word: str, revenue: float, names: set[str]
) -> str:
    large = revenue >= 100_000
    for attempt in range(50):
        length = 2 if attempt < 20 else 3
        brand = "".join(rng.sample(NAME_CHARS, length))
        tech = "科技" if rng.random() < 0.15 else ""
        if large and rng.random() < 0.6:
            name = f"浙江{brand}{word}{tech}{rng.choice(('股份有限公司', '集团有限公司'))}"
        else:
            name = f"{rng.choice(district.prefixes)}{brand}{word}{tech}有限公司"
        if name not in names:
            names.add(name)
            return name
    name = f"{rng.choice(district.prefixes)}{brand}{word}第{len(names)}有限公司"  # crowded
    names.add(name)
    return name


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


# --- rows -----------------------------------------------------------------------------------

ENTERPRISE_COLUMNS = (
    "id",
    "uscc",
    "name",
    "region_id",
    "town",
    "cluster_id",
    "industry_code",
    "industry_division",
    "address",
    "contact_name",
    "contact_phone",
)
REPORT_COLUMNS = (
    "enterprise_id",
    "year",
    "status",
    "employees",
    "industrial_robots",
    "key_processes",
    "cnc_key_processes",
    "networkable_equipment",
    "networked_equipment",
    *(name for name, _ in SOFTWARE),
    "industrial_output",
    "revenue",
    "value_added",
    "land_area",
    "energy_use",
    "rd_spending",
    "transformation_investment",
    "comment",
    "updated_at",
)
STATUS_COLUMNS = ("enterprise_id", "year", "above_scale")
WATCHED = ("employees", "industrial_robots", "industrial_output", "revenue", "value_added")


def _money(value: float) -> str:
    return f"{value:.2f}"


def _report_row(f: _Firm, year: int, stamp: datetime) -> tuple:
    output, value_added = _money(f.output), _money(f.value_added)
    revenue, land = _money(f.revenue), _money(f.land)
    energy = _money(f.output * f.energy_intensity)
    watch = (f.employees, f.robots, float(output), float(revenue), float(value_added))
    watch += (float(land), float(energy))
    comment = ""
    if f.prev_watch is not None:
        jumps = [
            label
            for label, now, before in zip(
                (*WATCHED, "land_area", "energy_use"), watch, f.prev_watch, strict=True
            )
            if before and not 1 / 3 <= now / before <= 3
        ]
        if jumps:  # the generator keeps changes within 3×: a safety net
            comment = "演示数据：同比变化较大（扩产或技术改造）。"
    f.prev_watch = watch
    return (
        f.id,
        year,
        ReportStatus.CITY_APPROVED.value,
        f.employees,
        f.robots,
        f.key_processes,
        f.cnc,
        f.networkable,
        f.networked,
        *f.software,
        output,
        revenue,
        value_added,
        land,
        energy,
        _money(f.revenue * f.rd_share),
        _money(f.investment),
        comment,
        stamp,
    )


class _BulkWriter:
    """bulk_create in batches: SQLite and any database without COPY."""

    def _write(self, model, columns, rows) -> None:
        batch = []
        for row in rows:
            batch.append(model(**dict(zip(columns, row, strict=True))))
            if len(batch) >= BATCH_SIZE:
                model.objects.bulk_create(batch, batch_size=BATCH_SIZE)
                batch = []
        if batch:
            model.objects.bulk_create(batch, batch_size=BATCH_SIZE)

    def enterprises(self, rows) -> None:
        self._write(Enterprise, ENTERPRISE_COLUMNS, rows)

    def reports(self, rows) -> None:
        # updated_at is auto_now: bulk_create stamps it itself.
        self._write(YearlyReport, REPORT_COLUMNS[:-1], (row[:-1] for row in rows))

    def statuses(self, rows) -> None:
        self._write(ScaleStatus, STATUS_COLUMNS, rows)

    def finish(self) -> None:
        pass


class _CopyWriter:
    """COPY … FROM STDIN through psycopg 3: PostgreSQL."""

    def _write(self, model, columns, rows) -> None:
        names = {f.attname: f.column for f in model._meta.concrete_fields}
        quote = connection.ops.quote_name
        sql = (
            f"COPY {quote(model._meta.db_table)} "
            f"({', '.join(quote(names[c]) for c in columns)}) FROM STDIN"
        )
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)

    def enterprises(self, rows) -> None:
        self._write(Enterprise, ENTERPRISE_COLUMNS, rows)

    def reports(self, rows) -> None:
        self._write(YearlyReport, REPORT_COLUMNS, rows)

    def statuses(self, rows) -> None:
        self._write(ScaleStatus, STATUS_COLUMNS, rows)

    def finish(self) -> None:
        # Enterprise ids were given explicitly: move the sequence past them.
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [Enterprise]):
                cursor.execute(sql)
