"""The admin edits an indicator with its yearly and district targets as one checked change."""

from zhizao.plans.models import Indicator, YearTarget


def indicator_form_data(indicator: Indicator, **overrides) -> dict:
    data = {
        "category": indicator.category,
        "name": indicator.name,
        "unit": indicator.unit,
        "kind": indicator.kind,
        "base": "" if indicator.base is None else str(indicator.base),
        "base_note": indicator.base_note,
        "target": str(indicator.target),
        "target_note": indicator.target_note,
        "region_item": indicator.region_item,
        "source": "{}",
    }
    for year in indicator.year_targets.all():
        data[f"year_{year.year}"] = str(year.value)
    for target in indicator.region_targets.select_related("region"):
        data[f"floor_{target.region.code}"] = str(target.floor)
        data[f"stretch_{target.region.code}"] = str(target.stretch)
    data.update(overrides)
    return data


def test_city_admin_moves_a_value_between_years_in_the_admin(admin_client_, city_admin):
    # given
    workshops = Indicator.objects.get(number=5)
    url = f"/admin/plans/indicator/{workshops.pk}/change/"
    assert admin_client_.get(url).status_code == 200
    # when
    data = indicator_form_data(workshops, year_2021="210", year_2025="174")
    response = admin_client_.post(url, data)
    # then
    assert response.status_code == 302, response.content.decode()[:2000]
    assert YearTarget.objects.get(indicator=workshops, year=2021).value == 210
    entry = YearTarget.history.filter(indicator_id=workshops.pk, year=2021).first()
    assert entry.history_change_reason == "管理后台修改"
    assert entry.history_user == city_admin


def test_admin_refuses_a_change_that_breaks_the_plan_with_the_plan_message(admin_client_):
    workshops = Indicator.objects.get(number=5)
    url = f"/admin/plans/indicator/{workshops.pk}/change/"
    response = admin_client_.post(url, indicator_form_data(workshops, year_2021="210"))
    assert response.status_code == 200
    assert "与五年目标 1000 不符" in response.content.decode()
    assert YearTarget.objects.get(indicator=workshops, year=2021).value == 200


def test_district_floor_moved_between_districts_in_the_admin(admin_client_):
    factories = Indicator.objects.get(number=4)
    url = f"/admin/plans/indicator/{factories.pk}/change/"
    data = indicator_form_data(
        factories, floor_330602="15", stretch_330602="15", floor_330603="22", stretch_330603="22"
    )
    assert admin_client_.post(url, data).status_code == 302
    floors = dict(factories.region_targets.values_list("region__name", "floor"))
    assert (floors["越城区"], floors["柯桥区"]) == (15, 22)


def test_district_officer_cannot_open_the_admin(yuecheng_client):
    response = yuecheng_client.get("/admin/plans/indicator/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_every_model_has_a_working_admin_list_and_change_page(admin_client_, city_admin):
    from django.apps import apps
    from django.contrib import admin

    from zhizao.core.admin_site import BOOKKEEPING

    project = [
        m
        for m in apps.get_models()
        if m.__module__.startswith("zhizao.") and not m.__name__.startswith("Historical")
    ]
    assert [m.__name__ for m in project if m not in admin.site._registry] == []
    for model in project:
        meta = model._meta
        base = f"/admin/{meta.app_label}/{meta.model_name}/"
        if meta.label_lower in BOOKKEEPING:  # the engine's own: for superusers only
            assert admin_client_.get(base).status_code == 403, base
            continue
        assert admin_client_.get(base).status_code == 200, base
        obj = model.objects.first()
        if obj is None:
            continue  # no row of this kind in a freshly loaded plan
        assert admin_client_.get(f"{base}{obj.pk}/change/").status_code == 200, base
        assert admin_client_.get(f"{base}{obj.pk}/history/").status_code == 200, base
