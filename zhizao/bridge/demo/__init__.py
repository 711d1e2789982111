"""Demo data of 新智造鹊桥: the libraries, needs and matches `zhizao demo` adds.

What it makes
-------------
- 智造标准: 60 real national standards (standards.py: code and title are facts), published.
- Invented, fitting Shaoxing's clusters (印染, 化纤, 集成电路, 电机, 黄酒, 珍珠, 厨电, 医药 …;
  catalogue.py): about 40 信息工程服务商 with their districts, clusters, staff, delivered projects
  and ratings; 2–4 解决方案 each with a typical investment range; 1–3 典型案例 each, done for an
  enterprise of the registry in its cluster with before/after results; about 60 智能装备, 45 软件
  系统, 50 专家 and 24 金融产品. Most entries are published; some wait for review (待审核), a few
  are drafts and one is unpublished with a reason, so that each queue has work.
- The demo provider account (`provider`) maintains 绍兴智联织造数字科技有限公司 with its solutions
  and cases (one solution waiting for review, one a draft); the demo expert (`expert`) maintains
  its own profile.
- 30 needs of the demo enterprises over the last ten months (three of them the demo
  enterprise user's), each matched by the real matcher (matching.rank) over the search index,
  and their matches at every step: recommended, contacted, negotiating, signed with a contract
  value, delivered, or closed with a reason; the demo provider's matches also at every step.
- Then the search index is rebuilt (search.rebuild_index), registries included.

Rows are written in bulk (bulk_create_with_history: each row with its creation entry in the
history table, reason 生成演示数据), a many-to-many table in one insert. The same seed gives the
same data. The step writes only into an empty bridge (no entries and no needs) and otherwise
keeps what is there.
"""

import datetime
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from zhizao.accounts.services import DEMO_ACCOUNTS
from zhizao.bridge.demo import catalogue as cat
from zhizao.bridge.demo.standards import STANDARDS
from zhizao.bridge.libraries import LIBRARIES
from zhizao.bridge.models import (
    Case,
    EntryStatus,
    Equipment,
    ExpertProfile,
    FinancialProduct,
    Match,
    MatchStatus,
    MatchStep,
    Need,
    NeedStatus,
    Provider,
    Software,
    Solution,
    Standard,
    StandardStatus,
)
from zhizao.core.demo_steps import DemoStepError, register_demo_step
from zhizao.core.models import IndustryCluster, Region, RegionLevel
from zhizao.core.roles import Role
from zhizao.enterprises.demo.identities import make_uscc
from zhizao.enterprises.models import Enterprise

HISTORY_REASON = "生成演示数据"
DEFAULT_SEED = 20210901
PROVIDERS = 40
NEEDS = 30
MATCHES_PER_NEED = 8
CHUNK = 500
ENTRY_MODELS = (
    Standard, Equipment, Software, Provider, Solution, ExpertProfile, FinancialProduct, Case,
)  # fmt: skip


@dataclass
class BridgeDemoResult:
    entries: Counter = field(default_factory=Counter)  # library label → entries
    statuses: Counter = field(default_factory=Counter)  # status label → entries
    needs: int = 0
    matches: Counter = field(default_factory=Counter)  # status label → matches
    provider_matches: Counter = field(default_factory=Counter)
    contract_value: Decimal = Decimal(0)
    closed_needs: int = 0
    phases: dict[str, float] = field(default_factory=dict)  # phase → seconds
    indexed: int = 0
    seconds: float = 0.0


def bridge_is_empty() -> bool:
    return not (any(m.objects.exists() for m in ENTRY_MODELS) or Need.objects.exists())


def _account(role: Role):
    account = next(a for a in DEMO_ACCOUNTS if a.role == role)
    return get_user_model().objects.filter(username=account.username, is_active=True).first()


def _money(value: float) -> Decimal:
    return Decimal(str(round(value, 2))).quantize(Decimal("0.01"))


def _round_to(value: float, step: int) -> int:
    return max(step, int(round(value / step) * step))


