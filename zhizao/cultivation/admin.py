"""The cultivation registry in the admin: for looking up records and their history. Every change
goes through the services (the application pages, the API, `zhizao cultivation types load`),
which check the role and the workflow and record each step, so the admin only reads."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from zhizao.cultivation.models import (
    Application,
    ApplicationStep,
    Attachment,
    Batch,
    ExpertReview,
    Title,
    TitleType,
)


class ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyHistoryAdmin(ReadOnly, SimpleHistoryAdmin):
    show_full_result_count = False


class ReadOnlyAdmin(ReadOnly, admin.ModelAdmin):
    """For the records without a history of their own (steps and attachments are written once)."""

    show_full_result_count = False


class ReadOnlyInline(ReadOnly, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True


@admin.register(TitleType)
class TitleTypeAdmin(ReadOnlyHistoryAdmin):
    """Title types come from the title-type file: edit it and run `zhizao cultivation types load`."""

    list_display = [
        "name", "code", "level", "holder", "above_scale_only", "expert_review",
        "indicator_number", "sort_order",
    ]  # fmt: skip
    list_filter = ["level", "holder"]
    search_fields = ["name", "code"]


@admin.register(Batch)
class BatchAdmin(ReadOnlyHistoryAdmin):
    list_display = ["__str__", "title_type", "year", "number", "opens_on", "closes_on"]
    list_filter = ["year", "title_type"]
    list_select_related = ["title_type"]


class StepInline(ReadOnlyInline):
    model = ApplicationStep
    fields = ["created_at", "action", "from_status", "to_status", "actor", "comment"]
    readonly_fields = fields
    show_change_link = False


class ExpertReviewInline(ReadOnlyInline):
    model = ExpertReview
    fields = ["expert", "assigned_at", "total", "comment", "submitted_at"]
    readonly_fields = fields


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fields = ["requirement", "original_name", "kind", "size", "uploaded_at"]
    readonly_fields = fields


@admin.register(Application)
class ApplicationAdmin(ReadOnlyHistoryAdmin):
    list_display = ["__str__", "project_name", "batch", "region", "status", "score", "created_at"]
    list_filter = ["status", "title_type", "region", "batch__year"]
    search_fields = ["project_name", "enterprise__name", "enterprise__uscc"]
    list_select_related = ["batch__title_type", "title_type", "enterprise", "region", "cluster"]
    inlines = [StepInline, ExpertReviewInline, AttachmentInline]


@admin.register(ApplicationStep)
class ApplicationStepAdmin(ReadOnlyAdmin):
    list_display = ["application", "action", "to_status", "actor", "created_at"]
    list_filter = ["action"]
    list_select_related = [
        "application__title_type",
        "application__enterprise",
        "application__region",
        "application__cluster",
        "actor",
    ]


@admin.register(ExpertReview)
class ExpertReviewAdmin(ReadOnlyHistoryAdmin):
    list_display = ["application", "expert", "total", "assigned_at", "submitted_at"]
    list_select_related = [
        "application__title_type",
        "application__enterprise",
        "application__region",
        "application__cluster",
        "expert",
    ]


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    """The files themselves are served only through the application's checked download view."""

    list_display = ["original_name", "application", "requirement", "kind", "size", "uploaded_at"]
    list_filter = ["kind"]
    list_select_related = [
        "application__title_type",
        "application__enterprise",
        "application__region",
        "application__cluster",
    ]


@admin.register(Title)
class TitleAdmin(ReadOnlyHistoryAdmin):
    """Revocation (摘牌) goes through the service, which keeps the record and counts it right."""

    list_display = [
        "holder_name", "title_type", "region", "year", "document_number", "recognised_on",
        "revoked_on", "published",
    ]  # fmt: skip
    list_filter = ["title_type", "region", "year", "published"]
    search_fields = ["holder_name", "document_number", "enterprise__uscc"]
    list_select_related = ["title_type", "region"]
