"""The city admin's admin: no engine bookkeeping in its menu, JSON fields as readable values."""

from decimal import Decimal

from django.contrib.auth import get_user_model

from tests.conftest import signed_in
from tests.cultivation.factories import make_batch
from zhizao.core.admin_display import readable
from zhizao.core.models import Region
from zhizao.monitoring.models import IndicatorValue, ValueSource


def test_the_city_admin_does_not_see_the_engines_bookkeeping(admin_client_):
    # given the city admin
    # when it opens the admin
    html = admin_client_.get("/admin/").content.decode()
    # then the bookkeeping models are not in its menu, and their pages are closed to it
    assert "/admin/monitoring/valueslock/" not in html
    assert "/admin/monitoring/appliedchange/" not in html
    assert "/admin/core/task/" not in html
    assert "/admin/bridge/searchdocument/" not in html
    assert "/admin/enterprises/enterprise/" in html
    assert admin_client_.get("/admin/monitoring/valueslock/").status_code == 403
    assert admin_client_.get("/admin/core/task/").status_code == 403


def test_a_superuser_still_sees_the_bookkeeping(plan):
    # given a developer's superuser account
    user = get_user_model().objects.create_superuser("developer", password="test-password-123")
    client = signed_in(user)
    # when it opens the admin
    html = client.get("/admin/").content.decode()
    # then the bookkeeping is there for inspection
    assert "/admin/monitoring/valueslock/" in html
    assert client.get("/admin/monitoring/appliedchange/").status_code == 200


def test_json_values_read_as_lists_and_labelled_values():
    # given the shapes the platform stores
    criteria = [{"name": "智能化水平", "max": 40, "note": ""}]
    figures = {"productivity": {"before": "120", "after": "150"}}
    # when they are shown in the admin
    # then they read as lists with labels, not as JSON
    assert str(readable(["申报书", "财务审计报告"])) == "申报书、财务审计报告"
    assert str(readable(criteria)) == (
        '<ol class="readable-json"><li><ul class="readable-json">'
        "<li>名称：智能化水平</li><li>分值：40</li><li>说明：—</li></ul></li></ol>"
    )
    assert str(readable(figures)) == (
        '<ul class="readable-json"><li>productivity：<ul class="readable-json">'
        "<li>改造前：120</li><li>改造后：150</li></ul></li></ul>"
    )
    assert readable([]) == "—"


def test_the_batch_page_in_the_admin_shows_its_criteria_without_json(admin_client_):
    # given an application round with a scoring sheet
    batch = make_batch()
    # when the city admin opens it in the admin
    html = admin_client_.get(f"/admin/cultivation/batch/{batch.pk}/change/").content.decode()
    # then the sheet reads as a list, not as JSON
    assert "名称：" in html
    assert '{"name"' not in html
    assert "&quot;name&quot;" not in html


def test_the_city_admin_cannot_delete_a_computed_value(admin_client_, plan):
    # given a value the engine computed
    value = IndicatorValue.objects.create(
        indicator=plan.indicators.get(number=7),
        region=Region.objects.get(name="绍兴市"),
        year=2024,
        value=Decimal("150.0000"),
        source=ValueSource.ENTERPRISE,
    )
    # when the city admin opens it in the admin and tries to delete it
    page = admin_client_.get(f"/admin/monitoring/indicatorvalue/{value.pk}/change/")
    deleted = admin_client_.post(
        f"/admin/monitoring/indicatorvalue/{value.pk}/delete/", {"post": "yes"}
    )
    # then it is read-only: no delete button, the delete page is closed, the value stays
    assert page.status_code == 200
    assert f"/admin/monitoring/indicatorvalue/{value.pk}/delete/" not in page.content.decode()
    assert deleted.status_code == 403
    assert IndicatorValue.objects.filter(pk=value.pk).exists()
