from django.urls import path

from zhizao.enterprises import views

app_name = "enterprises"

urlpatterns = [
    path("", views.enterprise_list, name="list"),
    path("reviews/", views.review_queue, name="reviews"),
    path("years/", views.year_locks, name="years"),
    path("<int:pk>/", views.enterprise_detail, name="detail"),
    path("<int:pk>/reports/<int:year>/", views.report_detail, name="report"),
    path("<int:pk>/reports/<int:year>/<str:action>/", views.report_action, name="report_action"),
]
