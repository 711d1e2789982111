"""Demo data of the tiered cultivation (梯度培育): the titles and applications `zhizao demo` adds
to the demo enterprises, consistent with the default plan.

What it makes
-------------
- The title types of the default file (data/title-types.yaml), when none are loaded.
- The titles of the plan's 2020 bases, recognised in 2017–2020 before the platform, without
  applications: 30 省级智能工厂（数字化车间）, 6 市级智能工厂, 36 市级数字化车间 and 563
  智能化改造完成 (above-scale enterprises only), split over the districts by their annex targets,
  and the one 未来工厂培育 candidate of the plan's base note (培育企业1家). 示范集群 and 未来工厂
  are flows with no base.
- For each plan year with enterprise reports (2021–2024 by default): one batch per title type
  with its scoring sheet (智能化水平 40, 建设成效 40, 示范推广价值 20) and required 申报书; each
  title recognised through an application with all its steps, and some applications declined.
  The districts' additions follow the plan's yearly path at their own pace (see quotas.py):
  柯桥区 and 诸暨市 ahead of the annex schedule, 嵊州市 and 新昌县 behind, the others near it.
  Titles of all years but the last are published; two titles are revoked (摘牌) in the year
  before the last (2023), with a reason.
- The open batches of 2026 (2026-09-01 to 2026-12-31) with applications waiting at every step —
  draft, submitted, returned, district_passed, expert_review (one of two experts has scored),
  scored, recommended — so that each demo login finds work in its queue: the enterprise user
  (a draft and a returned application of its enterprise), the 越城区 and 柯桥区 officers
  (submitted ones), the expert (its share of those in review), the city admin (the rest). Each
  waiting application past draft has its 申报书, a small PDF in private storage.
- Two more expert accounts, expert2 and expert3, with the demo expert's password, so that each
  application has two reviewers.

Scale: the enterprise titles (the plan's stock indicators 3–6) scale with the number of
above-scale enterprises when there are fewer than the default 4,500, since 563 + 3,600 completed
transformations need that many; the handfuls of the flow indicators (示范集群, 未来工厂) do not.
At the default size every figure is the plan's.

The same seed gives the same data. The step writes only into an empty registry (no titles,
applications or batches) and otherwise keeps what is there, as the enterprise demo does.

The parts: pool.py reads the enterprises, quotas.py says how many titles each district gets a
year, allocation.py chooses who gets them and what waits now, records.py builds the rows with
their workflow, writing.py writes them in bulk.
"""

import random
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from zhizao.accounts.services import DEMO_ACCOUNTS
from zhizao.core.demo_steps import DemoStepError, register_demo_step
from zhizao.core.models import IndustryCluster, Region
from zhizao.core.roles import Role
from zhizao.core.services import mark_change
from zhizao.cultivation.attachments import delete_attachment
from zhizao.cultivation.demo.allocation import Allocation, base_candidates
from zhizao.cultivation.demo.pool import load_firms
from zhizao.cultivation.demo.quotas import BASE_YEARS, district_paces, quota, scale_for
from zhizao.cultivation.demo.records import OPEN_YEAR, Actors, Records
from zhizao.cultivation.demo.writing import first_ids, write
from zhizao.cultivation.models import Application, Batch, Title, TitleType
from zhizao.cultivation.typefile import ensure_title_types
from zhizao.enterprises.demo import DEFAULT_SEED, default_plan, demo_member_account
from zhizao.enterprises.models import ReportStatus, ScaleStatus, YearlyReport
from zhizao.plans.models import IndicatorKind, RegionTarget

EXTRA_EXPERTS = (("2", "示例专家二"), ("3", "示例专家三"))


@dataclass
class CultivationDemoResult:
    titles: int = 0
    base_titles: int = 0
    revoked: int = 0
    applications: int = 0
    waiting: int = 0
    batches: int = 0
    scale: float = 1.0
    flow_years: list[int] = field(default_factory=list)
    base_year: int = 0
    # title type name → year (the base titles under the base year) → titles recognised
    by_type_year: dict[str, Counter] = field(default_factory=dict)
    # district name → title type name → titles recognised in the plan years
    by_district: dict[str, Counter] = field(default_factory=dict)
    waiting_by_status: Counter = field(default_factory=Counter)
    experts_created: list[str] = field(default_factory=list)
    seconds: float = 0.0


def registry_is_empty() -> bool:
    return not (Title.objects.exists() or Application.objects.exists() or Batch.objects.exists())


