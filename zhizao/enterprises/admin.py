from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from zhizao.core.models import RegionLevel
from zhizao.enterprises.models import Enterprise, ReviewStep, ScaleStatus, YearLock, YearlyReport
from zhizao.enterprises.services import validate_uscc


class EnterpriseForm(forms.ModelForm):
    class Meta:
        model = Enterprise
        fields = [
            "uscc", "name", "region", "town", "cluster", "industry_code", "address",
            "contact_name", "contact_phone", "members",
        ]  # fmt: skip

    def clean_uscc(self):
        try:
            return validate_uscc(self.cleaned_data["uscc"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean_region(self):
        region = self.cleaned_data["region"]
        if region.level != RegionLevel.COUNTY:
            raise forms.ValidationError(
                _("「%(name)s」不是区、县（市），企业须属于一个区县。") % {"name": region.name}
            )
        return region


class ScaleStatusInline(admin.TabularInline):
    model = ScaleStatus
    extra = 0


@admin.register(Enterprise)
class EnterpriseAdmin(SimpleHistoryAdmin):
    form = EnterpriseForm
    list_display = ["name", "uscc", "region", "cluster", "industry_code"]
    list_filter = ["region", "cluster"]
    search_fields = ["name", "uscc"]
    autocomplete_fields = ["members"]
    list_select_related = ["region", "cluster"]
    inlines = [ScaleStatusInline]
    show_full_result_count = False


class ReadOnlyAdmin(SimpleHistoryAdmin):
    """Reports, their review steps and year locks change only through the review pages and
    services, which check the figures and the role and record each step."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(YearlyReport)
class YearlyReportAdmin(ReadOnlyAdmin):
    list_display = ["enterprise", "year", "status", "employees", "industrial_robots", "updated_at"]
    list_filter = ["year", "status", "enterprise__region"]
    search_fields = ["enterprise__name", "enterprise__uscc"]
    list_select_related = ["enterprise"]
    show_full_result_count = False


@admin.register(ReviewStep)
class ReviewStepAdmin(ReadOnlyAdmin):
    list_display = ["report", "action", "to_status", "actor", "created_at"]
    list_filter = ["action"]
    list_select_related = ["report__enterprise", "actor"]
    show_full_result_count = False


@admin.register(ScaleStatus)
class ScaleStatusAdmin(SimpleHistoryAdmin):
    list_display = ["enterprise", "year", "above_scale"]
    list_filter = ["year", "above_scale"]
    search_fields = ["enterprise__name", "enterprise__uscc"]
    raw_id_fields = ["enterprise"]
    show_full_result_count = False


@admin.register(YearLock)
class YearLockAdmin(ReadOnlyAdmin):
    list_display = ["year", "locked", "changed_by", "changed_at", "reason"]
