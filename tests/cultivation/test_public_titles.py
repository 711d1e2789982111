"""The public list of titles (/public/titles/), for anyone without login: paged, searched by
enterprise name or credit code, filtered by district, title type and year through one filter
class, and downloaded as the filtered workbook."""

import datetime
import io

import pytest
from openpyxl import load_workbook

from tests.cultivation.factories import make_title, title_type
from tests.enterprises.factories import make_enterprise
from tests.plans.test_pages import rows_of
from zhizao.core.models import Region
from zhizao.cultivation.models import Title

PAGE = "/public/titles/"


def html_of(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def names(response) -> list[str]:
    """The 名称 column of the public table (the second cell of each row)."""
    return [row[1] for row in rows_of(html_of(response), "public-title-table")]


def many_published(code: str, district: str, holders: list[tuple[str, int]]) -> None:
    """Published titles of one type and district, (holder, year) each, in one statement."""
    kind, region = title_type(code), Region.objects.get(name=district)
    Title.objects.bulk_create(
        Title(
            title_type=kind,
            region=region,
            holder_name=holder,
            year=year,
            recognised_on=datetime.date(year, 6, 30),
            published=True,
        )
        for holder, year in holders
    )


@pytest.fixture
def titles(plan):
    """Five published titles in force, one unpublished and one revoked, by hand:

    | holder | district | type | year | credit code |
    | 越城甲智造有限公司 | 越城区 | 市级数字化车间 | 2024 | 91330602MA2JUNE001 |
    | 越城乙纺织有限公司 | 越城区 | 市级智能工厂 | 2023 | — |
    | 柯桥丙印染有限公司 | 柯桥区 | 市级数字化车间 | 2024 | — |
    | 柯桥丁化纤有限公司 | 柯桥区 | 市级数字化车间 | 2023 | — |
    | 诸暨戊轴承有限公司 | 诸暨市 | 市级智能工厂 | 2024 | — |
    not public: 越城未公开有限公司 (2024, unpublished), 柯桥已摘牌有限公司 (2023, revoked)."""
    firm = make_enterprise("越城甲智造有限公司", region="越城区", uscc="91330602MA2JUNE001")
    make_title(
        "municipal-digital-workshop",
        year=2024,
        enterprise=firm,
        published=True,
        batch_label="第1批",
        document_number="绍市经信〔2024〕9号",
    )
    rows = [
        ("越城乙纺织有限公司", "越城区", "municipal-smart-factory", 2023),
        ("柯桥丙印染有限公司", "柯桥区", "municipal-digital-workshop", 2024),
        ("柯桥丁化纤有限公司", "柯桥区", "municipal-digital-workshop", 2023),
        ("诸暨戊轴承有限公司", "诸暨市", "municipal-smart-factory", 2024),
    ]
    for holder, district, code, year in rows:
        make_title(code, district, year, holder_name=holder, published=True)
    make_title("municipal-digital-workshop", "越城区", 2024, holder_name="越城未公开有限公司")
    make_title(
        "municipal-digital-workshop",
        "柯桥区",
        2023,
        holder_name="柯桥已摘牌有限公司",
        published=True,
        revoked_on=datetime.date(2025, 3, 1),
    )


def test_the_list_shows_the_published_titles_in_force_newest_year_first(client, titles):
    response = client.get(PAGE)
    page = html_of(response)
    # 2024 before 2023; within a year by type (数字化车间 first), then district, then name
    assert rows_of(page, "public-title-table") == [
        ["1", "越城甲智造有限公司", "市级数字化车间", "2024", "越城区", "第1批", "绍市经信〔2024〕9号"],
        ["2", "柯桥丙印染有限公司", "市级数字化车间", "2024", "柯桥区", "—", "—"],
        ["3", "诸暨戊轴承有限公司", "市级智能工厂", "2024", "诸暨市", "—", "—"],
        ["4", "柯桥丁化纤有限公司", "市级数字化车间", "2023", "柯桥区", "—", "—"],
        ["5", "越城乙纺织有限公司", "市级智能工厂", "2023", "越城区", "—", "—"],
    ]  # fmt: skip
    assert "共 5 项" in page
    assert "未公开" not in page and "已摘牌有限公司" not in page
    assert "/cultivation/" not in page.split("<main")[1]  # nothing links into the registry


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("region=330603", ["柯桥丙印染有限公司", "柯桥丁化纤有限公司"]),
        ("title_type=municipal-smart-factory", ["诸暨戊轴承有限公司", "越城乙纺织有限公司"]),
        ("year=2023", ["柯桥丁化纤有限公司", "越城乙纺织有限公司"]),
        ("region=330603&year=2024&title_type=municipal-digital-workshop", ["柯桥丙印染有限公司"]),
        ("region=330602&title_type=municipal-smart-factory&year=2024", []),
        ("q=化纤", ["柯桥丁化纤有限公司"]),
        ("q=有限公司&region=330602", ["越城甲智造有限公司", "越城乙纺织有限公司"]),
        ("q=91330602MA2JUNE001", ["越城甲智造有限公司"]),  # the credit code
        ("q=%EF%BC%99%EF%BC%91330602ma2june", ["越城甲智造有限公司"]),  # ９１… lower case, start
        ("year=2022", []),  # not among the years offered: nothing, not everything
        ("q=未公开", []),
        ("q=已摘牌", []),
    ],
)
def test_search_and_filters_narrow_the_list(client, titles, query, expected):
    response = client.get(f"{PAGE}?{query}")
    if expected:
        assert names(response) == expected
    else:
        assert "没有符合条件的称号。" in html_of(response)
        assert rows_of(html_of(response), "public-title-table") == [["没有符合条件的称号。"]]