def demo_experts() -> tuple[list, list[str]]:
    """The demo expert and expert2, expert3 (created when missing, with its password)."""
    User = get_user_model()
    account = next(a for a in DEMO_ACCOUNTS if a.role == Role.EXPERT)
    names = [account.username] + [account.username + suffix for suffix, _ in EXTRA_EXPERTS]
    found = {u.username: u for u in User.objects.filter(username__in=names)}
    created, password = [], None
    for suffix, full_name in EXTRA_EXPERTS:
        username = account.username + suffix
        if username in found:
            continue
        password = password or make_password(account.password)  # one hash: the same password
        user = User(username=username, full_name=full_name, role=Role.EXPERT, password=password)
        user._change_reason = "创建演示账号"
        user.save()
        found[username] = user
        created.append(username)
    experts = [found[n] for n in names if n in found and found[n].is_active]
    return experts, created


def demo_actors(districts: list[Region], experts: list) -> Actors:
    User = get_user_model()
    demo_names = {a.username for a in DEMO_ACCOUNTS}
    admin = min(
        User.objects.filter(role=Role.CITY_ADMIN, is_active=True),
        key=lambda u: (u.username not in demo_names, u.pk),
        default=None,
    )
    officers = {}
    for user in sorted(
        User.objects.filter(role=Role.DISTRICT, is_active=True, region__in=districts),
        key=lambda u: (u.username not in demo_names, u.pk),
    ):
        officers.setdefault(user.region_id, user)
    member = User.objects.filter(username=demo_member_account().username).first()
    member_firm = member.enterprises.order_by("id").first() if member else None
    return Actors(
        admin=admin,
        officers=officers,
        experts=experts,
        member=member if member_firm else None,
        member_firm_id=member_firm.pk if member_firm else None,
    )


def generate_cultivation_demo(
    *, seed: int = DEFAULT_SEED, years: range, log=None
) -> CultivationDemoResult:
    """Write the cultivation demo for the enterprises in the database (see the module's doc).
    Refuses a registry that already holds titles, applications or batches."""
    started = time.perf_counter()
    log = log or (lambda message: None)
    if not registry_is_empty():
        raise DemoStepError("库中已有梯度培育数据（称号、申报或批次），演示数据只在空库中生成。")
    plan = default_plan()
    if plan is None:
        raise DemoStepError("找不到方案：请先加载方案（zhizao plan load default）。")
    ensure_title_types()
    types = list(TitleType.objects.prefetch_related("prerequisites").order_by("sort_order"))
    city = plan.region
    districts = list(Region.objects.filter(parent=city).order_by("sort_order", "code"))
    indicators = {i.number: i for i in plan.indicators.prefetch_related("year_targets")}
    floors: dict[int, dict[int, float]] = defaultdict(dict)
    for target in RegionTarget.objects.filter(indicator__plan=plan).select_related("indicator"):
        floors[target.indicator.number][target.region_id] = float(target.floor)
    rng = random.Random(f"{seed}/cultivation")
    # The years the enterprises have approved figures for (a rerun may ask for more than there
    # are; a report merely filed carries its scale status forward, but has no approved figures).
    reported = set(
        YearlyReport.objects.filter(status=ReportStatus.CITY_APPROVED)
        .values_list("year", flat=True)
        .distinct()
    )
    years = [y for y in years if y in reported]
    flow_years = [y for y in years if plan.first_year <= y <= plan.last_year]
    base_years = list(range(plan.base_year - BASE_YEARS + 1, plan.base_year + 1))
    status_year = min(years) if years else plan.base_year
    scale = scale_for(ScaleStatus.objects.filter(year=status_year, above_scale=True).count())
    counted = {
        t.code: indicators[t.indicator_number]
        for t in types
        if t.indicator_number in indicators and t.indicator_number in floors
    }
    needed = sum(float(i.target) * scale for i in counted.values() if i.kind == IndicatorKind.STOCK)
    experts, experts_created = demo_experts()
    if len(experts) < 2:
        raise DemoStepError("找不到演示专家账号：请先创建演示账号。")
    actors = demo_actors(districts, experts)
    firms = load_firms(
        city,
        districts,
        round(needed),
        (actors.member_firm_id,) if actors.member_firm_id else (),
    )
    log(f"梯度培育：读取 {len(firms)} 家企业；企业类称号按 {scale * 100:.3g}% 的规模生成。")
    paces = district_paces(districts, rng)
    shared = dict(
        base_year=plan.base_year,
        first_year=plan.first_year,
        last_year=plan.last_year,
        scale=scale,
        rng=rng,
    )
    quotas = {}
    for title_type in types:
        indicator = counted.get(title_type.code)
        if indicator is None:
            continue
        capacity = None
        if title_type.above_scale_only:
            window = set(range(plan.base_year, flow_years[-1] + 1 if flow_years else 0))
            capacity = Counter(f.district_id for f in firms if f.above & window)
        quotas[title_type.code] = quota(
            indicator,
            floors[indicator.number],
            paces,
            flow_years,
            capacity=capacity,
            **shared,
        )
    cluster_sizes = Counter((f.district_id, f.cluster_id) for f in firms if f.cluster_id)
    all_clusters = {c.pk: c for c in IndustryCluster.objects.all()}
    clusters = {
        d.pk: sorted(
            (all_clusters[c] for (district, c) in cluster_sizes if district == d.pk),
            key=lambda c: (-cluster_sizes[(d.pk, c.pk)], c.sort_order, c.code),
        )
        for d in districts
    }
    records = Records(rng=rng, actors=actors, city=city, first_ids=first_ids())
    for year in [*flow_years, OPEN_YEAR]:
        for title_type in types:
            records.batch(title_type, year)
    firm_by_id = {f.id: f for f in firms}
    allocation = Allocation(
        rng=rng,
        records=records,
        types=types,
        districts=districts,
        firms=firms,
        quotas=quotas,
        clusters=clusters,
        paces=paces,
        member=firm_by_id.get(actors.member_firm_id),
        base_candidates=base_candidates(indicators[2].base_note if 2 in indicators else ""),
    )
    allocation.run(base_years, flow_years, plan.base_year)
    first_waiting = len(records.applications)
    allocation.waiting(experts)
    last_year = flow_years[-1] if flow_years else plan.base_year
    for title in records.titles:
        title["published"] = title["year"] < last_year or not flow_years
    # Two titles are revoked in the year before the last (2023), none before the plan.
    revoke_year = flow_years[-2] if len(flow_years) > 1 else last_year
    revocations = allocation.revocations(revoke_year) if flow_years else []

    stored = []
    try:
        with transaction.atomic():
            stored = write(records)
            for row, revoked_on, reason in revocations:
                # As revoke_title() records it: a second history entry, by the city admin.
                title = Title.objects.get(pk=row["id"])
                title.revoked_on, title.revoke_reason = revoked_on, reason
                mark_change(title, f"摘牌：{reason}")
                title._history_user = actors.admin
                title.save(update_fields=["revoked_on", "revoke_reason"])
    except Exception:
        for name in stored:
            delete_attachment(name)
        raise

    result = CultivationDemoResult(
        titles=len(records.titles),
        base_titles=sum(1 for t in records.titles if t["year"] <= plan.base_year),
        revoked=len(revocations),
        applications=len(records.applications),
        waiting=len(records.applications) - first_waiting,
        batches=len(records.batches),
        scale=scale,
        flow_years=flow_years,
        base_year=plan.base_year,
        experts_created=experts_created,
    )
    names = {d.pk: d.name for d in districts}
    type_names = {t.pk: t.name for t in types}
    for title in records.titles:
        type_name = type_names[title["title_type_id"]]
        year = max(title["year"], plan.base_year)
        result.by_type_year.setdefault(type_name, Counter())[year] += 1
        if title["year"] > plan.base_year:
            result.by_district.setdefault(names[title["region_id"]], Counter())[type_name] += 1
    result.waiting_by_status = Counter(a["status"] for a in records.applications[first_waiting:])
    result.seconds = time.perf_counter() - started
    for type_name, counts in result.by_type_year.items():
        years_text = "，".join(
            f"{y}{'年及以前' if y == plan.base_year else '年'} {n}"
            for y, n in sorted(counts.items())
        )
        log(f"  {type_name}：{years_text}")
    return result


