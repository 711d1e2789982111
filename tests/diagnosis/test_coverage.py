"""Coverage of above-scale enterprises and the distribution of maturity levels, checked against a
fixture counted by hand."""

import datetime
from decimal import Decimal

import pytest

from tests.diagnosis.factories import make_assessment, make_diagnosis
from tests.enterprises.factories import make_enterprise
from zhizao.core.models import Region
from zhizao.diagnosis.models import AssessmentStatus, DiagnosisStatus
from zhizao.diagnosis.services import coverage, level_distribution, level_trend, undiagnosed
from zhizao.enterprises.models import ScaleStatus

D = Decimal
AS_OF = 2025  # with N = 3 the window is 2023–2025


def firm(name, region, cluster=None, above_2025=True, above_2024=True):
    enterprise = make_enterprise(name, region=region, cluster=cluster)
    if above_2024 is not None:
        ScaleStatus.objects.create(enterprise=enterprise, year=2024, above_scale=above_2024)
    if above_2025 is not None:
        ScaleStatus.objects.create(enterprise=enterprise, year=2025, above_scale=above_2025)
    return enterprise


@pytest.fixture
def registry(plan, settings):
    """Scale year 2025. 越城区 has four above-scale enterprises:
        Y1 (现代纺织): self-assessment 2024 ✓; a diagnosis visited 2022-12-31 (before the window);
        Y2 (现代纺织): self-assessment 2021 (older than 3 years); diagnosis visited 2024-05-10 ✓;
        Y3 (no cluster): a 2025 draft only; a diagnosis assigned, not yet made;
        Y4 (黄酒): nothing.
    Not counted: Y5, below scale in 2025 (though above in 2024, with a 2025 assessment), and Y6,
    with no 2025 status at all.
    柯桥区 has two: K1 (现代纺织) self-assessment 2023 ✓ and diagnosis visited 2025-01-02 ✓;
    K2 (现代纺织) nothing."""
    settings.ZHIZAO_DIAGNOSIS_COVERAGE_YEARS = 3
    made = {
        "Y1": firm("越城1号", "越城区", "现代纺织"),
        "Y2": firm("越城2号", "越城区", "现代纺织"),
        "Y3": firm("越城3号", "越城区"),
        "Y4": firm("越城4号", "越城区", "黄酒"),
        "Y5": firm("越城5号", "越城区", "黄酒", above_2025=False),
        "Y6": firm("越城6号", "越城区", "黄酒", above_2025=None),
        "K1": firm("柯桥1号", "柯桥区", "现代纺织"),
        "K2": firm("柯桥2号", "柯桥区", "现代纺织"),
    }
    make_assessment(made["Y1"], 2024, level=2, total="2.1")
    make_diagnosis(
        made["Y1"], status=DiagnosisStatus.ACKNOWLEDGED, visit_date=datetime.date(2022, 12, 31)
    )
    make_assessment(made["Y2"], 2021, level=0, total="0.5")
    make_diagnosis(made["Y2"], visit_date=datetime.date(2024, 5, 10))
    make_assessment(made["Y3"], 2025, status=AssessmentStatus.DRAFT)
    make_diagnosis(made["Y3"], status=DiagnosisStatus.ASSIGNED)
    make_assessment(made["Y5"], 2025, level=1)
    make_assessment(made["Y6"], 2025, level=1)
    make_assessment(made["K1"], 2023, level=1, total="1.2")
    make_diagnosis(made["K1"], visit_date=datetime.date(2025, 1, 2))
    return made


def rows(table) -> dict:
    return {
        r.name: (r.above_scale, r.self_assessed, r.expert_diagnosed, r.covered)
        for r in table
        if r.above_scale
    }


def test_coverage_by_district_against_the_hand_count(registry, django_assert_max_num_queries):
    city = Region.objects.get(name="绍兴市")

    with django_assert_max_num_queries(6):
        result = coverage(city, as_of_year=AS_OF)

    assert (result.scale_year, result.first_year, result.as_of_year) == (2025, 2023, 2025)
    # (above-scale, self-assessed, expert-diagnosed, either)
    assert rows(result.by_district) == {"越城区": (4, 1, 1, 2), "柯桥区": (2, 1, 1, 1)}
    yuecheng = result.by_district[0]
    assert yuecheng.name == "越城区"
    assert yuecheng.self_assessed_share == D("0.25")  # Y1 only: Y2's is older than 3 years
    assert yuecheng.expert_diagnosed_share == D("0.25")  # Y2 only: Y1's visit was in 2022
    assert yuecheng.covered_share == D("0.5")
    assert yuecheng.not_covered == 2
    # the other four districts have no above-scale enterprise: no share rather than 0
    assert [r.self_assessed_share for r in result.by_district[2:]] == [None] * 4
    assert (result.total.above_scale, result.total.covered) == (6, 3)


