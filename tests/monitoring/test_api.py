"""The monitoring API: indicator values with their parts, progress by year and region, the
ranking; scoped as the pages are, and with the pages' own numbers."""

import io

import pytest
from openpyxl import load_workbook

from tests.conftest import signed_in
from tests.monitoring.test_engine import above_scale
from tests.reports.conftest import new_enterprise, new_report
from zhizao.core.models import Region
from zhizao.monitoring.engine import recompute
from zhizao.monitoring.models import ReportedStatus, ReportedValue

VALUES = "/api/monitoring/values/"
PROGRESS = "/api/monitoring/progress/"
RANKING = "/api/monitoring/ranking/"


@pytest.fixture
def figures(plan):
    """越城区: 2 above-scale firms reporting 2024 (200 staff, 10 robots; 300 staff, 20 robots)
    and one above-scale firm that did not report; 柯桥区: one firm, 500 staff and 5 robots."""
    for serial, staff, robots in ((1, 200, 10), (2, 300, 20)):
        firm = new_enterprise("越城区", serial)
        above_scale(firm, 2024)
        new_report(firm, 2024, employees=staff, industrial_robots=robots)
    above_scale(new_enterprise("越城区", 3), 2024)
    keqiao = new_enterprise("柯桥区", 4)
    above_scale(keqiao, 2024)
    new_report(keqiao, 2024, employees=500, industrial_robots=5)
    recompute(plan)
    return plan


def test_a_value_comes_with_its_parts_source_and_reporters(admin_client_, figures):
    body = admin_client_.get(f"{VALUES}?indicator=7&region=330602&year=2024").json()

    (value,) = body["results"]
    # 30 robots / 500 staff × 10000 = 600, from 2 of the 3 above-scale firms
    assert value["value"] == 600
    assert value["components"] == {"reporters": "2", "a0": "30", "a1": "500"}
    assert (value["reporters"], value["population"]) == (2, 3)
    assert value["source"] == "enterprise" and value["official"] is None
    assert (value["region_name"], value["indicator_name"]) == ("越城区", "制造业机器人密度")


def test_a_district_officer_reads_only_its_own_values(yuecheng_client, admin_client_, figures):
    body = yuecheng_client.get(f"{VALUES}?indicator=7&year=2024").json()

    assert {v["region"] for v in body["results"]} == {"330602"}
    assert yuecheng_client.get(f"{VALUES}?region=330603").json()["results"] == []
    keqiao = admin_client_.get(f"{VALUES}?indicator=7&region=330603&year=2024").json()
    other = keqiao["results"][0]["id"]
    assert yuecheng_client.get(f"{VALUES}{other}/").status_code == 404


def test_enterprises_providers_and_experts_are_refused(enterprise_user, figures):
    client = signed_in(enterprise_user)
    for url in (VALUES, PROGRESS, RANKING):
        response = client.get(url)
        assert response.status_code == 403
        assert "只有市级管理员和区县用户" in response.json()["detail"]


def test_progress_has_the_overview_pages_numbers(admin_client_, figures):
    rows = admin_client_.get(f"{PROGRESS}?region=330602&year=2024").json()
    page = admin_client_.get("/monitoring/?region=330602&year=2024").content.decode()
    workbook = admin_client_.get("/monitoring/?region=330602&year=2024&format=xlsx")
    sheet = load_workbook(io.BytesIO(workbook.content)).active

    assert len(rows) == 21
    by_number = {r["indicator"]: r for r in rows}
    robots = by_number[7]
    assert (robots["region"], robots["year"], robots["actual"]) == ("330602", 2024, 600)
    for line in sheet.iter_rows(min_row=3, values_only=True):
        row = by_number[line[1]]
        # the workbook: actual, year target, year completion, target, progress, schedule
        # (a district's scaled yearly target has more digits than a float: equal to 1e−12)
        keys = ("actual", "year_target", "year_completion", "five_year_target")
        keys += ("five_year_progress", "schedule")
        for cell, key in zip(line[4:10], keys, strict=True):
            assert cell == (None if row[key] is None else pytest.approx(row[key], rel=1e-12))
        # the page: each indicator's status
        assert f'data-indicator="{line[1]}" data-status="{row["status"]}"' in page


def test_progress_has_the_cockpits_colours(admin_client_, figures):
    rows = admin_client_.get(f"{PROGRESS}?year=2024&indicator=7").json()
    html = admin_client_.get("/monitoring/cockpit/?year=2024").content.decode()

    assert [r["region"] for r in rows][:3] == ["330600", "330602", "330603"]
    for row in rows:
        cells = html.split(f'data-region="{row["region_name"]}"')[1].split("</tr>")[0]
        assert f'data-indicator="7" data-status="{row["status"]}"' in cells


def test_progress_is_scoped_like_the_overview(yuecheng_client, figures):
    rows = yuecheng_client.get(f"{PROGRESS}?year=2024&indicator=7").json()

    assert [(r["region_name"], r["actual"]) for r in rows] == [("越城区", 600)]
    # judged from its own base year, which it lacks: no data, and the API says why
    assert (rows[0]["status"], rows[0]["no_target_reason"]) == ("no_data", "no_base")
    assert yuecheng_client.get(f"{PROGRESS}?region=330603").status_code == 404
    assert yuecheng_client.get(f"{PROGRESS}?region=330600").status_code == 404


def test_a_year_outside_the_plan_is_refused_with_a_clear_message(admin_client_, figures):
    response = admin_client_.get(f"{PROGRESS}?year=2030")

    assert response.status_code == 400
    assert response.json() == {"year": ["年份 2030 不在方案年份内（2021—2025年）。"]}
    assert admin_client_.get(f"{RANKING}?year=二〇二四").json() == {
        "year": ["年份「二〇二四」不是整数。"]
    }


def test_the_ranking_is_the_ranking_pages(admin_client_, yuecheng_client, figures):
    # districts are judged from their own base year: the bureau's 2020 robot densities, 越城区
    # 200 and 柯桥区 40, make 越城区 (600 − 200) / (400 − 200) = 2 and 柯桥区 (100 − 40) / 360
    for name, base in (("越城区", 200), ("柯桥区", 40)):
        ReportedValue.objects.create(
            indicator=figures.indicators.get(number=7),
            region=Region.objects.get(name=name),
            year=2020,
            value=base,
            status=ReportedStatus.APPROVED,
        )
    entries = admin_client_.get(f"{RANKING}?year=2024").json()
    html = admin_client_.get("/monitoring/ranking/?year=2024").content.decode()

    table = html.split('data-testid="ranking"')[1].split("</table>")[0]
    order = [row.split('"')[0] for row in table.split('<tr data-region="')[1:]]
    assert [e["region_name"] for e in entries] == order
    by_name = {e["region_name"]: e for e in entries}
    # robots: 越城区 600 before 柯桥区 100
    robots = {
        name: next(c for c in by_name[name]["indicators"] if c["indicator"] == 7)
        for name in ("越城区", "柯桥区")
    }
    assert robots["越城区"]["rank"] == 1 and robots["柯桥区"]["rank"] == 2
    assert by_name["越城区"]["place"] < by_name["柯桥区"]["place"]
    # a district officer reads the whole ranking too
    assert yuecheng_client.get(f"{RANKING}?year=2024").json() == entries