def summary(result: CultivationDemoResult) -> str:
    span = result.flow_years
    years = f"{span[0]}—{span[-1]} 年" if len(span) > 1 else (f"{span[0]} 年" if span else "")
    text = (
        f"梯度培育：已生成认定称号 {result.titles} 个（{result.base_year} 年及以前 "
        f"{result.base_titles} 个，{years}新增 {result.titles - result.base_titles} 个，"
        f"摘牌 {result.revoked} 个），申报 {result.applications} 份（{OPEN_YEAR} 年待办 "
        f"{result.waiting} 份），申报批次 {result.batches} 个"
    )
    if result.scale < 1:
        text += f"；企业类称号按规上企业数缩放为方案数的 {result.scale * 100:.3g}%"
    if result.experts_created:
        password = next(a for a in DEMO_ACCOUNTS if a.role == Role.EXPERT).password
        text += f"；新建评审专家账号 {'、'.join(result.experts_created)}（密码 {password}）"
    return text + f"，用时 {result.seconds:.1f} 秒。"


@register_demo_step("cultivation", order=20)
def cultivation_demo_step(*, seed: int, years: range, stdout=None) -> str:
    if not registry_is_empty():
        titles, applications = Title.objects.count(), Application.objects.count()
        return (
            f"梯度培育：库中已有 {titles} 个认定称号、{applications} 份申报，"
            "保留现有数据，不再生成。"
        )
    log = stdout.write if stdout is not None else None
    return summary(generate_cultivation_demo(seed=seed, years=years, log=log))
