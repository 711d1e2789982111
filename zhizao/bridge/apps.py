from django.apps import AppConfig


class BridgeConfig(AppConfig):
    name = "zhizao.bridge"
    label = "bridge"
    verbose_name = "新智造鹊桥"
