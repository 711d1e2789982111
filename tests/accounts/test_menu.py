"""The menu offers each role what it may use, and every item it offers opens for that role."""

import re

import pytest

from tests.accounts.factories import make_user
from tests.conftest import signed_in
from zhizao.core.roles import Role

CULTIVATION = ["batches", "applications", "titles", "public_titles"]
MENUS = {
    Role.CITY_ADMIN: [
        "inbox", "cockpit", "overview", "ranking", "registry", "cultivation", "ladder",
        *CULTIVATION, "diagnosis", "bridge", "plan", "more", "years", "api", "admin",
    ],
    Role.DISTRICT: [
        "home", "inbox", "cockpit", "overview", "ranking", "registry", "cultivation", "ladder",
        *CULTIVATION, "diagnosis", "bridge", "plan", "more", "api",
    ],
    Role.ENTERPRISE: ["home", "inbox", "cultivation", *CULTIVATION, "diagnosis", "bridge", "plan"],
    Role.EXPERT: ["home", "inbox", "cultivation", *CULTIVATION, "diagnosis", "bridge", "plan"],
    Role.PROVIDER: [
        "home", "inbox", "cultivation", "batches", "titles", "public_titles", "diagnosis",
        "bridge", "plan",
    ],
}  # fmt: skip


def user_of(role):
    return make_user(role, "越城区" if role == Role.DISTRICT else None)


def menu_of(html: str) -> list[tuple[str, str]]:
    nav = html.split('data-testid="main-menu"')[1].split("</ul>\n      <a")[0]
    return re.findall(r'href="([^"]+)"[^>]*data-menu="(\w+)"', nav) + [
        (href, code)
        for code, href in re.findall(
            r'data-menu="(\w+)">\s*<a class="nav-link dropdown-toggle" href="([^"]+)"', nav
        )
    ]


@pytest.mark.parametrize("role", list(MENUS), ids=str)
def test_each_role_sees_the_menu_items_it_may_use(plan, role):
    client = signed_in(user_of(role))

    html = client.get("/notifications/").content.decode()

    assert sorted(code for _, code in menu_of(html)) == sorted(MENUS[role])


@pytest.mark.parametrize("role", list(MENUS), ids=str)
def test_every_item_the_menu_offers_opens(plan, role):
    client = signed_in(user_of(role))
    html = client.get("/notifications/").content.decode()

    answers = {code: client.get(href).status_code for href, code in menu_of(html) if href != "#"}

    assert {code: status for code, status in answers.items() if status >= 400} == {}


@pytest.mark.parametrize("role", [Role.ENTERPRISE, Role.PROVIDER, Role.EXPERT], ids=str)
def test_no_registry_or_api_documentation_for_enterprises_providers_and_experts(plan, role):
    html = signed_in(user_of(role)).get("/").content.decode()

    assert "企业库" not in html and "接口文档" not in html
    assert 'href="/enterprises/"' not in html and 'href="/api/docs/"' not in html