class Builder:
    """Makes the entries in memory (unsaved), then writes them in bulk."""

    def __init__(self, rng: random.Random, now: datetime.datetime):
        self.rng, self.now = rng, now
        self.clusters = {c.code: c for c in IndustryCluster.objects.all()}
        self.districts = list(
            Region.objects.filter(level=RegionLevel.COUNTY).order_by("sort_order")
        )
        self.district_by_name = {d.name: d for d in self.districts}
        self.firms = list(
            Enterprise.objects.filter(cluster__isnull=False).values(
                "id", "name", "region_id", "cluster__code", "industry_division"
            )
        )
        self.provider_user = _account(Role.PROVIDER)
        self.expert_user = _account(Role.EXPERT)
        self.enterprise_user = _account(Role.ENTERPRISE)
        # entry → its many-to-many values, written after the rows
        self.m2m: dict[int, dict[str, list]] = {}
        self.entries: dict[type, list] = {model: [] for model in ENTRY_MODELS}
        self.brands: dict[int, str] = {}

    # --- common fields ------------------------------------------------------------------------

    def _stamp(self, entry, status: str, days_back: int = 720):
        created = self.now - datetime.timedelta(
            days=self.rng.randint(30, days_back), minutes=self.rng.randint(0, 1440)
        )
        entry.status = status
        entry.is_published = status == EntryStatus.PUBLISHED
        entry.created_at = created
        updated = created + datetime.timedelta(days=self.rng.randint(0, 20))
        entry.updated_at = min(updated, self.now)
        if status in (EntryStatus.PUBLISHED, EntryStatus.UNPUBLISHED):
            entry.published_at = entry.updated_at
        return entry

    def _add(self, entry, status=EntryStatus.PUBLISHED, clusters=(), maintainers=(), **m2m):
        self._stamp(entry, status)
        self.entries[type(entry)].append(entry)
        self.m2m[id(entry)] = {
            "clusters": [self.clusters[c] for c in dict.fromkeys(clusters) if c in self.clusters],
            "maintainers": [u for u in maintainers if u is not None],
            **m2m,
        }
        return entry

    def _status(self, published_share: float = 0.9) -> str:
        draw = self.rng.random()
        if draw < published_share:
            return EntryStatus.PUBLISHED
        return EntryStatus.PENDING if draw < published_share + 0.07 else EntryStatus.DRAFT

    @staticmethod
    def _industries(keys) -> list[cat.Industry]:
        return [cat.INDUSTRIES[k] for k in keys]

    @staticmethod
    def _fit(industries) -> tuple[list[str], list[str]]:
        clusters = list(dict.fromkeys(i.cluster for i in industries))
        divisions = list(dict.fromkeys(d for i in industries for d in i.divisions))
        return clusters, divisions

    # --- standards ----------------------------------------------------------------------------

    def standards(self):
        for spec in STANDARDS:
            entry = Standard(
                code=spec.code,
                title=spec.title,
                standard_status=StandardStatus.REPEALED
                if spec.repealed
                else StandardStatus.CURRENT,
                issued_on=datetime.date.fromisoformat(spec.issued) if spec.issued else None,
                effective_on=datetime.date.fromisoformat(spec.effective)
                if spec.effective
                else None,
                scope_text=spec.scope,
                subdomains=list(spec.subdomains),
                divisions=list(spec.divisions),
                description=f"{spec.code}《{spec.title}》。{spec.scope}",
            )
            self._add(entry, clusters=spec.clusters)

    # --- providers, their solutions and cases -------------------------------------------------

    def providers(self, count: int):
        names: set[str] = set()
        demo = cat.DEMO_PROVIDER
        self._provider(
            name=demo["name"],
            brand="智联织造",
            industries=self._industries(demo["industries"]),
            themes=list(demo["themes"]),
            regions=[
                self.district_by_name[n] for n in demo["regions"] if n in self.district_by_name
            ],
            qualifications=demo["qualifications"],
            staff=demo["staff"],
            delivered=demo["delivered"],
            rating=Decimal(demo["rating"]),
            contact=demo["contact"],
            description=demo["description"],
            maintainers=[self.provider_user],
            demo=True,
        )
        names.add(demo["name"])
        industry_keys = list(cat.INDUSTRIES)
        for number in range(1, count):
            for _ in range(100):
                place = self.rng.choice(cat.PLACES)
                core = self.rng.choice(cat.PROVIDER_CORES)
                name = f"{place}{core}{self.rng.choice(cat.PROVIDER_SUFFIXES)}"
                if name not in names:
                    break
            names.add(name)
            main = cat.INDUSTRIES[industry_keys[number % len(industry_keys)]]
            related = [k for k in cat.CLUSTER_INDUSTRIES[main.cluster] if k != main.key]
            extra = self.rng.sample(industry_keys, k=self.rng.choice((0, 0, 1, 2)))
            industries = self._industries(dict.fromkeys([main.key, *related[:1], *extra]))
            themes = self.rng.sample(list(cat.THEMES), k=self.rng.randint(2, 4))
            citywide = self.rng.random() < 0.25
            regions = (
                self.districts
                if citywide
                else self.rng.sample(self.districts, k=self.rng.randint(1, 3))
            )
            quals = self.rng.sample(cat.QUALIFICATIONS, k=self.rng.randint(1, 4))
            staff = self.rng.randint(12, 260)
            fields_text = "、".join(i.name for i in industries)
            offers = "、".join(cat.THEMES[t].title.format(industry="").strip() for t in themes)
            self._provider(
                name=name,
                brand=f"{place}{core}",
                industries=industries,
                themes=themes,
                regions=sorted(regions, key=lambda r: r.sort_order),
                qualifications="\n".join(quals),
                staff=staff,
                delivered=max(3, int(staff * self.rng.uniform(0.2, 0.9))),
                rating=None
                if self.rng.random() < 0.12
                else _money(self.rng.uniform(3.6, 4.95)).quantize(Decimal("0.01")),
                contact=f"0575-8{self.rng.randint(1000000, 9999999)}",
                description=f"服务{fields_text}等行业的智能制造工程服务商，提供{offers}等服务，"
                f"技术人员 {staff} 人，服务{'全市' if citywide else '、'.join(r.name for r in regions)}。",
                maintainers=[],
                demo=False,
            )

    def _provider(self, *, name, brand, industries, themes, regions, maintainers, demo, **data):
        clusters, divisions = self._fit(industries)
        subdomains = list(dict.fromkeys(s for t in themes for s in cat.THEMES[t].subdomains))
        serial = 90_000_000 + len(self.entries[Provider])
        provider = Provider(
            name=name,
            uscc=make_uscc(regions[0].code if regions else "330600", serial, True),
            qualifications=data["qualifications"],
            staff=data["staff"],
            delivered_projects=data["delivered"],
            rating=data["rating"],
            contact=data["contact"],
            description=data["description"],
            subdomains=subdomains,
            divisions=divisions,
        )
        status = EntryStatus.PUBLISHED if demo or self.rng.random() < 0.93 else EntryStatus.PENDING
        self._add(provider, status, clusters, maintainers, regions_served=list(regions))
        self.brands[id(provider)] = brand
        # its solutions: its themes in its main industry, and one of its industries' specials
        main = industries[0]
        plan = [(main, theme) for theme in themes]
        specials = [s for s in cat.SPECIAL_SOLUTIONS if s[0] in {i.key for i in industries}]
        if specials and (demo or self.rng.random() < 0.6):
            plan.append(self.rng.choice(specials))
        solutions = []
        for item in plan:
            status = EntryStatus.PUBLISHED if demo else self._status(0.9)
            solutions.append(self._solution(provider, brand, item, status, maintainers))
        if demo:
            # a draft and a solution under review, so that the demo login has work
            solutions.append(
                self._solution(provider, brand, (main, "safety"), EntryStatus.DRAFT, maintainers)
            )
            solutions.append(
                self._solution(
                    provider, brand, (industries[1], "workshop"), EntryStatus.PENDING, maintainers
                )
            )
        published = [s for s in solutions if s.status == EntryStatus.PUBLISHED]
        cases = 3 if demo else self.rng.choice((1, 1, 2, 2, 3))
        for number in range(cases):
            if not published:
                break
            solution = published[number % len(published)]
            status = EntryStatus.PUBLISHED if demo else self._status(0.9)
            self._case(provider, solution, regions, status, maintainers)
        if demo:
            self._case(provider, published[0], regions, EntryStatus.PENDING, maintainers)

    def _solution(self, provider, brand, item, status, maintainers):
        if isinstance(item[1], str) and item[1] in cat.THEMES:
            industry, theme_key = item
            theme = cat.THEMES[theme_key]
            title = theme.title.format(industry=industry.name)
            subdomains, (low, high) = theme.subdomains, theme.investment
            text = theme.text.format(industry=industry.name)
        else:
            key, title, subdomains, (low, high), text = item
            industry, theme_key = cat.INDUSTRIES[key], "workshop"
        low = _round_to(low * self.rng.uniform(0.8, 1.2), 10)
        high = max(low + 10, _round_to(high * self.rng.uniform(0.8, 1.2), 10))
        clusters, divisions = self._fit([industry])
        solution = Solution(
            title=f"{brand}{title}",
            investment_min=Decimal(low),
            investment_max=Decimal(high),
            subdomains=list(subdomains),
            divisions=divisions,
            description=text,
        )
        solution._provider = provider
        solution._industry = industry
        solution._theme = theme_key
        return self._add(solution, status, clusters, maintainers)

    def _case(self, provider, solution, regions, status, maintainers):
        industry, theme = solution._industry, cat.THEMES[solution._theme]
        region_ids = {r.pk for r in regions}
        firms = [f for f in self.firms if f["cluster__code"] == industry.cluster] or self.firms
        preferred = [f for f in firms if f["region_id"] in region_ids] or firms
        taken = {c._firm_id for c in self.entries[Case] if getattr(c, "_firm_id", None)}
        choices = [f for f in preferred if f["id"] not in taken] or preferred
        firm = self.rng.choice(choices) if choices else None
        firm_name = firm["name"] if firm else f"绍兴某{industry.noun}"
        suffix = CASE_SUFFIXES[solution._theme]
        title = f"{firm_name}{suffix}"
        titles = {c.title for c in self.entries[Case]}
        if title in titles:
            title = f"{firm_name}{suffix}（二期）"
        low, high = float(solution.investment_min), float(solution.investment_max)
        investment = _round_to(self.rng.uniform(low, high), 5)
        case = Case(
            title=title,
            enterprise_id=firm["id"] if firm else None,
            enterprise_name=firm_name,
            problem=theme.problem,
            approach=f"{theme.approach}由{provider.name}实施，采用「{solution.title}」。",
            investment=Decimal(investment),
            results=self._results(theme.metrics),
            subdomains=list(solution.subdomains),
            divisions=list(solution.divisions),
            description=f"{firm_name}（{industry.name}）{suffix}，投资 {investment} 万元。",
        )
        case._provider, case._solution = provider, solution
        case._firm_id = firm["id"] if firm else None
        return self._add(case, status, [industry.cluster], maintainers)

    def _results(self, key: str) -> list[dict]:
        rows = []
        for name, unit, (low, high), (f_low, f_high), places in cat.METRICS[key]:
            before = self.rng.uniform(low, high)
            after = before * self.rng.uniform(f_low, f_high)
            if unit == "%":
                after = min(after, 99.9)
            rows.append(
                {
                    "name": name,
                    "unit": unit,
                    "before": f"{before:.{places}f}",
                    "after": f"{after:.{places}f}",
                }
            )
        return rows

    # --- equipment, software, experts, finance ------------------------------------------------

    def equipment(self):
        for name, category, keys, subdomains, specs in cat.EQUIPMENT_DESIGNS:
            industries = self._industries(keys)
            clusters, divisions = self._fit(industries)
            for copy in range(self.rng.choice((1, 2, 2))):
                maker = f"{self.rng.choice(cat.PLACES)}{self.rng.choice(cat.MAKER_CORES)}有限公司"
                label = (
                    name
                    if copy == 0
                    else f"{name}（{self.rng.choice(('Ⅱ型', '增强型', '经济型'))}）"
                )
                first = self.rng.random() < 0.12
                fit = "、".join(i.name for i in industries) or "各类制造"
                self._add(
                    Equipment(
                        name=label,
                        maker=maker,
                        category=category,
                        specifications=specs,
                        first_of_kind=first,
                        subdomains=list(subdomains),
                        divisions=divisions,
                        description=f"{maker}生产的{category}，适用于{fit}企业。{specs}。"
                        + ("列入首台（套）装备。" if first else ""),
                    ),
                    self._status(0.92),
                    clusters,
                )

    def software(self):
        for name, category, keys, subdomains, deployment in cat.SOFTWARE_PRODUCTS:
            industries = self._industries(keys)
            clusters, divisions = self._fit(industries)
            editions = self.rng.sample(cat.SOFTWARE_EDITIONS, k=self.rng.choice((1, 1, 2)))
            for edition in editions:
                vendor = f"{self.rng.choice(cat.PLACES)}{self.rng.choice(('软件', '信息技术', '数字科技', '云计算'))}有限公司"
                fit = "、".join(i.name for i in industries) or "离散和流程制造"
                label = dict(Software._meta.get_field("category").choices)[category]
                self._add(
                    Software(
                        name=f"{name}{edition}",
                        category=category,
                        vendor=vendor,
                        deployment=deployment,
                        subdomains=list(subdomains),
                        divisions=divisions,
                        description=f"{vendor}开发的{label}，面向{fit}企业。",
                    ),
                    self._status(0.92),
                    clusters,
                )

    def experts(self, count: int):
        names: set[tuple[str, str]] = set()
        for number in range(count):
            expertise, keys, subdomains = cat.EXPERT_FIELDS[number % len(cat.EXPERT_FIELDS)]
            demo = number == 0 and self.expert_user is not None
            for _ in range(100):
                name = self.rng.choice(cat.SURNAMES) + self.rng.choice(cat.GIVEN_NAMES)
                affiliation = self.rng.choice(cat.AFFILIATIONS)
                if (name, affiliation) not in names:
                    break
            if demo:
                name = self.expert_user.full_name or self.expert_user.username
            names.add((name, affiliation))
            industries = self._industries(keys)
            clusters, divisions = self._fit(industries)
            title = self.rng.choice(cat.PROFESSIONAL_TITLES)
            years = self.rng.randint(10, 30)
            self._add(
                ExpertProfile(
                    name=name,
                    user=self.expert_user if demo else None,
                    expertise=expertise,
                    professional_title=title,
                    affiliation=affiliation,
                    subdomains=list(subdomains),
                    divisions=divisions,
                    description=f"{title}，从事{expertise}工作 {years} 年，参与智能化改造项目诊断和评审。",
                ),
                EntryStatus.PUBLISHED if demo else self._status(0.94),
                clusters,
                [self.expert_user] if demo else [],
            )

    def finance(self):
        institutions = ("越州银行绍兴分行", "鉴水农商银行", "兰亭商业银行", "镜湖银行绍兴分行")
        for position, item in enumerate(cat.FINANCE_PRODUCTS):
            name, institution, kind, (low, high), limit, eligibility = item
            copies = [institution]
            if kind == "loan" and position % 2 == 0:
                copies.append(self.rng.choice([i for i in institutions if i != institution]))
            for copy, who in enumerate(copies):
                shift = self.rng.uniform(-0.2, 0.2) if copy else 0
                status = EntryStatus.PUBLISHED
                reason = ""
                if position == 10 and copy == 0:
                    status, reason = EntryStatus.UNPUBLISHED, "该产品已停办，待机构更新产品信息"
                entry = FinancialProduct(
                    name=name,
                    institution=who,
                    product_type=kind,
                    rate_min=Decimal(str(round(max(low + shift, 0.05), 3))),
                    rate_max=Decimal(str(round(high + shift, 3))),
                    limit=Decimal(limit),
                    eligibility=eligibility,
                    subdomains=[],
                    description=f"{who}面向智能化改造推出的{dict(FinancialProduct._meta.get_field('product_type').choices)[kind]}产品：{eligibility}",
                    unpublish_reason=reason,
                )
                self._add(entry, status)

    # --- writing ------------------------------------------------------------------------------

    def write(self, stamp: datetime.datetime) -> None:
        history = {"default_change_reason": HISTORY_REASON, "default_date": stamp}
        for model in ENTRY_MODELS:
            rows = self.entries[model]
            for row in rows:
                if model in (Solution, Case):
                    row.provider = row._provider
                if model is Case:
                    row.solution = row._solution
            created_at = {id(row): (row.created_at, row.updated_at) for row in rows}
            saved = bulk_create_with_history(rows, model, batch_size=CHUNK, **history)
            for row, original in zip(saved, rows, strict=True):
                row.created_at, row.updated_at = created_at[id(original)]
                self.m2m[id(row)] = self.m2m[id(original)]
            # auto_now(_add) stamped them now: give them their own times
            model.objects.bulk_update(saved, ["created_at", "updated_at"], batch_size=CHUNK)
            self.entries[model] = saved
            self._write_m2m(model, saved)

    def _write_m2m(self, model, rows) -> None:
        for name in ("clusters", "maintainers", "regions_served"):
            if name not in {f.name for f in model._meta.many_to_many}:
                continue
            relation = model._meta.get_field(name)
            through = relation.remote_field.through
            source, target = relation.m2m_field_name(), relation.m2m_reverse_field_name()
            links = [
                through(**{f"{source}_id": row.pk, f"{target}_id": other.pk})
                for row in rows
                for other in self.m2m[id(row)].get(name, [])
            ]
            through.objects.bulk_create(links, batch_size=CHUNK)


