from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from zhizao.monitoring.models import (
    AppliedChange,
    IndicatorValue,
    PublishedYear,
    ReportedValue,
    ValuesLock,
)


@admin.register(IndicatorValue)
class IndicatorValueAdmin(admin.ModelAdmin):
    """Computed by the engine (`zhizao recompute`); read-only here."""

    list_display = [
        "indicator", "region", "year", "value", "quarter", "source", "reporters", "population",
    ]  # fmt: skip
    list_filter = ["indicator__plan", "source", "year", "region"]
    list_select_related = ["indicator", "region"]
    readonly_fields = [f.name for f in IndicatorValue._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # the engine keeps the stored parts and applies approvals to them as deltas: a value
        # deleted here would silently drop out of every figure until a full recompute
        return False


@admin.register(ReportedValue)
class ReportedValueAdmin(SimpleHistoryAdmin):
    list_display = ["indicator", "region", "year", "quarter", "value", "status", "reported_by"]
    list_filter = ["indicator__plan", "status", "year", "region"]
    list_select_related = ["indicator", "region", "reported_by"]
    raw_id_fields = ["indicator"]


@admin.register(PublishedYear)
class PublishedYearAdmin(SimpleHistoryAdmin):
    """Published and withdrawn on the overview page (services.publish_year, which freezes the
    figures); read-only here, with every publication and withdrawal in the history."""

    list_display = ["plan", "year", "is_public", "published_by", "published_at", "withdrawn_at"]
    list_filter = ["plan", "year"]
    list_select_related = ["plan", "published_by"]
    readonly_fields = [f.name for f in PublishedYear._meta.fields]

    @admin.display(boolean=True, description=_("公开中"))
    def is_public(self, obj):
        return obj.is_public

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """Bookkeeping of the engine: shown for inspection, changed only by the engine."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ValuesLock)
class ValuesLockAdmin(ReadOnlyAdmin):
    list_display = ["plan"]


@admin.register(AppliedChange)
class AppliedChangeAdmin(ReadOnlyAdmin):
    list_display = ["plan", "task", "region", "year", "applied_at"]
    list_filter = ["year"]
