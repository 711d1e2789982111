from django.urls import path

from zhizao.cultivation import views, views_review, views_titles

app_name = "cultivation"

urlpatterns = [
    path("", views.ladder_page, name="ladder"),
    path("batches/", views.batch_list, name="batches"),
    path("batches/new/", views.batch_create, name="batch_create"),
    path("batches/<int:pk>/", views.batch_detail, name="batch"),
    path("applications/", views_review.application_list, name="applications"),
    path("applications/new/", views_review.application_create, name="application_create"),
    path("applications/<int:pk>/", views_review.application_detail, name="application"),
    path(
        "applications/<int:pk>/attachments/",
        views_review.attachment_upload,
        name="attachment_upload",
    ),
    path(
        "applications/<int:pk>/<str:action>/",
        views_review.application_action,
        name="application_action",
    ),
    path("attachments/<int:pk>/", views_review.attachment_download, name="attachment"),
    path("attachments/<int:pk>/delete/", views_review.attachment_remove, name="attachment_remove"),
    path("titles/", views_titles.title_list, name="titles"),
    path("titles/publish/", views_titles.title_publish, name="titles_publish"),
    path("titles/<int:pk>/", views_titles.title_detail, name="title"),
    path("titles/<int:pk>/revoke/", views_titles.title_revoke, name="title_revoke"),
]
