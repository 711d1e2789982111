"""The public dashboard (公众): the figures the city has published, for anyone, without login,
read from the published record only: the status counts, the district map and the table."""

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from zhizao.core.scoping import scope_queryset
from zhizao.core.xlsx import table_workbook_bytes
from zhizao.monitoring.models import PublishedYear
from zhizao.monitoring.views import (
    STATUS_STYLES,
    _int,
    _styled,
    _xlsx_response,
    map_file_response,
)

# The indicator the map opens on, as on the overview (制造业机器人密度 in the default plan).
MAP_INDICATOR = 7


def _published():
    return PublishedYear.objects.public().filter(plan__code=settings.ZHIZAO_DEFAULT_PLAN)


@require_GET
def public_dashboard(request):
    """Only what a published (and not withdrawn) year's record holds, as it was when
    published; two queries whatever the year or region."""
    published = scope_queryset(request.user, _published())
    years = list(published.order_by("-year").values_list("year", flat=True))
    requested = request.GET.get("year")
    if not years:
        if requested:
            raise Http404
        return render(request, "monitoring/public.html", {"years": []})
    year = _int(requested, None) if requested else years[0]
    if year not in years:
        raise Http404  # an unpublished year is indistinguishable from none
    record = published.values("snapshot", "published_at", "plan__map_name").get(year=year)
    regions = record["snapshot"]["regions"]
    region = regions[0]
    if request.GET.get("region"):
        region = next((r for r in regions if r["code"] == request.GET["region"]), None)
        if region is None:
            raise Http404
    rows = [_styled(row) for row in region["rows"]]
    if request.GET.get("format") == "xlsx":
        return _public_workbook(region, year, rows)
    groups: list[tuple[str, list]] = []
    for row in rows:
        if not groups or groups[-1][0] != row["category"]:
            groups.append((row["category"], []))
        groups[-1][1].append(row)
    return render(
        request,
        "monitoring/public.html",
        {
            "plan_name": record["snapshot"]["plan"]["name"],
            "published_at": record["published_at"],
            "years": years,
            "year": year,
            "regions": regions,
            "region": region,
            "groups": groups,
            "counts": [
                (key, style, label, sum(1 for r in rows if r["status"] == key))
                for key, (style, label) in STATUS_STYLES.items()
            ],
            "map": _map_data(record, regions) if len(regions) > 1 else None,
        },
    )


def _map_data(record: dict, regions: list[dict]) -> dict | None:
    """Each district's five-year progress and status on every indicator, from the snapshot,
    for the map's colours (the page draws it without asking the server again)."""
    if not record["plan__map_name"]:
        return None
    city = regions[0]
    return {
        "map": record["plan__map_name"],
        "indicator": MAP_INDICATOR,
        "styles": {key: style for key, (style, _) in STATUS_STYLES.items()},
        "labels": {key: gettext(label) for key, (_, label) in STATUS_STYLES.items()},
        "indicators": [{"no": r["no"], "name": r["name"], "unit": r["unit"]} for r in city["rows"]],
        "districts": [
            {
                "name": district["name"],
                "code": district["code"],
                "rows": [
                    {
                        "value": None
                        if r["five_year_progress"] is None
                        else round(r["five_year_progress"] * 100, 1),
                        "actual": r["actual"],
                        "status": r["status"],
                    }
                    for r in district["rows"]
                ],
            }
            for district in regions[1:]
        ],
    }


@require_GET
def public_map_script(request):
    """The district boundaries of the published plan, for the public map."""
    published = scope_queryset(request.user, _published())
    map_script = published.values_list("plan__map_script", flat=True).first()
    return map_file_response(map_script or "", "public")


def _public_workbook(region: dict, year: int, rows: list[dict]) -> HttpResponse:
    headers = [
        _("类别"), _("序号"), _("指标"), _("单位"), _("实际值"), _("实际值说明"), _("年度目标"), _("年度完成率"),
        _("五年目标"), _("五年进度"), _("序时进度"), _("状态"),
    ]  # fmt: skip
    table = [
        [
            r["category"],
            r["no"],
            r["name"],
            r["unit"],
            r["actual"],
            r["period"],
            r["year_target"],
            r["year_completion"],
            r["five_year_target"],
            r["five_year_progress"],
            r["schedule"],
            r["status_label"],
        ]
        for r in rows
    ]
    content = table_workbook_bytes(
        _("%(value)s%(year)s年指标进度（已发布）") % {"value": region["name"], "year": year},
        headers,
        table,
        {7: "0.0%", 9: "0.0%", 10: "0.0%"},
    )
    return _xlsx_response(content, f"published-{region['code']}-{year}.xlsx")
