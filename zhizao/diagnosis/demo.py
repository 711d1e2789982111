"""Demo data of the diagnosis service (诊断服务), the step `zhizao demo` runs after the demo
enterprises (core.demo_steps).

What it makes
-------------
- Submitted self-assessments over the four years up to the year after the demo's last report
  year (2022–2025 by default): each year some of the above-scale enterprises of that year
  assess themselves for the first time (3.5 % in the first year, 5 % in the last), and one that
  has assessed assesses again a later year one time in five; some 17 % of the above-scale
  enterprises have assessed at least once (about 1,000 assessments at the default size), near
  the national self-diagnosis platform's reach (over 110,000 of some 480,000 above-scale
  industrial enterprises by 2024).
- Their levels follow roughly the published national distribution: most at 一级 or below
  (about 28 % 未达一级, 44 % 一级), fewer at 二级 (17 %) and 三级 (8.5 %), very few above
  (四级 2 %, 五级 0.5 %), a little better in the districts the enterprise demo makes more
  digital, and improving a little when an enterprise assesses again.
- The demo enterprise user's enterprise: two submitted assessments (so its report has a
  history) and a draft for this year with about two thirds answered, to carry on with.
- Expert diagnoses by the demo expert (and a few by the demo provider): assigned and waiting,
  submitted and waiting for the enterprise, and acknowledged, with findings per domain, a
  proposal and the diagnostician's own scoring; one of the submitted ones is the demo
  enterprise's, waiting for its acknowledgement.

The scores are never invented: every answer sheet is generated from the enterprise's latent
capability and scored by the real scoring functions (scoring.score_answers). Rows are written
with bulk_create_with_history (one creation entry each, "生成演示数据"); the same seed gives the
same data. The step writes only when there are no self-assessments and no expert diagnoses, and
otherwise keeps what is there."""

import datetime
import random
import time
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from zhizao.accounts.services import DEMO_ACCOUNTS
from zhizao.core.deadlines import default_due_date
from zhizao.core.demo_steps import DemoStepError, register_demo_step
from zhizao.core.roles import Role
from zhizao.diagnosis.models import (
    AssessmentStatus,
    DiagnosisStatus,
    ExpertDiagnosis,
    IndustryType,
    SelfAssessment,
)
from zhizao.diagnosis.questionnaire import Questionnaire, load_questionnaire
from zhizao.diagnosis.scoring import Scores, score_answers
from zhizao.enterprises.models import Enterprise, ReportStatus, ScaleStatus, YearlyReport

REASON = "生成演示数据"
YEARS = 4
# The share of a year's above-scale enterprises that assess themselves for the first time, by
# position of the year in the span; and the chance one that has assessed does so again.
FIRST_SHARE = (0.035, 0.045, 0.05, 0.05)
AGAIN = 0.2
# The national distribution of maturity levels the demo draws from (0 未达一级 … 5 五级).
LEVEL_SHARES = (0.28, 0.44, 0.17, 0.085, 0.02, 0.005)
PROCESS_DIVISIONS = frozenset(
    {"13", "14", "15", "17", "22", "25", "26", "27", "28", "30", "31", "32"}
)
# Districts and clusters the enterprise demo makes more digital lean a little higher.
DISTRICT_LEAN = {"柯桥区": 0.1, "诸暨市": 0.08, "越城区": 0.04, "嵊州市": -0.08, "新昌县": -0.06}

FINDINGS = {
    "组织战略": "智能制造规划尚未纳入企业发展战略，缺少专门的推进机构和年度考核。",
    "人员技能": "一线员工数字化技能培训不足，缺少既懂工艺又懂信息化的复合型人才。",
    "数据": "生产数据分散在各车间的表格中，口径不一，未建立统一的数据平台。",
    "集成": "ERP 与车间设备、质量检测系统之间仍靠人工传递数据。",
    "信息安全": "生产网络与办公网络未隔离，缺少工控安全防护和数据备份制度。",
    "装备": "关键工序数控化率偏低，部分老旧设备不具备数据接口。",
    "网络": "车间网络覆盖不全，设备联网率不足一半。",
    "设计": "产品设计以二维图纸为主，设计与工艺数据未打通。",
    "生产": "计划排产依赖经验，生产进度和在制品靠人工统计，设备点检记录不全。",
    "物流": "原料和成品出入库靠纸质单据，库存账实不符时有发生。",
    "销售": "订单信息未与生产计划联动，交期承诺缺少依据。",
    "服务": "售后服务记录未系统化，缺少产品运行数据的回传与分析。",
}
MEASURES = (
    "建设 MES 系统并与 ERP 集成，实现计划、生产、质量数据贯通；",
    "对关键工序设备实施数控化和联网改造，建设设备管理平台；",
    "建设车间工业网络和数据采集平台，统一数据口径；",
    "引入 WMS 与条码管理，实现原料、在制品、成品全程追溯；",
    "建立智能制造推进小组，制定三年实施规划和人才培养计划；",
    "部署能源在线监测系统，开展重点用能设备能效分析。",
)
EFFECTS = (
    "生产效率提升约 15%，产品不良率下降约 20%，库存周转天数缩短约 25%。",
    "设备综合效率提升约 10 个百分点，人均产值提升约 20%。",
    "订单交付周期缩短约 30%，单位产值能耗下降约 8%。",
)


