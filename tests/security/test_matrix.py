"""The authorization matrix, generated from the URL configuration: every endpoint whose path names
an object (pages, downloads, the REST API's router) × every role but the city admin × an object
of the other side (another district, another enterprise, another provider's draft, an
application or diagnosis assigned to someone else). Reading it gives a 404, a 403 or the login
page, never the page; a write (POST, and PUT, PATCH, DELETE on the API) is refused and changes
nothing in the database. A new URL joins the matrix by itself: one the matrix has no object or
reasoned exemption for fails `test_every_endpoint_with_an_id_is_in_the_matrix`."""

import json

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from tests.security.endpoints import (
    ACTIONS,
    EXEMPT,
    EXEMPT_PREFIXES,
    FOREIGN,
    endpoints_with_ids,
    exemption,
    foreign_arguments,
)

pytestmark = pytest.mark.django_db

ROLES = ["district", "enterprise", "provider", "expert", "anonymous"]
ENDPOINTS = endpoints_with_ids()
COVERED = [
    e
    for e in ENDPOINTS
    if foreign_arguments(e.name, e.ids) is not None and not e.name.startswith("admin:")
]
ADMIN = [e for e in ENDPOINTS if e.name.startswith("admin:")]

# (URL name, role) → why the role may read the other side's object there. Writes stay refused.
READABLE = {
    **{
        (name, role): "the plan is the city's, read by every signed-in role"
        for name in (
            "plans:detail",
            "plans:indicators_xlsx",
            "plans:regions_xlsx",
            "plans:plan_xlsx",
            "plans:region_targets",
            "plan-detail",
            "indicator-detail",
            "yeartarget-detail",
        )
        for role in ("district", "enterprise", "provider", "expert")
    },
    **{
        (name, role): "a batch is the city's call for applications, read by every signed-in role"
        for name in ("cultivation:batch", "batch-detail")
        for role in ("district", "enterprise", "provider", "expert")
    },
    **{
        (name, role): "Title's scope lets providers and experts read every title "
        "(others_see_all, zhizao/cultivation/models.py), published or not"
        for name in ("cultivation:title", "title-detail")
        for role in ("provider", "expert")
    },
    ("monitoring:indicator", "district"): "an indicator's page shows the city and every district "
    "to district officers (the ranking is published in 通报 anyway); its enterprises are scoped",
    **{
        (name, role): "reference data, public (Region, IndustryCluster, TitleType)"
        for name in ("region-detail", "industrycluster-detail", "titletype-detail")
        for role in ROLES
    },
}

# Statuses that refuse: not found, forbidden, not allowed, not signed in; a redirect (to the
# login page, or back with a message) shows nothing either.
REFUSED = {301, 302, 303, 401, 403, 404, 405}
WRITES_API = ("post", "put", "patch", "delete")


def client_for(world, role: str) -> Client:
    client = Client()
    if world.users[role] is not None:
        client.force_login(world.users[role])
    return client


def database_state(world) -> tuple:
    """Row counts of every table, and every row of the world's records, as they stand."""
    tables = connection.introspection.table_names()
    counts_sql = " UNION ALL ".join(
        f"SELECT '{t}', COUNT(*) FROM {connection.ops.quote_name(t)}" for t in tables
    )
    with connection.cursor() as cursor:
        cursor.execute(counts_sql)
        counts = sorted(cursor.fetchall())
    rows = [
        (name, repr(type(obj).objects.filter(pk=obj.pk).values().first()))
        for name, obj in world.objects.items()
        if hasattr(obj, "pk")
    ]
    return counts, rows


def urls_for(endpoint, world) -> list[str]:
    kwargs = foreign_arguments(endpoint.name, endpoint.ids)(world.objects)
    if endpoint.name in ACTIONS:
        return [
            reverse(endpoint.name, kwargs={**kwargs, "action": action})
            for action in ACTIONS[endpoint.name]
        ]
    return [reverse(endpoint.name, kwargs=kwargs)]


def test_every_endpoint_with_an_id_is_in_the_matrix():
    # Given every endpoint whose path names an object
    # Then each has an object of the other side to be tried on, or a reason it has none
    missing = [
        f"{e.name} ({e.route})"
        for e in ENDPOINTS
        if foreign_arguments(e.name, e.ids) is None and exemption(e.name) is None
    ]
    assert missing == [], (
        "endpoints without an object in tests/security/endpoints.py FOREIGN:\n" + "\n".join(missing)
    )
    # and the matrix names no endpoint that is gone
    names = {e.name for e in ENDPOINTS}
    stale = [n for n in [*FOREIGN, *ACTIONS, *EXEMPT] if n not in names]
    stale += [p for p in EXEMPT_PREFIXES if not any(n.startswith(p) for n in names)]
    assert stale == []


def test_the_matrix_is_large():
    assert len(COVERED) >= 60


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", COVERED, ids=lambda e: e.name)
def test_the_other_sides_object_stays_hidden_and_unchanged(world, endpoint, role):
    # Given a user of the role and an object of the other side
    client = client_for(world, role)
    urls = urls_for(endpoint, world)
    before = database_state(world)

    # When it reads the object's page, then tries every write
    answers = []
    for url in urls:
        if (endpoint.name, role) not in READABLE:
            answers.append(("GET", url, client.get(url)))
        if endpoint.api:
            for method in WRITES_API:
                response = getattr(client, method)(
                    url,
                    data=json.dumps({"reason": "越权", "comment": "越权"}),
                    content_type="application/json",
                )
                answers.append((method.upper(), url, response))
        else:
            data = {"reason": "越权", "comment": "越权", "next": "review"}
            answers.append(("POST", url, client.post(url, data)))

    # Then every answer refuses, and the database is as it was
    accepted = [
        f"{method} {url} answers {response.status_code}"
        for method, url, response in answers
        if response.status_code not in REFUSED
    ]
    assert accepted == [], "\n".join(accepted)
    assert database_state(world) == before


@pytest.mark.parametrize("role", ROLES)
def test_the_admins_object_pages_stay_shut(world, role):
    # Given a user of the role, who is not staff
    client = client_for(world, role)
    before = database_state(world)

    # When it opens every object page of the admin, and posts to it
    answers = []
    for endpoint in ADMIN:
        url = reverse(endpoint.name, kwargs=foreign_arguments(endpoint.name, endpoint.ids)(None))
        answers += [("GET", url, client.get(url)), ("POST", url, client.post(url, {}))]

    # Then the admin sends it to its login page (or refuses), and nothing changes
    opened = [
        f"{method} {url} answers {response.status_code} {response.get('Location', '')}"
        for method, url, response in answers
        if response.status_code not in (403, 404)
        and not (response.status_code == 302 and "/admin/login/" in response["Location"])
    ]
    assert opened == [], "\n".join(opened)
    assert database_state(world) == before
