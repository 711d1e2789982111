"""The city's and the districts' pages: coverage of above-scale enterprises by self-assessments
and expert diagnoses, the enterprises still to follow up, and the distribution of maturity
levels. A district officer sees its own district's figures only (the services narrow through
the scoping function with `user=`); other roles get 404. Every table downloads as XLSX."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Max, Min
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from zhizao.core.scoping import scope_queryset
from zhizao.core.xlsx import XLSX_CONTENT_TYPE, table_workbook_bytes
from zhizao.diagnosis import services
from zhizao.diagnosis.models import AssessmentStatus, SelfAssessment
from zhizao.diagnosis.views_common import visible_districts

PAGE_SIZE = 50
KIND_LABELS = {
    "any": _("既无自评估也无现场诊断"),
    "self_assessment": _("没有自评估"),
    "expert_diagnosis": _("没有现场诊断"),
}
PERCENT = "0.0%"


def _year(request, default: int) -> int:
    try:
        year = int(request.GET.get("year", default))
    except (TypeError, ValueError):
        return default
    return year if 2000 <= year <= timezone.localdate().year + 1 else default


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _share(value) -> float | None:
    return None if value is None else float(value)


def _coverage_row(row) -> list:
    return [
        row.name,
        row.above_scale,
        row.self_assessed,
        _share(row.self_assessed_share),
        row.expert_diagnosed,
        _share(row.expert_diagnosed_share),
        row.covered,
        _share(row.covered_share),
        row.not_covered,
    ]


COVERAGE_HEADERS = [
    _("名称"), _("规上企业"), _("已自评估"), _("自评估覆盖率"), _("已现场诊断"), _("现场诊断覆盖率"),
    _("已诊断（任一）"), _("诊断覆盖率"), _("尚未诊断"),
]  # fmt: skip


def _coverage_chart(rows) -> dict:
    return {
        "names": [row.name for row in rows],
        "self": [_percent(row.self_assessed_share) for row in rows],
        "expert": [_percent(row.expert_diagnosed_share) for row in rows],
        "either": [_percent(row.covered_share) for row in rows],
    }


def _percent(share) -> float | None:
    return None if share is None else round(float(share) * 100, 1)


def _percent_text(share) -> str:
    return "—" if share is None else f"{float(share) * 100:.1f}%"


def _coverage_rows(rows, links: dict | None = None, total=None) -> list[dict]:
    """The rows as the table shows them; `links` maps a row's key to its follow-up list."""
    shown = []
    for row in [*rows, *([total] if total else [])]:
        shown.append(
            {
                "name": row.name,
                "total": row is total,
                "above_scale": row.above_scale,
                "self_assessed": row.self_assessed,
                "self_share": _percent_text(row.self_assessed_share),
                "expert_diagnosed": row.expert_diagnosed,
                "expert_share": _percent_text(row.expert_diagnosed_share),
                "covered": row.covered,
                "covered_share": _percent_text(row.covered_share),
                "not_covered": row.not_covered,
                "link": (links or {}).get(row.key),
            }
        )
    return shown


@login_required
@require_GET
def coverage_page(request):
    districts = visible_districts(request.user)
    year = _year(request, timezone.localdate().year)
    found = services.coverage(districts, as_of_year=year, user=request.user)
    by = request.GET.get("by", "district")
    if request.GET.get("format") == "xlsx":
        rows = found.by_cluster if by == "cluster" else [*found.by_district, found.total]
        what = _("产业集群") if by == "cluster" else _("区县")
        title = _("%(first_year)s—%(as_of_year)s年诊断覆盖（按%(what)s）") % {
            "first_year": found.first_year,
            "as_of_year": found.as_of_year,
            "what": what,
        }
        content = table_workbook_bytes(
            title,
            [what, *COVERAGE_HEADERS[1:]],
            [_coverage_row(row) for row in rows],
            {3: PERCENT, 5: PERCENT, 7: PERCENT},
        )
        return _xlsx(content, f"diagnosis-coverage-{by}-{found.as_of_year}.xlsx")
    follow_up = reverse("diagnosis:undiagnosed")
    links = {d.pk: f"{follow_up}?year={year}&region={d.code}" for d in districts}
    return render(
        request,
        "diagnosis/coverage.html",
        {
            "coverage": found,
            "district_rows": _coverage_rows(found.by_district, links, found.total),
            "cluster_rows": _coverage_rows(found.by_cluster),
            "year": year,
            "years": list(range(timezone.localdate().year, timezone.localdate().year - 6, -1)),
            "district_chart": _coverage_chart(found.by_district),
            "cluster_chart": _coverage_chart(found.by_cluster),
            "single": len(districts) == 1,
        },
    )


