from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from zhizao.core.models import IndustryCluster, Region


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
