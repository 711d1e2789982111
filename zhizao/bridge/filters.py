"""One filter class per library, serving the API and the library pages alike. Every library
filters by words in its title and description (q), review status, industry cluster (code),
capability sub-domain (code), GB/T 4754 division and, for a signed-in user, the entries it
maintains (mine); each adds the fields its users look for."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhizao.bridge.libraries import LIBRARIES
from zhizao.bridge.models import (
    Case,
    Deployment,
    EntryStatus,
    Equipment,
    ExpertProfile,
    FinanceType,
    FinancialProduct,
    Library,
    Provider,
    Software,
    SoftwareCategory,
    Solution,
    Standard,
    StandardStatus,
)
from zhizao.core.models import IndustryCluster, Region, RegionLevel
from zhizao.enterprises.filters import YesNoWidget

SELECT = {"class": "form-select form-select-sm"}


def _json_list_contains(queryset, field: str, value: str):
    """Entries whose JSON list holds `value` exactly: matched on the list's JSON text, which
    works the same on SQLite and PostgreSQL ('"PO"' is found in '["PO", "PS"]')."""
    value = value.strip()
    if not value:
        return queryset
    return queryset.filter(**{f"{field}__icontains": f'"{value}"'})


class EntryFilter(django_filters.FilterSet):
    """What every library filters by; a subclass names its model and text fields."""

    text_fields: tuple[str, ...] = ("description",)

    q = django_filters.CharFilter(method="search", label=_("关键词"))
    status = django_filters.ChoiceFilter(
        choices=EntryStatus.choices, label=_("状态"), empty_label=_("全部")
    )
    cluster = django_filters.ModelChoiceFilter(
        field_name="clusters",
        queryset=IndustryCluster.objects.all(),
        to_field_name="code",
        label=_("产业集群"),
        empty_label=_("全部"),
    )
    subdomain = django_filters.CharFilter(method="filter_subdomain", label=_("能力子域代码"))
    division = django_filters.CharFilter(method="filter_division", label=_("行业大类代码"))
    mine = django_filters.BooleanFilter(
        method="filter_mine", label=_("我维护的"), widget=YesNoWidget(attrs=SELECT)
    )

    def search(self, queryset, name, value):
        words = value.split()
        for word in words:
            condition = Q()
            for field in self.text_fields:
                condition |= Q(**{f"{field}__icontains": word})
            queryset = queryset.filter(condition)
        return queryset

    def filter_subdomain(self, queryset, name, value):
        return _json_list_contains(queryset, "subdomains", value.upper())

    def filter_division(self, queryset, name, value):
        return _json_list_contains(queryset, "divisions", value)

    def filter_mine(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        if value is None or user is None or not user.is_authenticated:
            return queryset
        mine = Q(maintainers=user)
        return queryset.filter(mine) if value else queryset.exclude(mine)


COMMON_FIELDS = ["q", "status", "cluster", "subdomain", "division", "mine"]


class StandardFilter(EntryFilter):
    text_fields = ("code", "title", "scope_text", "description")
    standard_status = django_filters.ChoiceFilter(
        choices=StandardStatus.choices, label=_("标准状态"), empty_label=_("全部")
    )

    class Meta:
        model = Standard
        fields = [*COMMON_FIELDS, "standard_status"]


class EquipmentFilter(EntryFilter):
    text_fields = ("name", "maker", "category", "specifications", "description")
    category = django_filters.CharFilter(lookup_expr="icontains", label=_("装备类别"))
    first_of_kind = django_filters.BooleanFilter(
        label=_("首台（套）"), widget=YesNoWidget(attrs=SELECT)
    )

    class Meta:
        model = Equipment
        fields = [*COMMON_FIELDS, "category", "first_of_kind"]


class SoftwareFilter(EntryFilter):
    text_fields = ("name", "vendor", "description")
    category = django_filters.ChoiceFilter(
        choices=SoftwareCategory.choices, label=_("类别"), empty_label=_("全部")
    )
    deployment = django_filters.ChoiceFilter(
        choices=Deployment.choices, label=_("部署方式"), empty_label=_("全部")
    )

    class Meta:
        model = Software
        fields = [*COMMON_FIELDS, "category", "deployment"]


class ProviderFilter(EntryFilter):
    text_fields = ("name", "qualifications", "description")
    region = django_filters.ModelChoiceFilter(
        field_name="regions_served",
        queryset=Region.objects.filter(level=RegionLevel.COUNTY),
        to_field_name="code",
        label=_("服务区县"),
        empty_label=_("全部"),
    )
    min_rating = django_filters.NumberFilter(
        field_name="rating", lookup_expr="gte", label=_("最低评分")
    )

    class Meta:
        model = Provider
        fields = [*COMMON_FIELDS, "region", "min_rating"]


class SolutionFilter(EntryFilter):
    text_fields = ("title", "provider__name", "description")
    provider = django_filters.NumberFilter(field_name="provider_id", label=_("服务商编号"))
    budget = django_filters.NumberFilter(
        method="filter_budget",
        label=_("预算（万元）"),
        help_text=_("典型投资下限不高于该预算的方案。"),
    )

    class Meta:
        model = Solution
        fields = [*COMMON_FIELDS, "provider", "budget"]

    def filter_budget(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(Q(investment_min__isnull=True) | Q(investment_min__lte=value))


class ExpertFilter(EntryFilter):
    text_fields = ("name", "expertise", "professional_title", "affiliation", "description")

    class Meta:
        model = ExpertProfile
        fields = COMMON_FIELDS


class FinancialProductFilter(EntryFilter):
    text_fields = ("name", "institution", "eligibility", "description")
    product_type = django_filters.ChoiceFilter(
        choices=FinanceType.choices, label=_("产品类型"), empty_label=_("全部")
    )
    institution = django_filters.CharFilter(lookup_expr="icontains", label=_("金融机构"))

    class Meta:
        model = FinancialProduct
        fields = [*COMMON_FIELDS, "product_type", "institution"]


class CaseFilter(EntryFilter):
    text_fields = ("title", "enterprise_name", "problem", "approach", "description")
    provider = django_filters.NumberFilter(field_name="provider_id", label=_("服务商编号"))
    solution = django_filters.NumberFilter(field_name="solution_id", label=_("方案编号"))

    class Meta:
        model = Case
        fields = [*COMMON_FIELDS, "provider", "solution"]


FILTERS = {
    Library.STANDARD: StandardFilter,
    Library.EQUIPMENT: EquipmentFilter,
    Library.SOFTWARE: SoftwareFilter,
    Library.PROVIDER: ProviderFilter,
    Library.SOLUTION: SolutionFilter,
    Library.EXPERT: ExpertFilter,
    Library.FINANCE: FinancialProductFilter,
    Library.CASE: CaseFilter,
}
assert set(FILTERS) == set(LIBRARIES)


def filter_for(library) -> type[EntryFilter]:
    return FILTERS[Library(library)]
