"""The public dashboard's status counts and district map, read from the published record only:
a hand-made record (three indicators, the city and two districts) gives the answers."""

import datetime
import json

import pytest
from django.test import Client

from zhizao.monitoring.models import PublishedYear

STATUSES = {
    # region: statuses of indicators 1, 7, 11 and five-year progress of indicator 7
    "330600": (["green", "amber", "no_data"], 0.5),
    "330602": (["green", "red", "no_data"], 1.2),
    "330603": (["red", "red", "green"], None),
}


def row(no: int, category: str, status: str, progress) -> dict:
    return {
        "no": no,
        "category": category,
        "name": f"指标{no}",
        "unit": "个",
        "actual": None if progress is None else 100 * progress,
        "computed": None,
        "official": False,
        "quarter": 0,
        "year_target": 10,
        "year_completion": None,
        "five_year_target": 50,
        "five_year_progress": progress,
        "schedule": 0.8,
        "status": status,
    }


@pytest.fixture
def record(plan, city_admin):
    names = {"330600": "绍兴市", "330602": "越城区", "330603": "柯桥区"}
    regions = []
    for code, (statuses, progress) in STATUSES.items():
        regions.append(
            {
                "code": code,
                "name": names[code],
                "level": "city" if code == "330600" else "county",
                "rows": [
                    row(1, "智能普及", statuses[0], 0.9),
                    row(7, "智能普及", statuses[1], progress),
                    row(11, "产业规模", statuses[2], None),
                ],
            }
        )
    return PublishedYear.objects.create(
        plan=plan,
        year=2024,
        published_by=city_admin,
        published_at=datetime.datetime(2025, 3, 1, 9, tzinfo=datetime.UTC),
        snapshot={"plan": {"code": plan.code, "name": plan.name}, "year": 2024, "regions": regions},
    )


def tiles(html: str) -> dict[str, str]:
    counts = html.split('data-testid="public-counts"')[1].split("</section>")[0]
    return {
        part.split('"')[0]: part.split('data-count="')[1].split('"')[0]
        for part in counts.split('data-status="')[1:]
    }


def test_the_counts_by_status_are_the_regions_own(client, record):
    city = client.get("/public/").content.decode()
    assert tiles(city) == {"green": "1", "amber": "1", "red": "0", "no_data": "1"}
    keqiao = client.get("/public/?year=2024&region=330603").content.decode()
    assert tiles(keqiao) == {"green": "1", "amber": "0", "red": "2", "no_data": "0"}
    assert "柯桥区 · 2024年 · 3 项指标" in keqiao


def test_the_map_shows_each_districts_progress_from_the_record(client, record):
    html = client.get("/public/").content.decode()
    data = json.loads(
        html.split('<script id="public-map-data" type="application/json">')[1].split("</script>")[0]
    )
    assert data["map"] == record.plan.map_name and data["map"]
    assert data["indicator"] == 7
    assert [i["no"] for i in data["indicators"]] == [1, 7, 11]
    assert [(d["name"], d["code"]) for d in data["districts"]] == [
        ("越城区", "330602"),
        ("柯桥区", "330603"),
    ]
    # indicator 7: 越城区 120 % of the way and red; 柯桥区 without a figure
    assert data["districts"][0]["rows"][1] == {"value": 120.0, "actual": 120.0, "status": "red"}
    assert data["districts"][1]["rows"][1] == {"value": None, "actual": None, "status": "red"}
    assert data["labels"]["red"] == "滞后" and data["styles"]["red"] == "danger"
    assert '<script src="/public/map.js"></script>' in html


def test_the_map_script_is_public_once_a_year_is_published(client, plan, record):
    response = client.get("/public/map.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert record.plan.map_name in b"".join(response.streaming_content).decode()
    record.withdrawn_at = datetime.datetime(2025, 4, 1, tzinfo=datetime.UTC)
    record.save()
    assert client.get("/public/map.js").status_code == 404


def test_the_table_becomes_cards_on_phones_with_the_status(client, record):
    html = client.get("/public/").content.decode()
    table = html.split('data-testid="public-table"')[0].rsplit("<table", 1)[1]
    assert "table-cards" in table
    row_7 = html.split('data-indicator="7"')[1].split("</tr>")[0]
    assert 'data-label="状态"><span class="badge text-bg-warning">略滞后</span>' in row_7
    assert '<td class="card-head">指标7（个）</td>' in row_7


def test_the_dashboard_with_the_map_runs_two_queries(client, record, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        assert client.get("/public/?year=2024&region=330602").status_code == 200
    signed_in = Client()
    signed_in.force_login(record.published_by)
    with django_assert_max_num_queries(8):  # the session, the user and the menu's counts
        assert signed_in.get("/public/").status_code == 200
