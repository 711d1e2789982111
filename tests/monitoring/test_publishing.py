"""Publishing a year's figures (an explicit, recorded city-admin action) and the public
dashboard, without login, that shows only what was published, as it was published."""

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from tests.monitoring.test_engine import above_scale
from tests.reports.conftest import new_enterprise, new_report
from zhizao.enterprises.models import YearlyReport
from zhizao.monitoring.engine import recompute
from zhizao.monitoring.models import PublishedYear
from zhizao.monitoring.services import (
    PublishingError,
    PublishingForbidden,
    publish_year,
    withdraw_year,
)


@pytest.fixture
def figures_2024(plan):
    """One above-scale 柯桥区 firm in 2024: 500 staff, 25 robots → robot density 500 for 柯桥区
    and the city: (500 − 214) / (400 − 214) = 1.5376 of the way, green."""
    firm = new_enterprise("柯桥区", 1)
    above_scale(firm, 2024)
    new_report(firm, 2024, employees=500, industrial_robots=25)
    recompute(plan)
    return plan


@pytest.fixture
def published_2024(figures_2024, city_admin):
    publish_year(figures_2024, 2024, city_admin)
    return figures_2024


def double_the_robots(plan):
    """The firm's robots corrected to 50 and the values recomputed: density 1000."""
    YearlyReport.objects.filter(year=2024).update(industrial_robots=50)
    recompute(plan)


def row_of(html: str, number: int) -> str:
    return html.split(f'data-indicator="{number}"')[1].split("</tr>")[0]


# --- the services -------------------------------------------------------------------


def test_publishing_freezes_the_city_and_each_districts_figures(figures_2024, city_admin):
    published = publish_year(figures_2024, 2024, city_admin)
    regions = published.snapshot["regions"]
    assert [r["name"] for r in regions] == [
        "绍兴市", "越城区", "柯桥区", "上虞区", "诸暨市", "嵊州市", "新昌县",
    ]  # fmt: skip
    robots = regions[0]["rows"][6]
    assert (robots["no"], robots["category"], robots["actual"]) == (7, "智能普及", 500)
    assert (robots["five_year_progress"], robots["status"]) == (1.5376, "green")
    assert regions[2]["rows"][6]["actual"] == 500  # 柯桥区
    assert regions[1]["rows"][6]["status"] == "no_data"  # 越城区 had no reports
    # who and when are recorded, in the record and its history
    assert published.published_by == city_admin and published.is_public
    entry = published.history.get()
    assert (entry.history_user, entry.history_change_reason) == (city_admin, "发布2024年数据")


def test_only_the_city_admin_may_publish_or_withdraw(published_2024, yuecheng_officer):
    with pytest.raises(PublishingForbidden, match="只有市级管理员可以发布年度数据。"):
        publish_year(published_2024, 2023, yuecheng_officer)
    with pytest.raises(PublishingForbidden):
        withdraw_year(published_2024, 2024, yuecheng_officer)
    assert list(PublishedYear.objects.public().values_list("year", flat=True)) == [2024]


def test_a_year_without_any_figure_is_not_published(plan, city_admin):
    with pytest.raises(PublishingError, match="2021年全市还没有任何指标数据，不能发布。"):
        publish_year(plan, 2021, city_admin)
    with pytest.raises(PublishingError, match="年份 2030 不在方案年份内（2021—2025年）。"):
        publish_year(plan, 2030, city_admin)
    assert not PublishedYear.objects.exists()


def test_publishing_again_replaces_the_figures_and_the_history_keeps_both(
    published_2024, city_admin
):
    double_the_robots(published_2024)
    publish_year(published_2024, 2024, city_admin)
    published = PublishedYear.objects.get(year=2024)
    assert published.snapshot["regions"][0]["rows"][6]["actual"] == 1000
    history = list(published.history.order_by("history_date"))
    assert [h.history_change_reason for h in history] == [
        "发布2024年数据",
        "重新发布2024年数据（以当前数据替换）",
    ]
    assert history[0].snapshot["regions"][0]["rows"][6]["actual"] == 500