def test_coverage_by_cluster_against_the_hand_count(registry):
    result = coverage(Region.objects.get(name="绍兴市"), as_of_year=AS_OF)

    assert rows(result.by_cluster) == {
        "现代纺织": (4, 2, 2, 3),  # Y1 Y2 K1 K2: self Y1 K1, expert Y2 K1
        "黄酒": (1, 0, 0, 0),  # Y4
        "未归属集群": (1, 0, 0, 0),  # Y3
    }
    assert len(result.by_cluster) == 11  # the plan's ten clusters and 未归属集群


def test_a_longer_window_counts_older_diagnoses(registry):
    result = coverage(Region.objects.get(name="越城区"), years=5, as_of_year=AS_OF)

    # 2021–2025: Y2's 2021 self-assessment and Y1's 2022 visit now count
    assert rows(result.by_district) == {"越城区": (4, 2, 2, 2)}


def test_a_district_officer_sees_its_own_districts_coverage_only(registry, keqiao_officer):
    result = coverage(Region.objects.get(name="绍兴市"), as_of_year=AS_OF, user=keqiao_officer)

    assert rows(result.by_district) == {"柯桥区": (2, 1, 1, 1)}


def test_undiagnosed_lists_for_follow_up(registry):
    yuecheng = Region.objects.get(name="越城区")

    neither = undiagnosed(yuecheng, as_of_year=AS_OF)
    no_self = undiagnosed(yuecheng, kind="self_assessment", as_of_year=AS_OF)
    no_expert = undiagnosed(yuecheng, kind="expert_diagnosis", as_of_year=AS_OF)

    assert [e.name for e in neither] == ["越城3号", "越城4号"]
    assert [e.name for e in no_self] == ["越城2号", "越城3号", "越城4号"]
    assert [e.name for e in no_expert] == ["越城1号", "越城3号", "越城4号"]
    found = {e.name: (e.last_assessment_year, e.last_visit_date) for e in no_self}
    assert found["越城2号"] == (2021, datetime.date(2024, 5, 10))
    assert found["越城3号"] == (None, None)  # a draft and an unmade diagnosis do not count
    with pytest.raises(ValueError, match="kind「all」无效"):
        undiagnosed(yuecheng, kind="all")


@pytest.fixture
def levels(plan):
    """2024: 越城区 levels 0, 2, 2 (one in 现代纺织, one in 黄酒, one without cluster); 柯桥区
    level 1 (现代纺织) and a draft. 2023: 越城区 level 1."""
    a = make_enterprise(region="越城区", cluster="现代纺织")
    make_assessment(a, 2024, level=0)
    make_assessment(a, 2023, level=1)
    make_assessment(make_enterprise(region="越城区", cluster="黄酒"), 2024, level=2)
    make_assessment(make_enterprise(region="越城区"), 2024, level=2)
    b = make_enterprise(region="柯桥区", cluster="现代纺织")
    make_assessment(b, 2024, level=1)
    make_assessment(make_enterprise(region="柯桥区"), 2024, status=AssessmentStatus.DRAFT)


def test_level_distribution_by_district_and_cluster(levels, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        by_district = {r.name: r.counts for r in level_distribution("district", 2024)}
    by_cluster = {r.name: r.counts for r in level_distribution("cluster", 2024)}

    zero = dict.fromkeys(range(6), 0)
    assert by_district["越城区"] == {**zero, 0: 1, 2: 2}
    assert by_district["柯桥区"] == {**zero, 1: 1}
    assert by_district["新昌县"] == zero
    assert by_cluster["现代纺织"] == {**zero, 0: 1, 1: 1}
    assert by_cluster["黄酒"] == {**zero, 2: 1}
    assert by_cluster["未归属集群"] == {**zero, 2: 1}


def test_level_trend_year_by_year(levels, yuecheng_officer):
    zero = dict.fromkeys(range(6), 0)

    assert level_trend([2023, 2024]) == {2023: {**zero, 1: 1}, 2024: {**zero, 0: 1, 1: 1, 2: 2}}
    # scoped: 越城区's officer counts its own district only
    assert level_trend([2024], user=yuecheng_officer) == {2024: {**zero, 0: 1, 2: 2}}
