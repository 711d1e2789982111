"""Missing, forbidden and failing pages are the platform's own, in Chinese, with a way back."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory
from django.views import defaults


def test_a_missing_page_is_branded_and_leads_home_and_to_login(db):
    # given a visitor who is not logged in
    client = Client()
    # when it asks for a page that does not exist
    response = client.get("/no-such-page/")
    # then it gets the platform's 404 page with a way home and to log in
    html = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in html
    assert "Not Found" not in html
    assert 'href="/" data-testid="error-home"' in html
    assert 'href="/accounts/login/"' in html


def test_another_districts_record_is_the_same_404_in_the_layout(yuecheng_client):
    # given a district officer
    # when it guesses an id that does not exist (or is not its own)
    response = yuecheng_client.get("/enterprises/999999/")
    # then it sees the branded page, with its menu and without a login link
    html = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in html
    assert 'data-testid="current-user"' in html
    assert 'data-testid="error-login"' not in html


def test_the_missing_page_speaks_english_when_chosen(db):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/no-such-page/").content.decode()
    assert "Page not found" in html
    assert "页面不存在" not in html


def test_a_forbidden_action_is_branded(enterprise_user):
    # given a signed-in enterprise user and an action it may not take
    request = RequestFactory().get("/")
    request.user = enterprise_user
    # when the view refuses it
    response = defaults.permission_denied(request, PermissionDenied())
    # then the platform's 403 page says so, with a way home
    html = response.content.decode()
    assert response.status_code == 403
    assert "没有权限" in html
    assert 'href="/"' in html


def test_the_server_error_page_renders_without_a_request_context(db):
    # given a failure so early that there is no user, session or context processor
    request = RequestFactory().get("/")
    # when Django renders the 500 page (it does so without the request's context)
    response = defaults.server_error(request)
    # then it is the platform's page, with a way home and to log in
    html = response.content.decode()
    assert response.status_code == 500
    assert "服务器出错" in html
    assert 'href="/"' in html
    assert 'href="/accounts/login/"' in html