def test_the_filters_offer_the_published_years_and_the_districts(client, titles):
    form = html_of(client.get(PAGE)).split('data-testid="public-title-filters"')[1]
    year_select = form.split('name="year"')[1].split("</select>")[0]
    assert '<option value="2024">2024年</option>' in year_select
    assert '<option value="2023">2023年</option>' in year_select
    assert year_select.count("<option") == 3  # 全部年度, 2024, 2023 (no 2022: nothing public)
    region_select = form.split('name="region"')[1].split("</select>")[0]
    assert '<option value="330603">柯桥区</option>' in region_select


def test_the_list_is_paged_by_fifty_and_the_pager_keeps_the_filters(client, plan):
    many_published(
        "municipal-digital-workshop", "柯桥区", [(f"柯桥企业{n:03d}", 2024) for n in range(1, 56)]
    )
    first = html_of(client.get(f"{PAGE}?region=330603"))
    assert len(rows_of(first, "public-title-table")) == 50
    assert "共 55 项" in first and "第 1 / 2 页" in first
    assert 'href="?region=330603&page=2"' in first
    second = client.get(f"{PAGE}?region=330603&page=2")
    assert [row[:2] for row in rows_of(html_of(second), "public-title-table")] == [
        [str(n), f"柯桥企业{n:03d}"] for n in range(51, 56)
    ]


def test_the_download_is_the_filtered_list(client, titles):
    response = client.get(f"{PAGE}?region=330603&format=xlsx")
    assert response.status_code == 200
    assert "filename*=UTF-8''%E6%99%BA%E8%83%BD" in response["Content-Disposition"]
    # and clients that read only the ASCII name get a name, not ".xlsx"
    assert 'filename="titles.xlsx"' in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "智能制造认定名单"
    assert [c.value for c in sheet[2]] == [
        "序号", "名称", "称号类型", "认定年度", "所属区县", "批次", "认定文号", "认定日期",
    ]  # fmt: skip
    assert [[c.value for c in row] for row in sheet.iter_rows(min_row=3)] == [
        [1, "柯桥丙印染有限公司", "市级数字化车间", 2024, "柯桥区", None, None,
         datetime.datetime(2024, 6, 30)],
        [2, "柯桥丁化纤有限公司", "市级数字化车间", 2023, "柯桥区", None, None,
         datetime.datetime(2023, 6, 30)],
    ]  # fmt: skip


def test_the_download_holds_every_filtered_row_not_one_page(client, titles):
    response = client.get(f"{PAGE}?q=有限公司&format=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [row[1].value for row in sheet.iter_rows(min_row=3)] == [
        "越城甲智造有限公司", "柯桥丙印染有限公司", "诸暨戊轴承有限公司",
        "柯桥丁化纤有限公司", "越城乙纺织有限公司",
    ]  # fmt: skip


def test_the_page_runs_a_bounded_number_of_queries(client, titles, django_assert_max_num_queries):
    many_published(
        "municipal-smart-factory", "嵊州市", [(f"嵊州企业{n}", 2020 + n % 5) for n in range(200)]
    )
    # the years offered, the count, the page, the types and the districts
    with django_assert_max_num_queries(5):
        html_of(client.get(f"{PAGE}?q=企业&year=2022&page=2"))
    with django_assert_max_num_queries(5):
        html_of(client.get(PAGE))
    # and the chosen district and type, looked up by code
    with django_assert_max_num_queries(7):
        html_of(client.get(f"{PAGE}?region=330683&title_type=municipal-smart-factory&year=2021"))


def test_every_public_page_offers_the_login(client, titles):
    for path in ("/public/", PAGE, "/bridge/"):
        page = client.get(path).content.decode()
        assert 'href="/accounts/login/" data-testid="login-link"' in page, path
        assert ">登录</a>" in page, path


def test_the_login_page_does_not_offer_itself(client, plan):
    page = client.get("/accounts/login/").content.decode()
    assert 'data-testid="login-link"' not in page
