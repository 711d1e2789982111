from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "zhizao.monitoring"
    label = "monitoring"
    verbose_name = _("指标监测")

    def ready(self):
        # Registers the recompute task with the background worker and the district standing
        # card of the landing page (core.landing).
        from zhizao.monitoring import landing, tasks  # noqa: F401
