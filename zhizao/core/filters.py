import django_filters
from django.utils.translation import gettext_lazy as _

from zhizao.core.models import Region, RegionLevel


class RegionFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=RegionLevel.choices, label=_("层级"))
    parent = django_filters.CharFilter(field_name="parent__code", label=_("上级代码"))

    class Meta:
        model = Region
        fields = ["level", "parent"]
