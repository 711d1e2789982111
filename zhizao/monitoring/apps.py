from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "zhizao.monitoring"
    label = "monitoring"
    verbose_name = "指标监测"

    def ready(self):
        # Registers the recompute task with the background worker.
        from zhizao.monitoring import tasks  # noqa: F401
