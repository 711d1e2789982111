"""Publishing a year's figures offers to publish that year's titles too: the public list of
titles stopped at 2023 after 2024 was published, because publishing a year froze the figures
only and the titles waited for a second, separate publication on another page."""

import pytest

from tests.cultivation.factories import make_title
from tests.monitoring.test_engine import above_scale
from tests.plans.test_pages import rows_of
from tests.reports.conftest import new_enterprise, new_report
from zhizao.cultivation.models import Title
from zhizao.monitoring.engine import recompute
from zhizao.monitoring.models import PublishedYear
from zhizao.monitoring.services import PublishingError, publish_year


@pytest.fixture
def figures_and_titles(plan):
    """Figures for 2024 (one above-scale 柯桥区 firm) and titles: 2023 published as the demo
    leaves them, 2024 recognised but not yet public, 2022 not public either."""
    firm = new_enterprise("柯桥区", 1)
    above_scale(firm, 2024)
    new_report(firm, 2024, employees=500, industrial_robots=25)
    recompute(plan)
    make_title("municipal-digital-workshop", "柯桥区", 2023, holder_name="早已公开", published=True)
    make_title("municipal-digital-workshop", "越城区", 2024, holder_name="二四甲")
    make_title("municipal-smart-factory", "柯桥区", 2024, holder_name="二四乙")
    make_title("municipal-smart-factory", "柯桥区", 2022, holder_name="二二丙")
    return plan


def public_names(client, query: str = "") -> list[str]:
    html = client.get(f"/public/titles/{query}").content.decode()
    return [row[1] for row in rows_of(html, "public-title-table") if len(row) > 1]


def test_publishing_a_year_alone_leaves_its_titles_off_the_public_list(
    client, figures_and_titles, city_admin
):
    publish_year(figures_and_titles, 2024, city_admin)
    assert public_names(client) == ["早已公开"]  # the defect, when titles are not chosen


def test_publishing_a_year_with_its_titles_puts_them_on_the_public_list(
    client, figures_and_titles, city_admin
):
    published = publish_year(figures_and_titles, 2024, city_admin, companions=["titles"])
    assert [(c.name, n) for c, n in published.companions_done] == [("titles", 2)]
    assert public_names(client) == ["二四甲", "二四乙", "早已公开"]
    assert public_names(client, "?year=2024") == ["二四甲", "二四乙"]
    assert not Title.objects.get(holder_name="二二丙").published  # other years untouched
    # recorded: the year's history says so, and each title's history too
    entry = PublishedYear.objects.get().history.latest()
    assert entry.history_change_reason == "发布2024年数据；同时公开2024年认定名单 2 项"
    assert entry.history_user == city_admin
    title = Title.objects.get(holder_name="二四甲")
    assert title.history.latest().history_change_reason == "公开认定名单"
    assert title.history.latest().history_user == city_admin


def test_an_unknown_companion_publishes_nothing(figures_and_titles, city_admin):
    with pytest.raises(PublishingError, match="不能随年度数据一并公开“news”：没有这一项。"):
        publish_year(figures_and_titles, 2024, city_admin, companions=["titles", "news"])
    assert not PublishedYear.objects.exists()
    assert not Title.objects.filter(year=2024, published=True).exists()


def test_the_publish_form_offers_the_titles_checked(admin_client_, figures_and_titles):
    html = admin_client_.get("/monitoring/?year=2024").content.decode()
    bar = html.split('data-testid="publish-bar"')[1].split('data-testid="overview"')[0]
    box = bar.split('data-testid="publish-titles"')[0].rsplit("<input", 1)[1]
    assert 'type="checkbox" name="companions" value="titles"' in box and "checked" in box
    assert "同时公开2024年认定的称号名单（认定名单页）" in bar


def test_the_city_admin_publishes_a_year_and_its_titles_from_the_form(
    admin_client_, client, figures_and_titles
):
    response = admin_client_.post(
        "/monitoring/publish/",
        {"year": "2024", "action": "publish", "companions": "titles"},
        follow=True,
    )
    page = response.content.decode()
    assert "2024年数据已发布，公众无需登录即可在公开页面查看；同时公开2024年认定名单 2 项。" in page
    assert public_names(client, "?year=2024") == ["二四甲", "二四乙"]


def test_unticking_the_box_publishes_the_figures_only(admin_client_, client, figures_and_titles):
    admin_client_.post("/monitoring/publish/", {"year": "2024", "action": "publish"})
    assert PublishedYear.objects.public().filter(year=2024).exists()
    assert public_names(client, "?year=2024") == []


def test_nobody_else_publishes_titles_through_the_year(yuecheng_client, figures_and_titles):
    response = yuecheng_client.post(
        "/monitoring/publish/", {"year": "2024", "action": "publish", "companions": "titles"}
    )
    assert response.status_code == 404
    assert not Title.objects.filter(year=2024, published=True).exists()
