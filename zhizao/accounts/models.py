from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from zhizao.core.models import Region, RegionLevel
from zhizao.core.roles import Role
from zhizao.core.scoping import Scope


class User(AbstractUser):
    """用户: a person who signs in, with one role and, for a district officer, one district."""

    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.ENTERPRISE)
    region = models.ForeignKey(
        Region,
        verbose_name=_("所属区县"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        help_text=_("区县用户必须属于一个区、县（市）。"),
    )
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    scope = Scope(region_field="region")

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.full_name or self.username

    def save(self, *args, **kwargs):
        # A login only stamps last_login: not a change to the account worth a history entry.
        update_fields = kwargs.get("update_fields")
        self.skip_history_when_saving = update_fields is not None and set(update_fields) == {
            "last_login"
        }
        try:
            super().save(*args, **kwargs)
        finally:
            del self.skip_history_when_saving

    def clean(self) -> None:
        super().clean()
        if self.role == Role.DISTRICT:
            if self.region is None:
                raise ValidationError({"region": _("区县用户必须指定所属区县。")})
            if self.region.level != RegionLevel.COUNTY:
                raise ValidationError(
                    {
                        "region": _("「%(name)s」不是区、县（市），区县用户只能属于一个区县。")
                        % {"name": self.region.name}
                    }
                )
