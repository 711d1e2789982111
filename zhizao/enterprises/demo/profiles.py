"""What the demo is calibrated to and how its Shaoxing looks: the city targets read from the plan,
the industry cluster and district profiles, and the sizes and thresholds the generator uses."""

import math
from dataclasses import dataclass
from functools import cached_property

from django.conf import settings

from zhizao.plans.models import Plan

DEFAULT_ENTERPRISES = 6000
DEFAULT_SMALL_SHARE = 0.25
DEFAULT_SEED = 20210901  # the day the plan was issued
DEFAULT_YEARS = range(2020, 2025)
ABOVE_SCALE_REVENUE = 2000.0  # 万元: main business revenue of a 规模以上工业企业


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
