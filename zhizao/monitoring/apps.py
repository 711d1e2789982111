from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "zhizao.monitoring"
    label = "monitoring"
    verbose_name = _("指标监测")

    def ready(self):
        # Registers the recompute task with the background worker.
        from zhizao.monitoring import tasks  # noqa: F401
