from django.apps import AppConfig


class CultivationConfig(AppConfig):
    name = "zhizao.cultivation"
    label = "cultivation"
    verbose_name = "梯度培育"

    def ready(self):
        # Registers the title counter that the plan's registry-sourced indicators read.
        from zhizao.cultivation import ladder  # noqa: F401
