"""对接成效: the needs posted, matched, signed and delivered, by district, cluster and month,
and the contract value signed, for the city admin (the city) and a district officer (its own
district: outcomes() reads the needs through the scoping function); one workbook with a sheet
for each breakdown."""

import datetime
import io

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from zhizao.bridge.outcomes import outcomes
from zhizao.core.numbers import as_json_number
from zhizao.core.roles import Role, is_city_admin
from zhizao.core.xlsx import HEADER_FILL, XLSX_CONTENT_TYPE, display_width

HEADERS = [
    _("发布需求（项）"),
    _("已匹配（项）"),
    _("已签约（项）"),
    _("已交付（项）"),
    _("签约率（%）"),
    _("签约金额（万元）"),
]
SHEETS = (("by_district", _("按区县"), _("区县")), ("by_cluster", _("按产业集群"), _("产业集群")),
          ("by_month", _("按月份"), _("发布月份")))  # fmt: skip


def _date(value: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat((value or "").strip())
    except ValueError:
        return None


def _cells(row) -> list:
    return [
        row.label,
        row.posted,
        row.matched,
        row.signed,
        row.delivered,
        as_json_number(row.signing_rate),
        as_json_number(row.contract_value),
    ]


def outcomes_workbook(found, title: str) -> bytes:
    """A sheet per breakdown, as core.xlsx formats a table: the title in row 1, the bold frozen
    header in row 2, then the rows and the total; numbers stored as numbers."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for attribute, sheet_name, first in SHEETS:
        ws = workbook.create_sheet(str(sheet_name))
        ws.cell(row=1, column=1, value=f"{title}（{sheet_name}）").font = Font(bold=True, size=13)
        headers = [str(h) for h in (first, *HEADERS)]
        for column, header in enumerate(headers, start=1):
            cell = ws.cell(row=2, column=column, value=header)
            cell.font = Font(bold=True)
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        widths = [display_width(h) for h in headers]
        rows = [_cells(row) for row in getattr(found, attribute)] + [_cells(found.total)]
        for number, values in enumerate(rows, start=3):
            for column, value in enumerate(values, start=1):
                value = str(value) if isinstance(value, Promise) else value
                cell = ws.cell(row=number, column=column, value=value)
                if column == 7 and value is not None:
                    cell.number_format = "#,##0.00"
                if number == len(rows) + 2:
                    cell.font = Font(bold=True)
                widths[column - 1] = max(widths[column - 1], display_width(value or ""))
        for column, width in enumerate(widths, start=1):
            letter = ws.cell(row=2, column=column).column_letter
            ws.column_dimensions[letter].width = min(width + 2, 40)
        ws.freeze_panes = "A3"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@login_required
@require_GET
def outcomes_page(request):
    user = request.user
    city = is_city_admin(user)
    if not city and getattr(user, "role", None) != Role.DISTRICT:
        raise Http404
    since, until = _date(request.GET.get("since")), _date(request.GET.get("until"))
    found = outcomes(user, since=since, until=until)
    area = _("全市") if city else (user.region.name if user.region else "")
    title = _("%(area)s供需对接成效") % {"area": area}
    if request.GET.get("format") == "xlsx":
        stamp = timezone.localdate().strftime("%Y%m%d")
        response = HttpResponse(outcomes_workbook(found, title), content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="bridge-outcomes-{stamp}.xlsx"'
        return response
    query = request.GET.copy()
    query.pop("format", None)
    return render(
        request,
        "bridge/outcomes.html",
        {
            "found": found,
            "title": title,
            "since": since,
            "until": until,
            "query": query.urlencode(),
            "tables": [(label, first, getattr(found, attr)) for attr, label, first in SHEETS],
            "city": city,
        },
    )
