"""The plan API: scoped reads, city-admin writes that keep the plan's sums, tokens."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.accounts.factories import PASSWORD
from zhizao.core.models import Region
from zhizao.plans.models import Indicator, RegionTarget, YearTarget


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        assert client.login(username=user.username, password=PASSWORD)
    return client


def keqiao_target() -> RegionTarget:
    return RegionTarget.objects.get(indicator__number=3, region__name="柯桥区")


def test_anonymous_callers_are_refused(plan):
    assert api().get("/api/indicators/").status_code == 403
    assert api().get("/api/plans/shaoxing-2021-2025/").status_code == 403


def test_indicators_list_carries_years_and_district_targets(
    city_admin, django_assert_max_num_queries
):
    client = api(city_admin)
    with django_assert_max_num_queries(8):
        response = client.get("/api/indicators/?plan=shaoxing-2021-2025&limit=50")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert len(rows) == 21
    workshops = rows[4]
    assert workshops["name"] == "建成市级数字化车间"
    assert workshops["base"] == 36
    assert workshops["years"] == {"2021": 200, "2022": 200, "2023": 190, "2024": 190, "2025": 184}
    assert workshops["region_targets"]["330603"] == {"floor": 240, "stretch": 240}


def test_district_officer_lists_only_its_own_district_targets(yuecheng_officer):
    response = api(yuecheng_officer).get("/api/region-targets/?limit=100")
    regions = {row["region_name"] for row in response.json()["results"]}
    assert regions == {"越城区"}


@pytest.mark.parametrize(
    "path",
    [
        "/api/region-targets/{target}/",
        "/api/regions/330603/",
    ],
)
def test_district_officer_gets_404_for_another_districts_objects(yuecheng_officer, path):
    url = path.format(target=keqiao_target().pk)
    assert api(yuecheng_officer).get(url).status_code == 404


def test_district_officer_sees_its_city_and_own_district_but_no_other_district(yuecheng_officer):
    response = api(yuecheng_officer).get("/api/regions/")
    assert [r["name"] for r in response.json()["results"]] == ["绍兴市", "越城区"]


def test_indicator_of_another_district_is_still_readable_since_indicators_are_city_wide(
    yuecheng_officer,
):
    indicator = Indicator.objects.get(number=3)
    response = api(yuecheng_officer).get(f"/api/indicators/{indicator.pk}/")
    assert response.status_code == 200
    # but its district targets are narrowed to the officer's district
    assert list(response.json()["region_targets"]) == ["330602"]


def test_only_the_city_admin_may_write(yuecheng_officer, enterprise_user):
    target = RegionTarget.objects.get(indicator__number=3, region__name="越城区")
    for user in (yuecheng_officer, enterprise_user):
        response = api(user).patch(f"/api/region-targets/{target.pk}/", {"stretch": 13})
        assert response.status_code == 403
        assert response.json()["detail"] == "只有市级管理员可以修改。"
    target.refresh_from_db()
    assert target.stretch == 12


def test_city_admin_moves_a_value_between_years_in_one_change(city_admin):
    # given
    workshops = Indicator.objects.get(number=5)
    # when
    response = api(city_admin).patch(
        f"/api/indicators/{workshops.pk}/",
        {"years": {"2021": 210, "2025": 174}},
        format="json",
    )
    # then
    assert response.status_code == 200, response.json()
    assert response.json()["years"]["2021"] == 210
    assert YearTarget.objects.get(indicator=workshops, year=2025).value == 174
    assert YearTarget.history.filter(indicator_id=workshops.pk, year=2021).first().history_user == (
        city_admin
    )


def test_a_write_that_breaks_the_plan_is_refused_and_nothing_changes(city_admin):
    workshops = Indicator.objects.get(number=5)
    response = api(city_admin).patch(
        f"/api/indicators/{workshops.pk}/", {"years": {"2021": 210}}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["non_field_errors"] == [
        "指标 5「建成市级数字化车间」是累计存量指标，2020年基数 36 加2021—2025年新增"
        " 210+200+190+190+184=974 得 1010，与五年目标 1000 不符。"
    ]
    assert YearTarget.objects.get(indicator=workshops, year=2021).value == 200


def test_stretch_goal_can_be_raised_alone(city_admin):
    target = RegionTarget.objects.get(indicator__number=1, region__name="嵊州市")
    response = api(city_admin).patch(f"/api/region-targets/{target.pk}/", {"stretch": 3})
    assert response.status_code == 200
    assert response.json()["stretch"] == 3


def test_token_authentication(city_admin):
    token = Token.objects.create(user=city_admin)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = client.get("/api/plans/shaoxing-2021-2025/")
    assert response.status_code == 200
    assert response.json()["years"] == [2021, 2022, 2023, 2024, 2025]


def test_regions_are_public_reference_data_for_other_roles(enterprise_user):
    response = api(enterprise_user).get("/api/regions/")
    assert len(response.json()["results"]) == Region.objects.count() == 7
