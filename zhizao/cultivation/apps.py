from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CultivationConfig(AppConfig):
    name = "zhizao.cultivation"
    label = "cultivation"
    verbose_name = _("梯度培育")

    def ready(self):
        # Registers the title counter the plan's registry-sourced indicators read
        # (monitoring.registry), the cultivation step of `zhizao demo` (core.demo_steps), the
        # titles published with a year's figures (monitoring.companions) and the 称号申报 and
        # 评审 tabs of 待办 (core.inbox).
        from zhizao.cultivation import demo, inbox, ladder, publishing  # noqa: F401
