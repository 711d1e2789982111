from django.urls import path

from zhizao.plans import views

app_name = "plans"

urlpatterns = [
    path("", views.plan_list, name="list"),
    path("<slug:code>/", views.plan_detail, name="detail"),
    path(
        "<slug:code>/indicators.xlsx",
        views.plan_table_xlsx,
        {"table": "indicators"},
        name="indicators_xlsx",
    ),
    path(
        "<slug:code>/region-targets.xlsx",
        views.plan_table_xlsx,
        {"table": "regions"},
        name="regions_xlsx",
    ),
    path("<slug:code>/regions/<str:region_code>/", views.region_targets, name="region_targets"),
    path("<slug:code>/plan.xlsx", views.plan_table_xlsx, {"table": "all"}, name="plan_xlsx"),
]
