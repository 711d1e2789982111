"""The cultivation demo's records, built in memory before they are written in bulk: batches,
applications with every step of their workflow (who, when, what was said), expert reviews and
titles.

Each application goes the way services.py and review.py would take it: its status is the last
step's `to_status` and each step starts from the one before; an expert-reviewed application has
its experts assigned by the city admin, one SCORE step per expert and a last one that moves it to
`scored`, and its score is the mean of the experts' totals with their spread; a provincial title
is recommended by the city and then recognised or declined by the province; a district-level
title (智能化改造完成) is recognised at the district's review. Every submission lies inside its
batch's dates, and a resubmission after a return too."""

import datetime
import itertools
import random
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings

from zhizao.core.deadlines import default_due_date
from zhizao.core.models import IndustryCluster, Region
from zhizao.cultivation.demo.pool import Firm
from zhizao.cultivation.models import ApplicationAction as Action
from zhizao.cultivation.models import ApplicationStatus as Status
from zhizao.cultivation.models import TitleLevel, TitleType

# The scoring sheet of every demo batch (points adding up to 100) and the one required file.
CRITERIA = [
    {"name": "智能化水平", "max": 40, "note": "装备数控化、设备联网、系统集成与数据应用"},
    {"name": "建设成效", "max": 40, "note": "效率、质量、能耗、交付周期等改造前后对比"},
    {"name": "示范推广价值", "max": 20, "note": "场景的先进性、可复制性与带动作用"},
]
REQUIRED_ATTACHMENTS = ["申报书"]

# The batches open now: applications waiting at each step of the workflow.
OPEN_YEAR = 2026
OPEN_FROM = datetime.date(2026, 9, 1)
OPEN_TO = datetime.date(2026, 12, 31)
OPEN_LAST_STEP = datetime.date(2026, 11, 25)  # the latest step of a waiting application

PROVINCE_DOCUMENT = "浙经信技术"
RETURN_CYCLES = 0.08  # share of applications returned once by the district and resubmitted

SCENES = (
    ("设备联网与数据采集", "主要生产设备联网，实时采集设备状态和工艺参数。"),
    ("生产执行管理（MES）", "生产计划、工单、报工和质量追溯全流程线上管控。"),
    ("智能仓储物流", "立体仓库和 AGV 实现物料自动出入库与配送。"),
    ("智能排产（APS）", "按订单和产能约束自动排产，缩短交付周期。"),
    ("在线质量检测", "机器视觉在线检测关键质量特性，不良品自动剔除。"),
    ("能源管理", "水、电、气、汽分项计量，能耗异常实时报警。"),
    ("设备预测性维护", "基于振动和温度数据预测设备故障，减少非计划停机。"),
    ("数字孪生产线", "产线三维建模，生产过程实时映射与仿真优化。"),
    ("供应链协同", "与上下游企业共享订单、库存和物流数据。"),
    ("研发设计数字化（PLM）", "研发设计数据统一管理，设计与工艺协同。"),
)
CLUSTER_SCENES = (
    ("集群工业互联网平台", "建成行业级工业互联网平台，接入集群内规上企业设备与订单数据。"),
    ("共性技术服务", "联合服务商为中小企业提供诊断、改造和运维服务。"),
    ("示范企业梯队", "培育数字化车间、智能工厂和“未来工厂”梯队。"),
    ("产业链协同制造", "龙头企业带动上下游企业协同排产与质量追溯。"),
)
PROJECTS = {
    "municipal-digital-workshop": ("数字化生产车间", "智能化生产车间", "柔性生产数字化车间"),
    "municipal-smart-factory": ("智能工厂",),
    "provincial-smart-factory": ("智能工厂", "数字化车间"),
    "future-factory-candidate": ("“未来工厂”",),
    "provincial-future-factory": ("“未来工厂”",),
    "transformation-completed": ("智能化技术改造", "生产线智能化改造", "数字化改造"),
}
INVESTMENT = {  # 万元: the median of a project's investment
    "municipal-digital-workshop": 900,
    "municipal-smart-factory": 3500,
    "provincial-smart-factory": 6000,
    "future-factory-candidate": 12000,
    "provincial-future-factory": 20000,
    "demo-cluster": 60000,
    "transformation-completed": 600,
}
DISTRICT_PASS = (
    "材料齐全，同意推荐。",
    "经现场核查，同意推荐。",
    "经审核，符合申报条件，同意推荐。",
)
ACCEPTED = ("经现场验收，项目已完成，同意确认。", "项目已按计划完成，验收合格。")
RETURNS = (
    "申报书缺少改造前后关键指标的测算依据，请补充后重新提交。",
    "请补充主要设备清单及购置发票复印件。",
    "项目投资额与审计报告不一致，请核实后重新提交。",
    "建设场景描述过于简略，请补充各场景的建设内容和成效。",
)
GOOD_REVIEWS = (
    "智能化水平较高，建设成效明显，建议认定。",
    "场景建设较完整，数据贯通程度高，示范作用明显。",
    "改造前后效益数据翔实，设备联网率提升显著。",
    "系统集成度高，建议进一步加强数据分析应用。",
)
WEAK_REVIEWS = (
    "部分场景尚在建设中，成效数据不足。",
    "系统集成度不高，信息孤岛问题仍较突出。",
    "改造前后对比数据不够充分，示范性一般。",
)
CITY_REJECTIONS = (
    "专家评审得分未达到认定标准。",
    "智能化水平与认定条件尚有差距，建议完善后下一年度再申报。",
)
PROVINCE_REJECTION = "未列入省级认定名单。"


