"""One filter class per model, serving the list page, the API and the export alike."""

import django_filters
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from zhizao.enterprises.models import YearlyReport
from zhizao.monitoring.models import IndicatorValue, ValueSource

SORTS = {
    "shortfall": (_("按对缺口的贡献（大的在前）"), F("shortfall").desc(nulls_last=True)),
    "value": (_("按本年值（高的在前）"), F("level").desc(nulls_last=True)),
    "value_asc": (_("按本年值（低的在前）"), F("level").asc(nulls_last=True)),
    "change": (_("按比上年变化（降幅大的在前）"), F("change").asc(nulls_last=True)),
    "change_desc": (_("按比上年变化（增幅大的在前）"), F("change").desc(nulls_last=True)),
    "name": (_("按企业名称"), F("enterprise__name").asc()),
}


class ContributionFilter(django_filters.FilterSet):
    """The enterprises behind a figure (reports annotated by `drilldown.with_values`): search by
    name and sort by their own value, their change since last year or their contribution to the
    shortfall; the drill-down page and its workbook filter and sort alike."""

    q = django_filters.CharFilter(
        field_name="enterprise__name", lookup_expr="icontains", label=_("企业名称")
    )
    sort = django_filters.ChoiceFilter(
        method="sort_by",
        choices=[(key, label) for key, (label, _order) in SORTS.items()],
        label=_("排序"),
        empty_label=None,
    )

    class Meta:
        model = YearlyReport
        fields = ["q", "sort"]

    def sort_by(self, queryset, name, value):
        return queryset.order_by(SORTS[value][1], "enterprise__name", "pk")


class IndicatorValueFilter(django_filters.FilterSet):
    plan = django_filters.CharFilter(field_name="indicator__plan__code", label=_("方案代码"))
    indicator = django_filters.NumberFilter(field_name="indicator__number", label=_("指标序号"))
    region = django_filters.CharFilter(field_name="region__code", label=_("区划代码"))
    year = django_filters.NumberFilter(label=_("年份"))
    year_from = django_filters.NumberFilter(
        field_name="year", lookup_expr="gte", label=_("起始年份")
    )
    year_to = django_filters.NumberFilter(field_name="year", lookup_expr="lte", label=_("截止年份"))
    source = django_filters.ChoiceFilter(choices=ValueSource.choices, label=_("来源"))

    class Meta:
        model = IndicatorValue
        fields = ["plan", "indicator", "region", "year", "year_from", "year_to", "source"]
