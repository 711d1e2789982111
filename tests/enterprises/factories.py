"""Small factories for enterprises and their yearly reports."""

import itertools
from decimal import Decimal

from stdnum.cn import uscc as uscc_number

from zhizao.core.models import IndustryCluster, Region
from zhizao.enterprises.models import Enterprise, ReportStatus, ScaleStatus, YearlyReport

_serial = itertools.count(1)


def make_uscc(region_code: str = "330602", serial: int | None = None) -> str:
    """A made-up 统一社会信用代码 with a correct check digit."""
    body = f"91{region_code}{serial if serial is not None else next(_serial):09d}"
    return body + uscc_number.calc_check_digit(body)


def make_enterprise(
    name: str | None = None, region: str = "越城区", cluster: str | None = None, **fields
) -> Enterprise:
    place = Region.objects.get(name=region)
    number = next(_serial)
    enterprise = Enterprise(
        uscc=fields.pop("uscc", None) or make_uscc(place.code, number),
        name=name or f"测试企业{number}有限公司",
        region=place,
        cluster=IndustryCluster.objects.get(name=cluster) if cluster else None,
        industry_code=fields.pop("industry_code", "1711"),
        **fields,
    )
    enterprise.save()
    return enterprise


REPORT_VALUES = {
    "employees": 200,
    "industrial_robots": 10,
    "key_processes": 20,
    "cnc_key_processes": 12,
    "networkable_equipment": 100,
    "networked_equipment": 80,
    "uses_erp": True,
    "uses_mes": False,
    "industrial_output": Decimal("30000"),
    "revenue": Decimal("29000"),
    "value_added": Decimal("7000"),
    "land_area": Decimal("60"),
    "energy_use": Decimal("3000"),
    "rd_spending": Decimal("900"),
    "transformation_investment": Decimal("500"),
}


def make_report(
    enterprise: Enterprise | None = None,
    year: int = 2023,
    status: str = ReportStatus.DRAFT,
    above_scale: bool | None = True,
    **values,
) -> YearlyReport:
    """A report that passes the checks (and, unless above_scale is None, its ScaleStatus)."""
    enterprise = enterprise or make_enterprise()
    report = YearlyReport.objects.create(
        enterprise=enterprise, year=year, status=status, **{**REPORT_VALUES, **values}
    )
    if above_scale is not None:
        ScaleStatus.objects.create(enterprise=enterprise, year=year, above_scale=above_scale)
    return report
