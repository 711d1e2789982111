"""新智造鹊桥 in the admin. The city admin may correct a library entry here: the form checks it
with the services' own rules and messages, the change is recorded in the entry's history and the
search index follows; the review status changes only through the services (the action below,
the pages and the API), which notify the maintainers. The search index, needs and matches are
written by their services and only read here."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from zhizao.bridge.libraries import spec_for
from zhizao.bridge.models import (
    Case,
    Equipment,
    ExpertProfile,
    FinancialProduct,
    Match,
    MatchStep,
    Need,
    Provider,
    SearchDocument,
    Software,
    Solution,
    Standard,
)
from zhizao.bridge.services import (
    BridgeError,
    approve_entry,
    check_values,
    index,
    normalise_values,
)
from zhizao.core.services import mark_change

ENTRY_READONLY = ["status", "published_at", "unpublish_reason", "created_at", "updated_at"]
ENTRY_FILTERS = ["status", "clusters"]


class EntryForm(forms.ModelForm):
    """Refuses, with the services' own messages, values the library does not allow."""

    def clean(self):
        cleaned = super().clean()
        spec = spec_for(self._meta.model)
        values = {c.field: cleaned[c.field] for c in spec.columns if c.field in cleaned}
        for name in ("clusters", "regions_served"):
            if name in values:
                values[name] = list(values[name] or [])
        try:
            values = normalise_values(spec, values)
        except BridgeError as exc:
            self.add_error(None, str(exc))
            return cleaned
        existing = self.instance if self.instance.pk else None
        for name, message in check_values(spec, values, existing):
            self.add_error(name if name in self.fields else None, message)
        cleaned.update({k: v for k, v in values.items() if k in self.fields})
        return cleaned


class EntryAdmin(SimpleHistoryAdmin):
    """A library entry: edited with the library's checks, indexed after each save."""

    form = EntryForm
    readonly_fields = ENTRY_READONLY
    filter_horizontal = ["maintainers", "clusters"]
    list_filter = ENTRY_FILTERS
    show_full_result_count = False
    actions = ["approve_selected"]

    def save_model(self, request, obj, form, change):
        mark_change(obj, "管理后台修改" if change else "管理后台新建")
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        index(form.instance)

    @admin.action(description=_("审核通过并发布所选条目"))
    def approve_selected(self, request, queryset):
        done, refused = 0, []
        for entry in queryset:
            try:
                approve_entry(entry, request.user)
                done += 1
            except BridgeError as exc:
                refused.append(f"「{entry}」：{exc}")
        if done:
            self.message_user(request, _("已发布 %(done)s 个条目。") % {"done": done})
        for message in refused:
            self.message_user(request, message, level=messages.WARNING)


@admin.register(Standard)
class StandardAdmin(EntryAdmin):
    list_display = ["code", "title", "standard_status", "status", "effective_on"]
    list_filter = ["standard_status", *ENTRY_FILTERS]
    search_fields = ["code", "title"]


@admin.register(Equipment)
class EquipmentAdmin(EntryAdmin):
    list_display = ["name", "maker", "category", "first_of_kind", "status"]
    list_filter = ["first_of_kind", *ENTRY_FILTERS]
    search_fields = ["name", "maker", "category"]


@admin.register(Software)
class SoftwareAdmin(EntryAdmin):
    list_display = ["name", "category", "vendor", "deployment", "status"]
    list_filter = ["category", "deployment", *ENTRY_FILTERS]
    search_fields = ["name", "vendor"]


@admin.register(Provider)
class ProviderAdmin(EntryAdmin):
    list_display = ["name", "uscc", "staff", "delivered_projects", "rating", "status"]
    list_filter = ["regions_served", *ENTRY_FILTERS]
    search_fields = ["name", "uscc"]
    filter_horizontal = [*EntryAdmin.filter_horizontal, "regions_served"]


@admin.register(Solution)
class SolutionAdmin(EntryAdmin):
    list_display = ["title", "provider", "investment_min", "investment_max", "status"]
    search_fields = ["title", "provider__name"]
    list_select_related = ["provider"]
    autocomplete_fields = ["provider"]


@admin.register(ExpertProfile)
class ExpertProfileAdmin(EntryAdmin):
    list_display = ["name", "expertise", "professional_title", "affiliation", "status"]
    search_fields = ["name", "expertise", "affiliation"]
    raw_id_fields = ["user"]


@admin.register(FinancialProduct)
class FinancialProductAdmin(EntryAdmin):
    list_display = ["name", "institution", "product_type", "rate_min", "rate_max", "status"]
    list_filter = ["product_type", *ENTRY_FILTERS]
    search_fields = ["name", "institution"]


@admin.register(Case)
class CaseAdmin(EntryAdmin):
    list_display = ["title", "enterprise_name", "provider", "investment", "status"]
    search_fields = ["title", "enterprise_name", "provider__name"]
    list_select_related = ["provider"]
    autocomplete_fields = ["provider", "solution"]
    raw_id_fields = ["enterprise"]


class ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SearchDocument)
class SearchDocumentAdmin(ReadOnly, admin.ModelAdmin):
    """The index is rebuilt from the entries; it is never edited by hand."""

    list_display = ["title", "library", "object_id", "is_published", "rating", "updated_at"]
    list_filter = ["library", "is_published"]
    search_fields = ["title"]
    show_full_result_count = False


class MatchStepInline(ReadOnly, admin.TabularInline):
    model = MatchStep
    extra = 0
    can_delete = False
    fields = ["created_at", "from_status", "to_status", "actor", "comment"]
    readonly_fields = fields


class MatchInline(ReadOnly, admin.TabularInline):
    model = Match
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ["library", "title", "score", "status", "contract_value"]
    readonly_fields = fields


@admin.register(Need)
class NeedAdmin(ReadOnly, SimpleHistoryAdmin):
    """Needs change through the needs services (pages and API), which record each step."""

    list_display = ["title", "enterprise", "region", "cluster", "status", "created_at"]
    list_filter = ["status", "region", "cluster"]
    search_fields = ["title", "enterprise__name"]
    list_select_related = ["enterprise", "region", "cluster"]
    inlines = [MatchInline]
    show_full_result_count = False


@admin.register(Match)
class MatchAdmin(ReadOnly, SimpleHistoryAdmin):
    list_display = ["need", "library", "title", "score", "status", "updated_at"]
    list_filter = ["library", "status"]
    search_fields = ["title", "need__title"]
    list_select_related = ["need"]
    inlines = [MatchStepInline]
    show_full_result_count = False


@admin.register(MatchStep)
class MatchStepAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["match", "from_status", "to_status", "actor", "created_at"]
    list_filter = ["to_status"]
    list_select_related = ["match__need", "actor"]
    show_full_result_count = False
