"""The district page (区县页面): one district's annex items against its own targets (保底 and
争取), its indicators in the overview's table, and its place in the districts' ranking, for a
chosen year. The city admin may open any district; a district officer only its own (any other
code is a 404, as if the district did not exist); nobody else has district pages."""

from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from zhizao.core.scoping import scope_queryset
from zhizao.core.xlsx import table_workbook_bytes
from zhizao.monitoring.cockpit import cached_ranking
from zhizao.monitoring.services import cached_plan_progress, latest_year, visible_regions
from zhizao.monitoring.views import (
    STATUS_STYLES,
    _default_plan,
    _int,
    _overview_table,
    _xlsx_response,
)
from zhizao.plans.models import RegionTarget

RATIO = Decimal("0.0001")


@login_required
@require_GET
def district(request, code: str):
    plan = _default_plan(request)
    if plan is None:
        raise Http404
    place = next(
        (
            r
            for r in visible_regions(request.user, plan)
            if r.code == code and r.parent_id == plan.region_id
        ),
        None,
    )
    if place is None:
        raise Http404  # another district's page is indistinguishable from none
    year = _int(request.GET.get("year"), latest_year(plan))
    if not plan.first_year <= year <= plan.last_year:
        year = latest_year(plan)
    progress = cached_plan_progress(plan, year, place, request.user)
    annex = annex_rows(plan, place, year, progress, request.user)
    if request.GET.get("format") == "xlsx":
        return _annex_workbook(place, year, annex)
    # An officer sees its own district's place among all districts (not their figures): the
    # ranking is computed over every district, as the city sees it.
    ranking = _ranking(plan, year, place)
    return render(
        request,
        "monitoring/district.html",
        {
            "plan": plan,
            "district": place,
            "year": year,
            "years": plan.years,
            "annex": annex,
            "chart": _annex_chart(annex),
            "table": _overview_table(request, plan, year, place),
            "ranking": ranking,
        },
    )


def annex_rows(plan, place, year: int, progress: list[dict], user) -> list[dict]:
    """The district's annex items (the plan's region targets) for `year`, each with the
    plan-period additions so far, its floor and stretch, completion against each, and the
    schedule and status of the district's row in `progress` (plan_progress, which judges a
    district against its annex floor): the figures are the overview's own."""
    targets = (
        scope_queryset(user, RegionTarget.objects.filter(indicator__plan=plan, region=place))
        .exclude(indicator__kind="level")  # a total's own level is no share of additions
        .select_related("indicator")
        .order_by("indicator__number")
    )
    by_number = {row["no"]: row for row in progress}
    rows = []
    for target in targets:
        indicator = target.indicator
        row = by_number[indicator.number]
        additions = _additions(row, year)
        style, label = STATUS_STYLES[row["status"]]
        rows.append(
            {
                "no": indicator.number,
                "item": indicator.region_item or indicator.name,
                "unit": indicator.unit,
                "source": row["source"],
                "floor": _number(target.floor),
                "stretch": _number(target.stretch),
                "target_text": _target_text(target.floor, target.stretch),
                "additions": additions,
                "floor_completion": _ratio(additions, target.floor),
                "stretch_completion": _ratio(additions, target.stretch),
                "schedule": row["schedule"],
                "status": row["status"],
                "style": style,
                "status_label": label,
                "at_risk": row["at_risk"],
                "floor_percent": _percent(_ratio(additions, target.floor)),
                "stretch_percent": _percent(_ratio(additions, target.stretch)),
                "schedule_percent": _percent(row["schedule"]),
                "by_year": [
                    (y, a)
                    for y, a in zip(row["series"]["years"], row["series"]["actuals"], strict=True)
                    if y <= year
                ],
            }
        )
    return rows


def _additions(row: dict, year: int):
    """The district's additions over the plan's years up to `year`, from the same figures of
    record as its progress; None (无数据) when `year` itself has none, as progress has it."""
    actuals = dict(zip(row["series"]["years"], row["series"]["actuals"], strict=True))
    if actuals.get(year) is None:
        return None
    return sum(Decimal(str(a)) for y, a in actuals.items() if y <= year and a is not None)


def _ratio(value, whole) -> float | None:
    if value is None or not whole:
        return None
    return float((Decimal(value) / Decimal(whole)).quantize(RATIO, rounding=ROUND_HALF_UP))


def _number(value):
    if value is None:
        return None
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


def _target_text(floor: Decimal, stretch: Decimal) -> str:
    """As the annex prints it: "12", or "保1争2" when the stretch goal is above the floor."""
    if stretch != floor:
        return _("保%(floor)s争%(stretch)s") % {
            "floor": _number(floor),
            "stretch": _number(stretch),
        }
    return str(_number(floor))


def _percent(ratio) -> float | None:
    """A ratio kept as a fraction, in % to one place (0.4833 → 48.3) for a page or a chart."""
    if ratio is None:
        return None
    return float((Decimal(str(ratio)) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _annex_chart(annex: list[dict]) -> dict:
    """Completion against floor and stretch and the schedule, in %, per annex item."""
    return {
        "items": [f"{r['no']}. {r['item']}" for r in annex],
        "floor": [r["floor_percent"] for r in annex],
        "stretch": [r["stretch_percent"] for r in annex],
        "schedule": [r["schedule_percent"] for r in annex],
    }


def _ranking(plan, year: int, place) -> dict:
    """The district's place in `district_ranking`: composite and per indicator, each with the
    number of districts ranked. The ranking is the same for every viewer (`cached_ranking`)."""
    ranking = cached_ranking(plan, year)
    position = next(i for i, d in enumerate(ranking["districts"]) if d.pk == place.pk)
    _district, score, composite = ranking["composite"][position]
    rows = []
    for row in ranking["rows"]:
        value, rank = row["cells"][position]
        ranked = sum(1 for v, _ in row["cells"] if v is not None)
        rows.append({"indicator": row["indicator"], "value": value, "rank": rank, "of": ranked})
    return {
        "composite": composite,
        "score": score,
        "of": sum(1 for _, _, p in ranking["composite"] if p is not None),
        "rows": rows,
    }


def _annex_workbook(place, year: int, annex: list[dict]):
    headers = [
        _("序号"), _("项目内容"), _("单位"), _("五年目标"), _("保底目标"), _("争取目标"), _("规划期累计新增"),
        _("保底完成率"), _("争取完成率"), _("序时进度"), _("状态"),
    ]  # fmt: skip
    rows = [
        [
            r["no"],
            r["item"],
            r["unit"],
            r["target_text"],
            r["floor"],
            r["stretch"],
            None if r["additions"] is None else _number(r["additions"]),
            r["floor_completion"],
            r["stretch_completion"],
            r["schedule"],
            r["status_label"],
        ]
        for r in annex
    ]
    content = table_workbook_bytes(
        _("%(name)s%(year)s年目标任务完成情况") % {"name": place.name, "year": year},
        headers,
        rows,
        {7: "0.0%", 8: "0.0%", 9: "0.0%"},
    )
    return _xlsx_response(content, f"district-{place.code}-{year}.xlsx")
