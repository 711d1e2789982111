from django.apps import AppConfig


class EnterprisesConfig(AppConfig):
    name = "zhizao.enterprises"
    label = "enterprises"
    verbose_name = "企业库"

    def ready(self):
        # Registers the import tasks with the background worker.
        from zhizao.enterprises import tasks  # noqa: F401
