"""The demo generator: a synthetic Shaoxing whose city aggregates reproduce the plan's bases and
yearly targets, with districts ahead and behind, valid codes and figures that pass the checks."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, IntegerField, Q, Sum, Value
from django.db.models.functions import Cast
from stdnum.cn import uscc

from zhizao.accounts.models import User
from zhizao.accounts.services import create_demo_accounts
from zhizao.core.models import Region
from zhizao.enterprises.checks import check_report
from zhizao.enterprises.demo import (
    DEFAULT_SEED,
    SHAOXING_TARGETS,
    DemoError,
    generate_demo,
    make_uscc,
    organisation_code,
)
from zhizao.enterprises.fields import SOFTWARE_FIELDS, report_values
from zhizao.enterprises.management.commands.demo import Command
from zhizao.enterprises.models import Enterprise, ReportStatus, ScaleStatus, YearlyReport

SMALL = 600  # 450 above-scale and 150 smaller enterprises: the default's proportions
CLUSTER_DIVISIONS = {
    "textile": {"17", "18"},
    "green-chemical": {"26", "28"},
    "integrated-circuit": {"39"},
    "pharmaceutical": {"27"},
    "metal-processing": {"31", "32", "33"},
    "equipment-parts": {"34", "35", "38"},
    "pearl-jewellery": {"24", "41"},
    "kitchen-appliance": {"38"},
    "construction": {"30"},
    "yellow-wine": {"15"},
}


def aggregates(year: int, district: str | None = None) -> dict[str, float]:
    """The four rates, labour productivity and 亩均增加值 over city-approved reports of
    enterprises above scale in `year`, computed by the database."""
    reports = YearlyReport.objects.filter(
        year=year,
        status=ReportStatus.CITY_APPROVED,
        enterprise__scale_statuses__year=year,
        enterprise__scale_statuses__above_scale=True,
    )
    if district:
        reports = reports.filter(enterprise__region__name=district)
    systems = sum((Cast(name, IntegerField()) for name in SOFTWARE_FIELDS), Value(0))
    t = reports.annotate(systems=systems).aggregate(
        robots=Sum("industrial_robots"),
        employees=Sum("employees"),
        cnc=Sum("cnc_key_processes"),
        key=Sum("key_processes"),
        networked=Sum("networked_equipment"),
        networkable=Sum("networkable_equipment"),
        reporters=Count("id"),
        software=Count("id", filter=Q(systems__gte=2)),
        value_added=Sum("value_added"),
        land=Sum("land_area"),
    )
    return {
        "robot_density": t["robots"] / t["employees"] * 10000,
        "cnc_rate": t["cnc"] / t["key"] * 100,
        "software_rate": t["software"] / t["reporters"] * 100,
        "networking_rate": t["networked"] / t["networkable"] * 100,
        "productivity": float(t["value_added"]) / t["employees"],
        "per_mu": float(t["value_added"] / t["land"]),
    }


RATES = ("robot_density", "cnc_rate", "software_rate", "networking_rate")


def assert_within_one_percent(actual: dict, year: int) -> None:
    target = SHAOXING_TARGETS[year]
    for name in RATES:
        assert actual[name] == pytest.approx(getattr(target, name), rel=0.01), (year, name)


@pytest.fixture
def small_demo(plan):
    return generate_demo(SMALL, seed=DEFAULT_SEED)


def test_city_aggregates_reproduce_the_plans_2020_bases(small_demo):
    # given the demo at a tenth of its size
    # when the 2020 aggregates are computed from the approved reports of above-scale enterprises
    values = aggregates(2020)
    # then they are the plan's bases: 214 robots per 10,000, 65 %, 50 %, 40 %
    assert_within_one_percent(values, 2020)
    assert small_demo.above_scale == 450
    assert ScaleStatus.objects.filter(year=2020, above_scale=True).count() == 450


def test_city_aggregates_follow_the_yearly_targets(small_demo):
    # given the demo; when each year's aggregates are computed
    # then they meet the plan's yearly targets 2021–2024
    for year in range(2021, 2025):
        assert_within_one_percent(aggregates(year), year)


def test_productivity_and_value_added_per_mu_grow_6_to_8_percent_a_year(small_demo):
    # given the demo; when labour productivity and 亩均增加值 are compared year on year
    values = {year: aggregates(year) for year in range(2020, 2025)}
    for year in range(2021, 2025):
        # then both grow by 6–8 %
        for name in ("productivity", "per_mu"):
            growth = (values[year][name] / values[year - 1][name] - 1) * 100
            assert 5.9 <= growth <= 8.1, (year, name, growth)


def test_every_report_is_city_approved_and_passes_the_checks_jumps_explained(small_demo):
    # given the demo's reports, each with its ScaleStatus
    reports = list(YearlyReport.objects.order_by("enterprise_id", "year"))
    assert len(reports) == small_demo.reports == SMALL * 5
    assert {r.status for r in reports} == {ReportStatus.CITY_APPROVED}
    statuses = {(s.enterprise_id, s.year): s.above_scale for s in ScaleStatus.objects.all()}
    previous = {}
    for report in reports:
        values = report_values(report)
        # when each is checked as a form or an import would check it
        result = check_report(
            values,
            year=report.year,
            years=range(2020, 2026),
            previous=previous.get((report.enterprise_id, report.year - 1)),
            comment=report.comment,
        )
        # then there is no error, and a year-on-year jump (investment comes in projects) has
        # its comment; the figures the indicators use stay within 3×
        assert result.ok, (report.enterprise_id, report.year, result)
        assert not result.warnings or report.comment, (report.enterprise_id, report.year)
        assert set(result.warnings) <= {"transformation_investment", "rd_spending"}, result
        # and revenue agrees with the scale status (规上: at least 2,000 万元)
        above = statuses[(report.enterprise_id, report.year)]
        assert (report.revenue >= 2000) == above
        previous[(report.enterprise_id, report.year)] = values


def test_districts_differ_some_ahead_of_the_2024_targets_some_behind(small_demo):
    # given the demo; when the 2024 rates are computed per district
    keqiao, xinchang = aggregates(2024, "柯桥区"), aggregates(2024, "新昌县")
    target = SHAOXING_TARGETS[2024]
    # then 柯桥区 is ahead of the city's 2024 targets and 新昌县 behind
    for name in ("cnc_rate", "software_rate", "networking_rate"):
        assert keqiao[name] > getattr(target, name) > xinchang[name], name


def test_districts_are_sized_by_the_annex_and_clusters_match_industries(small_demo):
    # given the demo
    above = dict(
        ScaleStatus.objects.filter(year=2020, above_scale=True)
        .values_list("enterprise__region__name")
        .annotate(n=Count("id"))
    )
    # then above-scale enterprises are spread by the annex's 规上企业改造 targets
    annex = {
        "越城区": 560,
        "柯桥区": 1132,
        "上虞区": 710,
        "诸暨市": 1145,
        "嵊州市": 640,
        "新昌县": 250,
    }
    for name, weight in annex.items():
        assert above[name] == pytest.approx(450 * weight / sum(annex.values()), abs=1)
    # and every enterprise's industry class fits its cluster (divisions 13–43)
    for code, division, cluster in Enterprise.objects.values_list(
        "industry_code", "industry_division", "cluster__code"
    ):
        assert len(code) == 4 and code[:2] == division and 13 <= int(division) <= 43
        if cluster:
            assert division in CLUSTER_DIVISIONS[cluster], (code, cluster)
    assert Enterprise.objects.filter(cluster=None).count() < SMALL * 0.2
    assert Enterprise.objects.values("name").distinct().count() == SMALL


def test_every_uscc_is_valid_and_belongs_to_its_district(small_demo):
    # given the demo's enterprises; then each code is a valid 统一社会信用代码 of an enterprise
    # registered by the market regulator in the enterprise's district
    for code, region_code, address in Enterprise.objects.values_list(
        "uscc", "region__code", "address"
    ):
        assert uscc.validate(code) == code
        assert code[:2] == "91" and code[2:8] == region_code
        assert address.startswith("浙江省绍兴市") and address.endswith("号")
    assert Enterprise.objects.values("uscc").distinct().count() == SMALL


def test_organisation_codes_carry_their_own_check_character():
    # given the organisation code of a known certificate (GB 11714: 60003734-1)
    # then the generator computes the same check character, and new-style codes start with MA
    assert organisation_code(60003734, new_style=False) == "600037341"
    assert organisation_code(12345, new_style=True).startswith("MA")
    assert uscc.is_valid(make_uscc("330602", 12345, new_style=True))


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data(plan):
    # given the demo generated with a seed
    def first_codes(seed):
        generate_demo(200, seed=seed)
        codes = list(Enterprise.objects.order_by("id").values_list("uscc", flat=True)[:5])
        YearlyReport.objects.all().delete()
        Enterprise.objects.all().delete()
        return codes

    # when it is generated again from an empty registry
    # then the same seed gives the same codes, another seed others
    assert first_codes(7) == first_codes(7)
    assert first_codes(7) != first_codes(8)


def test_the_demo_enterprise_user_belongs_to_one_yuecheng_enterprise_with_2025_open(plan):
    # given the demo accounts
    create_demo_accounts()
    # when the demo is generated
    result = generate_demo(SMALL)
    # then the enterprise user is a member of one enterprise in 越城区
    user = User.objects.get(username="enterprise")
    [enterprise] = user.enterprises.all()
    assert enterprise.region.name == "越城区" and enterprise.name == result.member_enterprise
    # with approved reports for 2020–2024 and none for 2025, which the user can fill in
    assert list(enterprise.reports.values_list("year", "status")) == [
        (year, ReportStatus.CITY_APPROVED) for year in range(2020, 2025)
    ]


def test_the_member_enterprise_has_no_report_for_the_open_year_in_a_bulk_run(plan):
    # given a bulk run that includes 2025
    result = generate_demo(100, years=range(2024, 2026))
    # then every enterprise has its 2025 figures except the demo user's, left to fill in
    assert result.reports == 199
    assert not YearlyReport.objects.filter(
        year=2025, enterprise__name=result.member_enterprise
    ).exists()


def test_the_demo_refuses_a_registry_that_already_has_enterprises(small_demo):
    # given enterprises in the registry; when the demo is generated again; then it refuses
    with pytest.raises(DemoError, match="已有企业数据"):
        generate_demo(SMALL)


def test_the_demo_needs_the_plans_districts(db):
    # given no plan loaded; when the demo is generated; then the message says what to do
    with pytest.raises(DemoError, match="请先加载方案"):
        generate_demo(SMALL)


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command(Command(), *args, stdout=out)
    return out.getvalue()


def test_demo_command_creates_accounts_and_enterprises_then_keeps_them(plan):
    # given an empty registry; when `zhizao demo` runs twice
    first = run_demo("--enterprises", "200", "--years", "2020-2022", "--seed", "3")
    second = run_demo("--enterprises", "200")
    # then the first run prints the logins and generates the enterprises
    assert "演示账号：新建 6 个，已有 0 个。" in first
    assert "企业用户（越城区）: enterprise / zhizao-demo" in first
    assert "演示企业：已生成 200 家（规上 150 家），2020—2022 年报表 600 份" in first
    # and the second keeps the existing data
    assert "演示账号：新建 0 个，已有 6 个。" in second
    assert "演示企业：库中已有 200 家企业，保留现有数据，不再生成。" in second
    assert Enterprise.objects.count() == 200
    assert Region.objects.get(name="越城区").enterprises.filter(members__username="enterprise")


def test_demo_command_refuses_a_bad_year_range(plan):
    # given a year range the wrong way round; then the command says so in Chinese
    with pytest.raises(Exception, match="结束年份早于起始年份"):
        run_demo("--years", "2024-2020")


def test_the_full_default_demo_matches_the_plan_and_districts(plan):
    # given the full default demo: 4,500 above-scale and 1,500 smaller enterprises
    result = generate_demo()
    assert (result.enterprises, result.above_scale, result.reports) == (6000, 4500, 30000)
    # then every year's city aggregates meet the plan
    for year in range(2020, 2025):
        assert_within_one_percent(aggregates(year), year)
    # and 柯桥区 and 诸暨市 are ahead of the 2024 targets on all four rates, 嵊州市 and 新昌县 behind
    target = SHAOXING_TARGETS[2024]
    for district in ("柯桥区", "诸暨市"):
        values = aggregates(2024, district)
        assert all(values[n] > getattr(target, n) for n in RATES), (district, values)
    for district in ("嵊州市", "新昌县"):
        values = aggregates(2024, district)
        assert all(values[n] < getattr(target, n) for n in RATES), (district, values)


def test_enterprises_can_be_added_after_the_bulk_insert(small_demo):
    # given the demo, written with explicit ids (COPY on PostgreSQL)
    # when an enterprise is registered the ordinary way; then it gets a fresh id
    enterprise = Enterprise.objects.create(
        uscc=make_uscc("330602", 99_999_999, new_style=False),
        name="绍兴新注册测试有限公司",
        region=Region.objects.get(name="越城区"),
        industry_code="3484",
    )
    assert enterprise.pk > SMALL
