"""Every role's pages on the demo data, reached as its users reach them: from the landing page,
following every link and filter breadth-first. No page fails, shows Django's debug or bare English
error page, or runs more queries than the budget; no link leads a role to a page it may not see;
and no object page the city admin's crawl found opens for a role that was never shown it."""

import pytest
from django.urls import Resolver404, resolve

from tests.crawl.conftest import ROLES, client_for

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("crawl")]

SIGNED_IN = [role for role in ROLES if role != "anonymous"]

# Object pages every signed-in role may open, though its own pages need not link to them: the
# plan and its city-wide figures are the same for everyone (DESIGN.md, "Who uses it").
SHARED_PAGES = {
    "plans:detail": "the plan is the city's, read by every role",
    "plans:plan_xlsx": "the plan's workbook, as the plan page",
    "plans:region_targets": "a district's targets are part of the published plan",
}
# Object pages a role opens by assignment, reached through lists the crawl visits only in part;
# tests/security/ checks an object not assigned to it.
ASSIGNED_PAGES = {
    ("provider", "bridge:need"): "a provider opens the needs it is matched to",
    ("expert", "bridge:need"): "an expert opens the needs it is matched to",
}

# Known defects the crawl found in pages another helper is changing now: (role, URL name) → who
# owns the fix. Each must leave this list when fixed (the test says so when one passes).
KNOWN: dict[tuple[str, str], str] = {}


# Path arguments that name one object (a library's name, a year or an action do not).
OBJECT_ARGUMENTS = {"pk", "code", "region_code", "number"}


def object_page(url: str) -> str | None:
    """The URL name of a page about one object (its path takes an id), else None."""
    try:
        match = resolve(url.partition("?")[0])
    except Resolver404:
        return None
    return match.view_name if OBJECT_ARGUMENTS & set(match.kwargs) else None


@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_a_role_reaches_works(crawls, role):
    # Given the demo and the role's crawl from its landing page
    result = crawls[role]

    # Then it reached a fair part of the platform, and no page failed
    assert len(result.pages) >= (3 if role == "anonymous" else 10), sorted(result.pages)
    problems = [text for name, text in result.problems() if (role, name) not in KNOWN]
    assert problems == [], "\n\n".join(problems)


@pytest.mark.parametrize("role", list(ROLES))
def test_no_link_leads_a_role_to_a_page_it_may_not_see(crawls, role):
    result = crawls[role]
    broken = [
        f"{page.url} answers {page.status} (linked from {page.found_on})"
        for page in result.pages.values()
        if page.status in (403, 404) and (role, page.kind[0]) not in KNOWN
    ]
    assert broken == [], "\n".join(broken)


@pytest.mark.parametrize("role", [role for role in ROLES if role != "city_admin"])
def test_object_pages_of_the_city_admin_stay_hidden_from_a_role_never_shown_them(crawls, role):
    # Given the object pages the city admin's crawl opened, that this role was never shown
    admin_pages = [
        page
        for page in crawls["city_admin"].pages.values()
        if page.status == 200 and object_page(page.url)
    ]
    shown = crawls[role].seen
    candidates = [
        page.url
        for page in admin_pages
        if page.url not in shown
        and object_page(page.url) not in SHARED_PAGES
        and (role, object_page(page.url)) not in ASSIGNED_PAGES
    ]
    assert candidates, "the city admin's crawl found no object page"

    # When the role opens each of them
    client = client_for(role)
    leaks = []
    for url in candidates:
        response = client.get(url)
        if response.status_code == 200 and (role, object_page(url)) not in KNOWN:
            leaks.append(f"{url} ({object_page(url)}) answers {response.status_code}")

    # Then it does not get the page: a 404, a 403, the login page or another redirect
    assert leaks == [], "\n".join(leaks)
