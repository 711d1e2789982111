"""Quarter-cumulative reported values (1–N季度累计): where a year has no whole-year figure yet,
the latest quarter's stands as the year's actual so far, labelled as such."""

from decimal import Decimal

import pytest

from tests.monitoring.test_engine import value_of
from zhizao.core.models import Region
from zhizao.monitoring.engine import recompute
from zhizao.monitoring.models import ReportedStatus, ReportedValue
from zhizao.monitoring.services import plan_progress

FIVE_G = 19  # 新建5G基站: flow, target 12000; yearly 5000, 2000, 2000, 2000, 1000
DISTRICTS = ["越城区", "柯桥区", "上虞区", "诸暨市", "嵊州市", "新昌县"]


def report(plan, region: str, year: int, quarter: int, value, status=ReportedStatus.APPROVED):
    return ReportedValue.objects.create(
        indicator=plan.indicators.get(number=FIVE_G),
        region=Region.objects.get(name=region),
        year=year,
        quarter=quarter,
        value=Decimal(value),
        status=status,
    )


def city_row(plan, year: int) -> dict:
    return plan_progress(plan, year, Region.objects.get(name="绍兴市"))[FIVE_G - 1]


@pytest.fixture
def to_september_2022(plan):
    """2021's whole year (5000); for 2022 only January–June (900) and January–September
    (1500) so far, and an October figure still waiting for the city."""
    report(plan, "绍兴市", 2021, 0, 5000)
    report(plan, "绍兴市", 2022, 2, 900)
    report(plan, "绍兴市", 2022, 3, 1500)
    report(plan, "绍兴市", 2022, 4, 1900, status=ReportedStatus.SUBMITTED)
    recompute(plan)
    return plan


def test_the_latest_approved_quarter_stands_for_the_year_so_far(to_september_2022):
    stored = value_of(FIVE_G, "绍兴市", 2022)
    assert (stored.value, stored.quarter) == (Decimal("1500"), 3)
    row = city_row(to_september_2022, 2022)
    assert (row["actual"], row["quarter"]) == (1500, 3)
    # year completion against the year's target: 1500 / 2000 = 0.75
    assert row["year_completion"] == 0.75
    # flow: (5000 + 1500) / 12000 = 0.5417 against the schedule (5000 + 2000) / 12000 = 0.5833;
    # behind by less than a tenth (0.9 × 0.5833 = 0.525): amber
    assert row["cumulative_actual"] == 6500
    assert (row["five_year_progress"], row["schedule"], row["status"]) == (0.5417, 0.5833, "amber")


def test_the_whole_year_replaces_the_quarters_once_approved(to_september_2022):
    report(to_september_2022, "绍兴市", 2022, 0, 2100)
    recompute(to_september_2022)
    row = city_row(to_september_2022, 2022)
    # 2100 / 2000 = 1.05; (5000 + 2100) / 12000 = 0.5917 ≥ 0.5833: green
    assert (row["actual"], row["quarter"], row["year_completion"]) == (2100, 0, 1.05)
    assert (row["five_year_progress"], row["status"]) == (0.5917, "green")


def test_the_city_sums_the_latest_quarter_every_district_reported(plan):
    # given every district's January–March 2024 (10, 20, …, 60) and only 越城区's January–June (25)
    for n, district in enumerate(DISTRICTS, start=1):
        report(plan, district, 2024, 1, 10 * n)
    report(plan, "越城区", 2024, 2, 25)
    recompute(plan)
    # then 越城区 stands at its own latest, January–June
    yuecheng = value_of(FIVE_G, "越城区", 2024)
    assert (yuecheng.value, yuecheng.quarter) == (Decimal("25"), 2)
    # and the city at the latest quarter all six reported: 10 + 20 + … + 60 = 210 for Q1
    city = value_of(FIVE_G, "绍兴市", 2024)
    assert (city.value, city.quarter) == (Decimal("210"), 1)


def test_the_overview_labels_a_quarter_cumulative_actual(admin_client_, to_september_2022):
    html = admin_client_.get("/monitoring/?year=2022").content.decode()
    five_g = html.split('data-indicator="19"')[1].split("</tr>")[0]
    assert '<span class="fw-semibold">1500</span>' in five_g
    assert "（1–3季度累计）" in five_g
    assert "75%" in five_g  # 1500 / 2000
    assert 'data-indicator="19" data-status="amber"' in html


def test_the_indicator_page_lists_the_quarters_of_the_chosen_year(admin_client_, to_september_2022):
    page = admin_client_.get("/monitoring/indicators/19/?year=2022").content.decode()
    table = page.split('data-testid="quarter-values"')[1].split("</table>")[0]
    assert (
        "<th>1季度</th><th>1–2季度累计</th><th>1–3季度累计</th><th>1–4季度累计</th><th>全年</th>"
        in (table)
    )
    city = table.split('data-region="绍兴市"')[1].split("</tr>")[0]
    cells = [c.split("</td>")[0] for c in city.split('<td class="num">')[1:]]
    # no Q1; 900 to June; 1500 to September; the October figure is not yet approved
    assert [("—" in c, c.split("<")[0]) for c in cells] == [
        (True, ""),
        (False, "900"),
        (False, "1500"),
        (True, ""),
        (True, ""),
    ]
    # and the year's own cell in the yearly table says it is January–September
    yearly = page.split('data-testid="indicator-values"')[1].split("</table>")[0]
    assert "（1–3季度累计）" in yearly.split('data-region="绍兴市"')[1].split("</tr>")[0]


def test_the_quarter_table_sums_the_districts_for_the_city(admin_client_, plan):
    for n, district in enumerate(DISTRICTS, start=1):
        report(plan, district, 2024, 1, 10 * n)
    recompute(plan)
    page = admin_client_.get("/monitoring/indicators/19/?year=2024").content.decode()
    table = page.split('data-testid="quarter-values"')[1].split("</table>")[0]
    city = table.split('data-region="绍兴市"')[1].split("</tr>")[0]
    assert "210<div" in city and "区县合计" in city


def test_a_district_officer_sees_only_its_own_quarters(yuecheng_client, plan):
    report(plan, "越城区", 2024, 1, 10)
    report(plan, "柯桥区", 2024, 1, 20)
    page = yuecheng_client.get("/monitoring/indicators/19/?year=2024").content.decode()
    table = page.split('data-testid="quarter-values"')[1].split("</table>")[0]
    assert 'data-region="越城区"' in table
    assert "柯桥区" not in table and "绍兴市" not in table


def test_enterprise_indicators_have_no_quarter_table(admin_client_, plan):
    page = admin_client_.get("/monitoring/indicators/7/").content.decode()
    assert 'data-testid="quarter-values"' not in page
