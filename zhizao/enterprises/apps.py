from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnterprisesConfig(AppConfig):
    name = "zhizao.enterprises"
    label = "enterprises"
    verbose_name = _("企业库")

    def ready(self):
        # Registers the import tasks with the background worker, the demo reports in every
        # state of the review loop with `zhizao demo`, and the 报表 tab of 待办 (core.inbox).
        from zhizao.enterprises import inbox, tasks  # noqa: F401
        from zhizao.enterprises.demo import states  # noqa: F401
