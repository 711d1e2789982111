import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.utils import translation

from tests.accounts.factories import PASSWORD, make_city_admin, make_district_officer, make_user
from tests.clock import TODAY
from tests.plan_snapshot import default_plan
from zhizao.core.roles import Role


@pytest.fixture(autouse=True)
def clock():
    """Every test runs on TODAY, with the clock moving on from there (records made one after
    another keep their order), so that a test passes on any date: a form that accepts this
    year or last accepts 2025 in 2027 too."""
    with time_machine.travel(TODAY, tick=True) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def clear_caches():
    """Django's cache holds figures computed from the database (monitoring's progress and
    cockpit, keyed by a stamp of the figures' latest change): a test must not read the
    previous test's. (The lru_caches of the code hold only what files say: the questionnaire,
    fonts, word lists.)"""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def plan(db):
    return default_plan()


@pytest.fixture
def city_admin(plan):
    return make_city_admin(username="city-admin")


@pytest.fixture
def yuecheng_officer(plan):
    return make_district_officer("越城区", username="yuecheng-officer")


@pytest.fixture
def keqiao_officer(plan):
    return make_district_officer("柯桥区", username="keqiao-officer")


@pytest.fixture
def enterprise_user(plan):
    return make_user(Role.ENTERPRISE, "越城区", username="enterprise-user")


def signed_in(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def admin_client_(city_admin):
    return signed_in(city_admin)


@pytest.fixture
def yuecheng_client(yuecheng_officer):
    return signed_in(yuecheng_officer)


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    """Uploads and other private files go to a folder of the test's own."""
    settings.VAR_DIR = tmp_path / "var"
    return settings.VAR_DIR


@pytest.fixture(autouse=True)
def chinese_first():
    """Each test starts in the platform's language: a request in English leaves English active
    in the thread (the language middleware activates it per request)."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
