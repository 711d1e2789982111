"""The admin site is the city admin's: the role, not Django's staff flag, opens it."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.db.models.base import ModelBase
from django.utils.translation import gettext_lazy as _

from zhizao.core.roles import is_city_admin

# The engine's and the search's own bookkeeping: for developers (superusers), not in the city
# admin's menu, and closed to it.
BOOKKEEPING = {
    "core.task",
    "monitoring.valueslock",
    "monitoring.appliedchange",
    "bridge.searchdocument",
}
PERMISSION_METHODS = (
    "has_module_permission",
    "has_view_permission",
    "has_add_permission",
    "has_change_permission",
    "has_delete_permission",
)


class ZhizaoAdminSite(admin.AdminSite):
    site_header = _("智造平台 管理后台")
    site_title = _("智造平台")
    index_title = _("数据管理")

    def has_permission(self, request) -> bool:
        return request.user.is_active and is_city_admin(request.user)

    def register(self, model_or_iterable, admin_class=None, **options):
        super().register(model_or_iterable, admin_class, **options)
        models = (
            [model_or_iterable] if isinstance(model_or_iterable, ModelBase) else model_or_iterable
        )
        for model in models:
            if model._meta.label_lower in BOOKKEEPING:
                _superusers_only(self._registry[model])


def _superusers_only(model_admin) -> None:
    for name in PERMISSION_METHODS:
        allowed = getattr(model_admin, name)

        def check(request, *args, _allowed=allowed, **kwargs):
            return request.user.is_superuser and _allowed(request, *args, **kwargs)

        setattr(model_admin, name, check)


class ZhizaoAdminConfig(AdminConfig):
    default_site = "zhizao.core.admin_site.ZhizaoAdminSite"

    def ready(self):
        super().ready()
        from zhizao.core.admin_display import install

        install()


class CityAdminPermissionBackend:
    """Grants the city admin every model permission, so the role is all an account needs."""

    def authenticate(self, request, **credentials):
        return None

    def has_perm(self, user_obj, perm, obj=None) -> bool:
        return user_obj.is_active and is_city_admin(user_obj)

    def has_module_perms(self, user_obj, app_label) -> bool:
        return user_obj.is_active and is_city_admin(user_obj)
