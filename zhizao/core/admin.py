from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from zhizao.core.models import IndustryCluster, Notification, Region, Task


@admin.register(Region)
class RegionAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "level", "parent", "sort_order"]
    list_filter = ["level"]
    search_fields = ["name", "code"]
    readonly_fields = ["path"]


@admin.register(IndustryCluster)
class IndustryClusterAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "sort_order"]
    search_fields = ["name", "code"]


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["pk", "name", "status", "progress", "created_by", "created_at", "finished_at"]
    list_filter = ["status", "name"]
    readonly_fields = [f.name for f in Task._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["text", "user", "created_at", "read_at"]
    list_filter = ["read_at"]
    search_fields = ["text", "user__username"]
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
