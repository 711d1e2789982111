from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnterprisesConfig(AppConfig):
    name = "zhizao.enterprises"
    label = "enterprises"
    verbose_name = _("企业库")

    def ready(self):
        # Registers the import tasks with the background worker, and the demo reports in every
        # state of the review loop with `zhizao demo`.
        from zhizao.enterprises import tasks  # noqa: F401
        from zhizao.enterprises.demo import states  # noqa: F401
