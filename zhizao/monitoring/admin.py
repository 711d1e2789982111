from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from zhizao.monitoring.models import IndicatorValue, ReportedValue


@admin.register(IndicatorValue)
class IndicatorValueAdmin(admin.ModelAdmin):
    """Computed by the engine (`zhizao recompute`); read-only here."""

    list_display = ["indicator", "region", "year", "value", "source", "reporters", "population"]
    list_filter = ["indicator__plan", "source", "year", "region"]
    list_select_related = ["indicator", "region"]
    readonly_fields = [f.name for f in IndicatorValue._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ReportedValue)
class ReportedValueAdmin(SimpleHistoryAdmin):
    list_display = ["indicator", "region", "year", "quarter", "value", "status", "reported_by"]
    list_filter = ["indicator__plan", "status", "year", "region"]
    list_select_related = ["indicator", "region", "reported_by"]
    raw_id_fields = ["indicator"]
