"""Writing the rows in bulk: `bulk_create` in batches on SQLite (and other databases), COPY through
psycopg 3 on PostgreSQL."""

from datetime import datetime
from decimal import Decimal

from django.core.management.color import no_style
from django.db import connection

from zhizao.enterprises.checks import is_jump, jump_ratio
from zhizao.enterprises.demo.firms import _Firm
from zhizao.enterprises.demo.profiles import SOFTWARE
from zhizao.enterprises.models import Enterprise, ReportStatus, ScaleStatus, YearlyReport

BATCH_SIZE = 2000


# --- rows -----------------------------------------------------------------------------------

ENTERPRISE_COLUMNS = (
    "id",
    "uscc",
    "name",
    "region_id",
    "town",
    "cluster_id",
    "industry_code",
    "industry_division",
    "address",
    "contact_name",
    "contact_phone",
)
REPORT_COLUMNS = (
    "enterprise_id",
    "year",
    "status",
    "employees",
    "industrial_robots",
    "key_processes",
    "cnc_key_processes",
    "networkable_equipment",
    "networked_equipment",
    *(name for name, _ in SOFTWARE),
    "industrial_output",
    "revenue",
    "value_added",
    "land_area",
    "energy_use",
    "rd_spending",
    "transformation_investment",
    "comment",
    "updated_at",
)
STATUS_COLUMNS = ("enterprise_id", "year", "above_scale")


def _money(value: float) -> str:
    return f"{value:.2f}"


def _report_row(f: _Firm, year: int, stamp: datetime) -> tuple:
    output, value_added = _money(f.output), _money(f.value_added)
    revenue, land = _money(f.revenue), _money(f.land)
    energy = _money(f.output * f.energy_intensity)
    rd, investment = _money(f.revenue * f.rd_share), _money(f.investment)
    # Every figure as the checks will read it back from the database.
    figures = {
        "employees": f.employees,
        "industrial_robots": f.robots,
        "key_processes": f.key_processes,
        "cnc_key_processes": f.cnc,
        "networkable_equipment": f.networkable,
        "networked_equipment": f.networked,
        "industrial_output": Decimal(output),
        "revenue": Decimal(revenue),
        "value_added": Decimal(value_added),
        "land_area": Decimal(land),
        "energy_use": Decimal(energy),
        "rd_spending": Decimal(rd),
        "transformation_investment": Decimal(investment),
    }
    comment = ""
    if f.prev_watch is not None and any(
        is_jump(jump_ratio(now, f.prev_watch.get(name))) for name, now in figures.items()
    ):
        # Investment comes in projects, so it may fall to nothing or multiply from one year
        # to the next; the other figures stay within 3× (a safety net), as a real report's
        # would only with a reason.
        comment = "演示数据：同比变化较大（智能化改造项目完成或新开工、扩产）。"
    f.prev_watch = figures
    return (
        f.id,
        year,
        ReportStatus.CITY_APPROVED.value,
        f.employees,
        f.robots,
        f.key_processes,
        f.cnc,
        f.networkable,
        f.networked,
        *f.software,
        output,
        revenue,
        value_added,
        land,
        energy,
        rd,
        investment,
        comment,
        stamp,
    )


class _BulkWriter:
    """bulk_create in batches: SQLite and any database without COPY."""

    def _write(self, model, columns, rows) -> None:
        batch = []
        for row in rows:
            batch.append(model(**dict(zip(columns, row, strict=True))))
            if len(batch) >= BATCH_SIZE:
                model.objects.bulk_create(batch, batch_size=BATCH_SIZE)
                batch = []
        if batch:
            model.objects.bulk_create(batch, batch_size=BATCH_SIZE)

    def enterprises(self, rows) -> None:
        self._write(Enterprise, ENTERPRISE_COLUMNS, rows)

    def reports(self, rows) -> None:
        # updated_at is auto_now: bulk_create stamps it itself.
        self._write(YearlyReport, REPORT_COLUMNS[:-1], (row[:-1] for row in rows))

    def statuses(self, rows) -> None:
        self._write(ScaleStatus, STATUS_COLUMNS, rows)

    def finish(self) -> None:
        pass


class _CopyWriter:
    """COPY … FROM STDIN through psycopg 3: PostgreSQL."""

    def _write(self, model, columns, rows) -> None:
        names = {f.attname: f.column for f in model._meta.concrete_fields}
        quote = connection.ops.quote_name
        sql = (
            f"COPY {quote(model._meta.db_table)} "
            f"({', '.join(quote(names[c]) for c in columns)}) FROM STDIN"
        )
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)

    def enterprises(self, rows) -> None:
        self._write(Enterprise, ENTERPRISE_COLUMNS, rows)

    def reports(self, rows) -> None:
        self._write(YearlyReport, REPORT_COLUMNS, rows)

    def statuses(self, rows) -> None:
        self._write(ScaleStatus, STATUS_COLUMNS, rows)

    def finish(self) -> None:
        # Enterprise ids were given explicitly: move the sequence past them.
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [Enterprise]):
                cursor.execute(sql)
            # The planner's statistics would still describe the empty tables until autovacuum
            # comes round: refresh them, or the first pages plan for a few hundred rows.
            for model in (Enterprise, YearlyReport, ScaleStatus):
                cursor.execute(f"ANALYZE {model._meta.db_table}")
