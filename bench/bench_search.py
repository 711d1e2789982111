"""Benchmark of the bridge's search (issue #7): 100,000 library entries, the index rebuilt from
them, then about 200 realistic queries, on a fresh database.

Run: .venv/bin/python bench/bench_search.py                 # throwaway SQLite file
     .venv/bin/python bench/bench_search.py --postgres      # throwaway PostgreSQL database

Target: a search answered in at most 100 ms at the 95th percentile over 100,000 documents, on
both backends; the index rebuilt from 100,000 entries well under a minute. A search is timed in
process (the `search()` call: both SQL statements and the snippets), as a page would call it.
The entries are synthetic Chinese text from word lists of Shaoxing's clusters and
smart-manufacturing vocabulary, about 85 % published, spread over the eight maintained libraries.
"""

import argparse
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CLUSTER_WORDS = {
    "textile": [
        "印染",
        "染整",
        "化纤",
        "涤纶",
        "纺丝",
        "织造",
        "经编",
        "针织",
        "袜业",
        "领带",
        "面料",
    ],
    "green-chemical": ["化工", "精细化工", "氟化工", "涂料", "染料", "助剂"],
    "integrated-circuit": ["集成电路", "芯片", "晶圆", "封装测试", "半导体"],
    "pharmaceutical": ["原料药", "制剂", "医药", "生物医药", "中药"],
    "metal-processing": ["金属加工", "铸造", "锻造", "钢结构", "铜加工"],
    "equipment-parts": ["轴承", "电机", "齿轮", "汽车零部件", "液压件", "阀门"],
    "pearl-jewellery": ["珍珠", "饰品", "珠宝"],
    "kitchen-appliance": ["集成灶", "厨电", "油烟机"],
    "construction": ["装配式建筑", "建材", "预制构件"],
    "yellow-wine": ["黄酒", "酿造", "灌装"],
}
TECH = [
    "MES",
    "ERP",
    "WMS",
    "APS",
    "PLM",
    "QMS",
    "SCADA",
    "制造执行系统",
    "企业资源计划",
    "仓储管理系统",
    "工业机器人",
    "协作机器人",
    "AGV",
    "立体仓库",
    "数控机床",
    "机器视觉",
    "视觉检测",
    "数字孪生",
    "虚拟仿真",
    "5G",
    "工业互联网平台",
    "能耗监测",
    "能源管理",
    "预测性维护",
    "质量追溯",
    "设备联网",
    "智能排产",
    "在线检测",
    "边缘计算",
    "数据采集",
    "智能仓储",
    "自动化生产线",
    "机器换人",
    "云平台",
    "大数据分析",
]
GOALS = [
    "生产过程透明化",
    "订单交付周期缩短",
    "能耗显著下降",
    "产品不良率降低",
    "人均产值提升",
    "设备综合效率提高",
    "库存周转加快",
    "工艺参数在线优化",
    "质量问题可追溯",
    "用工减少",
    "排产效率提升",
    "能源成本下降",
]
PROBLEMS = [
    "人工记录多、数据不准",
    "设备利用率低",
    "能耗高",
    "订单多品种小批量",
    "质量波动大",
    "招工难、用工成本高",
    "库存积压",
    "工艺依赖老师傅经验",
    "计划排产靠手工",
    "信息孤岛",
]
PLACES = ["越城", "柯桥", "上虞", "诸暨", "嵊州", "新昌", "绍兴", "滨海", "镜湖", "杨汛桥"]
NAME_PARTS = [
    "恒",
    "达",
    "新",
    "华",
    "兴",
    "盛",
    "创",
    "智",
    "联",
    "科",
    "远",
    "鼎",
    "瑞",
    "宏",
    "天",
]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红"
BANKS = ["绍兴银行", "瑞丰银行", "工商银行绍兴分行", "建设银行绍兴分行", "浙商银行绍兴分行"]
FINANCE = ["智改贷", "技改贷", "设备融资租赁", "首台套保险", "科技担保贷"]
EQUIPMENT = [
    "经编机",
    "定型机",
    "数码印花机",
    "五轴数控机床",
    "加工中心",
    "焊接机器人",
    "码垛机器人",
    "AGV小车",
    "视觉检测设备",
    "智能灌装线",
    "自动络筒机",
    "喷气织机",
]
SUBDOMAINS = ["PD", "PE", "PU", "PS", "PO", "EM", "WH", "SE", "EN", "LO", "SA", "CS", "EQ", "NW"]
LIBRARY_SHARE = {
    "solution": 0.30,
    "case": 0.20,
    "equipment": 0.15,
    "software": 0.10,
    "expert": 0.10,
    "provider": 0.07,
    "finance": 0.04,
    "standard": 0.04,
}
QUERY_WORDS = [
    "印染",
    "染整",
    "MES",
    "制造执行系统",
    "ERP",
    "WMS",
    "立体仓库",
    "AGV",
    "工业机器人",
    "机器换人",
    "数控机床",
    "机器视觉",
    "数字孪生",
    "能耗监测",
    "预测性维护",
    "化纤",
    "涤纶",
    "集成电路",
    "轴承",
    "电机",
    "珍珠",
    "黄酒",
    "集成灶",
    "质量追溯",
    "智能排产",
    "5G",
    "工业互联网平台",
    "经编",
    "定型机",
    "袜业",
    "原料药",
    "装配式建筑",
    "智改贷",
    "融资租赁",
]
PHRASES = [
    "印染企业如何降低能耗",
    "化纤纺丝MES",
    "轴承车间机器换人",
    "黄酒灌装自动化生产线",
    "集成电路封装测试质量追溯",
    "珍珠分拣视觉检测",
    "电机数字化车间",
    "针织企业智能排产",
    "印染定型机设备联网",
    "立体仓库 WMS",
    "数控机床 预测性维护",
    "制造执行系统 经编",
    "绍兴 印染 工业互联网平台",
    "GB/T 智能制造",
    "智能制造 标准",
    "智能工厂 解决方案",
    "柯桥 印染 服务商",
    "新昌 轴承 专家",
    "数字化改造 贷款",
    "ＭＥＳ　印染",
]


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3, help="runs of the query set")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--serial", action="store_true", help="also rebuild in one process, nothing remembered"
    )
    parser.add_argument("--pg-host", default="127.0.0.1")
    parser.add_argument("--pg-user", default="postgres")
    parser.add_argument("--keep", action="store_true", help="keep the database (and say where)")
    parser.add_argument(
        "--reuse",
        metavar="DIR_OR_DATABASE",
        help="time the queries only, on a database kept by --keep (SQLite: its folder)",
    )
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    os.environ.setdefault("SECRET_KEY", "bench-only-secret")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhizao.settings")
    var_dir = args.reuse if args.reuse and not args.postgres else None
    os.environ["ZHIZAO_VAR_DIR"] = var_dir or tempfile.mkdtemp(prefix="zhizao-bench-search-")
    database = None
    pg = ["-h", args.pg_host, "-U", args.pg_user]
    if args.postgres:
        database = args.reuse or f"zhizao_bench_search_{os.getpid()}"
        if not args.reuse:
            subprocess.run(["createdb", *pg, database], check=True)
        os.environ["DATABASE_URL"] = f"postgres://{args.pg_user}@{args.pg_host}:5432/{database}"
    else:
        os.environ["DATABASE_URL"] = ""
    try:
        run(args)
    finally:
        if args.keep and not args.reuse:
            print(f"kept: --reuse {database or os.environ['ZHIZAO_VAR_DIR']}")
        if database and not args.keep and not args.reuse:
            from django.db import connections

            connections.close_all()
            subprocess.run(["dropdb", *pg, database], check=True)


