"""The city's and the districts' pages: coverage by district and cluster with its XLSX, the
enterprises still to follow up (XLSX), the distribution of maturity levels and its trend. A
district officer sees its own district only; enterprises, experts and providers get 404."""

import datetime
import io
import re

import pytest
from openpyxl import load_workbook

from tests.accounts.factories import make_user
from tests.conftest import signed_in
from tests.diagnosis.factories import make_assessment, make_diagnosis
from tests.diagnosis.test_pages import html_of
from tests.enterprises.factories import make_enterprise
from zhizao.core.roles import Role
from zhizao.enterprises.models import ScaleStatus

YEAR = 2025  # with N = 3 the window is 2023–2025


def firm(name, region, cluster=None, above=True):
    enterprise = make_enterprise(name, region=region, cluster=cluster)
    ScaleStatus.objects.create(enterprise=enterprise, year=2024, above_scale=above)
    return enterprise


@pytest.fixture
def registry(plan, settings):
    """越城区: Y1 self-assessed (2024, 二级), Y2 diagnosed (visit 2024-05-10), Y3 nothing,
    Y4 below scale (not counted). 柯桥区: K1 self-assessed 2025 (一级), K2 nothing."""
    settings.ZHIZAO_DIAGNOSIS_COVERAGE_YEARS = 3
    made = {
        "Y1": firm("越城一号", "越城区", "现代纺织"),
        "Y2": firm("越城二号", "越城区", "黄酒"),
        "Y3": firm("越城三号", "越城区", "黄酒"),
        "Y4": firm("越城四号", "越城区", "黄酒", above=False),
        "K1": firm("柯桥一号", "柯桥区", "现代纺织"),
        "K2": firm("柯桥二号", "柯桥区", "现代纺织"),
    }
    make_assessment(made["Y1"], 2024, total="2.1000", level=2)
    make_assessment(made["Y1"], 2023, total="1.1000", level=1)
    make_diagnosis(made["Y2"], visit_date=datetime.date(2024, 5, 10))
    make_assessment(made["K1"], 2025, total="1.0000", level=1)
    return made


def table(page: str, testid: str) -> dict[str, list[str]]:
    """A table of the page by its data-testid: first cell → the cells after it, as text."""
    body = page.split(f'data-testid="{testid}"')[1].split("</table>")[0]
    rows = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        cells = [
            re.sub(r"<[^>]+>|\s", "", c)
            for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)
        ]
        rows[cells[0]] = cells[1:]
    return rows


def workbook_rows(response) -> list[tuple]:
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [tuple(row) for row in sheet.iter_rows(min_row=2, values_only=True)]


def test_the_city_sees_coverage_by_district_and_cluster(registry, city_admin):
    page = html_of(signed_in(city_admin).get(f"/diagnosis/coverage/?year={YEAR}"))
    assert "规上企业按 2024 年规上状态认定" in page and "2023—2025 年" in page
    district = table(page, "coverage-district")
    assert district["越城区"] == ["3", "1", "33.3%", "1", "33.3%", "2", "66.7%", "1"]
    assert district["柯桥区"] == ["2", "1", "50.0%", "0", "0.0%", "1", "50.0%", "1"]
    assert district["合计"][:1] == ["5"] and district["诸暨市"][:2] == ["0", "0"]
    assert table(page, "coverage-cluster")["现代纺织"] == [
        "3",
        "2",
        "66.7%",
        "0",
        "0.0%",
        "2",
        "66.7%",
        "1",
    ]


def test_coverage_downloads_as_xlsx(registry, city_admin):
    client = signed_in(city_admin)
    rows = workbook_rows(client.get(f"/diagnosis/coverage/?year={YEAR}&by=district&format=xlsx"))
    assert rows[0][:3] == ("区县", "规上企业", "已自评估")
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["越城区"][1:] == (
        3,
        1,
        pytest.approx(1 / 3, abs=1e-4),
        1,
        pytest.approx(1 / 3, abs=1e-4),
        2,
        pytest.approx(2 / 3, abs=1e-4),
        1,
    )
    assert by_name["合计"][1] == 5
    rows = workbook_rows(client.get(f"/diagnosis/coverage/?year={YEAR}&by=cluster&format=xlsx"))
    assert {row[0]: row[1] for row in rows[1:]}["现代纺织"] == 3