@dataclass
class DiagnosisDemoResult:
    assessments: int = 0
    enterprises: int = 0
    above_scale: int = 0
    by_level: dict[int, int] = field(default_factory=dict)
    diagnoses: dict[str, int] = field(default_factory=dict)
    draft_enterprise: str = ""
    years: range = range(0)
    seconds: float = 0.0


def registry_is_empty() -> bool:
    return not (SelfAssessment.objects.exists() or ExpertDiagnosis.objects.exists())


def assessment_years(years: range, today: datetime.date) -> range:
    """The four years up to the year after the last report year, never past this year."""
    last = min(years.stop, today.year) if len(years) else today.year
    return range(last - YEARS + 1, last + 1)


def _target_capability(rng: random.Random, lean: float) -> float:
    """A latent capability from 0 to 5 drawn from the national distribution of levels: an
    answer sheet generated from capability a scores S close to a (measured over the shipped
    questionnaire), and band k runs from S = k − 0.2 to k + 0.8."""
    band = rng.choices(range(6), weights=LEVEL_SHARES)[0]
    if band == 0:
        return rng.uniform(0.15, 0.7)
    if band == 5:
        return 5.5
    return band - 0.15 + rng.uniform(0, 0.7) + lean


def _noise(rng: random.Random, spread: float) -> float:
    """A bell-shaped draw of standard deviation `spread`: the sum of two uniforms, several times
    cheaper than random.gauss over the 151 requirements of some 1,000 sheets."""
    return (rng.random() + rng.random() - 1.0) * spread * 2.449


def answer_sheet(q: Questionnaire, rng: random.Random, capability: float) -> dict[str, str]:
    """Answers a plant of this capability would give: requirements of the levels it has
    reached mostly 全部满足, those of the next level partly met, those above mostly not."""
    spread = 0.14 if capability < 4 else 0.06 if capability < 5 else 0.03
    strength = {code: _noise(rng, spread) for code in q.subdomains}
    labels = list(q.scale)  # 不满足, 部分满足, 大部分满足, 全部满足
    full = len(labels)
    answers = {}
    for r in q.requirements:
        if r.not_applicable_allowed and rng.random() < 0.06:
            answers[r.id] = q.not_applicable
            continue
        met = min(max(capability - (r.level - 1), 0.0), 1.0)
        value = met + strength[r.subdomain] + _noise(rng, spread)
        if len(r.answers) < full:  # a yes-or-no requirement
            answers[r.id] = r.answers[-1] if value >= 0.7 else r.answers[0]
        else:
            answers[r.id] = labels[
                3 if value >= 0.85 else 2 if value >= 0.6 else 1 if value >= 0.3 else 0
            ]
    return answers


def _scored(record, scores: Scores) -> None:
    stored = scores.stored()
    record.total, record.level = scores.total, scores.level
    record.level_scores, record.domain_scores = stored["level_scores"], stored["domain_scores"]


def _moment(rng: random.Random, year: int, today: datetime.date) -> datetime.datetime:
    """A working day's moment in `year`, never after today."""
    last = min(datetime.date(year, 12, 20), today - datetime.timedelta(days=1))
    first = datetime.date(year, 3, 1)
    day = first + datetime.timedelta(days=rng.randrange(max((last - first).days, 1)))
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(rng.randint(9, 17))))


def _demo_user(role: Role, username: str | None = None):
    User = get_user_model()
    name = username or next(a.username for a in DEMO_ACCOUNTS if a.role == role)
    return User.objects.filter(username=name, is_active=True).first()


