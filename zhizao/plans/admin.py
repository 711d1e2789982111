from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from zhizao.plans.models import PLAN_DECIMAL, Indicator, Plan, RegionTarget, YearTarget
from zhizao.plans.services import (
    check_plan_records_change,
    indicator_edits,
    update_plan_records,
)


class PlanRecordForm(forms.ModelForm):
    """Refuses, with the plan file's own messages, an edit that would break the plan's sums."""

    def edits(self) -> list[tuple[object, dict]]:
        changes = {name: self.cleaned_data[name] for name in self.changed_data}
        return [(self.instance, changes)] if changes else []

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and not self.errors:
            for message in check_plan_records_change(self.edits()):
                self.add_error(None, message)
        return cleaned


def _decimal_field(label: str) -> forms.DecimalField:
    return forms.DecimalField(label=label, **PLAN_DECIMAL)


class IndicatorForm(PlanRecordForm):
    """The indicator with its yearly values and district targets, edited and checked together
    (moving a value from one year to another only adds up when both change)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            return
        for year in self.instance.year_targets.all():
            name = f"year_{year.year}"
            self.fields[name] = _decimal_field(_("%(year)s年目标") % {"year": year.year})
            self.initial[name] = year.value
        for target in self.instance.region_targets.select_related("region"):
            for part, label in (("floor", _("保底")), ("stretch", _("争取"))):
                name = f"{part}_{target.region.code}"
                self.fields[name] = _decimal_field(f"{target.region.name}{label}")
                self.initial[name] = getattr(target, part)

    @staticmethod
    def extra_field_names(indicator: Indicator) -> list[str]:
        years = [f"year_{y.year}" for y in indicator.year_targets.all()]
        regions = indicator.region_targets.select_related("region")
        parts = [f"{part}_{t.region.code}" for t in regions for part in ("floor", "stretch")]
        return years + parts

    def edits(self) -> list[tuple[object, dict]]:
        data = self.cleaned_data
        model_fields = {f.name for f in Indicator._meta.fields}
        own = {name: data[name] for name in self.changed_data if name in model_fields}
        years = {
            int(name.removeprefix("year_")): data[name]
            for name in self.fields
            if name.startswith("year_")
        }
        regions = {
            name.removeprefix("floor_"): (data[name], data[f"stretch_{name[6:]}"])
            for name in self.fields
            if name.startswith("floor_")
        }
        return indicator_edits(self.instance, own, years, regions)


class PlanRecordAdmin(SimpleHistoryAdmin):
    """Plan records are created by loading a plan file; the admin edits them through the service."""

    form = PlanRecordForm

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        update_plan_records(form.edits(), reason="管理后台修改")


@admin.register(Plan)
class PlanAdmin(PlanRecordAdmin):
    list_display = ["name", "code", "document_number", "first_year", "last_year"]
    readonly_fields = ["code", "region", "base_year", "first_year", "last_year"]


@admin.register(Indicator)
class IndicatorAdmin(PlanRecordAdmin):
    form = IndicatorForm
    list_display = ["number", "name", "unit", "kind", "base", "target", "plan"]
    list_filter = ["plan", "kind", "category"]
    search_fields = ["name", "code"]
    readonly_fields = ["plan", "number", "code"]

    editable_fields = [
        "category", "name", "unit", "kind", "aggregate", "base", "base_note", "target", "target_note",
        "shows_percent_sign", "region_item", "source",
    ]  # fmt: skip

    def get_form(self, request, obj=None, change=False, **kwargs):
        # The yearly and district fields are added by the form itself, not by the model.
        kwargs["fields"] = self.editable_fields
        return super().get_form(request, obj, change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        fieldsets = [(None, {"fields": [*self.readonly_fields, *self.editable_fields]})]
        if obj is not None:
            fieldsets.append(
                (_("年度目标与区县目标"), {"fields": IndicatorForm.extra_field_names(obj)})
            )
        return fieldsets


class ReadOnlyPlanRecordAdmin(SimpleHistoryAdmin):
    """Yearly and district targets are edited on their indicator's page, where they add up."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(YearTarget)
class YearTargetAdmin(ReadOnlyPlanRecordAdmin):
    list_display = ["indicator", "year", "value"]
    list_filter = ["indicator__plan", "year"]


@admin.register(RegionTarget)
class RegionTargetAdmin(ReadOnlyPlanRecordAdmin):
    list_display = ["indicator", "region", "floor", "stretch", "level_target"]
    list_filter = ["indicator__plan", "region"]
