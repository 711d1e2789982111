from django.apps import AppConfig


class DiagnosisConfig(AppConfig):
    name = "zhizao.diagnosis"
    label = "diagnosis"
    verbose_name = "诊断服务"