def say(text: str) -> None:
    print(text, flush=True)


def sentence(rng: random.Random, words: list[str]) -> str:
    tech, tech2 = rng.sample(TECH, 2)
    word = rng.choice(words)
    return rng.choice(
        [
            f"针对{word}企业{rng.choice(PROBLEMS)}的问题，部署{tech}与{tech2}，实现{rng.choice(GOALS)}。",
            f"方案覆盖{word}生产的计划、执行与质量环节，以{tech}打通车间数据，{rng.choice(GOALS)}。",
            f"已在{rng.choice(PLACES)}{rng.randint(3, 60)}家{word}企业落地，{rng.choice(GOALS)}"
            f"{rng.randint(5, 40)}%。",
            f"支持{tech}与既有{tech2}集成，提供本地部署与云服务两种方式。",
            f"实施周期{rng.randint(2, 12)}个月，典型投资{rng.randint(20, 800)}万元，适合规上企业。",
        ]
    )


def company(rng: random.Random) -> str:
    return f"{rng.choice(PLACES)}{''.join(rng.sample(NAME_PARTS, 2))}"


def make_entries(total: int, seed: int) -> None:
    """Bulk-create `total` library entries with clusters, sub-domains, districts, maintainers."""
    from django.utils import timezone

    from zhizao.accounts.models import User
    from zhizao.bridge import models as m
    from zhizao.core.models import IndustryCluster, Region
    from zhizao.core.roles import Role

    rng = random.Random(seed)
    clusters = {c.code: c for c in IndustryCluster.objects.all()}
    districts = list(Region.objects.filter(level="county"))
    users = User.objects.bulk_create(
        [User(username=f"bench-provider-{i}", role=Role.PROVIDER) for i in range(300)]
    )
    users = list(User.objects.filter(username__startswith="bench-provider-"))
    now = timezone.now()
    counts = {library: int(total * share) for library, share in LIBRARY_SHARE.items()}
    counts["solution"] += total - sum(counts.values())
    provider_ids: list[int] = []

    def common(cluster_codes):
        words = [w for c in cluster_codes for w in CLUSTER_WORDS[c]]
        status = m.EntryStatus.PUBLISHED if rng.random() < 0.85 else m.EntryStatus.DRAFT
        body = "".join(sentence(rng, words) for _ in range(rng.randint(2, 4)))
        fields = {
            "status": status,
            "is_published": status == m.EntryStatus.PUBLISHED,
            "description": body,
            "subdomains": rng.sample(SUBDOMAINS, rng.randint(0, 3)),
        }
        return words, fields

    def pick_clusters():
        return rng.sample(list(CLUSTER_WORDS), rng.choice([1, 1, 1, 2]))

    def build(library, i, cluster_codes):
        words, fields = common(cluster_codes)
        word, tech = rng.choice(words), rng.choice(TECH)
        if library == "solution":
            fields["provider_id"] = rng.choice(provider_ids)
            return m.Solution(
                title=f"{word}{tech}{rng.choice(['解决方案', '整体方案', '改造方案'])}（{i}）",
                **fields,
            )
        if library == "case":
            fields["provider_id"] = rng.choice(provider_ids)
            return m.Case(
                title=f"{company(rng)}{word}{tech}应用案例（{i}）",
                problem=rng.choice(PROBLEMS),
                approach=f"部署{tech}",
                **fields,
            )
        if library == "equipment":
            return m.Equipment(
                name=f"{rng.choice(['智能', '高速', '全自动', '数字化'])}"
                f"{rng.choice(EQUIPMENT)}{i}型",
                maker=f"{company(rng)}机械有限公司",
                category=rng.choice(EQUIPMENT),
                specifications="额定功率15kW",
                **fields,
            )
        if library == "software":
            return m.Software(
                name=f"{''.join(rng.sample(NAME_PARTS, 2))}{tech}系统V{i % 9 + 1}.{i}",
                category=rng.choice(m.SoftwareCategory.values),
                vendor=f"{company(rng)}软件有限公司",
                **fields,
            )
        if library == "expert":
            name = rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.randint(1, 2)))
            return m.ExpertProfile(
                name=f"{name}{i}",
                expertise=f"{word}{tech}",
                professional_title=rng.choice(["高级工程师", "教授", "研究员"]),
                affiliation=f"{rng.choice(PLACES)}智能制造研究院",
                **fields,
            )
        if library == "provider":
            return m.Provider(
                name=f"{company(rng)}{tech}科技有限公司{i}",
                qualifications="智能制造系统解决方案供应商",
                staff=rng.randint(10, 300),
                rating=rng.choice([None, 3.5, 4.0, 4.5, 4.8]),
                **fields,
            )
        if library == "finance":
            return m.FinancialProduct(
                name=f"{rng.choice(BANKS)}{rng.choice(FINANCE)}{i}号",
                institution=rng.choice(BANKS),
                product_type=rng.choice(m.FinanceType.values),
                eligibility=f"{word}行业规上企业，实施{tech}项目",
                **fields,
            )
        return m.Standard(
            code=f"T/ZZ {10000 + i}-20{20 + i % 6}",
            title=f"智能制造 {word}{tech}通用技术要求 第{i % 5 + 1}部分",
            scope_text=f"本文件规定了{word}企业{tech}的功能、性能与测试方法。",
            **fields,
        )

    models = {
        "solution": m.Solution,
        "case": m.Case,
        "equipment": m.Equipment,
        "software": m.Software,
        "expert": m.ExpertProfile,
        "provider": m.Provider,
        "finance": m.FinancialProduct,
        "standard": m.Standard,
    }
    for library in ["provider", *[k for k in counts if k != "provider"]]:
        model = models[library]
        made = 0
        while made < counts[library]:
            size = min(5000, counts[library] - made)
            chosen = [pick_clusters() for _ in range(size)]
            entries = [build(library, made + j, chosen[j]) for j in range(size)]
            for entry in entries:
                entry.published_at = now if entry.is_published else None
            entries = model.objects.bulk_create(entries)
            through = model.clusters.through
            field = model._meta.get_field("clusters")
            src, dst = field.m2m_field_name() + "_id", field.m2m_reverse_field_name() + "_id"
            through.objects.bulk_create(
                [
                    through(**{src: e.pk, dst: clusters[c].pk})
                    for e, cs in zip(entries, chosen, strict=True)
                    for c in cs
                ]
            )
            mthrough = model.maintainers.through
            field = model._meta.get_field("maintainers")
            src, dst = field.m2m_field_name() + "_id", field.m2m_reverse_field_name() + "_id"
            mthrough.objects.bulk_create(
                [
                    mthrough(**{src: e.pk, dst: rng.choice(users).pk})
                    for e in entries
                    if rng.random() < 0.7
                ]
            )
            if library == "provider":
                rthrough = m.Provider.regions_served.through
                rthrough.objects.bulk_create(
                    [
                        rthrough(provider_id=e.pk, region_id=d.pk)
                        for e in entries
                        for d in rng.sample(districts, rng.randint(1, 3))
                    ]
                )
            made += size
        if library == "provider":
            provider_ids = list(m.Provider.objects.values_list("pk", flat=True))