@dataclass
class Actors:
    """The demo accounts the steps are recorded under (None where there is no account)."""

    admin: object | None
    officers: dict[int, object]  # district id → a district officer
    experts: list
    member: object | None  # the demo enterprise user
    member_firm_id: int | None


@dataclass(frozen=True)
class Party:
    """Who applies: an enterprise, or a district for one of its industry clusters."""

    district: Region
    firm: Firm | None = None
    cluster: IndustryCluster | None = None

    @property
    def holder_name(self) -> str:
        if self.firm is not None:
            return self.firm.name
        return f"{self.district.name}{self.cluster.name}智能制造示范集群"


@dataclass(frozen=True)
class Calendar:
    """When a year's batch of a type opens, closes and is decided."""

    opens: datetime.date
    closes: datetime.date
    decision: datetime.date  # the city's decision, or its recommendation of a provincial title
    province: datetime.date | None = None

    def after_closing(self, days: int) -> datetime.date:
        return self.closes + datetime.timedelta(days=days)


def calendar(title_type: TitleType, year: int) -> Calendar:
    date = datetime.date
    if title_type.level == TitleLevel.DISTRICT:  # accepted all year round
        return Calendar(date(year, 1, 1), date(year, 11, 30), date(year, 12, 20))
    if title_type.level == TitleLevel.PROVINCE:
        return Calendar(date(year, 4, 1), date(year, 5, 31), date(year, 7, 25), date(year, 12, 8))
    if title_type.held_by_region:
        return Calendar(date(year, 5, 1), date(year, 6, 30), date(year, 9, 15))
    return Calendar(date(year, 3, 1), date(year, 4, 30), date(year, 7, 20))


def pk(user) -> int | None:
    return user.pk if user is not None else None


