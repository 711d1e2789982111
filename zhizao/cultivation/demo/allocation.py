"""Who climbs the ladder: which demo enterprises (and which districts' clusters) get each title,
year by year, and which applications wait now.

Enterprises further along (higher CNC and networking rates, more robots in their first report)
are likelier to be chosen, and earlier: each type ranks a district's enterprises by that maturity
plus a draw of its own, and each year takes the next eligible ones. The rules of the title types
hold as the services check them: 仅限规上 types go to enterprises above scale in the year or the
year before; a type with prerequisites (未来工厂 and its 培育 candidates) goes to enterprises that
held one of them before the year began; an enterprise holds each type once."""

import datetime
import random
import re
from dataclasses import dataclass, field

from zhizao.core.models import IndustryCluster, Region
from zhizao.cultivation.demo.pool import Firm
from zhizao.cultivation.demo.quotas import Quota
from zhizao.cultivation.demo.records import OPEN_YEAR, Party, Records
from zhizao.cultivation.models import ApplicationStatus as Status
from zhizao.cultivation.models import TitleType

CANDIDATE = "future-factory-candidate"
CANDIDATES_A_YEAR = 2
REJECTED_SHARE = 0.15  # applications declined beside those recognised, of the expert-reviewed types
# The applications waiting now, per district (enterprise types) or city-wide.
WAITING_PER_DISTRICT = {
    "municipal-digital-workshop": (
        Status.DRAFT,
        Status.SUBMITTED,
        Status.SUBMITTED,
        Status.RETURNED,
        Status.DISTRICT_PASSED,
        Status.EXPERT_REVIEW,
        Status.SCORED,
    ),
    "municipal-smart-factory": (Status.SUBMITTED, Status.EXPERT_REVIEW, Status.SCORED),
    "provincial-smart-factory": (Status.DISTRICT_PASSED, Status.EXPERT_REVIEW, Status.RECOMMENDED),
}
WAITING_IN_CITY = {
    CANDIDATE: (Status.SUBMITTED, Status.RECOMMENDED),
    "provincial-future-factory": (Status.EXPERT_REVIEW, Status.RECOMMENDED),
}
# The demo enterprise user's enterprise: titles in the first and second plan years, and two
# applications in its own queue now.
MEMBER_TITLES = (("transformation-completed", 0), ("municipal-digital-workshop", 1))
MEMBER_WAITING = (
    ("municipal-smart-factory", Status.DRAFT),
    ("municipal-digital-workshop", Status.RETURNED),
)
REVOCATIONS = (
    (
        "municipal-digital-workshop",
        (5, 18),
        "企业主要生产线停产，车间不再符合市级数字化车间认定条件。",
    ),
    ("municipal-smart-factory", (9, 26), "企业发生较大生产安全事故，依据认定管理办法撤销称号。"),
)


