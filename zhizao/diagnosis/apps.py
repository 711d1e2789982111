from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiagnosisConfig(AppConfig):
    name = "zhizao.diagnosis"
    label = "diagnosis"
    verbose_name = _("诊断服务")

    def ready(self):
        # Registers the diagnosis step of `zhizao demo` (core.demo_steps) and the 诊断 tab of
        # 待办 (core.inbox).
        from zhizao.diagnosis import demo, inbox  # noqa: F401
