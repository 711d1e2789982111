"""One filter class per model, serving the list page, the API and the export alike."""

import django_filters
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _

from zhizao.core.models import IndustryCluster, Region, RegionLevel
from zhizao.enterprises.models import Enterprise, ReportStatus, ScaleStatus, YearlyReport
from zhizao.enterprises.services import normalise_uscc

NOT_REPORTED = "none"
DIVISIONS = [(f"{d}", f"{d}") for d in range(13, 44)]


def annotate_year(queryset, year: int):
    """The enterprise's above-scale status and report status for `year`, as two subqueries."""
    return queryset.annotate(
        year_above_scale=Subquery(
            ScaleStatus.objects.filter(enterprise=OuterRef("pk"), year=year).values("above_scale")[
                :1
            ]
        ),
        year_report_status=Subquery(
            YearlyReport.objects.filter(enterprise=OuterRef("pk"), year=year).values("status")[:1]
        ),
        year_report_id=Subquery(
            YearlyReport.objects.filter(enterprise=OuterRef("pk"), year=year).values("pk")[:1]
        ),
    )


class YesNoWidget(django_filters.widgets.BooleanWidget):
    """全部 / 是 / 否, where Django's widget offers Unknown / Yes / No."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("", _("全部")), ("true", _("是")), ("false", _("否"))]


class EnterpriseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("名称或统一社会信用代码"))
    region = django_filters.ModelChoiceFilter(
        queryset=Region.objects.filter(level=RegionLevel.COUNTY),
        to_field_name="code",
        label=_("区县"),
        empty_label=_("全部"),
    )
    cluster = django_filters.ModelChoiceFilter(
        queryset=IndustryCluster.objects.all(),
        to_field_name="code",
        label=_("产业集群"),
        empty_label=_("全部"),
    )
    division = django_filters.ChoiceFilter(
        field_name="industry_division",
        choices=DIVISIONS,
        label=_("行业大类"),
        empty_label=_("全部"),
    )
    year = django_filters.NumberFilter(method="filter_nothing", label=_("年份"))
    above_scale = django_filters.BooleanFilter(
        method="filter_above_scale",
        label=_("规上企业"),
        widget=YesNoWidget(attrs={"class": "form-select form-select-sm"}),
    )
    report_status = django_filters.ChoiceFilter(
        method="filter_report_status",
        choices=[*ReportStatus.choices, (NOT_REPORTED, _("未填报"))],
        label=_("报表状态"),
        empty_label=_("全部"),
    )

    class Meta:
        model = Enterprise
        fields = ["q", "region", "cluster", "division", "year", "above_scale", "report_status"]

    def __init__(self, data=None, *args, default_year: int | None = None, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.default_year = default_year
        for field in self.form.fields.values():
            field.widget.attrs.setdefault("class", "form-select form-select-sm")

    @property
    def selected_year(self) -> int | None:
        value = self.form.cleaned_data.get("year") if self.form.is_valid() else None
        return int(value) if value else self.default_year

    def filter_nothing(self, queryset, name, value):
        return queryset  # the year only qualifies the above-scale and report-status filters

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(uscc__startswith=normalise_uscc(value)))

    def filter_above_scale(self, queryset, name, value):
        if value is None or self.selected_year is None:
            return queryset
        above = ScaleStatus.objects.filter(
            enterprise=OuterRef("pk"), year=self.selected_year, above_scale=True
        )
        return queryset.filter(Exists(above)) if value else queryset.exclude(Exists(above))

    def filter_report_status(self, queryset, name, value):
        if not value or self.selected_year is None:
            return queryset
        reports = YearlyReport.objects.filter(enterprise=OuterRef("pk"), year=self.selected_year)
        if value == NOT_REPORTED:
            return queryset.exclude(Exists(reports))
        return queryset.filter(Exists(reports.filter(status=value)))


class YearlyReportFilter(django_filters.FilterSet):
    enterprise = django_filters.CharFilter(
        field_name="enterprise__uscc", label=_("统一社会信用代码")
    )
    region = django_filters.CharFilter(field_name="enterprise__region__code", label=_("区县代码"))
    status = django_filters.ChoiceFilter(choices=ReportStatus.choices, label=_("状态"))

    class Meta:
        model = YearlyReport
        fields = ["enterprise", "region", "year", "status"]
