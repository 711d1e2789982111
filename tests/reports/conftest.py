from decimal import Decimal

import pytest
from stdnum.cn import uscc as uscc_number

from tests.accounts.factories import make_user
from zhizao.core.models import Region
from zhizao.core.roles import Role
from zhizao.enterprises.models import Enterprise, ReportStatus, YearlyReport

GOOD_VALUES = {
    "employees": 200,
    "industrial_robots": 8,
    "key_processes": 20,
    "cnc_key_processes": 14,
    "networkable_equipment": 100,
    "networked_equipment": 45,
    "uses_erp": True,
    "uses_mes": True,
    "uses_plm": False,
    "uses_scm": False,
    "uses_wms": False,
    "uses_aps": False,
    "uses_qms": False,
    "uses_ems": False,
    "industrial_output": Decimal("12000"),
    "revenue": Decimal("11500"),
    "value_added": Decimal("2600"),
    "land_area": Decimal("45"),
    "energy_use": Decimal("1800"),
    "rd_spending": Decimal("360"),
    "transformation_investment": Decimal("500"),
}


def valid_uscc(region_code: str, serial: int) -> str:
    body = f"91{region_code}MA{serial:07d}"
    return body + uscc_number.calc_check_digit(body)


def new_enterprise(district: str, serial: int, **fields) -> Enterprise:
    region = Region.objects.get(name=district)
    return Enterprise.objects.create(
        uscc=valid_uscc(region.code, serial),
        name=fields.pop("name", f"{district}测试企业{serial}有限公司"),
        region=region,
        industry_code=fields.pop("industry_code", "1713"),
        **fields,
    )


def new_report(enterprise, year: int, status=ReportStatus.CITY_APPROVED, **values) -> YearlyReport:
    return YearlyReport.objects.create(
        enterprise=enterprise, year=year, status=status, **{**GOOD_VALUES, **values}
    )


@pytest.fixture
def yuecheng_enterprise(plan):
    return new_enterprise("越城区", 1, name="越城智造示范有限公司")


@pytest.fixture
def keqiao_enterprise(plan):
    return new_enterprise("柯桥区", 2, name="柯桥印染科技有限公司")


@pytest.fixture
def member(yuecheng_enterprise):
    user = make_user(Role.ENTERPRISE, "越城区", username="member")
    yuecheng_enterprise.members.add(user)
    return user
