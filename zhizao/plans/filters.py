import django_filters
from django.utils.translation import gettext_lazy as _

from zhizao.plans.models import Indicator, IndicatorKind, RegionTarget, YearTarget


class IndicatorFilter(django_filters.FilterSet):
    plan = django_filters.CharFilter(field_name="plan__code", label=_("方案代码"))
    kind = django_filters.ChoiceFilter(choices=IndicatorKind.choices, label=_("类型"))
    category = django_filters.CharFilter(label=_("类别"))

    class Meta:
        model = Indicator
        fields = ["plan", "kind", "category", "number"]


class YearTargetFilter(django_filters.FilterSet):
    plan = django_filters.CharFilter(field_name="indicator__plan__code", label=_("方案代码"))
    indicator_number = django_filters.NumberFilter(
        field_name="indicator__number", label=_("指标序号")
    )

    class Meta:
        model = YearTarget
        fields = ["plan", "indicator", "indicator_number", "year"]


class RegionTargetFilter(django_filters.FilterSet):
    plan = django_filters.CharFilter(field_name="indicator__plan__code", label=_("方案代码"))
    indicator_number = django_filters.NumberFilter(
        field_name="indicator__number", label=_("指标序号")
    )
    region = django_filters.CharFilter(field_name="region__code", label=_("区县代码"))

    class Meta:
        model = RegionTarget
        fields = ["plan", "indicator", "indicator_number", "region"]
