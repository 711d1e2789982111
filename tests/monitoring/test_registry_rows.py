"""The rows behind a registry figure: the indicator page's drill-down for indicators 1–6 lists
the titles recognised (+1) and revoked (−1) in the chosen year, through the registry's rows
function, so that the figure shown is recognised − revoked, checked against fixtures counted
by hand."""

import datetime
import re

import pytest

from tests.conftest import signed_in
from tests.cultivation.factories import make_batch, make_title
from zhizao.core.models import Region
from zhizao.monitoring.engine import recompute
from zhizao.monitoring.models import IndicatorValue
from zhizao.monitoring.registry import rows_named

WORKSHOP = "municipal-digital-workshop"  # counts towards indicator 5, 市级数字化车间
ROWS = "/monitoring/indicators/5/rows/?region={code}&year={year}"


@pytest.fixture
def titles(plan):
    """越城区, indicator 5:
    2022: 甲 and 乙 recognised (甲 revoked 2023-04-15);
    2023: 丙 丁 戊 recognised, and 己 recognised 2023-03-01 and revoked 2023-10-01.
    Not 越城区's 2023 figure: 柯桥区's 庚 (2023), 越城区's smart factory 辛 (2023, indicator 4).
    So 越城区 2023: recognised 丙 丁 戊 己 = 4, revoked 甲 己 = 2, net 2; the city 5 − 2 = 3."""
    batch = make_batch(WORKSHOP, year=2022, number=1)
    made = {
        "甲": make_title(
            WORKSHOP,
            "越城区",
            2022,
            holder_name="甲公司",
            batch=batch,
            batch_label="第1批",
            document_number="绍经信〔2022〕31号",
            revoked_on=datetime.date(2023, 4, 15),
            revoke_reason="企业停产，不再符合认定条件",
        ),
        "乙": make_title(WORKSHOP, "越城区", 2022, holder_name="乙公司"),
        "丙": make_title(WORKSHOP, "越城区", 2023, holder_name="丙公司"),
        "丁": make_title(WORKSHOP, "越城区", 2023, holder_name="丁公司"),
        "戊": make_title(WORKSHOP, "越城区", 2023, holder_name="戊公司"),
        "己": make_title(
            WORKSHOP,
            "越城区",
            2023,
            holder_name="己公司",
            recognised_on=datetime.date(2023, 3, 1),
            revoked_on=datetime.date(2023, 10, 1),
            revoke_reason="弄虚作假",
        ),
        "庚": make_title(WORKSHOP, "柯桥区", 2023, holder_name="庚公司"),
        "辛": make_title("municipal-smart-factory", "越城区", 2023, holder_name="辛公司"),
    }
    recompute(plan)
    return made


def _rows(html: str) -> list[tuple[str, str]]:
    """(change, holder) of each row of the registry table, in order."""
    table = html.split('data-testid="registry-rows"')[1].split("</table>")[0]
    return re.findall(r'<tr data-change="(-?1)">.*?<a href="[^"]+">([^<]+)</a>', table, re.S)


def test_the_rows_of_a_district_year_are_its_recognised_and_revoked_titles(admin_client_, titles):
    html = admin_client_.get(ROWS.format(code="330602", year=2023)).content.decode()

    rows = _rows(html)
    # the recognised first (+1), then the revoked (−1); 己 was both, in the same year
    assert [change for change, _ in rows] == ["1", "1", "1", "1", "-1", "-1"]
    assert sorted(h for c, h in rows if c == "1") == sorted(
        ["丙公司", "丁公司", "戊公司", "己公司"]
    )
    assert sorted(h for c, h in rows if c == "-1") == sorted(["甲公司", "己公司"])
    assert "庚公司" not in html and "辛公司" not in html and "乙公司" not in html
    (revoked,) = [
        row.split("</tr>")[0] for row in html.split('<tr data-change="-1">')[1:] if "甲公司" in row
    ]
    assert f'href="/cultivation/titles/{titles["甲"].pk}/"' in revoked
    for text in ("2022年第1批", "绍经信〔2022〕31号", "2022-06-30", "2023-04-15", "企业停产"):
        assert text in revoked


def test_the_figure_shown_is_recognised_minus_revoked(admin_client_, titles):
    html = admin_client_.get(ROWS.format(code="330602", year=2023)).content.decode()

    # 4 recognised − 2 revoked = 2, and that is the engine's stored figure
    assert "当年认定 4 个，摘牌 2 个" in html
    assert 'data-testid="registry-net">2<' in html
    assert 'data-testid="registry-value">2<' in html
    stored = IndicatorValue.objects.get(
        indicator__plan__code="shaoxing-2021-2025",
        indicator__number=5,
        region__code="330602",
        year=2023,
    )
    assert stored.value == 2


def test_the_city_rows_hold_every_district(admin_client_, titles):
    html = admin_client_.get(ROWS.format(code="330600", year=2023)).content.decode()

    holders = [holder for _, holder in _rows(html)]
    assert sorted(holders) == sorted(
        ["丙公司", "丁公司", "戊公司", "己公司", "庚公司", "甲公司", "己公司"]
    )
    # 5 − 2 = 3
    assert 'data-testid="registry-net">3<' in html
    assert 'data-testid="registry-value">3<' in html


def test_a_district_officer_gets_404_for_another_districts_rows(keqiao_officer, titles):
    client = signed_in(keqiao_officer)

    assert client.get(ROWS.format(code="330602", year=2023)).status_code == 404
    own = client.get(ROWS.format(code="330603", year=2023)).content.decode()
    assert _rows(own) == [("1", "庚公司")]


def test_a_year_without_events_lists_nothing_and_counts_zero(admin_client_, titles):
    html = admin_client_.get(ROWS.format(code="330603", year=2022)).content.decode()

    assert _rows(html) == []
    assert "当年没有认定或摘牌的称号" in html
    assert 'data-testid="registry-net">0<' in html


def test_the_registration_gives_display_rows_and_none_where_nothing_counts(city_admin, titles):
    rows = rows_named("titles")
    yuecheng = Region.objects.get(code="330602")

    (revoked,) = [r for r in rows(5, yuecheng, 2023, city_admin) if r["holder"] == "甲公司"]
    assert revoked == {
        "change": -1,
        "holder": "甲公司",
        "kind": "市级数字化车间",
        "region": "越城区",
        "batch": "2022年第1批",
        "document": "绍经信〔2022〕31号",
        "recognised_on": datetime.date(2022, 6, 30),
        "revoked_on": datetime.date(2023, 4, 15),
        "revoke_reason": "企业停产，不再符合认定条件",
        "url": f"/cultivation/titles/{titles['甲'].pk}/",
    }
    assert rows(7, yuecheng, 2023, city_admin) is None  # no title type counts towards 7


def test_the_rows_page_queries_do_not_grow_with_the_titles(
    admin_client_, titles, django_assert_max_num_queries
):
    url = ROWS.format(code="330602", year=2023)
    with django_assert_max_num_queries(15) as small:
        admin_client_.get(url)
    for serial in range(30):
        make_title(WORKSHOP, "越城区", 2023, holder_name=f"新增{serial}号公司")
    with django_assert_max_num_queries(len(small.captured_queries)):
        html = admin_client_.get(url).content.decode()
    assert "当年认定 34 个，摘牌 2 个" in html
