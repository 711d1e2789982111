"""Lists on a 390 px phone: a table of more than four columns renders each row as a card of
label: value lines (table-cards in core/zhizao.css), the status in view, and the page does not
scroll sideways; at 1440 px the same list is an ordinary table."""

import datetime

import pytest

from tests.accounts.factories import make_city_admin
from tests.browser.test_cultivation import log_in
from tests.cultivation.factories import make_application, make_batch, make_title
from tests.enterprises.factories import make_enterprise
from tests.plans.factories import load_default_plan
from zhizao.cultivation.models import ApplicationStatus

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}

# For each visible body cell of the table: its width, and its row's display.
MEASURE = """(table) => Array.from(table.tBodies[0].rows).flatMap((row) =>
  Array.from(row.cells).filter((cell) => cell.offsetParent !== null).map((cell) => ({
    width: cell.getBoundingClientRect().width,
    row: getComputedStyle(row).display,
    label: cell.dataset.label || "",
  })))"""
SIDEWAYS = "() => document.documentElement.scrollWidth - window.innerWidth"


@pytest.fixture
def lists(transactional_db):
    load_default_plan()
    make_city_admin(username="city")
    batch = make_batch("municipal-smart-factory", year=2026, number=1)
    for n, district in enumerate(("越城区", "柯桥区", "诸暨市"), start=1):
        firm = make_enterprise(f"{district}精密轴承制造有限公司{n}", region=district)
        make_application(
            firm,
            batch,
            status=ApplicationStatus.SUBMITTED,
            project_name=f"{district}轴承智能工厂建设项目",
            submitted_at=datetime.datetime(2026, 11, n, tzinfo=datetime.UTC),
        )
        make_title(
            "municipal-digital-workshop", district, 2024, holder_name=firm.name, published=True
        )


def cells_of(page, testid):
    return page.get_by_test_id(testid).evaluate(MEASURE)


@pytest.mark.parametrize(
    ("user", "path", "testid", "status"),
    [
        (None, "/public/titles/", "public-title-table", None),
        ("city", "/cultivation/applications/", "application-table", "状态"),
    ],
)
def test_a_wide_list_becomes_cards_on_a_phone(page, live_server, lists, user, path, testid, status):
    if user:
        log_in(page, live_server, user)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}{path}")
    cells = cells_of(page, testid)
    assert len(cells) >= 3 * 5  # three rows of five or more visible cells
    assert {c["row"] for c in cells} <= {"block", "flex", "grid"}  # rows are cards
    assert min(c["width"] for c in cells) > 300  # each line spans the card, not one character
    assert page.evaluate(SIDEWAYS) <= 0  # no sideways scroll
    if status:
        badges = page.get_by_test_id(testid).locator(f'td[data-label="{status}"] .badge')
        assert badges.count() == 3 and badges.first.is_visible()
        assert badges.first.inner_text() == "已提交，待区县审核"
    # and the same list at desktop width is a table again
    page.set_viewport_size(DESKTOP)
    cells = cells_of(page, testid)
    assert {c["row"] for c in cells} == {"table-row"}
    assert page.evaluate(SIDEWAYS) <= 0


def test_the_public_pages_offer_the_login_on_a_phone(page, live_server, lists):
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/public/titles/")
    login = page.get_by_test_id("login-link")
    assert login.is_visible()
    login.click()
    page.wait_for_url("**/accounts/login/")
    assert page.get_by_label("用户名").is_visible()
