from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from zhizao.api_urls import router
from zhizao.plans import views as plan_views

urlpatterns = [
    path("", plan_views.home, name="home"),
    path("accounts/", include("zhizao.accounts.urls")),
    path("", include("zhizao.core.urls")),
    path("plans/", include("zhizao.plans.urls")),
    path("enterprises/", include("zhizao.enterprises.urls")),
    path("monitoring/", include("zhizao.monitoring.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
