"""The rows behind one figure of the indicator page (一个数的来源): the counted enterprise
reports of an enterprise-sourced value, the titles recognised and revoked of a registry-sourced
one (through the registry's rows function, so monitoring does not import the registry's app),
and the reported and approved values of a reported one."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from zhizao.core.scoping import scope_queryset
from zhizao.core.xlsx import table_workbook_bytes
from zhizao.enterprises.fields import FIELDS_BY_NAME
from zhizao.monitoring.drilldown import numerator_label, ratio_of, with_values
from zhizao.monitoring.engine import counted_reports, enterprise_source, source_type
from zhizao.monitoring.filters import SORTS, ContributionFilter
from zhizao.monitoring.formulas import formula_fields
from zhizao.monitoring.models import IndicatorValue, ReportedValue, ValueSource
from zhizao.monitoring.registry import rows_named
from zhizao.monitoring.services import cached_plan_progress
from zhizao.monitoring.views import _float, _indicator_context, _int, _xlsx_response

ROWS_PER_PAGE = 50


@login_required
@require_GET
def indicator_rows(request, number: int):
    plan, indicator, regions = _indicator_context(request, number)
    region = next((r for r in regions if r.code == request.GET.get("region")), None)
    year = _int(request.GET.get("year"), None)
    if region is None or year is None:
        raise Http404
    context = {
        "plan": plan,
        "indicator": indicator,
        "region": region,
        "year": year,
        "query": f"region={region.code}&year={year}",
    }
    kind = source_type(indicator)
    titles = (
        _registry_rows(indicator, region, year, request.user)
        if kind == ValueSource.REGISTRY
        else None
    )
    if kind == ValueSource.ENTERPRISE:
        reports, columns = _contributions(request, plan, indicator, region, year)
        if request.GET.get("format") == "xlsx":
            return _contributions_workbook(indicator, region, year, reports, columns)
        page = Paginator(reports, ROWS_PER_PAGE).get_page(request.GET.get("page"))
        context.update(
            branch="enterprise",
            page=page,
            rows=[(r, [getattr(r, f) for f in columns["fields"]]) for r in page],
            official=_official(request.user, indicator, region, year),
            query=urlencode(
                {"region": region.code, "year": year, "sort": columns["sort"], "q": columns["q"]}
            ),
            **columns,
        )
    elif titles is not None:
        recognised = sum(1 for row in titles if row["change"] > 0)
        stored = (
            scope_queryset(
                request.user, IndicatorValue.objects.filter(indicator=indicator, region=region)
            )
            .filter(year=year, source=ValueSource.REGISTRY)
            .values_list("value", flat=True)
            .first()
        )
        context.update(
            branch="registry",
            registry_page=Paginator(titles, ROWS_PER_PAGE).get_page(request.GET.get("page")),
            recognised=recognised,
            revoked=len(titles) - recognised,
            net=recognised - (len(titles) - recognised),
            stored=stored,
            official=_official(request.user, indicator, region, year),
        )
    else:
        context["branch"] = "reported"
        context["reported"] = scope_queryset(
            request.user,
            ReportedValue.objects.filter(
                indicator=indicator, year=year, region__path__startswith=region.path
            ),
        ).select_related("region", "reported_by", "approved_by")
    return render(request, "monitoring/indicator_rows.html", context)


def _registry_rows(indicator, region, year, user) -> list[dict] | None:
    """The registry's records behind the figure, or None when the indicator takes reported
    values instead (its registry is missing or nothing in it counts towards the indicator)."""
    rows = rows_named(str((indicator.source or {}).get("counter", "")))
    return rows(indicator.number, region, year, user) if rows else None


def _official(user, indicator, region, year):
    """An approved official figure stands in place of the computed value: its rows too."""
    return scope_queryset(
        user,
        ReportedValue.objects.filter(
            indicator=indicator, year=year, quarter=0, region__path__startswith=region.path
        ),
    ).select_related("region", "reported_by", "approved_by")


def _contributions(request, plan, indicator, region, year):
    """The counted reports behind the figure, each with the enterprise's own value, its change
    since last year and (for a rate k × A / B) its contribution to the shortfall against the
    year's target, in SQL (`drilldown.with_values`), searched and sorted by ContributionFilter.
    Returns the queryset and what the page and the workbook need to label its columns."""
    formula = enterprise_source(indicator).formula
    ratio = ratio_of(formula)
    target = _target_level(plan, indicator, region, year) if ratio else None
    reports = with_values(
        scope_queryset(request.user, counted_reports(indicator, region, year)).select_related(
            "enterprise__region"
        ),
        formula,
        target,
    )
    sorts = [key for key in SORTS if key != "shortfall" or target is not None]
    params = request.GET.copy()
    if params.get("sort") not in sorts:
        params["sort"] = sorts[0]
    fields = formula_fields(indicator.source.get("formula", ""))
    columns = {
        "fields": fields,
        "labels": [FIELDS_BY_NAME[f].label for f in fields],
        "growth": formula.growth,
        "target": target,
        "shortfall_unit": numerator_label(formula, ratio) if target is not None else "",
        "sort": params["sort"],
        "sorts": [(key, SORTS[key][0]) for key in sorts],
        "q": params.get("q", ""),
    }
    return ContributionFilter(params, queryset=reports).qs, columns


def _target_level(plan, indicator, region, year):
    """The level the region is to reach in `year`, as its progress row has it (the plan's
    yearly target, or the five-year one when the year has none)."""
    rows = cached_plan_progress(plan, year, region, None)
    row = next((r for r in rows if r["no"] == indicator.number), None)
    if row is None:
        return None
    target = row["year_target"] if row["year_target"] is not None else row["five_year_target"]
    return None if target is None else float(target)


def _contributions_workbook(indicator, region, year, reports, columns) -> HttpResponse:
    if columns["growth"]:
        values = [_("本年水平"), _("上年水平"), _("增幅（%）")]
    else:
        values = [_("本年值（%(unit)s）") % {"unit": indicator.unit}, _("上年值"), _("比上年变化")]
    if columns["target"] is not None:
        values.append(_("对缺口的贡献（%(what)s）") % {"what": columns["shortfall_unit"]})
    headers = [_("企业"), _("统一社会信用代码"), *values, _("区县"), *columns["labels"]]
    rows = []
    for report in reports:
        row = [report.enterprise.name, report.enterprise.uscc]
        row += [_round(report.level), _round(report.previous), _round(report.change)]
        if columns["target"] is not None:
            row.append(_round(report.shortfall))
        row.append(report.enterprise.region.name)
        row += [_cell(getattr(report, f)) for f in columns["fields"]]
        rows.append(row)
    title = _("%(region)s%(year)s年「%(name)s」企业明细") % {
        "region": region.name,
        "year": year,
        "name": indicator.name,
    }
    content = table_workbook_bytes(title, headers, rows)
    return _xlsx_response(content, f"indicator-{indicator.number}-{region.code}-{year}.xlsx")


def _round(value):
    return None if value is None else round(value, 4)


def _cell(value):
    if isinstance(value, bool):
        return _("是") if value else _("否")
    return _float(value) if not isinstance(value, int) else value
