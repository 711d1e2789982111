from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CultivationConfig(AppConfig):
    name = "zhizao.cultivation"
    label = "cultivation"
    verbose_name = _("梯度培育")

    def ready(self):
        # Registers the title counter the plan's registry-sourced indicators read
        # (monitoring.registry), the cultivation step of `zhizao demo` (core.demo_steps) and
        # the titles published with a year's figures (monitoring.companions).
        from zhizao.cultivation import demo, ladder, publishing  # noqa: F401
