"""The platform's roles (DESIGN.md, "Who uses it"). Kept in core so that scoping can read them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CITY_ADMIN = "city_admin", _("市级管理员")
    DISTRICT = "district", _("区县用户")
    ENTERPRISE = "enterprise", _("企业用户")
    PROVIDER = "provider", _("服务商")
    EXPERT = "expert", _("专家")


def is_city_admin(user) -> bool:
    """A superuser counts as a city admin: it is who runs `createsuperuser` on a new install."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser or getattr(user, "role", None) == Role.CITY_ADMIN)
