from django import forms
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from zhizao.plans.models import Indicator, Plan, RegionTarget, YearTarget
from zhizao.plans.services import check_plan_record_change, update_plan_record


class PlanRecordForm(forms.ModelForm):
    """Refuses, with the plan file's own messages, an edit that would break the plan's sums."""

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and not self.errors:
            changes = {name: cleaned[name] for name in self.changed_data if name in cleaned}
            for message in check_plan_record_change(self.instance, changes):
                self.add_error(None, message)
        return cleaned


class PlanRecordAdmin(SimpleHistoryAdmin):
    """Plan records are created by loading a plan file; the admin edits them through the service."""

    form = PlanRecordForm

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        update_plan_record(obj, changes, reason="管理后台修改")


class YearTargetInline(admin.TabularInline):
    model = YearTarget
    fields = ["year", "value"]
    readonly_fields = ["year", "value"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Plan)
class PlanAdmin(PlanRecordAdmin):
    list_display = ["name", "code", "document_number", "first_year", "last_year"]
    readonly_fields = ["code", "region", "base_year", "first_year", "last_year"]


@admin.register(Indicator)
class IndicatorAdmin(PlanRecordAdmin):
    list_display = ["number", "name", "unit", "kind", "base", "target", "plan"]
    list_filter = ["plan", "kind", "category"]
    search_fields = ["name", "code"]
    readonly_fields = ["plan", "number", "code"]
    inlines = [YearTargetInline]


@admin.register(YearTarget)
class YearTargetAdmin(PlanRecordAdmin):
    list_display = ["indicator", "year", "value"]
    list_filter = ["indicator__plan", "year"]
    readonly_fields = ["indicator", "year"]


@admin.register(RegionTarget)
class RegionTargetAdmin(PlanRecordAdmin):
    list_display = ["indicator", "region", "floor", "stretch"]
    list_filter = ["indicator__plan", "region"]
    readonly_fields = ["indicator", "region"]
