from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from zhizao.api_urls import router
from zhizao.core import views_home
from zhizao.cultivation import views_titles as cultivation_titles

urlpatterns = [
    path("", views_home.home, name="home"),
    path("accounts/", include("zhizao.accounts.urls")),
    path("", include("zhizao.core.urls")),
    path("plans/", include("zhizao.plans.urls")),
    path("enterprises/", include("zhizao.enterprises.urls")),
    path("monitoring/", include("zhizao.monitoring.urls")),
    path("public/", include("zhizao.monitoring.public_urls")),
    path("cultivation/", include("zhizao.cultivation.urls")),
    path("diagnosis/", include("zhizao.diagnosis.urls")),
    path("bridge/", include("zhizao.bridge.urls")),
    path("public/titles/", cultivation_titles.public_title_list, name="public_titles"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
