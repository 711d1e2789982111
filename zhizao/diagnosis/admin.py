"""Self-assessments and diagnoses in the admin: for looking up records and their history. Every
change goes through the services (who may act, the questionnaire's checks, the scores and the
lock after submission), so the admin only reads."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from zhizao.diagnosis.models import ExpertDiagnosis, SelfAssessment


class ReadOnlyHistoryAdmin(SimpleHistoryAdmin):
    show_full_result_count = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SelfAssessment)
class SelfAssessmentAdmin(ReadOnlyHistoryAdmin):
    list_display = [
        "enterprise", "year", "industry_type", "status", "total", "level", "submitted_at",
    ]  # fmt: skip
    list_filter = ["year", "status", "level", "industry_type", "enterprise__region"]
    search_fields = ["enterprise__name", "enterprise__uscc"]
    list_select_related = ["enterprise"]


@admin.register(ExpertDiagnosis)
class ExpertDiagnosisAdmin(ReadOnlyHistoryAdmin):
    list_display = [
        "enterprise", "diagnostician", "status", "visit_date", "total", "level", "assigned_at",
    ]  # fmt: skip
    list_filter = ["status", "level", "enterprise__region"]
    search_fields = ["enterprise__name", "enterprise__uscc", "diagnostician__username"]
    list_select_related = ["enterprise", "diagnostician"]