@transaction.atomic
def generate_diagnosis_demo(*, seed: int, years: range, log=None) -> DiagnosisDemoResult:
    started = time.perf_counter()
    today = timezone.localdate()
    span = assessment_years(years, today)
    q = load_questionnaire()
    rng = random.Random(seed * 7919 + 6)
    result = DiagnosisDemoResult(years=span)

    # The above-scale enterprises of each year (by the latest year of approved reports up to it:
    # a report merely filed carries its scale status forward, for a handful of enterprises only).
    status_years = sorted(
        set(
            YearlyReport.objects.filter(status=ReportStatus.CITY_APPROVED)
            .values_list("year", flat=True)
            .distinct()
        )
    )
    if not status_years:
        raise DemoStepError("诊断服务演示数据需要企业的规上状态：请先生成演示企业（zhizao demo）。")
    scale_year = {y: max((s for s in status_years if s <= y), default=None) for y in span}
    wanted = {s for s in scale_year.values() if s is not None}
    above: dict[int, set[int]] = {s: set() for s in wanted}
    for enterprise_id, year in ScaleStatus.objects.filter(
        year__in=wanted, above_scale=True
    ).values_list("enterprise_id", "year"):
        above[year].add(enterprise_id)
    ids = sorted(set().union(*above.values())) if above else []
    facts = {
        pk: (division, region, cluster)
        for pk, division, region, cluster in Enterprise.objects.filter(pk__in=ids).values_list(
            "pk", "industry_division", "region__name", "cluster__code"
        )
    }
    result.above_scale = len(above.get(scale_year[span[-1]], ()))

    member = _demo_user(Role.ENTERPRISE)
    own = (
        Enterprise.objects.filter(members=member).order_by("pk").values_list("pk", "name").first()
        if member
        else None
    )

    # Who assesses when, and how capable each is.
    capability = {pk: _target_capability(rng, DISTRICT_LEAN.get(facts[pk][1], 0)) for pk in ids}
    plan: list[tuple[int, int]] = []  # (enterprise, year)
    assessed: set[int] = set()
    for position, year in enumerate(span):
        pool = sorted(above.get(scale_year[year], ()))
        share = FIRST_SHARE[min(position, len(FIRST_SHARE) - 1)]
        for pk in pool:
            if own and pk == own[0]:
                continue
            if pk in assessed and rng.random() < AGAIN:
                plan.append((pk, year))
            elif pk not in assessed and rng.random() < share:
                plan.append((pk, year))
                assessed.add(pk)
    this_year = today.year
    draft_year = this_year
    if own:
        done_years = [y for y in span if y != draft_year][-2:]
        plan += [(own[0], y) for y in done_years]
        capability[own[0]] = 1.45  # a typical enterprise: 一级 moving towards 二级

    assessments = []
    first_year = span[0]
    for pk, year in plan:
        division = facts[pk][0] if pk in facts else ""
        kind = IndustryType.PROCESS if division in PROCESS_DIVISIONS else IndustryType.DISCRETE
        # An enterprise improves between its assessments.
        level_now = capability[pk] + 0.08 * (year - first_year) * rng.uniform(0.3, 1.2)
        answers = answer_sheet(q, rng, level_now)
        scores = score_answers(q, kind.key, answers)
        record = SelfAssessment(
            enterprise_id=pk,
            year=year,
            status=AssessmentStatus.SUBMITTED,
            questionnaire_version=q.version,
            industry_type=kind,
            answers=answers,
            submitted_at=_moment(rng, year, today),
            created_by=member if own and pk == own[0] else None,
        )
        _scored(record, scores)
        assessments.append(record)
        result.by_level[scores.level] = result.by_level.get(scores.level, 0) + 1
    if own:
        # This year's draft, about two thirds answered, domain by domain from the start.
        sheet = answer_sheet(q, rng, capability[own[0]] + 0.3)
        kept = q.requirements[: len(q.requirements) * 2 // 3]
        assessments.append(
            SelfAssessment(
                enterprise_id=own[0],
                year=draft_year,
                status=AssessmentStatus.DRAFT,
                questionnaire_version=q.version,
                industry_type=IndustryType.DISCRETE,
                answers={r.id: sheet[r.id] for r in kept},
                created_by=member,
            )
        )
        result.draft_enterprise = own[1]
    bulk_create_with_history(
        assessments, SelfAssessment, batch_size=500, default_change_reason=REASON
    )
    # Started a fortnight before submission (auto_now_add stamped them with now).
    SelfAssessment.objects.filter(submitted_at__isnull=False).update(
        started_at=F("submitted_at") - datetime.timedelta(days=14), updated_at=F("submitted_at")
    )
    result.assessments = sum(1 for a in assessments if a.status == AssessmentStatus.SUBMITTED)
    result.enterprises = len({a.enterprise_id for a in assessments})

    result.diagnoses = _diagnoses(q, rng, today, span, above, scale_year, facts, capability, own)
    result.seconds = time.perf_counter() - started
    if log:
        log(f"  诊断服务演示数据用时 {result.seconds:.2f} 秒。")
    return result


def _diagnoses(q, rng, today, span, above, scale_year, facts, capability, own) -> dict[str, int]:
    expert, provider = _demo_user(Role.EXPERT), _demo_user(Role.PROVIDER)
    assigners = [u for u in (_demo_user(Role.CITY_ADMIN),) if u]
    if expert is None:
        return {}
    pool = sorted(above.get(scale_year[span[-1]], ()))
    if own and own[0] in pool:
        pool.remove(own[0])
    rng.shuffle(pool)
    plan = [(expert, DiagnosisStatus.ACKNOWLEDGED)] * 42 + [(expert, DiagnosisStatus.SUBMITTED)] * 7
    plan += [(expert, DiagnosisStatus.ASSIGNED)] * 8
    if provider:
        plan += [(provider, DiagnosisStatus.ACKNOWLEDGED)] * 8 + [
            (provider, DiagnosisStatus.ASSIGNED)
        ] * 3
    targets = list(zip(pool, plan, strict=False))
    if own:
        targets.append((own[0], (expert, DiagnosisStatus.SUBMITTED)))
    records, counts = [], {}
    last_visit = today - datetime.timedelta(days=3)
    open_ones: dict[int, int] = {}
    for pk, (who, status) in targets:
        record = ExpertDiagnosis(
            enterprise_id=pk,
            diagnostician=who,
            assigned_by=assigners[0] if assigners else None,
            status=status,
            questionnaire_version=q.version,
        )
        if status != DiagnosisStatus.ASSIGNED:
            year = rng.choice(list(span))
            visit = min(_moment(rng, year, today).date(), last_visit)
            division = facts[pk][0] if pk in facts else ""
            kind = IndustryType.PROCESS if division in PROCESS_DIVISIONS else IndustryType.DISCRETE
            # The expert judges a little more strictly than enterprises judge themselves.
            answers = answer_sheet(q, rng, max(capability.get(pk, 1.0) - 0.15, 0.1))
            scores = score_answers(q, kind.key, answers)
            _scored(record, scores)
            weakest = sorted(
                (name for name, v in scores.domain_scores.items() if v is not None),
                key=lambda name: scores.domain_scores[name],
            )[: rng.randint(3, 5)]
            stamp = timezone.make_aware(datetime.datetime.combine(visit, datetime.time(16)))
            record.industry_type = kind
            record.answers = answers
            record.visit_date = visit
            record.findings = {name: FINDINGS[name] for name in q.domains if name in weakest}
            record.measures = "".join(rng.sample(MEASURES, 3))
            record.estimated_investment = Decimal(str(round(rng.lognormvariate(5.5, 0.7), 1)))
            record.expected_effect = rng.choice(EFFECTS)
            record.submitted_at = stamp + datetime.timedelta(days=2)
            if status == DiagnosisStatus.ACKNOWLEDGED:
                record.acknowledged_at = stamp + datetime.timedelta(days=rng.randint(3, 20))
            record._assigned = stamp - datetime.timedelta(days=rng.randint(7, 40))
        else:
            # Open assignments of the last days; each diagnostician's first is past its due date.
            serial = open_ones[who.pk] = open_ones.get(who.pk, -1) + 1
            days = settings.ZHIZAO_EXPERT_DUE_DAYS + 6 if serial == 0 else 1 + serial % 10
            noon = datetime.datetime.combine(today, datetime.time(10))
            record._assigned = timezone.make_aware(noon) - datetime.timedelta(days=days)
        record.due_on = default_due_date(timezone.localtime(record._assigned).date())
        records.append(record)
        counts[status] = counts.get(status, 0) + 1
    bulk_create_with_history(records, ExpertDiagnosis, batch_size=500, default_change_reason=REASON)
    # auto_now_add stamped them with now: they were assigned before their visit (or, still
    # open, in the last days).
    for record in records:
        record.assigned_at = record._assigned
    ExpertDiagnosis.objects.bulk_update(records, ["assigned_at"], batch_size=500)
    return {str(DiagnosisStatus(k).label): v for k, v in counts.items()}


def summary(result: DiagnosisDemoResult) -> str:
    span = result.years
    levels = "，".join(
        f"{load_questionnaire().level_label(level)} {n}"
        for level, n in sorted(result.by_level.items())
    )
    diagnoses = "，".join(f"{k} {v}" for k, v in result.diagnoses.items())
    text = (
        f"诊断服务：已生成 {span[0]}—{span[-1]} 年已提交的自评估 {result.assessments} 份"
        f"（{result.enterprises} 家企业；{levels}），现场诊断 {sum(result.diagnoses.values())} 份"
        f"（{diagnoses}）"
    )
    if result.draft_enterprise:
        text += f"；演示企业用户的{result.draft_enterprise}有一份填写中的自评估"
    return text + f"，用时 {result.seconds:.1f} 秒。"


@register_demo_step("diagnosis", order=30)
def diagnosis_demo_step(*, seed: int, years: range, stdout=None) -> str:
    if not registry_is_empty():
        return (
            f"诊断服务：库中已有 {SelfAssessment.objects.count()} 份自评估、"
            f"{ExpertDiagnosis.objects.count()} 份现场诊断，保留现有数据，不再生成。"
        )
    log = stdout.write if stdout is not None else None
    return summary(generate_diagnosis_demo(seed=seed, years=years, log=log))
