"""The admin site is the city admin's: the role, not Django's staff flag, opens it."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _

from zhizao.core.roles import is_city_admin


class ZhizaoAdminSite(admin.AdminSite):
    site_header = _("智造平台 管理后台")
    site_title = _("智造平台")
    index_title = _("数据管理")

    def has_permission(self, request) -> bool:
        return request.user.is_active and is_city_admin(request.user)


class ZhizaoAdminConfig(AdminConfig):
    default_site = "zhizao.core.admin_site.ZhizaoAdminSite"


class CityAdminPermissionBackend:
    """Grants the city admin every model permission, so the role is all an account needs."""

    def authenticate(self, request, **credentials):
        return None

    def has_perm(self, user_obj, perm, obj=None) -> bool:
        return user_obj.is_active and is_city_admin(user_obj)

    def has_module_perms(self, user_obj, app_label) -> bool:
        return user_obj.is_active and is_city_admin(user_obj)