def test_withdrawing_hides_the_year_and_is_recorded(published_2024, city_admin):
    withdraw_year(published_2024, 2024, city_admin, "数据有误，待更正")
    published = PublishedYear.objects.get(year=2024)
    assert not published.is_public and published.withdrawn_by == city_admin
    assert not PublishedYear.objects.public().exists()
    assert published.history.latest().history_change_reason == "撤回2024年数据：数据有误，待更正"
    with pytest.raises(PublishingError, match="2024年数据尚未发布，无需撤回。"):
        withdraw_year(published_2024, 2024, city_admin)
    # publishing it again brings it back
    publish_year(published_2024, 2024, city_admin)
    assert PublishedYear.objects.public().get().history.latest().history_change_reason == (
        "撤回后重新发布2024年数据"
    )


# --- the public dashboard -----------------------------------------------------------


def test_nothing_published_shows_nothing(client, figures_2024):
    html = client.get("/public/").content.decode()
    assert "市经信局尚未发布任何年度的指标数据。" in html
    assert 'data-indicator="' not in html
    assert client.get("/public/?year=2024").status_code == 404


def test_anyone_sees_the_published_figures_without_login(client, published_2024):
    response = client.get("/public/?year=2024")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('data-indicator="') == 21
    robots = row_of(html, 7)
    assert '<span class="fw-semibold">500</span>' in robots  # 25 robots / 500 staff × 10000
    assert "154%" in robots and "76%" in robots  # progress 1.5376, schedule 0.7581
    assert 'data-indicator="7" data-status="green"' in html
    assert 'data-indicator="19" data-status="no_data"' in html
    # the latest published year is the default
    assert 'data-year="2024"' in client.get("/public/").content.decode()


def test_an_unpublished_or_withdrawn_year_is_not_found(client, published_2024, city_admin):
    assert client.get("/public/?year=2023").status_code == 404
    assert client.get("/public/?year=abc").status_code == 404
    assert client.get("/public/?year=2024&region=999999").status_code == 404
    withdraw_year(published_2024, 2024, city_admin)
    assert client.get("/public/?year=2024").status_code == 404


def test_a_recompute_after_publishing_does_not_change_the_public_page(
    client, admin_client_, published_2024
):
    double_the_robots(published_2024)
    # the overview follows the data: 50 robots / 500 staff × 10000
    assert ">1000<" in row_of(admin_client_.get("/monitoring/?year=2024").content.decode(), 7)
    # the public page still shows what was published
    assert '<span class="fw-semibold">500</span>' in row_of(
        client.get("/public/?year=2024").content.decode(), 7
    )


def test_the_public_page_switches_to_a_district(client, published_2024):
    html = client.get("/public/?year=2024&region=330603").content.decode()
    assert 'data-region="柯桥区" data-year="2024"' in html
    assert '<span class="fw-semibold">500</span>' in row_of(html, 7)
    # 柯桥区's 市级数字化车间 is judged against its annex floor of 240, not yet reported
    assert "240" in row_of(html, 5) and 'data-indicator="5" data-status="no_data"' in html
    # 5G base stations have no district share
    assert 'data-indicator="19" data-status="no_target"' in html
    assert 'href="?year=2024&region=330602"' in html  # the switcher offers every district


def test_the_public_page_holds_nothing_for_signed_in_users_only(client, published_2024):
    html = client.get("/public/?year=2024&region=330603").content.decode()
    # no drill-down to indicator pages or reports (the page's own stylesheet aside)
    assert "/monitoring/" not in html.replace("/static/monitoring/", "")
    assert "/enterprises/" not in html
    assert "家报送" not in html and "测试企业" not in html
    assert "平台计算" not in html
    assert 'href="/public/"' in html  # the frame offers the public page, not the menus
    assert "退出" not in html


def test_the_public_page_runs_a_bounded_number_of_queries(
    client, published_2024, django_assert_max_num_queries
):
    with django_assert_max_num_queries(2):
        client.get("/public/?year=2024&region=330603")


