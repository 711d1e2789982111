from django.apps import AppConfig


class BridgeConfig(AppConfig):
    name = "zhizao.bridge"
    label = "bridge"
    verbose_name = "新智造鹊桥"

    def ready(self):
        # Registers the bridge step of `zhizao demo` (core.demo_steps).
        from zhizao.bridge import demo  # noqa: F401

        # The registry's search documents follow the titles of the cultivation app.
        from zhizao.bridge.search import signals

        signals.connect()
