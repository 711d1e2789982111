from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "zhizao.accounts"
    label = "accounts"
    verbose_name = "用户"
