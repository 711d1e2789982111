from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BridgeConfig(AppConfig):
    name = "zhizao.bridge"
    label = "bridge"
    verbose_name = _("新智造鹊桥")

    def ready(self):
        # Registers the bridge step of `zhizao demo` (core.demo_steps) and the task that keeps
        # the search documents of titled enterprises in step with cultivation's titles.
        # Its 需求对接 tab of 待办 (core.inbox) too.
        from zhizao.bridge import demo, inbox, tasks  # noqa: F401
