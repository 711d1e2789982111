"""One filter class per model, serving the list page, the API and the export alike."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhizao.core.models import Region, RegionLevel
from zhizao.cultivation.models import Application, ApplicationStatus, Batch, Title, TitleType
from zhizao.enterprises.filters import YesNoWidget
from zhizao.enterprises.services import normalise_uscc


class BatchFilter(django_filters.FilterSet):
    title_type = django_filters.ModelChoiceFilter(
        queryset=TitleType.objects.all(),
        to_field_name="code",
        label=_("称号类型"),
        empty_label=_("全部"),
    )
    year = django_filters.NumberFilter(label=_("年度"))

    class Meta:
        model = Batch
        fields = ["title_type", "year"]


class ApplicationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("企业或项目名称"))
    title_type = django_filters.ModelChoiceFilter(
        queryset=TitleType.objects.all(),
        to_field_name="code",
        label=_("称号类型"),
        empty_label=_("全部"),
    )
    region = django_filters.ModelChoiceFilter(
        queryset=Region.objects.filter(level=RegionLevel.COUNTY),
        to_field_name="code",
        label=_("区县"),
        empty_label=_("全部"),
    )
    status = django_filters.ChoiceFilter(
        choices=ApplicationStatus.choices, label=_("状态"), empty_label=_("全部")
    )
    year = django_filters.NumberFilter(field_name="batch__year", label=_("年度"))

    class Meta:
        model = Application
        fields = ["q", "title_type", "region", "status", "year"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(enterprise__name__icontains=value) | Q(project_name__icontains=value)
        )


class TitleFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("称号持有者"))
    title_type = django_filters.ModelChoiceFilter(
        queryset=TitleType.objects.all(),
        to_field_name="code",
        label=_("称号类型"),
        empty_label=_("全部"),
    )
    region = django_filters.ModelChoiceFilter(
        queryset=Region.objects.filter(level=RegionLevel.COUNTY),
        to_field_name="code",
        label=_("区县"),
        empty_label=_("全部"),
    )
    year = django_filters.NumberFilter(label=_("认定年度"))
    revoked = django_filters.BooleanFilter(
        field_name="revoked_on",
        lookup_expr="isnull",
        exclude=True,
        label=_("已摘牌"),
        widget=YesNoWidget(attrs={"class": "form-select form-select-sm"}),
    )

    class Meta:
        model = Title
        fields = ["q", "title_type", "region", "year", "revoked"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(holder_name__icontains=value) if value else queryset


class PublicTitleFilter(django_filters.FilterSet):
    """The public list of titles (/public/titles/): one filter for the page and its download.
    Its queryset is always `services.public_titles()`; the years offered are those it holds."""

    q = django_filters.CharFilter(method="search", label=_("企业名称或统一社会信用代码"))
    region = django_filters.ModelChoiceFilter(
        queryset=Region.objects.filter(level=RegionLevel.COUNTY),
        to_field_name="code",
        label=_("所属区县"),
        empty_label=_("全部区县"),
    )
    title_type = django_filters.ModelChoiceFilter(
        queryset=TitleType.objects.all(),
        to_field_name="code",
        label=_("称号类型"),
        empty_label=_("全部类型"),
    )
    # A year is a number, offered as the published years: a year not (yet) among them gives
    # an empty list, never the whole list with the filter silently dropped.
    year = django_filters.NumberFilter(label=_("认定年度"))

    class Meta:
        model = Title
        fields = ["q", "region", "title_type", "year"]

    def __init__(self, data=None, queryset=None, **kwargs):
        super().__init__(data, queryset=queryset, **kwargs)
        years = self.queryset.order_by("-year").values_list("year", flat=True).distinct()
        choices = [("", _("全部年度")), *((y, _("%(year)s年") % {"year": y}) for y in years)]
        self.filters["year"].extra["widget"] = forms.Select(choices=choices)

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(holder_name__icontains=value) | Q(enterprise__uscc__startswith=normalise_uscc(value))
        )
