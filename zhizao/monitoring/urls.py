from django.urls import path

from zhizao.monitoring import views, views_cockpit, views_district, views_rows

app_name = "monitoring"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("cockpit/", views_cockpit.cockpit_page, name="cockpit"),
    path("ranking/", views_cockpit.ranking, name="ranking"),
    path("publish/", views.publish, name="publish"),
    path("map.js", views.map_script, name="map_script"),
    path("map-data/", views.map_data, name="map_data"),
    path("districts/<str:code>/", views_district.district, name="district"),
    path("indicators/<int:number>/", views.indicator_detail, name="indicator"),
    path("indicators/<int:number>/rows/", views_rows.indicator_rows, name="indicator_rows"),
]
