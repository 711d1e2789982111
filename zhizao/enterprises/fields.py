"""The yearly report's figures as data: one list serves the form, the import, the template, the
API and the checks, so a figure is named, parsed and checked the same way everywhere."""

from dataclasses import dataclass
from decimal import Decimal

from zhizao.enterprises.models import YearlyReport


@dataclass(frozen=True)
class ReportField:
    name: str
    kind: str  # "int", "decimal" or "bool"

    @property
    def numeric(self) -> bool:
        """Numeric figures are required on submit and checked year on year (beyond 3× or below
        ⅓ of last year's value needs a comment)."""
        return self.kind != "bool"

    @property
    def label(self) -> str:
        return str(YearlyReport._meta.get_field(self.name).verbose_name)


REPORT_FIELDS: tuple[ReportField, ...] = (
    ReportField("employees", "int"),
    ReportField("industrial_robots", "int"),
    ReportField("key_processes", "int"),
    ReportField("cnc_key_processes", "int"),
    ReportField("networkable_equipment", "int"),
    ReportField("networked_equipment", "int"),
    ReportField("uses_erp", "bool"),
    ReportField("uses_mes", "bool"),
    ReportField("uses_plm", "bool"),
    ReportField("uses_scm", "bool"),
    ReportField("uses_wms", "bool"),
    ReportField("uses_aps", "bool"),
    ReportField("uses_qms", "bool"),
    ReportField("uses_ems", "bool"),
    ReportField("industrial_output", "decimal"),
    ReportField("revenue", "decimal"),
    ReportField("value_added", "decimal"),
    ReportField("land_area", "decimal"),
    ReportField("energy_use", "decimal"),
    ReportField("rd_spending", "decimal"),
    ReportField("transformation_investment", "decimal"),
)
FIELDS_BY_NAME = {f.name: f for f in REPORT_FIELDS}
SOFTWARE_FIELDS = tuple(f.name for f in REPORT_FIELDS if f.kind == "bool")
# 关键管控软件普及率 counts an above-scale enterprise that uses at least this many of the eight
# key management-control systems (the definition the demo data and the indicator share).
SOFTWARE_MINIMUM = 2
JUMP_FACTOR = Decimal(3)


NUMERIC_FIELDS = tuple(f for f in REPORT_FIELDS if f.numeric)


def report_values(report: YearlyReport) -> dict:
    return {f.name: getattr(report, f.name) for f in REPORT_FIELDS}
