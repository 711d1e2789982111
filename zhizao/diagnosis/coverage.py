"""Coverage of above-scale enterprises by diagnoses (诊断覆盖) and the distribution of maturity
levels, by district and by industry cluster: grouped queries, never a query per enterprise.

Definitions (docs/diagnosis.md):
- above-scale enterprises: those whose ScaleStatus says above_scale in the scale year, the
  latest year up to `as_of_year` for which scale statuses exist;
- the window: the `years` years up to and including `as_of_year` (years defaults to the setting
  ZHIZAO_DIAGNOSIS_COVERAGE_YEARS, 3); a self-assessment counts when submitted for a year in
  the window, an expert diagnosis when submitted (or acknowledged) with its visit in the window.

Pass `user` to narrow everything to what the user may see (scope_queryset); a district officer
then gets its own district's figures only."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhizao.core.models import IndustryCluster, Region, RegionLevel
from zhizao.core.scoping import scope_queryset
from zhizao.diagnosis.models import (
    COUNTED_DIAGNOSIS_STATUSES,
    AssessmentStatus,
    ExpertDiagnosis,
    SelfAssessment,
)
from zhizao.diagnosis.questionnaire import load_questionnaire
from zhizao.diagnosis.scoring import rounded
from zhizao.enterprises.models import Enterprise, ScaleStatus

NO_CLUSTER = gettext_lazy("未归属集群")
UNDIAGNOSED_KINDS = ("any", "self_assessment", "expert_diagnosis")


def _share(part: int, whole: int) -> Decimal | None:
    return rounded(Decimal(part) / Decimal(whole)) if whole else None


@dataclass
class CoverageRow:
    """One district's or cluster's coverage; shares are of the above-scale enterprises (full
    coverage is 1) and None when there are none."""

    key: int | None  # the Region's or IndustryCluster's pk (None: no cluster / the total)
    name: str
    above_scale: int = 0
    self_assessed: int = 0
    expert_diagnosed: int = 0
    covered: int = 0  # by either

    @property
    def self_assessed_share(self) -> Decimal | None:
        return _share(self.self_assessed, self.above_scale)

    @property
    def expert_diagnosed_share(self) -> Decimal | None:
        return _share(self.expert_diagnosed, self.above_scale)

    @property
    def covered_share(self) -> Decimal | None:
        return _share(self.covered, self.above_scale)

    @property
    def not_covered(self) -> int:
        return self.above_scale - self.covered


@dataclass
class Coverage:
    as_of_year: int
    years: int
    first_year: int
    scale_year: int | None  # None: no scale statuses up to as_of_year
    by_district: list[CoverageRow] = field(default_factory=list)
    by_cluster: list[CoverageRow] = field(default_factory=list)
    total: CoverageRow | None = None


def districts_of(regions) -> list[Region]:
    """A city stands for its districts, a district for itself; a list is taken as given."""
    if isinstance(regions, Region):
        if regions.level == RegionLevel.COUNTY:
            return [regions]
        return list(Region.objects.filter(parent=regions, level=RegionLevel.COUNTY))
    if regions is None:
        return list(Region.objects.filter(level=RegionLevel.COUNTY))
    return list(regions)


def coverage_years() -> int:
    """N, the years a self-assessment or a diagnosis counts for (setting, default 3)."""
    return int(getattr(settings, "ZHIZAO_DIAGNOSIS_COVERAGE_YEARS", 3))


def window(years: int | None = None, as_of_year: int | None = None) -> tuple[int, int]:
    """The first and last year of the window: `years` years up to and including as_of_year."""
    years = int(years or coverage_years())
    last = as_of_year or timezone.localdate().year
    return last - years + 1, last


def scale_year(as_of_year: int) -> int | None:
    return ScaleStatus.objects.filter(year__lte=as_of_year).aggregate(year=Max("year"))["year"]


def _enterprises(user) -> QuerySet:
    found = Enterprise.objects.all()
    return found if user is None else scope_queryset(user, found)


def above_scale_enterprises(regions=None, as_of_year: int | None = None, *, user=None):
    """The above-scale enterprises of the districts in the scale year up to `as_of_year`."""
    year = scale_year(as_of_year or timezone.localdate().year)
    return _above_scale(districts_of(regions), year, user)


def _above_scale(districts: list[Region], year: int | None, user) -> QuerySet:
    found = _enterprises(user).filter(region__in=districts)
    if year is None:
        return found.none()
    above = ScaleStatus.objects.filter(year=year, above_scale=True)
    return found.filter(pk__in=above.values("enterprise_id"))


def _assessed(first: int, last: int) -> Exists:
    return Exists(
        SelfAssessment.objects.filter(
            enterprise=OuterRef("pk"),
            status=AssessmentStatus.SUBMITTED,
            year__gte=first,
            year__lte=last,
        )
    )


def _diagnosed(first: int, last: int) -> Exists:
    return Exists(
        ExpertDiagnosis.objects.filter(
            enterprise=OuterRef("pk"),
            status__in=COUNTED_DIAGNOSIS_STATUSES,
            visit_date__gte=datetime.date(first, 1, 1),
            visit_date__lte=datetime.date(last, 12, 31),
        )
    )


def coverage(
    regions=None, *, years: int | None = None, as_of_year: int | None = None, user=None
) -> Coverage:
    """Per district and per cluster: above-scale enterprises, how many have a self-assessment and
    an expert diagnosis in the window, and the shares. A handful of queries whatever the size."""
    first, last = window(years, as_of_year)
    districts = districts_of(regions)
    result = Coverage(
        as_of_year=last, years=last - first + 1, first_year=first, scale_year=scale_year(last)
    )
    found = _above_scale(districts, result.scale_year, user).annotate(
        assessed=_assessed(first, last), diagnosed=_diagnosed(first, last)
    )
    counts = {
        "n_above": Count("pk"),
        "n_assessed": Count("pk", filter=Q(assessed=True)),
        "n_diagnosed": Count("pk", filter=Q(diagnosed=True)),
        "n_either": Count("pk", filter=Q(assessed=True) | Q(diagnosed=True)),
    }
    found = found.order_by()
    by_region = {row["region"]: row for row in found.values("region").annotate(**counts)}
    by_cluster = {row["cluster"]: row for row in found.values("cluster").annotate(**counts)}
    result.by_district = [_row(d.pk, d.name, by_region.get(d.pk)) for d in districts]
    clusters = [(c.pk, c.name) for c in IndustryCluster.objects.all()]
    if None in by_cluster:
        clusters.append((None, NO_CLUSTER))
    result.by_cluster = [_row(pk, name, by_cluster.get(pk)) for pk, name in clusters]
    total = CoverageRow(None, _("合计"))
    for row in result.by_district:
        total.above_scale += row.above_scale
        total.self_assessed += row.self_assessed
        total.expert_diagnosed += row.expert_diagnosed
        total.covered += row.covered
    result.total = total
    return result


def _row(key, name: str, counts: dict | None) -> CoverageRow:
    counts = counts or {}
    return CoverageRow(
        key,
        name,
        above_scale=counts.get("n_above", 0),
        self_assessed=counts.get("n_assessed", 0),
        expert_diagnosed=counts.get("n_diagnosed", 0),
        covered=counts.get("n_either", 0),
    )


def undiagnosed(
    regions=None,
    *,
    kind: str = "any",
    years: int | None = None,
    as_of_year: int | None = None,
    user=None,
) -> QuerySet:
    """The above-scale enterprises still to follow up, for lists and downloads:
    kind "any" — neither a self-assessment nor an expert diagnosis in the window;
    "self_assessment" — no self-assessment; "expert_diagnosis" — no expert diagnosis.
    Each row carries `last_assessment_year` and `last_visit_date` (any time, or None)."""
    if kind not in UNDIAGNOSED_KINDS:
        raise ValueError(
            _("kind「%(kind)s」无效，应为 %(value)s 之一。")
            % {"kind": kind, "value": "、".join(UNDIAGNOSED_KINDS)}
        )
    first, last = window(years, as_of_year)
    found = above_scale_enterprises(regions, last, user=user).annotate(
        assessed=_assessed(first, last), diagnosed=_diagnosed(first, last)
    )
    if kind in ("any", "self_assessment"):
        found = found.filter(assessed=False)
    if kind in ("any", "expert_diagnosis"):
        found = found.filter(diagnosed=False)
    submitted = SelfAssessment.objects.filter(
        enterprise=OuterRef("pk"), status=AssessmentStatus.SUBMITTED
    ).order_by("-year")
    visited = ExpertDiagnosis.objects.filter(
        enterprise=OuterRef("pk"), status__in=COUNTED_DIAGNOSIS_STATUSES
    ).order_by("-visit_date")
    return (
        found.annotate(
            last_assessment_year=Subquery(submitted.values("year")[:1]),
            last_visit_date=Subquery(visited.values("visit_date")[:1]),
        )
        .select_related("region", "cluster")
        .order_by("region__sort_order", "name")
    )


@dataclass
class LevelRow:
    key: int | None
    name: str
    counts: dict[int, int]  # maturity level (0 未达一级 … 5) → enterprises

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _submitted(regions, user) -> QuerySet:
    found = SelfAssessment.objects.filter(status=AssessmentStatus.SUBMITTED)
    if user is not None:
        found = scope_queryset(user, found)
    if regions is not None:
        found = found.filter(enterprise__region__in=districts_of(regions))
    return found


def _levels() -> list[int]:
    return [band.level for band in load_questionnaire().bands]


def level_distribution(by: str, year: int, *, regions=None, user=None) -> list[LevelRow]:
    """How many enterprises' submitted self-assessments for `year` reached each maturity level,
    by district ("district") or by cluster ("cluster"), in one grouped query."""
    if by not in ("district", "cluster"):
        raise ValueError(_("by「%(by)s」无效，应为 district 或 cluster。") % {"by": by})
    group = "enterprise__region" if by == "district" else "enterprise__cluster"
    rows = _submitted(regions, user).filter(year=year).order_by().values(group, "level")
    counted: dict = {}
    for row in rows.annotate(n=Count("pk")):
        counted.setdefault(row[group], {})[row["level"]] = row["n"]
    if by == "district":
        keys = [(d.pk, d.name) for d in districts_of(regions)]
    else:
        keys = [(c.pk, c.name) for c in IndustryCluster.objects.all()]
        if None in counted:
            keys.append((None, NO_CLUSTER))
    levels = _levels()
    return [
        LevelRow(pk, name, {level: counted.get(pk, {}).get(level, 0) for level in levels})
        for pk, name in keys
    ]


def level_trend(years: Iterable[int], *, regions=None, user=None) -> dict[int, dict[int, int]]:
    """year → maturity level → enterprises, for the years given, in one grouped query."""
    years = sorted(set(years))
    levels = _levels()
    trend = {year: dict.fromkeys(levels, 0) for year in years}
    rows = _submitted(regions, user).filter(year__in=years).order_by().values("year", "level")
    for row in rows.annotate(n=Count("pk")):
        trend[row["year"]][row["level"]] = row["n"]
    return trend
