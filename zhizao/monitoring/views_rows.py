"""The rows behind one figure of the indicator page (一个数的来源): the counted enterprise
reports of an enterprise-sourced value, the titles recognised and revoked of a registry-sourced
one (through the registry's rows function, so monitoring does not import the registry's app),
and the reported and approved values of a reported one."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from zhizao.core.scoping import scope_queryset
from zhizao.enterprises.fields import FIELDS_BY_NAME
from zhizao.monitoring.engine import counted_reports, source_type
from zhizao.monitoring.formulas import formula_fields
from zhizao.monitoring.models import IndicatorValue, ReportedValue, ValueSource
from zhizao.monitoring.registry import rows_named
from zhizao.monitoring.views import _indicator_context, _int

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
        fields = formula_fields(indicator.source.get("formula", ""))
        reports = (
            scope_queryset(request.user, counted_reports(indicator, region, year))
            .select_related("enterprise__region")
            .order_by("enterprise__name", "pk")
        )
        page = Paginator(reports, ROWS_PER_PAGE).get_page(request.GET.get("page"))
        context.update(
            branch="enterprise",
            page=page,
            labels=[FIELDS_BY_NAME[f].label for f in fields],
            rows=[(r, [getattr(r, f) for f in fields]) for r in page],
            official=_official(request.user, indicator, region, year),
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
