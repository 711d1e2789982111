"""The enterprises behind a figure: each with its own value of the indicator, its change since
last year and its contribution to the shortfall, sorted, searched, paged and downloaded; the
values computed by hand."""

import io

import pytest
from openpyxl import load_workbook

from tests.monitoring.test_engine import above_scale
from tests.reports.conftest import new_enterprise, new_report
from zhizao.monitoring.engine import recompute

CITY_ROBOTS = "/monitoring/indicators/7/rows/?region=330600&year=2024"
A, B, C = (f"越城区测试企业{n}有限公司" for n in (1, 2, 3))


@pytest.fixture
def firms(plan):
    """越城区, robots / staff:  A 4/200 (2023) → 10/200 (2024);  B 10/500 → 5/500;  C −/− →
    30/1000. B uses one key system in 2024 (A and C two); A's value added 2600 → 2860."""
    a, b, c = (new_enterprise("越城区", n) for n in (1, 2, 3))
    for firm in (a, b, c):
        above_scale(firm, 2023, 2024)
    new_report(a, 2023, employees=200, industrial_robots=4)
    new_report(a, 2024, employees=200, industrial_robots=10, value_added=2860)
    new_report(b, 2023, employees=500, industrial_robots=10)
    new_report(b, 2024, employees=500, industrial_robots=5, uses_mes=False)
    new_report(c, 2024, employees=1000, industrial_robots=30)
    recompute(plan)
    return plan


def _rows(html: str) -> dict[str, dict[str, str]]:
    table = html.split('data-testid="indicator-rows"')[1].split("</table>")[0]
    rows = {}
    for row in table.split('<tr data-enterprise="')[1:]:
        name = row.split('"')[0]
        cells = {}
        for testid in ("level", "previous", "change", "shortfall"):
            if f'data-testid="{testid}">' in row:
                cells[testid] = row.split(f'data-testid="{testid}">')[1].split("<")[0]
        rows[name] = cells
    return rows


def test_each_enterprise_has_its_own_rate_and_change(admin_client_, firms):
    html = admin_client_.get(CITY_ROBOTS).content.decode()

    rows = _rows(html)
    # density = robots / staff × 10000: A 200 → 500, B 200 → 100, C 300 (no report in 2023)
    assert rows[A] == {"level": "500", "previous": "200", "change": "+300", "shortfall": "-2.9"}
    assert rows[B] == {"level": "100", "previous": "200", "change": "-100", "shortfall": "12.8"}
    assert rows[C]["level"] == "300" and rows[C]["previous"] == "—"
    # contribution to the shortfall at 2024's target of 355: 355 / 10000 × staff − robots
    # A 7.1 − 10 = −2.9, B 17.75 − 5 = 12.75, C 35.5 − 30 = 5.5 (together 60.35 − 45 = 15.35)
    assert rows[C]["shortfall"] == "5.5"
    assert "按本年目标 355 台/万人" in html


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("", [B, C, A]),  # the default: the largest contribution to the shortfall first
        ("shortfall", [B, C, A]),
        ("value", [A, C, B]),
        ("value_asc", [B, C, A]),
        ("change", [B, A, C]),  # the largest fall first, no change known last
        ("name", [A, B, C]),
    ],
)
def test_the_enterprises_sort(admin_client_, firms, sort, order):
    html = admin_client_.get(f"{CITY_ROBOTS}&sort={sort}").content.decode()

    assert list(_rows(html)) == order


def test_a_share_counts_each_enterprise_as_one_or_none(admin_client_, firms):
    html = admin_client_.get(
        "/monitoring/indicators/9/rows/?region=330600&year=2024&sort=shortfall"
    ).content.decode()

    rows = _rows(html)
    # two key systems or more: A and C 100 %, B 0 %; at 2024's target 67 %: 0.67 − 1 or 0.67
    assert rows[B] == {"level": "0", "previous": "100", "change": "-100", "shortfall": "0.7"}
    assert rows[A]["level"] == "100" and rows[A]["shortfall"] == "-0.3"
    assert next(iter(rows)) == B
    assert "对缺口的贡献（企业（家））" in html


def test_a_growth_indicator_shows_the_enterprises_own_rate(admin_client_, firms):
    html = admin_client_.get(
        "/monitoring/indicators/20/rows/?region=330600&year=2024&sort=change_desc"
    ).content.decode()

    rows = _rows(html)
    # value added per head: A 2600 / 200 = 13 → 2860 / 200 = 14.3, +10 %
    assert rows[A] == {"level": "14.3", "previous": "13", "change": "+10"}
    assert "增幅（%）" in html and 'data-testid="shortfall"' not in html
    assert next(iter(rows)) == A


def test_the_enterprises_are_searched_by_name(admin_client_, firms):
    html = admin_client_.get(f"{CITY_ROBOTS}&q=企业2").content.decode()

    assert list(_rows(html)) == [B]


def test_the_sorted_list_downloads_as_a_workbook(admin_client_, firms):
    response = admin_client_.get(f"{CITY_ROBOTS}&sort=value&format=xlsx")

    assert response["Content-Disposition"] == 'attachment; filename="indicator-7-330600-2024.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "绍兴市2024年「制造业机器人密度」企业明细"
    headers = [c.value for c in sheet[2]]
    assert headers[:7] == [
        "企业", "统一社会信用代码", "本年值（台/万人）", "上年值", "比上年变化",
        "对缺口的贡献（在役工业机器人（台））", "区县",
    ]  # fmt: skip
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert [r[0] for r in rows] == [A, C, B]  # as sorted on the page
    assert rows[0][2:7] == (500, 200, 300, -2.9, "越城区")
    assert rows[1][3] is None  # C has no report of 2023


def test_a_district_officer_drills_into_its_own_district_only(
    yuecheng_client, keqiao_officer, firms
):
    from tests.conftest import signed_in

    own = yuecheng_client.get("/monitoring/indicators/7/rows/?region=330602&year=2024")
    assert set(_rows(own.content.decode())) == {A, B, C}
    keqiao = signed_in(keqiao_officer)
    assert keqiao.get("/monitoring/indicators/7/rows/?region=330602&year=2024").status_code == 404
    assert (
        keqiao.get("/monitoring/indicators/7/rows/?region=330602&year=2024&format=xlsx").status_code
        == 404
    )


def test_pages_hold_fifty_and_the_queries_do_not_grow(
    admin_client_, firms, django_assert_max_num_queries
):
    with django_assert_max_num_queries(20) as small:
        admin_client_.get(CITY_ROBOTS)
    for serial in range(10, 60):
        firm = new_enterprise("柯桥区", serial)
        above_scale(firm, 2024)
        new_report(firm, 2024, employees=100, industrial_robots=1)
    recompute(firms)
    with django_assert_max_num_queries(len(small.captured_queries)):
        first = admin_client_.get(CITY_ROBOTS).content.decode()
    assert len(_rows(first)) == 50 and "1 / 2" in first
    second = admin_client_.get(f"{CITY_ROBOTS}&sort=shortfall&page=2").content.decode()
    assert len(_rows(second)) == 3
