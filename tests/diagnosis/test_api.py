"""The diagnosis API: scoped reads of self-assessments and expert diagnoses (another district's
or enterprise's id is 404), the questionnaire, and coverage for the city and districts only."""

import datetime

import pytest

from tests.accounts.factories import make_user
from tests.conftest import signed_in
from tests.diagnosis.factories import make_assessment, make_diagnosis, make_diagnostician
from tests.enterprises.factories import make_enterprise
from zhizao.core.roles import Role
from zhizao.enterprises.models import ScaleStatus


@pytest.fixture
def records(plan, enterprise_user):
    yuecheng = make_enterprise("越城智造有限公司", region="越城区", cluster="现代纺织")
    yuecheng.members.add(enterprise_user)
    keqiao = make_enterprise("柯桥印染有限公司", region="柯桥区", cluster="现代纺织")
    for enterprise in (yuecheng, keqiao):
        ScaleStatus.objects.create(enterprise=enterprise, year=2024, above_scale=True)
    expert = make_diagnostician(name="王专家")
    return {
        "expert": expert,
        "yuecheng": make_assessment(yuecheng, 2025, total="2.4000", level=2),
        "keqiao": make_assessment(keqiao, 2025, total="1.0000", level=1),
        "yuecheng_diagnosis": make_diagnosis(
            yuecheng, expert, visit_date=datetime.date(2025, 3, 1)
        ),
        "keqiao_diagnosis": make_diagnosis(keqiao, visit_date=datetime.date(2025, 3, 2)),
    }


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_self_assessments_are_scoped(records, keqiao_officer, enterprise_user, city_admin):
    url = "/api/diagnosis/self-assessments/"
    yuecheng, keqiao = records["yuecheng"], records["keqiao"]
    assert ids(signed_in(city_admin).get(url)) == {yuecheng.pk, keqiao.pk}
    assert ids(signed_in(keqiao_officer).get(url)) == {keqiao.pk}
    assert ids(signed_in(enterprise_user).get(url)) == {yuecheng.pk}
    assert ids(signed_in(records["expert"]).get(url)) == set()
    # another district's or enterprise's id is 404
    assert signed_in(keqiao_officer).get(f"{url}{yuecheng.pk}/").status_code == 404
    assert signed_in(enterprise_user).get(f"{url}{keqiao.pk}/").status_code == 404
    row = signed_in(enterprise_user).get(f"{url}{yuecheng.pk}/").json()
    assert (row["enterprise_name"], row["total"], row["level_name"]) == (
        "越城智造有限公司",
        2.4,
        "二级",
    )


def test_expert_diagnoses_are_scoped(records, keqiao_officer, enterprise_user, city_admin):
    url = "/api/diagnosis/expert-diagnoses/"
    mine, other = records["yuecheng_diagnosis"], records["keqiao_diagnosis"]
    assert ids(signed_in(city_admin).get(url)) == {mine.pk, other.pk}
    assert ids(signed_in(records["expert"]).get(url)) == {mine.pk}
    assert ids(signed_in(enterprise_user).get(url)) == {mine.pk}
    assert ids(signed_in(keqiao_officer).get(url)) == {other.pk}
    assert signed_in(records["expert"]).get(f"{url}{other.pk}/").status_code == 404
    assert signed_in(keqiao_officer).get(f"{url}{mine.pk}/").status_code == 404
    row = signed_in(records["expert"]).get(f"{url}{mine.pk}/").json()
    assert row["diagnostician_name"] == "王专家" and row["visit_date"] == "2025-03-01"


def test_the_api_is_read_only(records, city_admin):
    client = signed_in(city_admin)
    url = f"/api/diagnosis/self-assessments/{records['yuecheng'].pk}/"
    assert client.delete(url).status_code == 405
    assert client.post("/api/diagnosis/self-assessments/", {}).status_code == 405


def test_the_questionnaire(records, enterprise_user):
    document = signed_in(enterprise_user).get("/api/diagnosis/questionnaire/").json()
    assert document["version"] == "2025.1" and len(document["requirements"]) == 151
    assert [lv["name"] for lv in document["levels"]][:2] == ["规划级", "规范级"]
    assert sum(document["weights"]["离散型"].values()) == pytest.approx(1)
    first = document["requirements"][0]
    assert set(first) >= {
        "id",
        "element",
        "domain",
        "subdomain",
        "level",
        "text",
        "evidence",
        "answers",
    }


def test_coverage_for_the_city_and_districts_only(
    records, keqiao_officer, city_admin, enterprise_user
):
    url = "/api/diagnosis/coverage/?year=2025"
    city = signed_in(city_admin).get(url).json()
    assert city["total"]["above_scale"] == 2 and city["total"]["covered_share"] == 1.0
    assert len(city["by_district"]) == 6
    keqiao = signed_in(keqiao_officer).get(url).json()
    assert [row["name"] for row in keqiao["by_district"]] == ["柯桥区"]
    assert keqiao["total"]["above_scale"] == 1
    for user in [enterprise_user, records["expert"], make_user(Role.PROVIDER)]:
        assert signed_in(user).get(url).status_code == 404
    assert signed_in(city_admin).get("/api/diagnosis/coverage/?year=x").status_code == 400
