from django.urls import path

from zhizao.enterprises import views, views_import, views_review

app_name = "enterprises"

urlpatterns = [
    path("", views.enterprise_list, name="list"),
    path("reviews/", views_review.review_queue, name="reviews"),
    path("reviews/approve/", views_review.batch_approve, name="batch_approve"),
    path("scale-statuses/", views_review.scale_statuses, name="scale_statuses"),
    path("years/", views.year_locks, name="years"),
    path("import/", views_import.import_upload, name="import"),
    path("import/template.xlsx", views_import.import_template, name="import_template"),
    path("import/preview/", views_import.import_preview, name="import_preview"),
    path("import/confirm/", views_import.import_confirm, name="import_confirm"),
    path("<int:pk>/", views.enterprise_detail, name="detail"),
    path("<int:pk>/reports/<int:year>/", views.report_detail, name="report"),
    path(
        "<int:pk>/reports/<int:year>/<str:action>/",
        views_review.report_action,
        name="report_action",
    ),
]
