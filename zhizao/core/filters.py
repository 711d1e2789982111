import django_filters

from zhizao.core.models import Region, RegionLevel


class RegionFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=RegionLevel.choices, label="层级")
    parent = django_filters.CharFilter(field_name="parent__code", label="上级代码")

    class Meta:
        model = Region
        fields = ["level", "parent"]
