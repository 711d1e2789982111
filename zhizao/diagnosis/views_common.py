"""What the diagnosis pages share: the questionnaire laid out for filling in (element → domain →
sub-domain), the figures of a scored report shaped for charts and tables, and who sees the
city's and districts' pages. Presentation only: the figures come from the services."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.http import Http404
from django.utils.translation import gettext as _

from zhizao.core.models import Region, RegionLevel
from zhizao.core.roles import Role, is_city_admin
from zhizao.core.scoping import scope_queryset
from zhizao.diagnosis.questionnaire import Questionnaire, Requirement, SubDomain
from zhizao.diagnosis.report import AssessmentReport, ScoredReport


@dataclass
class Question:
    requirement: Requirement
    level_label: str
    choices: tuple[str, ...]
    answer: str | None


@dataclass
class SubSection:
    subdomain: SubDomain
    questions: list[Question]


@dataclass
class Section:
    """One domain's requirements: a page of the filling form."""

    number: int  # 1-based, in the questionnaire's order
    element: str
    domain: str
    subsections: list[SubSection] = field(default_factory=list)

    @property
    def questions(self) -> list[Question]:
        return [question for sub in self.subsections for question in sub.questions]

    @property
    def total(self) -> int:
        return len(self.questions)

    @property
    def answered(self) -> int:
        return sum(1 for question in self.questions if question.answer)

    @property
    def missing(self) -> list[str]:
        return [q.requirement.id for q in self.questions if not q.answer]


def sections(q: Questionnaire, answers: dict) -> list[Section]:
    """The questionnaire by domain, each requirement with its allowed answers (不适用 only
    where the file allows it) and the answer given so far."""
    by_subdomain: dict[str, list[Requirement]] = {}
    for requirement in q.requirements:
        by_subdomain.setdefault(requirement.subdomain, []).append(requirement)
    result = []
    for element in q.elements:
        for name in element.domains:
            section = Section(len(result) + 1, element.name, name)
            for code in q.domains[name].subdomains:
                asked = sorted(by_subdomain.get(code, []), key=lambda r: r.level)
                section.subsections.append(
                    SubSection(
                        q.subdomains[code],
                        [
                            Question(
                                r, q.level_label(r.level), q.allowed_answers(r), answers.get(r.id)
                            )
                            for r in asked
                        ],
                    )
                )
            result.append(section)
    return result


def level_names(q: Questionnaire) -> dict[int, str]:
    """0 未达一级, 1 一级 … for lists of records."""
    return {band.level: band.name for band in q.bands}


def answered_count(q: Questionnaire, answers: dict) -> int:
    return sum(1 for rid in q.by_id if answers.get(rid))


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def score_charts(report: ScoredReport) -> dict:
    """The radar by domain and the bars by level, for ECharts (json_script)."""
    q = report.questionnaire
    return {
        "domains": [
            {"name": name, "value": _float(report.domain_scores.get(name))} for name in q.domains
        ],
        "levels": [
            {
                "name": f"{level.label} {level.name}",
                "value": _float(report.level_scores.get(level.number)),
                "counted": level.number in report.counted_levels,
            }
            for level in q.levels
        ],
        "threshold": float(q.threshold),
        "max": float(q.max_total),
    }


def domain_rows(report: ScoredReport) -> list[dict]:
    q = report.questionnaire
    return [
        {
            "element": domain.element,
            "name": name,
            "score": report.domain_scores.get(name),
        }
        for name, domain in q.domains.items()
    ]


def level_rows(report: ScoredReport) -> list[dict]:
    q = report.questionnaire
    return [
        {
            "label": level.label,
            "name": level.name,
            "score": report.level_scores.get(level.number),
            "counted": level.number in report.counted_levels,
            "reached": (report.level_scores.get(level.number) or 0) >= q.threshold,
        }
        for level in q.levels
    ]


def next_level(report: ScoredReport) -> str:
    """The level whose unmet requirements are the gaps: the next one (at the top, the top)."""
    q = report.questionnaire
    target = min(report.level + 1, len(q.levels))
    return f"{q.level_label(target)} {q.level_name(target)}"


def comparison_rows(report: AssessmentReport) -> list[dict]:
    enterprise = report.record.enterprise
    cluster = enterprise.cluster.name if enterprise.cluster_id else None
    rows = [{"name": _("本企业"), "value": report.total, "count": None}]
    rows.append(
        {
            "name": _("%(name)s中位数") % {"name": enterprise.region.name},
            "value": report.district_median,
            "count": report.district_count,
        }
    )
    if cluster:
        rows.append(
            {
                "name": _("%(cluster)s集群中位数") % {"cluster": cluster},
                "value": report.cluster_median,
                "count": report.cluster_count,
            }
        )
    return rows


def report_charts(report: AssessmentReport) -> dict:
    charts = score_charts(report)
    charts["comparison"] = [
        {"name": row["name"], "value": _float(row["value"])} for row in comparison_rows(report)
    ]
    charts["history"] = [
        {
            "year": _("%(year)s年") % {"year": point.year},
            "value": float(point.total),
            "level": point.level_label,
        }
        for point in report.history
    ]
    return charts


# --- who sees the city's and the districts' pages ------------------------------------------


def may_follow_coverage(user) -> bool:
    return is_city_admin(user) or getattr(user, "role", None) == Role.DISTRICT


def visible_districts(user) -> list[Region]:
    """The districts whose figures the user may see: all for the city, its own for a district
    officer; anyone else gets 404 (the pages do not exist for them)."""
    if not may_follow_coverage(user):
        raise Http404
    found = scope_queryset(user, Region.objects.filter(level=RegionLevel.COUNTY))
    districts = list(found.order_by("sort_order", "code"))
    if not districts:
        raise Http404
    return districts