@dataclass
class Allocation:
    rng: random.Random
    records: Records
    types: list[TitleType]  # in ladder order
    districts: list[Region]
    firms: list[Firm]
    quotas: dict[str, Quota]  # type code → quota
    clusters: dict[int, list[IndustryCluster]]  # district id → its clusters, largest first
    paces: dict[int, float]
    member: Firm | None = None
    rankings: dict[tuple[str, int], list[Firm]] = field(default_factory=dict)
    keys: dict[tuple[str, int], float] = field(default_factory=dict)
    cluster_titles: set[tuple[int, int]] = field(default_factory=set)
    waiting_now: set[tuple[int, str]] = field(default_factory=set)  # (firm id, type code)
    base_candidates: int = 1

    def __post_init__(self):
        by_district: dict[int, list[Firm]] = {d.pk: [] for d in self.districts}
        for firm in self.firms:
            by_district[firm.district_id].append(firm)
        for title_type in self.types:
            if title_type.held_by_region:
                continue
            for district_id, firms in by_district.items():
                for firm in firms:
                    self.keys[(title_type.code, firm.id)] = firm.maturity + self.rng.gauss(0, 0.35)
                self.rankings[(title_type.code, district_id)] = sorted(
                    firms, key=lambda f, code=title_type.code: -self.keys[(code, f.id)]
                )
        self.prerequisites = {t.code: {p.code for p in t.prerequisites.all()} for t in self.types}
        self.district = {d.pk: d for d in self.districts}

    # --- who may hold what ----------------------------------------------------------------------

    def eligible(self, title_type: TitleType, firm: Firm, year: int, base_year: int) -> bool:
        if title_type.code in firm.held:
            return False
        if title_type.above_scale_only:
            above = base_year in firm.above if year <= base_year else firm.above_for(year)
            if not above:
                return False
        needs = self.prerequisites[title_type.code]
        return not needs or any(firm.held.get(code, year) < year for code in needs)

    def pick(self, title_type, district_id, year, n, base_year, *, skip=()) -> list[Firm]:
        chosen = []
        if n <= 0:
            return chosen
        member = self.member
        for firm in self.rankings[(title_type.code, district_id)]:
            if firm is member or firm.id in skip:
                continue
            if self.eligible(title_type, firm, year, base_year):
                chosen.append(firm)
                if len(chosen) == n:
                    break
        return chosen

    # --- the years before and during the plan ---------------------------------------------------

    def run(self, base_years: list[int], flow_years: list[int], base_year: int) -> None:
        for year in [*base_years, *flow_years]:
            past = year <= base_year
            for title_type in self.types:
                if title_type.held_by_region:
                    if not past:
                        self.clusters_of(title_type, year, flow_years)
                elif title_type.code == CANDIDATE:
                    self.candidates(title_type, year, base_year, past)
                elif title_type.code in self.quotas:
                    self.enterprise_titles(title_type, year, base_year, past, flow_years)

    def enterprise_titles(self, title_type, year, base_year, past, flow_years) -> None:
        quota = self.quotas[title_type.code]
        for district in self.districts:
            n = (quota.base if past else quota.additions)[district.pk].get(year, 0)
            if n <= 0:
                continue
            forced = None if past else self.member_title(title_type, district, year, flow_years)
            if self.prerequisites[title_type.code]:
                picked = self.pick_prepared(
                    title_type, district.pk, year, n - bool(forced), base_year
                )
            else:
                picked = self.pick(title_type, district.pk, year, n - bool(forced), base_year)
            for firm in ([forced] if forced else []) + picked:
                self.grant(title_type, firm, year, past)
            if past or not title_type.expert_review:
                continue
            declined = self.rounded(n * REJECTED_SHARE)
            skip = {f.id for f in picked}
            for firm in self.pick(title_type, district.pk, year, declined, base_year, skip=skip):
                self.records.decided(title_type, year, self.party(firm), recognised=False)

    def pick_prepared(self, title_type, district_id, year, n, base_year) -> list[Firm]:
        """A type with prerequisites: the enterprises that were candidates (培育) first."""
        eligible = [
            f
            for f in self.rankings[(title_type.code, district_id)]
            if f is not self.member and self.eligible(title_type, f, year, base_year)
        ]
        # Stable: the ranking holds among the candidates of earlier years, and among the rest.
        eligible.sort(key=lambda f: f.held.get(CANDIDATE, year) >= year)
        return eligible[:n]

    def member_title(self, title_type, district, year, flow_years) -> Firm | None:
        member = self.member
        if member is None or member.district_id != district.pk:
            return None
        for code, index in MEMBER_TITLES:
            if code == title_type.code and index < len(flow_years) and flow_years[index] == year:
                return member if self.eligible(title_type, member, year, year - 1) else None
        return None

    def candidates(self, title_type, year, base_year, past) -> None:
        """未来工厂培育 candidates: chosen city-wide among the enterprises that may apply."""
        n = (self.base_candidates if year == base_year else 0) if past else CANDIDATES_A_YEAR
        if n <= 0:
            return
        eligible = [
            f
            for f in self.firms
            if f is not self.member
            and "provincial-future-factory" not in f.held
            and self.eligible(title_type, f, year, base_year)
        ]
        eligible.sort(key=lambda f: -self.keys[(title_type.code, f.id)])
        for firm in eligible[:n]:
            self.grant(title_type, firm, year, past)

    def clusters_of(self, title_type, year, flow_years) -> None:
        quota = self.quotas.get(title_type.code)
        for district in self.districts:
            n = quota.additions[district.pk].get(year, 0) if quota else 0
            free = [
                c
                for c in self.clusters[district.pk]
                if (district.pk, c.pk) not in self.cluster_titles
            ]
            for cluster in free[:n]:
                self.cluster_titles.add((district.pk, cluster.pk))
                party = Party(district, cluster=cluster)
                self.records.decided(title_type, year, party, recognised=True)
            # A district behind its schedule tried once in the second year, and was declined.
            behind = self.paces.get(district.pk, 1.0) < 0.95
            if behind and len(flow_years) > 1 and year == flow_years[1] and len(free) > n:
                party = Party(district, cluster=free[n])
                self.records.decided(title_type, year, party, recognised=False)

    def grant(self, title_type, firm: Firm, year: int, past: bool) -> None:
        firm.held[title_type.code] = year
        if past:
            self.records.base_title(title_type, year, self.party(firm))
        else:
            self.records.decided(title_type, year, self.party(firm), recognised=True)

    def party(self, firm: Firm) -> Party:
        return Party(self.district[firm.district_id], firm=firm)

    def rounded(self, value: float) -> int:
        """`value` rounded up or down at random, in proportion: the counts add up on average."""
        whole = int(value)
        return whole + (self.rng.random() < value - whole)

    # --- what waits now -------------------------------------------------------------------------

    def waiting(self, experts: list) -> None:
        """Applications of the open batches at each step of the workflow."""
        by_code = {t.code: t for t in self.types}
        demo_expert, last_expert = experts[0], experts[-1]
        counter = 0

        def pending_expert():
            nonlocal counter
            counter += 1
            return last_expert if counter % 3 == 0 else demo_expert

        def add(title_type, firm_or_party, status):
            party = firm_or_party if isinstance(firm_or_party, Party) else self.party(firm_or_party)
            pending = pending_expert() if status == Status.EXPERT_REVIEW else None
            self.records.waiting(title_type, party, status, pending)
            if party.firm is not None:
                self.waiting_now.add((party.firm.id, title_type.code))

        def free(title_type, firm):
            return (firm.id, title_type.code) not in self.waiting_now

        member = self.member
        if member is not None:
            for code, status in MEMBER_WAITING:
                title_type = by_code.get(code)
                if (
                    title_type is not None
                    and not self.prerequisites[code]
                    and free(title_type, member)
                ):
                    add(title_type, member, status)
        for code, statuses in WAITING_PER_DISTRICT.items():
            title_type = by_code.get(code)
            if title_type is None:
                continue
            for district in self.districts:
                skip = {f for f, c in self.waiting_now if c == code}
                firms = self.pick(title_type, district.pk, OPEN_YEAR, len(statuses), 0, skip=skip)
                for firm, status in zip(firms, statuses, strict=False):
                    add(title_type, firm, status)
        for code, statuses in WAITING_IN_CITY.items():
            title_type = by_code.get(code)
            if title_type is None:
                continue
            eligible = [
                f
                for f in self.firms
                if f is not member
                and "provincial-future-factory" not in f.held
                and free(title_type, f)
                and self.eligible(title_type, f, OPEN_YEAR, 0)
            ]
            eligible.sort(key=lambda f: (CANDIDATE not in f.held, -self.keys[(code, f.id)]))
            for firm, status in zip(eligible, statuses, strict=False):
                add(title_type, firm, status)
        # The districts behind schedule have a cluster under review.
        for title_type in self.types:
            if not title_type.held_by_region:
                continue
            quota = self.quotas.get(title_type.code)
            for index, district in enumerate(d for d in self.districts if self.paces[d.pk] < 0.95):
                free_clusters = [
                    c
                    for c in self.clusters[district.pk]
                    if (district.pk, c.pk) not in self.cluster_titles
                ]
                if free_clusters and quota is not None:
                    status = (Status.DISTRICT_PASSED, Status.EXPERT_REVIEW)[index % 2]
                    add(title_type, Party(district, cluster=free_clusters[0]), status)

    # --- 摘牌 ------------------------------------------------------------------------------------

    def revocations(self, year: int) -> list[tuple[dict, datetime.date, str]]:
        """One or two titles revoked in `year`: of enterprises that climbed no further and wait
        for nothing, in the districts furthest behind."""
        climbed = {CANDIDATE, "provincial-future-factory"}
        firms = {f.id: f for f in self.firms}
        order = sorted(self.districts, key=lambda d: self.paces.get(d.pk, 1.0))
        chosen, used = [], set()
        for code, (month, day), reason in REVOCATIONS:
            for district in order:
                if district.pk in used:
                    continue
                found = next(
                    (
                        t
                        for t in self.records.titles
                        if t["_code"] == code
                        and t["region_id"] == district.pk
                        and t["year"] < year
                        and t["enterprise_id"] is not None
                        and (self.member is None or t["enterprise_id"] != self.member.id)
                        and not climbed & set(firms[t["enterprise_id"]].held)
                        and not any(f == t["enterprise_id"] for f, _ in self.waiting_now)
                    ),
                    None,
                )
                if found is not None:
                    chosen.append((found, datetime.date(year, month, day), reason))
                    used.add(district.pk)
                    break
        return chosen


def base_candidates(note: str) -> int:
    """The number in a base note such as "培育企业1家" (1 when it states none)."""
    match = re.search(r"\d+", note or "")
    return int(match.group()) if match else 1