CASE_SUFFIXES = {
    "workshop": "数字化车间建设",
    "mes": "MES制造执行系统实施",
    "warehouse": "智能仓储物流改造",
    "energy": "能源管理系统建设",
    "maintenance": "设备联网与预测性维护",
    "vision": "机器视觉质量检测改造",
    "aps": "APS计划排程上线",
    "platform": "设备上云改造",
    "robot": "机器换人改造",
    "safety": "安全环保在线监测建设",
    "plm": "PLM研发协同平台建设",
    "supply": "供应链协同平台建设",
    "security": "工控网络安全防护改造",
    "service": "产品远程运维平台建设",
    "consulting": "智能制造诊断与规划",
}


# --- needs and matches -----------------------------------------------------------------------

# How far a need's best match got, and how often (the rest stay recommended).
STAGES = (
    ("recommended", 0.22),
    ("contacted", 0.18),
    ("negotiating", 0.16),
    ("signed", 0.2),
    ("delivered", 0.14),
    ("closed", 0.10),
)
FLOW = ("recommended", "contacted", "negotiating", "signed", "delivered")
SIGNERS = ("solution", "provider", "case")


class NeedMaker:
    def __init__(self, builder: Builder, rng: random.Random, now: datetime.datetime):
        self.builder, self.rng, self.now = builder, rng, now
        self.clusters = builder.clusters
        self.firms = builder.firms
        self.members: dict[int, object] = {}

    def _firm_for(self, industry: cat.Industry | None, used: set[int]):
        candidates = [f for f in self.firms if f["id"] not in used]
        if industry is not None:
            fitting = [f for f in candidates if f["cluster__code"] == industry.cluster]
            exact = [f for f in fitting if f["industry_division"] in industry.divisions]
            candidates = exact or fitting or candidates
        return self.rng.choice(candidates) if candidates else None

    def needs(self, count: int) -> list[Need]:
        member = self.builder.enterprise_user
        member_firm = (
            member.enterprises.select_related("cluster").order_by("id").first() if member else None
        )
        plans = []  # (firm dict, template, created_at, created_by)
        used: set[int] = set()
        if member_firm is not None:
            code = getattr(member_firm.cluster, "code", None)
            specific = [
                t for t in cat.NEED_TEMPLATES if t[0] and cat.INDUSTRIES[t[0]].cluster == code
            ]
            general = [t for t in cat.NEED_TEMPLATES if t[0] is None]
            chosen = (specific[:2] + general)[:3]
            firm = {
                "id": member_firm.pk,
                "name": member_firm.name,
                "region_id": member_firm.region_id,
                "cluster__code": getattr(member_firm.cluster, "code", None),
                "industry_division": member_firm.industry_division,
            }
            used.add(member_firm.pk)
            for position, template in enumerate(chosen):
                plans.append((firm, template, 25 + position * 70, member))
        # the demo provider's ground (印染 in its districts) gets needs of its own
        textile = [t for t in cat.NEED_TEMPLATES if t[0] in ("dyeing", "weaving", "fibre")]
        for position in range(count - len(plans)):
            if position < 8:
                template = textile[position % len(textile)]
            else:
                template = cat.NEED_TEMPLATES[position % len(cat.NEED_TEMPLATES)]
            industry = cat.INDUSTRIES[template[0]] if template[0] else None
            firm = self._firm_for(industry, used)
            if firm is None:
                break
            used.add(firm["id"])
            plans.append((firm, template, self.rng.randint(3, 300), None))
        needs = []
        for firm, (key, _theme, title, description, (low, high)), days, author in plans:
            industry = cat.INDUSTRIES[key] if key else None
            theme = cat.THEMES[_theme]
            created = self.now - datetime.timedelta(days=days, hours=self.rng.randint(0, 10))
            low = _round_to(low * self.rng.uniform(0.8, 1.1), 10)
            high = max(low + 10, _round_to(high * self.rng.uniform(0.9, 1.2), 10))
            need = Need(
                enterprise_id=firm["id"],
                region_id=firm["region_id"],
                title=title,
                description=description,
                cluster=self.clusters.get(firm["cluster__code"]),
                subdomains=list(theme.subdomains[:3]),
                budget_min=Decimal(low),
                budget_max=Decimal(high),
                deadline=(created + datetime.timedelta(days=self.rng.randint(150, 400))).date(),
                status=NeedStatus.OPEN,
                created_by=author,
            )
            need._created = created
            need._industry = industry
            need._demo_member = author is not None
            needs.append(need)
        return needs

    def write_needs(self, needs: list[Need], stamp) -> list[Need]:
        created = [n._created for n in needs]
        saved = bulk_create_with_history(
            needs, Need, batch_size=CHUNK, default_change_reason=HISTORY_REASON, default_date=stamp
        )
        for need, when, original in zip(saved, created, needs, strict=True):
            need.created_at = when
            need._demo_member = original._demo_member
        Need.objects.bulk_update(saved, ["created_at"], batch_size=CHUNK)
        return saved