def test_a_district_officer_sees_its_own_district_only(registry, keqiao_officer):
    client = signed_in(keqiao_officer)
    page = html_of(client.get(f"/diagnosis/coverage/?year={YEAR}"))
    assert set(table(page, "coverage-district")) == {"区县", "柯桥区", "合计"}
    assert table(page, "coverage-cluster")["现代纺织"][:2] == ["2", "1"]
    # the follow-up list too
    page = html_of(client.get(f"/diagnosis/coverage/undiagnosed/?year={YEAR}"))
    assert "柯桥二号" in page and "越城三号" not in page
    # even when it asks for another district
    region = registry["Y3"].region.code
    page = html_of(client.get(f"/diagnosis/coverage/undiagnosed/?year={YEAR}&region={region}"))
    assert "越城三号" not in page
    rows = workbook_rows(client.get(f"/diagnosis/coverage/undiagnosed/?year={YEAR}&format=xlsx"))
    assert [row[0] for row in rows[1:]] == ["柯桥二号"]


def test_the_undiagnosed_list_downloads_for_follow_up(registry, city_admin):
    client = signed_in(city_admin)
    page = html_of(client.get(f"/diagnosis/coverage/undiagnosed/?year={YEAR}"))
    assert "越城三号" in page and "柯桥二号" in page and "越城一号" not in page
    rows = workbook_rows(
        client.get(f"/diagnosis/coverage/undiagnosed/?year={YEAR}&kind=self_assessment&format=xlsx")
    )
    assert rows[0][0] == "企业名称" and rows[0][-2:] == ("最近自评估年度", "最近现场诊断日期")
    names = {row[0]: row for row in rows[1:]}
    assert set(names) == {"越城二号", "越城三号", "柯桥二号"}
    assert names["越城二号"][-1].date() == datetime.date(2024, 5, 10)


def test_the_level_distribution_by_district_cluster_and_year(registry, city_admin):
    client = signed_in(city_admin)
    page = html_of(client.get("/diagnosis/levels/?year=2024"))
    # 越城区 in 2024: one enterprise at 二级
    assert table(page, "levels-district")["越城区"] == ["0", "0", "1", "0", "0", "0", "1"]
    assert table(page, "levels-cluster")["现代纺织"] == ["0", "0", "1", "0", "0", "0", "1"]
    trend = table(page, "levels-trend")
    assert trend["2023年"] == ["0", "1", "0", "0", "0", "0", "1"] and "2025年" in trend
    rows = workbook_rows(client.get("/diagnosis/levels/?year=2024&by=trend&format=xlsx"))
    assert rows[0] == ("年度", "未达一级", "一级", "二级", "三级", "四级", "五级", "合计")
    assert rows[1:] == [
        ("2023年", 0, 1, 0, 0, 0, 0, 1),
        ("2024年", 0, 0, 1, 0, 0, 0, 1),
        ("2025年", 0, 1, 0, 0, 0, 0, 1),
    ]


@pytest.mark.parametrize("role", [Role.ENTERPRISE, Role.EXPERT, Role.PROVIDER])
def test_the_city_pages_do_not_exist_for_other_roles(registry, role):
    client = signed_in(make_user(role, "越城区" if role == Role.ENTERPRISE else None))
    for url in ["/diagnosis/coverage/", "/diagnosis/coverage/undiagnosed/", "/diagnosis/levels/"]:
        assert client.get(url).status_code == 404, url
        assert client.get(url + "?format=xlsx").status_code == 404, url


def test_the_city_pages_run_a_bounded_number_of_queries(
    registry, city_admin, django_assert_max_num_queries
):
    client = signed_in(city_admin)
    urls = [
        f"/diagnosis/coverage/?year={YEAR}",
        f"/diagnosis/coverage/undiagnosed/?year={YEAR}",
        "/diagnosis/levels/",
    ]
    counts = {}
    for url in urls:
        client.get(url)
        with django_assert_max_num_queries(12) as captured:
            html_of(client.get(url))
        counts[url] = len(captured.captured_queries)
    for serial in range(20):
        enterprise = firm(f"新企业{serial}", "诸暨市" if serial % 2 else "越城区", "黄酒")
        if serial % 3:
            make_assessment(enterprise, 2024 + serial % 2, total="1.5000", level=1)
    for url, count in counts.items():
        with django_assert_max_num_queries(count):
            html_of(client.get(url))
