"""The public pages (公众): no login, only what the city has published."""

from django.urls import path

from zhizao.monitoring import views_public

app_name = "public"

urlpatterns = [
    path("", views_public.public_dashboard, name="dashboard"),
    path("map.js", views_public.public_map_script, name="map_script"),
]
