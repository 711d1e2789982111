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


def test_each_language_is_offered_in_its_own_name(client, db):
    # given a visitor who reads no Chinese, on the Chinese interface
    html = client.get("/accounts/login/").content.decode()
    # then the switch offers "English" (not 英语), and 简体中文
    select = html.split('id="language-select"', 1)[1].split("</select>", 1)[0]
    assert '<option value="en">English</option>' in select
    assert '<option value="zh-hans" selected>简体中文</option>' in select
    assert "英语" not in select
