from django.urls import path, register_converter

from zhizao.bridge import views, views_entries, views_needs, views_outcomes
from zhizao.bridge.models import Library

app_name = "bridge"


class LibraryConverter:
    """One of the ten libraries' codes (standard, equipment … case), so that a library's
    address never shadows the bridge's other pages."""

    regex = "|".join(Library.values)

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value) -> str:
        return str(value)


register_converter(LibraryConverter, "library")

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search_page, name="search"),
    path("mine/", views_entries.my_entries, name="mine"),
    path("review/", views_entries.review_queue, name="review"),
    path("needs/", views_needs.need_list, name="needs"),
    path("needs/new/", views_needs.need_create, name="need_create"),
    path("needs/from-gaps/", views_needs.needs_from_gaps, name="needs_from_gaps"),
    path("needs/<int:pk>/", views_needs.need_detail, name="need"),
    path("needs/<int:pk>/matching/", views_needs.need_matching, name="need_matching"),
    path("needs/<int:pk>/<str:action>/", views_needs.need_action, name="need_action"),
    path("matched/", views_needs.matched_list, name="matched"),
    path("matches/<int:pk>/<str:action>/", views_needs.match_action, name="match_action"),
    path("outcomes/", views_outcomes.outcomes_page, name="outcomes"),
    path("<library:library>/", views.library_page, name="library"),
    path("<library:library>/new/", views_entries.entry_create, name="entry_create"),
    path("<library:library>/<int:pk>/", views.entry_page, name="entry"),
    path("<library:library>/<int:pk>/edit/", views_entries.entry_edit, name="entry_edit"),
    path(
        "<library:library>/<int:pk>/<str:action>/",
        views_entries.entry_action,
        name="entry_action",
    ),
]