@dataclass
class Records:
    """The rows to write, as {attname: value} with their ids given here (the writer inserts
    them as they are); keys starting with "_" are notes for the demo, not columns."""

    rng: random.Random
    actors: Actors
    city: Region
    first_ids: dict[str, int]  # model name → the first free id
    batches: dict[tuple[str, int], dict] = field(default_factory=dict)
    applications: list[dict] = field(default_factory=list)
    steps: list[dict] = field(default_factory=list)
    reviews: list[dict] = field(default_factory=list)
    titles: list[dict] = field(default_factory=list)
    # (application, title type, holder name, uploaded by, uploaded at): each waiting
    # application's 申报书
    attachments: list[tuple] = field(default_factory=list)
    documents: dict[tuple, str] = field(default_factory=dict)
    scene_lists: dict[tuple, list] = field(default_factory=dict)

    def __post_init__(self):
        self.zone = ZoneInfo(settings.TIME_ZONE)
        self.ids = {name: itertools.count(first) for name, first in self.first_ids.items()}

    # --- dates, documents and batches ---------------------------------------------------------

    def moment(self, day: datetime.date) -> datetime.datetime:
        """A time in office hours on `day`."""
        return datetime.datetime(
            day.year,
            day.month,
            day.day,
            self.rng.randint(8, 17),
            self.rng.randrange(60),
            tzinfo=self.zone,
        )

    def day_between(self, first: datetime.date, last: datetime.date) -> datetime.date:
        span = max(0, (last - first).days)
        return first + datetime.timedelta(days=self.rng.randint(0, span))

    def later(self, moment: datetime.datetime, low: int, high: int) -> datetime.datetime:
        return self.moment(moment.date() + datetime.timedelta(days=self.rng.randint(low, high)))

    def document(self, title_type: TitleType, year: int, district: Region | None = None, key=0):
        """One decision document per (type, year) — per district and quarter for the titles a
        district recognises — in the numbering of whoever issues it."""
        if title_type.level == TitleLevel.PROVINCE:
            prefix = PROVINCE_DOCUMENT
        elif title_type.level == TitleLevel.DISTRICT and district is not None:
            prefix = f"{district.name[:2]}经信"
        else:
            prefix = f"{self.city.name[:1]}市经信"
        slot = (title_type.code, year, district.pk if district else None, key)
        if slot not in self.documents:
            used = set(self.documents.values())
            number = f"{prefix}〔{year}〕{self.rng.randint(12, 180)}号"
            while number in used:  # another decision of the issuer that year
                number = f"{prefix}〔{year}〕{self.rng.randint(12, 180)}号"
            self.documents[slot] = number
        return self.documents[slot]

    def batch(self, title_type: TitleType, year: int) -> dict:
        found = self.batches.get((title_type.code, year))
        if found is not None:
            return found
        if year == OPEN_YEAR:
            opens, closes = OPEN_FROM, OPEN_TO
        else:
            dates = calendar(title_type, year)
            opens, closes = dates.opens, dates.closes
        batch = {
            "id": next(self.ids["batch"]),
            "title_type_id": title_type.pk,
            "year": year,
            "number": 1,
            "opens_on": opens,
            "closes_on": closes,
            "criteria": CRITERIA if title_type.expert_review else [],
            "required_attachments": REQUIRED_ATTACHMENTS,
            "notes": f"{year}年{title_type.name}申报，请于 {closes:%Y-%m-%d} 前提交。",
            "created_by_id": pk(self.actors.admin),
            "created_at": self.moment(opens - datetime.timedelta(days=7)),
        }
        self.batches[(title_type.code, year)] = batch
        return batch

    # --- applications ---------------------------------------------------------------------------

    def applicant_for(self, party: Party):
        if party.firm is None:
            return self.actors.officers.get(party.district.pk)
        if party.firm.id == self.actors.member_firm_id:
            return self.actors.member
        return None

    def application(
        self,
        title_type: TitleType,
        batch: dict,
        party: Party,
        created: datetime.datetime,
        *,
        filled: bool = True,
    ) -> dict:
        rng, year = self.rng, batch["year"]
        if party.firm is not None:
            words = PROJECTS.get(title_type.code, (title_type.name,))
            project = f"{party.firm.short_name}{rng.choice(words)}建设项目"
            if title_type.code == "transformation-completed":
                project = f"{party.firm.short_name}{rng.choice(words)}项目"
            scenes = rng.sample(SCENES, rng.randint(2, 4))
        else:
            project = f"{party.holder_name}创建"
            scenes = rng.sample(CLUSTER_SCENES, 3)
        investment = INVESTMENT.get(title_type.code, 1000) * rng.lognormvariate(0, 0.45)
        if party.firm is not None and title_type.code == "transformation-completed":
            figures = party.firm.figures(year)
            if figures is not None and figures.investment > 0:
                investment = figures.investment
        names = "、".join(name for name, _ in scenes)
        application = {
            "id": next(self.ids["application"]),
            "batch_id": batch["id"],
            "title_type_id": title_type.pk,
            "enterprise_id": party.firm.id if party.firm else None,
            "region_id": party.district.pk,
            "cluster_id": party.firm.cluster_id if party.firm else party.cluster.pk,
            "project_name": project,
            "status": "",  # the CREATE step makes it a draft
            "scenes": self.scene_list(scenes),
            "key_figures": self.key_figures(party.firm, year, filled) if party.firm else {},
            "investment": Decimal(f"{investment:.2f}"),
            "summary": f"项目围绕{names}等场景开展建设，计划投资 {investment:,.0f} 万元。",
            "applicant_id": pk(self.applicant_for(party)),
            "created_at": created,
            "submitted_at": None,
            "score": None,
            "score_spread": None,
            "_batch": batch,
            "_code": title_type.code,
        }
        self.applications.append(application)
        return application

    def scene_list(self, scenes) -> list[dict]:
        """The scenes as stored; one list for each choice, shared by the rows that make it."""
        key = tuple(name for name, _ in scenes)
        if key not in self.scene_lists:
            self.scene_lists[key] = [{"name": n, "description": d} for n, d in scenes]
        return self.scene_lists[key]

    def key_figures(self, firm: Firm, year: int, filled: bool) -> dict:
        """Before: the enterprise's approved report of the year before (as the form pre-fills
        it); after: its report of the year, or the project's expected figures."""
        rng = self.rng
        before, after = firm.figures(year - 1), firm.reports.get(year)
        if before is None:
            return {}
        gain = rng.uniform(1.08, 1.25)
        pairs = {
            "productivity": (
                before.output / before.employees if before.employees else 0.0,
                after.output / after.employees if after and after.employees else None,
                gain,
            ),
            "defect_rate": (rng.uniform(1.2, 4.5), None, rng.uniform(0.5, 0.8)),
            "energy_per_unit": (
                before.energy / before.output if before.output else 0.0,
                after.energy / after.output if after and after.output else None,
                rng.uniform(0.85, 0.95),
            ),
            "lead_time": (float(rng.randint(25, 120)), None, rng.uniform(0.6, 0.85)),
            "cnc_rate": (
                before.cnc_rate * 100,
                after.cnc_rate * 100 if after else None,
                None,
            ),
            "networking_rate": (
                before.networking_rate * 100,
                after.networking_rate * 100 if after else None,
                None,
            ),
        }
        figures = {}
        for key, (was, now, factor) in pairs.items():
            if now is None:
                now = was * factor if factor else min(100.0, was + rng.uniform(3, 12))
            if key in ("defect_rate", "lead_time") and not filled:
                continue  # not in the yearly report: the enterprise has not typed them in yet
            figures[key] = {"before": f"{was:.2f}", "after": f"{now:.2f}" if filled else ""}
        return figures

    def step(self, app: dict, action: str, to_status: str, actor, when, comment: str = ""):
        """One step of `app`, from its status now to `to_status`."""
        self.steps.append(
            {
                "id": next(self.ids["step"]),
                "application_id": app["id"],
                "action": action,
                "from_status": app["status"],
                "to_status": to_status,
                "actor_id": pk(actor),
                "comment": comment,
                "created_at": when,
            }
        )
        app["status"] = to_status

    def review(self, app: dict, expert, assigned, scored=None, level: float = 0) -> dict:
        """An expert assigned to `app`, who has scored it (at `scored`) or not yet."""
        review = {
            "id": next(self.ids["review"]),
            "application_id": app["id"],
            "expert_id": expert.pk,
            "assigned_by_id": pk(self.actors.admin),
            "assigned_at": assigned,
            "due_on": default_due_date(assigned.astimezone(self.zone).date()),
            "scores": [],
            "total": None,
            "comment": "",
            "submitted_at": None,
            "_expert": expert,
        }
        if scored is not None:
            points = self.points(level)
            review["scores"] = [str(p) for p in points]
            review["total"] = Decimal(sum(points))
            review["comment"] = self.rng.choice(GOOD_REVIEWS if level >= 75 else WEAK_REVIEWS)
            review["submitted_at"] = scored
        self.reviews.append(review)
        return review

    def points(self, level: float) -> list[int]:
        """One expert's points on each criterion for an application worth about `level`."""
        total = min(98.0, max(35.0, level + self.rng.gauss(0, 3)))
        return [
            max(0, min(item["max"], round(item["max"] * total / 100 + self.rng.gauss(0, 1))))
            for item in CRITERIA
        ]

    def expert_review(self, app: dict, experts: list, assigned, scored: list, level: float):
        """The city assigns `experts`; those with a time in `scored` score (one SCORE step
        each), and once all have, the mean and the spread (a last SCORE step to `scored`)."""
        names = "、".join(str(e) for e in experts)
        self.step(app, Action.ASSIGN, Status.EXPERT_REVIEW, self.actors.admin, assigned, names)
        reviews = [
            self.review(app, expert, assigned, when, level)
            for expert, when in itertools.zip_longest(experts, scored[: len(experts)])
        ]
        done = sorted((r for r in reviews if r["submitted_at"]), key=lambda r: r["submitted_at"])
        for review in done:
            when, points = review["submitted_at"], f"{review['total']} 分"
            self.step(app, Action.SCORE, Status.EXPERT_REVIEW, review["_expert"], when, points)
        if len(done) == len(reviews):
            totals = [r["total"] for r in reviews]
            app["score"] = (sum(totals, Decimal(0)) / len(totals)).quantize(Decimal("0.01"))
            app["score_spread"] = max(totals) - min(totals)
            last = done[-1]
            when = last["submitted_at"]
            self.step(app, Action.SCORE, Status.SCORED, last["_expert"], when, "专家评审完成")

    def submitted(self, app: dict, applicant, when) -> None:
        self.step(app, Action.SUBMIT, Status.SUBMITTED, applicant, when)
        app["submitted_at"] = when

    # --- a past application, from draft to decision ---------------------------------------------

    def decided(self, title_type: TitleType, year: int, party: Party, *, recognised: bool):
        """An application of a past year, recognised (with its title) or declined."""
        rng, admin, step = self.rng, self.actors.admin, self.step
        dates = calendar(title_type, year)
        officer = self.actors.officers.get(party.district.pk)
        applicant = self.applicant_for(party)
        district_level = title_type.level == TitleLevel.DISTRICT
        latest = dates.closes - datetime.timedelta(days=40 if district_level else 25)
        created = self.moment(self.day_between(dates.opens, latest))
        app = self.application(title_type, self.batch(title_type, year), party, created)
        step(app, Action.CREATE, Status.DRAFT, applicant, created)
        submitted = self.later(created, 1, 8)
        self.submitted(app, applicant, submitted)
        if rng.random() < RETURN_CYCLES:  # returned by the district once, and resubmitted
            returned = self.later(submitted, 2, 5)
            step(app, Action.RETURN, Status.RETURNED, officer, returned, rng.choice(RETURNS))
            submitted = self.later(returned, 2, 8)
            self.submitted(app, applicant, submitted)

        if district_level:  # the district's acceptance recognises it
            accepted = self.later(submitted, 5, 25)
            step(app, Action.RECOGNISE, Status.RECOGNISED, officer, accepted, rng.choice(ACCEPTED))
            quarter = (accepted.month - 1) // 3
            document = self.document(title_type, year, party.district, quarter)
            self.title(app, party, document, accepted.date())
            return app

        passed = self.moment(self.day_between(dates.after_closing(3), dates.after_closing(20)))
        after_district = Status.DISTRICT_PASSED if title_type.expert_review else Status.SCORED
        step(app, Action.DISTRICT_PASS, after_district, officer, passed, rng.choice(DISTRICT_PASS))
        if title_type.expert_review:
            experts = self.rng.sample(self.actors.experts, 2)
            scored = [
                self.moment(self.day_between(dates.after_closing(27), dates.after_closing(45)))
                for _ in experts
            ]
            level = rng.uniform(76, 92) if recognised else rng.uniform(55, 72)
            self.expert_review(app, experts, self.moment(dates.after_closing(25)), scored, level)

        decision = self.moment(dates.decision)
        if title_type.level != TitleLevel.PROVINCE:
            if recognised:
                step(app, Action.RECOGNISE, Status.RECOGNISED, admin, decision)
                self.title(app, party, self.document(title_type, year), dates.decision)
            else:
                reason = rng.choice(CITY_REJECTIONS)
                step(app, Action.REJECT, Status.REJECTED, admin, decision, reason)
            return app
        if not recognised and rng.random() < 0.5:  # the city does not recommend it
            step(app, Action.REJECT, Status.REJECTED, admin, decision, rng.choice(CITY_REJECTIONS))
            return app
        step(app, Action.RECOMMEND, Status.RECOMMENDED, admin, decision, "同意推荐至省经信厅。")
        result, document = self.moment(dates.province), self.document(title_type, year)
        if recognised:
            comment = f"省经信厅公布认定名单（{document}）。"
            step(app, Action.PROVINCE_RESULT, Status.RECOGNISED, admin, result, comment)
            self.title(app, party, document, dates.province)
        else:
            step(app, Action.PROVINCE_RESULT, Status.REJECTED, admin, result, PROVINCE_REJECTION)
        return app

    def title(self, application, party: Party, document: str, recognised_on) -> dict:
        batch = application["_batch"]
        return self.add_title(
            party,
            {
                "title_type_id": application["title_type_id"],
                "project_name": application["project_name"],
                "year": batch["year"],
                "batch_id": batch["id"],
                "batch_label": f"第{batch['number']}批",
                "document_number": document,
                "recognised_on": recognised_on,
                "application_id": application["id"],
                "_code": application["_code"],
            },
        )

    def add_title(self, party: Party, values: dict) -> dict:
        title = {
            "id": next(self.ids["title"]),
            "enterprise_id": party.firm.id if party.firm else None,
            "region_id": party.district.pk,
            "cluster_id": party.firm.cluster_id if party.firm else party.cluster.pk,
            "holder_name": party.holder_name,
            "revoked_on": None,
            "revoke_reason": "",
            "published": False,
            **values,
        }
        self.titles.append(title)
        return title

    def base_title(self, title_type: TitleType, year: int, party: Party) -> dict:
        """A title recognised before the platform (the plan's base year or earlier): in the
        register with its decision document, without an application."""
        dates = calendar(title_type, year)
        if title_type.level == TitleLevel.DISTRICT:
            recognised_on = self.day_between(dates.opens, dates.decision)
            document = self.document(
                title_type, year, party.district, (recognised_on.month - 1) // 3
            )
        else:
            recognised_on = dates.province or dates.decision
            document = self.document(title_type, year)
        return self.add_title(
            party,
            {
                "title_type_id": title_type.pk,
                "project_name": "",
                "year": year,
                "batch_id": None,
                "batch_label": "第1批",
                "document_number": document,
                "recognised_on": recognised_on,
                "application_id": None,
                "_code": title_type.code,
            },
        )

    # --- an application waiting now ---------------------------------------------------------------

    # How many events (moments) lead to each status: create, submit, then one per step; an
    # expert review has the assignment and the first expert's score, a scored one the second's.
    EVENTS = {
        Status.DRAFT: 1,
        Status.SUBMITTED: 2,
        Status.RETURNED: 3,
        Status.DISTRICT_PASSED: 3,
        Status.EXPERT_REVIEW: 5,
        Status.SCORED: 6,
        Status.RECOMMENDED: 7,
    }

    def waiting(self, title_type: TitleType, party: Party, status: str, pending_expert=None):
        """An application of the open batch that waits at `status`; in expert review, the
        first expert has scored and `pending_expert` (the second) has not."""
        rng, step = self.rng, self.step
        officer = self.actors.officers.get(party.district.pk)
        applicant = self.applicant_for(party)
        # The moments of the events, counted back from the last one (a day or so ago).
        moments = [self.moment(OPEN_LAST_STEP - datetime.timedelta(days=rng.randint(0, 4)))]
        for _ in range(self.EVENTS[status] - 1):
            moments.insert(
                0, self.moment(moments[0].date() - datetime.timedelta(rng.randint(2, 7)))
            )
        created = moments.pop(0)
        batch = self.batch(title_type, OPEN_YEAR)
        app = self.application(title_type, batch, party, created, filled=status != Status.DRAFT)
        step(app, Action.CREATE, Status.DRAFT, applicant, created)
        if status == Status.DRAFT:
            return app
        uploaded = created + datetime.timedelta(hours=1)
        self.attachments.append((app, title_type, party.holder_name, applicant, uploaded))
        self.submitted(app, applicant, moments.pop(0))
        if status == Status.RETURNED:
            step(app, Action.RETURN, Status.RETURNED, officer, moments.pop(0), rng.choice(RETURNS))
        if status in (Status.SUBMITTED, Status.RETURNED):
            return app
        when = moments.pop(0)
        step(
            app,
            Action.DISTRICT_PASS,
            Status.DISTRICT_PASSED,
            officer,
            when,
            rng.choice(DISTRICT_PASS),
        )
        if status == Status.DISTRICT_PASSED:
            return app
        assigned = moments.pop(0)
        others = [e for e in self.actors.experts if e != pending_expert]
        first = rng.choice(others)
        second = pending_expert or rng.choice([e for e in others if e != first] or others)
        level = rng.uniform(68, 90)
        self.expert_review(app, [first, second], assigned, moments[:2], level)
        if status == Status.RECOMMENDED:
            comment = "同意推荐至省经信厅。"
            step(app, Action.RECOMMEND, Status.RECOMMENDED, self.actors.admin, moments[-1], comment)
        return app
