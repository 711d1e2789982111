from django.urls import path

from zhizao.monitoring import views

app_name = "monitoring"

urlpatterns = [
    path("", views.overview, name="overview"),
]