def _stage(rng: random.Random) -> str:
    return rng.choices([s for s, _ in STAGES], weights=[w for _, w in STAGES])[0]


def _trail(match, need, stage, actor, rng, now) -> list[tuple]:
    """The steps of a match walked to `stage`: (from, to, when, actor, comment)."""
    when = need.created_at + datetime.timedelta(minutes=1)
    trail = [("", "recommended", when, None, " · ".join(match.reasons))]
    if stage == "recommended":
        return trail
    days_since = max((now - need.created_at).days, 1)
    target = stage if stage != "closed" else rng.choice(("contacted", "negotiating"))
    for position in range(1, FLOW.index(target) + 1):
        when = min(
            when + datetime.timedelta(days=max(1, days_since // 6), hours=rng.randint(1, 9)),
            now - datetime.timedelta(hours=1),
        )
        status = FLOW[position]
        comment = rng.choice(cat.MATCH_COMMENTS[status])
        if status == "signed":
            low = float(need.budget_min or 50)
            high = max(float(need.budget_max or low * 2), low)
            match.contract_value = _money(_round_to(rng.uniform(low, high), 5))
            comment += f"合同金额 {match.contract_value} 万元。"
        trail.append((FLOW[position - 1], status, when, actor, comment))
    if stage == "closed":
        match.close_reason = rng.choice(cat.CLOSE_REASONS)
        trail.append((trail[-1][1], "closed", min(when + datetime.timedelta(days=3), now),
                      actor, match.close_reason))  # fmt: skip
    return trail


def match_needs(needs: list[Need], rng: random.Random, now, stamp, provider_user, result):
    """Rank each need with the matcher, keep the best as matches, and walk one match of each
    need to the need's stage (the demo provider's matches to every stage); a need whose best
    match was closed is sometimes closed as well, its other matches with it."""
    from zhizao.bridge.matching import rank
    from zhizao.bridge.needs import responders_of

    matches, closed_needs = [], []
    provider_plan = iter(("signed", "negotiating", "contacted", "delivered", "closed"))
    member_plan = iter(("signed", "contacted", "recommended"))
    for need in needs:
        ranked = [(r, responders_of(r)) for r in rank(need, limit=MATCHES_PER_NEED)]
        if not ranked:
            continue
        # contracts are signed with providers: walk the best solution, provider or case
        walked = next((r for r, _ in ranked if r.library in SIGNERS), ranked[0][0])
        stage = _stage(rng)
        if need._demo_member:
            stage = next(member_plan, stage)
        else:
            own = [r for r, people in ranked if provider_user in people]
            if own and (planned := next(provider_plan, None)) is not None:
                walked, stage = own[0], planned
        close_need = stage == "closed" and rng.random() < 0.5
        for place, (ranked_result, people) in enumerate(ranked, 1):
            match = Match(
                need=need,
                library=ranked_result.library,
                object_id=ranked_result.object_id,
                title=ranked_result.title[:300],
                score=Decimal(str(round(ranked_result.score, 4))),
                reasons=list(ranked_result.reasons),
                rank=place,
            )
            actor = people[0] if people else need.created_by
            match._trail = _trail(
                match, need, stage if ranked_result is walked else "recommended", actor, rng, now
            )
            if close_need and match._trail[-1][1] in ("recommended", "contacted", "negotiating"):
                match.close_reason = "需求已关闭：企业暂缓项目"
                when = max(match._trail[-1][2], now - datetime.timedelta(days=2))
                match._trail.append((match._trail[-1][1], "closed", when, None, match.close_reason))
            match.status = match._trail[-1][1]
            match._responders = people
            matches.append(match)
        if close_need:
            closed_needs.append(need.pk)
    saved = bulk_create_with_history(
        matches, Match, batch_size=CHUNK, default_change_reason=HISTORY_REASON, default_date=stamp
    )
    responders, steps = [], []
    for match in saved:
        match.created_at = match._trail[0][2]
        match.updated_at = match._trail[-1][2]
        for person in match._responders:
            responders.append(Match.responders.through(match_id=match.pk, user_id=person.pk))
        for from_status, to_status, when, actor, comment in match._trail:
            step = MatchStep(
                match=match, from_status=from_status, to_status=to_status, actor=actor,
                comment=comment,
            )  # fmt: skip
            step._when = when
            steps.append(step)
        result.matches[MatchStatus(match.status).label] += 1
        if provider_user is not None and provider_user in match._responders:
            result.provider_matches[MatchStatus(match.status).label] += 1
        if match.contract_value and match.status in (MatchStatus.SIGNED, MatchStatus.DELIVERED):
            result.contract_value += match.contract_value
    Match.objects.bulk_update(saved, ["created_at", "updated_at"], batch_size=CHUNK)
    Match.responders.through.objects.bulk_create(responders, batch_size=CHUNK)
    MatchStep.objects.bulk_create(steps, batch_size=CHUNK)
    for step in steps:
        step.created_at = step._when
    MatchStep.objects.bulk_update(steps, ["created_at"], batch_size=CHUNK)
    Need.objects.filter(pk__in=closed_needs).update(status=NeedStatus.CLOSED)
    result.closed_needs = len(closed_needs)


def generate_bridge_demo(
    *, seed: int = DEFAULT_SEED, needs: int = NEEDS, log=None
) -> BridgeDemoResult:
    started = time.perf_counter()
    log = log or (lambda message: None)
    if not bridge_is_empty():
        raise DemoStepError("库中已有新智造鹊桥数据（资源库条目或需求），演示数据只在空库中生成。")
    if not IndustryCluster.objects.exists():
        raise DemoStepError("找不到产业集群：请先加载方案（zhizao plan load default）。")
    rng = random.Random(f"{seed}/bridge")
    now = timezone.now()
    result = BridgeDemoResult()
    builder = Builder(rng, now)
    builder.standards()
    builder.providers(PROVIDERS)
    builder.equipment()
    builder.software()
    builder.experts(50)
    builder.finance()
    from zhizao.bridge.search import rebuild_index

    with transaction.atomic():
        builder.write(now)
        for model in ENTRY_MODELS:
            rows = builder.entries[model]
            result.entries[LIBRARIES[_library_of(model)].label] = len(rows)
            for row in rows:
                result.statuses[EntryStatus(row.status).label] += 1
        result.phases["生成与写入"] = time.perf_counter() - started
        log(f"新智造鹊桥：已写入资源库条目 {sum(result.entries.values())} 条。")
        mark = time.perf_counter()
        counts = rebuild_index()
        result.phases["检索索引"] = time.perf_counter() - mark
        log(f"新智造鹊桥：已重建检索索引 {sum(counts.values())} 条。")
        mark = time.perf_counter()
        maker = NeedMaker(builder, rng, now)
        written = maker.write_needs(maker.needs(needs), now)
        result.needs = len(written)
        match_needs(written, rng, now, now, builder.provider_user, result)
        result.phases["需求匹配"] = time.perf_counter() - mark
    result.indexed = sum(counts.values()) if isinstance(counts, dict) else 0
    result.seconds = time.perf_counter() - started
    return result


def _library_of(model) -> str:
    return next(code for code, spec in LIBRARIES.items() if spec.model is model)


def summary(result: BridgeDemoResult) -> str:
    entries = "，".join(f"{label} {n}" for label, n in result.entries.items())
    statuses = "、".join(f"{label} {n}" for label, n in result.statuses.items())
    matches = "、".join(f"{label} {n}" for label, n in result.matches.items())
    own = "、".join(f"{label} {n}" for label, n in result.provider_matches.items())
    phases = "，".join(f"{name} {seconds:.1f} 秒" for name, seconds in result.phases.items())
    return (
        f"新智造鹊桥：已生成资源库条目 {sum(result.entries.values())} 条（{entries}；{statuses}），"
        f"企业需求 {result.needs} 项，匹配 {sum(result.matches.values())} 项（{matches}；"
        f"演示服务商的 {own or '无'}），签约金额 {result.contract_value} 万元，"
        f"检索索引 {result.indexed} 条，用时 {result.seconds:.1f} 秒"
        + (f"（{phases}）。" if phases else "。")
    )


@register_demo_step("bridge", order=40)
def bridge_demo_step(*, seed: int, years: range, stdout=None) -> str:
    if not bridge_is_empty():
        entries = sum(m.objects.count() for m in ENTRY_MODELS)
        return (
            f"新智造鹊桥：库中已有 {entries} 条资源库条目、{Need.objects.count()} 项需求，"
            "保留现有数据，不再生成。"
        )
    log = stdout.write if stdout is not None else None
    return summary(generate_bridge_demo(seed=seed, log=(lambda m: log(m + "\n")) if log else None))
