"""Chinese first: the browser's language does not switch it; the language switch does."""

from django.conf import settings


def test_interface_is_chinese_even_for_an_english_browser(client, db):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "登录智造平台" in html


def test_english_when_chosen(client, db):
    # when the user picks English in the footer switch
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    # then
    html = client.get("/accounts/login/").content.decode()
    assert '<html lang="en">' in html
    assert "Log in to Zhizao" in html
    assert "登录智造平台" not in html