@login_required
@require_GET
def undiagnosed_page(request):
    districts = visible_districts(request.user)
    year = _year(request, timezone.localdate().year)
    kind = request.GET.get("kind", "any")
    if kind not in KIND_LABELS:
        kind = "any"
    chosen = [d for d in districts if d.code == request.GET.get("region")] or districts
    found = services.undiagnosed(chosen, kind=kind, as_of_year=year, user=request.user)
    first, last = year - services.coverage_years() + 1, year
    if request.GET.get("format") == "xlsx":
        rows = [
            [
                e.name,
                e.uscc,
                e.region.name,
                e.town,
                e.cluster.name if e.cluster_id else "",
                e.industry_code,
                e.contact_name,
                e.contact_phone,
                e.last_assessment_year,
                e.last_visit_date,
            ]
            for e in found.iterator(chunk_size=2000)
        ]
        where = chosen[0].name if len(chosen) == 1 else _("全市")
        content = table_workbook_bytes(
            _("%(where)s%(first)s—%(last)s年%(value)s的规上企业") % {"where": where, "first": first, "last": last, "value": KIND_LABELS[kind]},
            [
                _("企业名称"), _("统一社会信用代码"), _("区县"), _("乡镇（街道）"), _("产业集群"), _("行业代码"),
                _("联系人"), _("联系电话"), _("最近自评估年度"), _("最近现场诊断日期"),
            ],
            rows,
            {9: "yyyy-mm-dd"},
        )  # fmt: skip
        return _xlsx(content, f"undiagnosed-{kind}-{last}.xlsx")
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "diagnosis/undiagnosed.html",
        {
            "page": page,
            "kind": kind,
            "kinds": KIND_LABELS,
            "districts": districts,
            "region": request.GET.get("region", ""),
            "year": year,
            "first": first,
            "years": list(range(timezone.localdate().year, timezone.localdate().year - 6, -1)),
            "query": query.urlencode(),
        },
    )


def _level_names() -> list[tuple[int, str]]:
    return [(band.level, band.name) for band in services.current_questionnaire().bands]


def _distribution_chart(rows, levels) -> dict:
    return {
        "names": [row.name for row in rows],
        "series": [
            {"name": name, "data": [row.counts.get(level, 0) for row in rows]}
            for level, name in levels
        ],
    }


@login_required
@require_GET
def levels_page(request):
    districts = visible_districts(request.user)
    submitted = scope_queryset(
        request.user,
        SelfAssessment.objects.filter(
            status=AssessmentStatus.SUBMITTED, enterprise__region__in=districts
        ),
    )
    span = submitted.aggregate(first=Min("year"), last=Max("year"))
    this_year = timezone.localdate().year
    last = span["last"] or this_year
    first = span["first"] or last
    year = _year(request, last)
    levels = _level_names()
    by_district = services.level_distribution(
        "district", year, regions=districts, user=request.user
    )
    by_cluster = services.level_distribution("cluster", year, regions=districts, user=request.user)
    by_cluster = [row for row in by_cluster if row.total] or by_cluster
    trend_years = list(range(first, last + 1))
    trend = services.level_trend(trend_years, regions=districts, user=request.user)
    trend_rows = [services.LevelRow(None, _("%(y)s年") % {"y": y}, trend[y]) for y in trend_years]
    what = request.GET.get("by", "district")
    if request.GET.get("format") == "xlsx":
        names = [name for _, name in levels]
        if what == "trend":
            rows = [
                [
                    _("%(y)s年") % {"y": y},
                    *[trend[y].get(level, 0) for level, _ in levels],
                    sum(trend[y].values()),
                ]
                for y in trend_years
            ]
            title, first_header = (
                _("%(first)s—%(last)s年成熟度等级分布") % {"first": first, "last": last},
                _("年度"),
            )
        else:
            chosen = by_cluster if what == "cluster" else by_district
            rows = [
                [row.name, *[row.counts.get(level, 0) for level, _ in levels], row.total]
                for row in chosen
            ]
            first_header = _("产业集群") if what == "cluster" else _("区县")
            title = _("%(year)s年成熟度等级分布（按%(first_header)s）") % {
                "year": year,
                "first_header": first_header,
            }
        content = table_workbook_bytes(title, [first_header, *names, _("合计")], rows)
        return _xlsx(content, f"maturity-levels-{what}-{year}.xlsx")
    return render(
        request,
        "diagnosis/levels.html",
        {
            "year": year,
            "years": list(range(last, first - 1, -1)) or [year],
            "levels": levels,
            "sections": [
                (
                    "district",
                    _("%(year)s年按区县") % {"year": year},
                    by_district,
                    _("区县"),
                    60 + 40 * len(by_district),
                ),
                (
                    "cluster",
                    _("%(year)s年按产业集群") % {"year": year},
                    by_cluster,
                    _("产业集群"),
                    60 + 32 * len(by_cluster),
                ),
                ("trend", _("逐年变化"), trend_rows, _("年度"), 300),
            ],
            "charts": {
                "district": _distribution_chart(by_district, levels),
                "cluster": _distribution_chart(by_cluster, levels),
                "trend": {
                    "names": [_("%(y)s年") % {"y": y} for y in trend_years],
                    "series": [
                        {"name": name, "data": [trend[y].get(level, 0) for y in trend_years]}
                        for level, name in levels
                    ],
                },
            },
        },
    )