def make_queries(count: int, seed: int, users) -> list[dict]:
    from zhizao.accounts.models import User
    from zhizao.core.roles import Role

    rng = random.Random(seed + 1)
    admin, _ = User.objects.get_or_create(username="bench-city", defaults={"role": Role.CITY_ADMIN})
    queries = []
    for i in range(count):
        kind = i % 10
        if kind < 4:
            text = rng.choice(QUERY_WORDS)
        elif kind < 6:
            text = " ".join(rng.sample(QUERY_WORDS, 2))
        elif kind < 8:
            text = rng.choice(PHRASES)
        else:
            text = rng.choice(QUERY_WORDS + PHRASES)
        query = {"query": text}
        if rng.random() < 0.25:
            query["libraries"] = [rng.choice(list(LIBRARY_SHARE))]
        if rng.random() < 0.2:
            query["clusters"] = [rng.choice(list(CLUSTER_WORDS))]
        if rng.random() < 0.1:
            query["regions"] = [rng.choice(["330602", "330603", "330604", "330681"])]
        who = rng.random()
        query["user"] = None if who < 0.6 else (rng.choice(users) if who < 0.85 else admin)
        if rng.random() < 0.1:
            query["offset"] = 20 * rng.randint(1, 5)
        queries.append(query)
    return queries


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def run(args) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from zhizao.accounts.models import User
    from zhizao.bridge.models import SearchDocument
    from zhizao.bridge.search import rebuild_index, search
    from zhizao.plans.planfile import DEFAULT_PLAN_FILE, read_plan_file
    from zhizao.plans.services import load_plan

    if not args.reuse:
        call_command("migrate", verbosity=0)
        load_plan(read_plan_file(DEFAULT_PLAN_FILE))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = f"PostgreSQL {cursor.fetchone()[0]}"
    else:
        version = f"SQLite {sqlite3.sqlite_version}"
    say(
        f"database: {connection.vendor} ({version}); load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    if not args.reuse:
        start = time.perf_counter()
        make_entries(args.documents, args.seed)
        say(f"| generate {args.documents:,} entries | {time.perf_counter() - start:.1f} s |")
        if args.serial:
            # The worst case: one process, and no block met before (text that never repeats).
            from zhizao.bridge.search import segmentation

            size, segmentation.BLOCK_CACHE_SIZE = segmentation.BLOCK_CACHE_SIZE, 0
            start = time.perf_counter()
            rebuild_index(workers=1)
            say(
                f"| rebuild_index(workers=1), no block memo | {time.perf_counter() - start:.1f} s"
                f" | load {os.getloadavg()[0]:.1f} |"
            )
            segmentation.BLOCK_CACHE_SIZE = size
            segmentation._block_cache.clear()
        for label in ("rebuild_index()", "rebuild_index() again (replaces every document)"):
            start = time.perf_counter()
            counts = rebuild_index()
            say(
                f"| {label} | {time.perf_counter() - start:.1f} s | "
                f"{sum(counts.values()):,} documents | load {os.getloadavg()[0]:.1f} |"
            )
    published = SearchDocument.objects.filter(is_published=True).count()
    say(f"documents: {SearchDocument.objects.count():,} ({published:,} published)")
    users = list(User.objects.filter(username__startswith="bench-provider-"))

    queries = make_queries(args.queries, args.seed, users)
    for query in queries[:20]:  # warm-up: the segmenter, the caches
        search(query["query"], **{k: v for k, v in query.items() if k != "query"})
    timings, totals, relaxed = [], [], 0
    for _ in range(args.repeat):
        for query in queries:
            options = {k: v for k, v in query.items() if k != "query"}
            begin = time.perf_counter()
            results = search(query["query"], **options)
            timings.append((time.perf_counter() - begin) * 1000)
            totals.append(results.total)
            relaxed += results.relaxed
    slowest = sorted(
        zip(
            timings, [q["query"] for _ in range(args.repeat) for q in queries], totals, strict=True
        ),
        reverse=True,
    )[:5]
    say(
        f"{len(queries)} queries × {args.repeat} runs; matched per query: median "
        f"{statistics.median(totals):,.0f}, max {max(totals):,}; relaxed {relaxed}"
    )
    say("| backend | median ms | p95 ms | p99 ms | max ms |")
    say("|---|---|---|---|---|")
    say(
        f"| {connection.vendor} | {statistics.median(timings):.1f} | "
        f"{percentile(timings, 0.95):.1f} | {percentile(timings, 0.99):.1f} | "
        f"{max(timings):.1f} |"
    )
    say("slowest: " + "; ".join(f"{q} {ms:.0f} ms ({n:,})" for ms, q, n in slowest))


if __name__ == "__main__":
    main()
