"""A small demo (`zhizao demo --enterprises 40`), made once for the crawl's module inside a
transaction that is rolled back at its end, and each role's crawl over it, made once and shared by
the tests that check it."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from tests.crawl.crawler import Crawl, crawl
from tests.module_data import rolled_back
from tests.plans.factories import load_default_plan
from zhizao.accounts.models import User

DEMO_ENTERPRISES = 40

# Each role's demo account (None: anonymous) and where it starts.
ROLES = {
    "city_admin": ("admin", ["/"]),
    "district": ("yuecheng", ["/"]),
    "enterprise": ("enterprise", ["/"]),
    "provider": ("provider", ["/"]),
    "expert": ("expert", ["/"]),
    "anonymous": (None, ["/", "/public/", "/public/titles/", "/bridge/"]),
}

# Pages allowed more than the crawl's budget of 60 queries, with the reason.
QUERY_EXCEPTIONS: dict[str, int] = {
    # Cold cache: the plan's progress computed once per district (7 in Shaoxing) and cached per
    # state of the figures; grows with the districts, not with the enterprises.
    "monitoring:cockpit": 100,
}


@pytest.fixture(scope="module")
def demo_var_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("crawl-var")


@pytest.fixture(autouse=True)
def private_files(demo_var_dir, settings):
    """The demo's attachments stay where the demo wrote them (tests/conftest.py gives every
    other test a folder of its own)."""
    settings.VAR_DIR = demo_var_dir
    return demo_var_dir


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, demo_var_dir):
    """The demo data, rolled back when the module's tests are done."""
    with rolled_back(django_db_blocker, VAR_DIR=demo_var_dir):
        load_default_plan()
        call_command("cultivation", "types", "load", stdout=StringIO())
        call_command("demo", "--enterprises", str(DEMO_ENTERPRISES), stdout=StringIO())
        call_command("recompute", stdout=StringIO())
        yield


def client_for(role: str) -> Client:
    client = Client()
    username = ROLES[role][0]
    if username:
        client.force_login(User.objects.get(username=username))
    return client


@pytest.fixture(scope="module")
def crawls(demo, django_db_blocker) -> dict[str, Crawl]:
    """Each role's crawl, made when a test first asks for it."""
    made: dict[str, Crawl] = {}

    class Crawls(dict):
        def __missing__(self, role):
            with django_db_blocker.unblock():
                made[role] = crawl(
                    client_for(role), role, ROLES[role][1], query_exceptions=QUERY_EXCEPTIONS
                )
            self[role] = made[role]
            return made[role]

    return Crawls()
