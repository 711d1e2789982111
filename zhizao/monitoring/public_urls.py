"""The public pages (公众): no login, only what the city has published."""

from django.urls import path

from zhizao.monitoring import views

app_name = "public"

urlpatterns = [
    path("", views.public_dashboard, name="dashboard"),
]
