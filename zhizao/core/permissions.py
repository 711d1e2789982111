"""API permissions: reads are open to signed-in users (and then scoped); writes are the city's."""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from zhizao.core.roles import is_city_admin


class ReadScopedWriteCityAdmin(BasePermission):
    message = _("只有市级管理员可以修改。")

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return bool(request.user and request.user.is_authenticated)
        return is_city_admin(request.user)