def test_the_public_page_downloads_as_a_workbook(client, published_2024):
    response = client.get("/public/?year=2024&region=330600&format=xlsx")
    assert response["Content-Disposition"] == 'attachment; filename="published-330600-2024.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "绍兴市2024年指标进度（已发布）"
    robots = next(r for r in sheet.iter_rows(min_row=3, values_only=True) if r[1] == 7)
    assert robots[:5] == ("智能普及", 7, "制造业机器人密度", "台/万人", 500)
    assert (robots[9], robots[11]) == (1.5376, "达到序时")
    assert client.get("/public/?year=2023&format=xlsx").status_code == 404


def test_the_login_page_links_to_the_public_dashboard(client, plan):
    html = client.get("/accounts/login/").content.decode()
    assert 'href="/public/" data-testid="public-dashboard-link"' in html


# --- publishing from the overview ---------------------------------------------------


def test_the_city_admin_publishes_the_chosen_year_from_the_overview(
    admin_client_, figures_2024, city_admin
):
    html = admin_client_.get("/monitoring/?year=2024").content.decode()
    bar = html.split('data-testid="publish-bar"')[1].split('data-testid="overview"')[0]
    assert "2024年数据尚未发布，公众看不到。" in bar
    assert 'onsubmit="return confirm(this.dataset.confirm)"' in bar
    assert "确认发布2024年的指标数据？" in bar
    response = admin_client_.post(
        "/monitoring/publish/", {"year": "2024", "action": "publish", "region": "330600"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/monitoring/?year=2024&region=330600"
    assert PublishedYear.objects.public().get().published_by == city_admin
    after = admin_client_.get(response["Location"]).content.decode()
    assert "2024年数据已发布，公众无需登录即可在公开页面查看。" in after
    assert 'data-published="yes"' in after and 'href="/public/?year=2024"' in after
    # and withdraws it
    admin_client_.post("/monitoring/publish/", {"year": "2024", "action": "withdraw"})
    assert not PublishedYear.objects.public().exists()


def test_publishing_a_year_without_figures_says_why(admin_client_, figures_2024):
    response = admin_client_.post(
        "/monitoring/publish/", {"year": "2021", "action": "publish"}, follow=True
    )
    assert "2021年全市还没有任何指标数据，不能发布。" in response.content.decode()
    assert not PublishedYear.objects.exists()


def test_nobody_else_may_publish_or_even_see_the_button(yuecheng_client, figures_2024):
    html = yuecheng_client.get("/monitoring/?year=2024").content.decode()
    assert 'data-testid="publish-bar"' not in html
    response = yuecheng_client.post("/monitoring/publish/", {"year": "2024", "action": "publish"})
    assert response.status_code == 404
    assert Client().post("/monitoring/publish/", {"year": "2024"}).status_code == 302  # login
    assert not PublishedYear.objects.exists()


def test_publishing_is_a_post_with_a_csrf_token(city_admin, figures_2024):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(city_admin)
    assert strict.get("/monitoring/publish/").status_code == 405
    refused = strict.post("/monitoring/publish/", {"year": "2024", "action": "publish"})
    assert refused.status_code == 403
    assert not PublishedYear.objects.exists()


def test_the_publish_bar_follows_the_year_selector(admin_client_, published_2024):
    html = admin_client_.get(
        "/monitoring/?year=2023&region=330600", HTTP_HX_REQUEST="true"
    ).content.decode()
    assert html.lstrip().startswith('<div id="overview-table"')
    bar = html.split('<div id="publish-bar"')[1]
    assert 'hx-swap-oob="true"' in bar and 'data-year="2023"' in bar
    assert "2023年数据尚未发布" in bar


def test_the_admin_lists_published_years_read_only(admin_client_, published_2024):
    published = PublishedYear.objects.get()
    base = "/admin/monitoring/publishedyear/"
    assert admin_client_.get(base).status_code == 200
    assert admin_client_.get(f"{base}{published.pk}/change/").status_code == 200
    history = admin_client_.get(f"{base}{published.pk}/history/")
    assert "发布2024年数据" in history.content.decode()
    assert admin_client_.get(f"{base}add/").status_code == 403
