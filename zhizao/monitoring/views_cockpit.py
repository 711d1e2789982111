"""The 驾驶舱 (the city admin's first screen: who is behind, on what) and the districts' ranking
(sorted by place, coloured by status, also as a workbook). The city admin sees every district;
a district officer its own row in the cockpit and the whole ranking, which the city publishes in
its 通报 anyway. Nobody else has either page."""

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from zhizao.core.roles import Role
from zhizao.core.xlsx import table_workbook_bytes
from zhizao.monitoring.cockpit import (
    STATUS_FILLS,
    STATUS_ORDER,
    can_see_ranking,
    cockpit,
    ranking_table,
    standing,
)
from zhizao.monitoring.services import latest_year, visible_regions
from zhizao.monitoring.views import STATUS_STYLES, _default_plan, _int, _xlsx_response


def _plan_and_year(request):
    plan = _default_plan(request)
    if plan is None or not can_see_ranking(request.user):
        raise Http404
    year = _int(request.GET.get("year"), latest_year(plan))
    if not plan.first_year <= year <= plan.last_year:
        year = latest_year(plan)
    return plan, year


def _legend() -> list[tuple[str, str, str]]:
    return [(key, STATUS_STYLES[key][0], _(STATUS_STYLES[key][1])) for key in STATUS_ORDER]


@login_required
@require_GET
def cockpit_page(request):
    """Counts by status for the city and each district, the district × indicator grid coloured
    by status (worst rows first, each cell a link to the enterprises or records behind it), the
    red cells furthest behind, and the districts' places."""
    plan, year = _plan_and_year(request)
    if not visible_regions(request.user, plan):
        raise Http404
    data = cockpit(plan, year, request.user)
    # The grid's HTML is kept beside its figures, per language: it is read far more often than
    # the figures change, and its ~150 cells cost more to render than to compute.
    key = f"{data['key']}:html:{get_language()}"
    body = cache.get(key)
    if body is None:
        body = render_to_string(
            "monitoring/_cockpit_body.html",
            {**data, "year": year, "legend": _legend(), "status_styles": STATUS_STYLES},
        )
        cache.set(key, body, timeout=3600)
    return render(
        request,
        "monitoring/cockpit.html",
        {
            "plan": plan,
            "year": year,
            "years": plan.years,
            "body": mark_safe(body),
            # A district officer's place among all districts above its own row.
            "standing": (
                standing(plan, year, request.user.region)
                if getattr(request.user, "role", None) == Role.DISTRICT
                else None
            ),
        },
    )


@login_required
@require_GET
def ranking(request):
    """The districts in order of their composite place, with their progress, rank and status
    per indicator; the same table as a workbook with the ranks and the colours."""
    plan, year = _plan_and_year(request)
    table = ranking_table(plan, year)
    if request.GET.get("format") == "xlsx":
        return _ranking_workbook(year, table)
    own = getattr(request.user, "region_id", None)
    return render(
        request,
        "monitoring/ranking.html",
        {
            **table,
            "plan": plan,
            "year": year,
            "years": plan.years,
            "own_region": own,
            "legend": _legend(),
            "status_styles": STATUS_STYLES,
        },
    )


def _ranking_workbook(year: int, table: dict):
    """One row per district in order of place: place, district, mean rank, then per indicator
    its five-year progress (filled with its status colour) and its rank."""
    headers = [_("名次"), _("区县"), _("平均名次")]
    for indicator in table["indicators"]:
        headers += [
            _("%(number)s. %(name)s 五年进度")
            % {"number": indicator.number, "name": indicator.name},
            _("%(number)s. 名次") % {"number": indicator.number},
        ]
    rows, fills = [], {}
    formats = {3 + 2 * i: "0.0%" for i in range(len(table["indicators"]))}
    for index, entry in enumerate(table["entries"]):
        row = [entry["place"], entry["region"].name, _float(entry["score"])]
        for position, cell in enumerate(entry["cells"]):
            row += [cell["progress"], cell["rank"]]
            fills[(index, 3 + 2 * position)] = STATUS_FILLS[cell["status"]]
        rows.append(row)
    content = table_workbook_bytes(
        _("%(year)s年区县五年进度排名") % {"year": year}, headers, rows, formats, fills
    )
    return _xlsx_response(content, f"ranking-{year}.xlsx")


def _float(value):
    return None if value is None else round(float(value), 2)
