"""The preview: every row parsed and checked against the database and the other rows of the
file, and the writes planned, before anything is written."""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from zhizao.enterprises.checks import check_report
from zhizao.enterprises.fields import report_values
from zhizao.enterprises.importing.columns import FIGURE_KEYS, KEEP_IF_EMPTY
from zhizao.enterprises.importing.parsing import _Context, _parse_row, _Parsed, _refusal
from zhizao.enterprises.importing.rows import ImportIssue, ImportRow
from zhizao.enterprises.models import Enterprise, ReportStatus, ScaleStatus, YearlyReport

CHUNK = 500  # ids in one IN (...) list
CITY_APPROVED_MESSAGE = _("该报表已经市级审核通过，不能通过导入修改。")

STATUS_RANK = {
    ReportStatus.DRAFT: 0,
    ReportStatus.RETURNED: 0,
    ReportStatus.SUBMITTED: 1,
    ReportStatus.DISTRICT_APPROVED: 2,
    ReportStatus.CITY_APPROVED: 3,
}


@dataclass
class PlannedWrites:
    """What apply_import will write: new objects to create, loaded ones with the fields changed."""

    new_enterprises: list = field(default_factory=list)
    changed_enterprises: list = field(default_factory=list)  # (Enterprise, fields)
    new_scales: list = field(default_factory=list)
    changed_scales: list = field(default_factory=list)
    new_reports: list = field(default_factory=list)
    changed_reports: list = field(default_factory=list)  # (YearlyReport, fields, from_status)


@dataclass
class ImportPreview:
    """The outcome of checking a file: counts of rows, what each row would do, and every error."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    invalid: int = 0
    errors: list[ImportIssue] = field(default_factory=list)
    # What each row would do: row number → created, updated, unchanged or invalid.
    outcomes: dict[int, str] = field(default_factory=dict)
    writes: PlannedWrites = field(default_factory=PlannedWrites)
    source: str = ""
    user: object = None
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> dict:
        """The shape the command prints and the API returns."""
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": [e.as_dict() for e in self.errors],
        }


def _chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _load_existing(usccs: list[str], years: set[int]):
    """The enterprises, reports and scale statuses a file touches, in a few queries."""
    enterprises: dict[str, Enterprise] = {}
    for chunk in _chunks(usccs):
        for enterprise in Enterprise.objects.filter(uscc__in=chunk):
            enterprises[enterprise.uscc] = enterprise
    ids = [e.pk for e in enterprises.values()]
    wanted = sorted(years | {y - 1 for y in years})
    reports: dict[tuple[int, int], YearlyReport] = {}
    scales: dict[tuple[int, int], ScaleStatus] = {}
    for chunk in _chunks(ids):
        for report in YearlyReport.objects.filter(enterprise_id__in=chunk, year__in=wanted):
            reports[(report.enterprise_id, report.year)] = report
        for scale in ScaleStatus.objects.filter(enterprise_id__in=chunk, year__in=wanted):
            scales[(scale.enterprise_id, scale.year)] = scale
    return enterprises, reports, scales


def preview_import(rows: list[ImportRow], user, *, source: str = "") -> ImportPreview:
    """Check every row and plan the writes; writes nothing. `user` None acts as the city."""
    preview = ImportPreview(rows=len(rows), source=source, user=user)
    refusal = _refusal(user)
    if refusal:
        preview.errors.append(ImportIssue(None, "", "", refusal))
        preview.invalid = len(rows)
        return preview
    if not rows:
        preview.errors.append(ImportIssue(None, "", "", _("文件中没有可导入的数据行。")))
        return preview
    ctx = _Context(user)
    parsed = [_parse_row(row, ctx) for row in rows]

    # The key is (统一社会信用代码, 年份): a second row with the same key is an error.
    by_key: dict[tuple[str, int], _Parsed] = {}
    for p in parsed:
        if p.uscc is None or p.year is None:
            continue
        first = by_key.get((p.uscc, p.year))
        if first is not None:
            p.error(
                "uscc",
                _("与第 %(number)s 行是同一企业同一年份（%(year)s年），每家企业每年只能有一行。")
                % {"number": first.row.number, "year": p.year},
            )
        else:
            by_key[(p.uscc, p.year)] = p

    usccs = sorted({p.uscc for p in parsed if p.uscc})
    years = {p.year for p in parsed if p.year is not None}
    enterprises, reports, scales = _load_existing(usccs, years)
    for p in parsed:
        _check_row(p, ctx, by_key, enterprises, reports)

    # Each enterprise takes its details from its latest year's row in the file.
    source_rows: dict[str, _Parsed] = {}
    for p in parsed:
        if p.uscc is None:
            continue
        best = source_rows.get(p.uscc)
        if best is None or (p.year or 0) >= (best.year or 0):
            source_rows[p.uscc] = p
    planned_enterprises: dict[str, tuple[Enterprise, tuple]] = {}
    for uscc, p in source_rows.items():
        planned_enterprises[uscc] = _plan_enterprise(p, enterprises.get(uscc), ctx)

    writes = preview.writes
    for p in parsed:
        if p.errors:
            preview.invalid += 1
            preview.outcomes[p.row.number] = "invalid"
            preview.errors.extend(p.errors)
            continue
        enterprise, enterprise_changed = planned_enterprises[p.uscc]
        existing = enterprises.get(p.uscc)
        outcome = _plan_report(p, ctx, enterprise, existing, reports, scales, writes)
        if outcome == "unchanged" and enterprise_changed and source_rows[p.uscc] is p:
            outcome = "updated"
        if p.errors:  # a change to a report the city has approved
            preview.invalid += 1
            preview.outcomes[p.row.number] = "invalid"
            preview.errors.extend(p.errors)
            continue
        setattr(preview, outcome, getattr(preview, outcome) + 1)
        preview.outcomes[p.row.number] = outcome
    for enterprise, changed in planned_enterprises.values():
        if enterprise.pk is None:
            writes.new_enterprises.append(enterprise)
        elif changed:
            writes.changed_enterprises.append((enterprise, changed))
    preview.errors.sort(key=lambda e: (e.row or 0, e.position))
    return preview


def _plan_enterprise(p: _Parsed, existing: Enterprise | None, ctx: _Context):
    """The enterprise as the file states it (new, or the loaded one with the changes applied)
    and the fields that change."""
    given = p.enterprise or {}
    values = {
        "name": given.get("name") or (existing.name if existing else ""),
        "region_id": given["region"].pk if given.get("region") else None,
        "industry_code": given.get("industry_code"),
    }
    if "cluster" in given and given["cluster"] is not None:
        values["cluster_id"] = given["cluster"].pk
    for key in KEEP_IF_EMPTY:
        if key in given:
            values[key] = given[key]
    if existing is None:
        values = {k: v for k, v in values.items() if v is not None}
        enterprise = Enterprise(uscc=p.uscc, **values)
        enterprise.industry_division = (enterprise.industry_code or "")[:2]
        return enterprise, ("created",)
    changed = tuple(
        name
        for name, value in values.items()
        if value is not None and getattr(existing, name) != value
    )
    for name in changed:
        setattr(existing, name, values[name])
    if "industry_code" in changed:
        existing.industry_division = existing.industry_code[:2]
        changed = (*changed, "industry_division")
    return existing, changed


def _check_row(p: _Parsed, ctx: _Context, by_key, enterprises, reports) -> None:
    """The checks that need the database or the other rows: scope, year locks, report checks."""
    existing = enterprises.get(p.uscc) if p.uscc else None
    if existing is not None and not ctx.city:
        region = ctx.regions_by_id.get(existing.region_id)
        if region is not None and not ctx.in_district(region) and not p.has_error("region"):
            p.error(
                "region",
                _("该企业在系统中属于%(name)s，您只能导入%(name2)s的企业。")
                % {"name": region.name, "name2": ctx.district.name},
            )
    if p.year is not None and p.year in ctx.locked:
        p.error("year", ctx.locked_message(p.year))
    year = p.year if p.year is not None else (ctx.years.start if ctx.years else 0)
    previous = None
    if p.uscc is not None and p.year is not None:
        earlier = by_key.get((p.uscc, p.year - 1))
        if earlier is not None:
            previous = earlier.values
        elif existing is not None and (existing.pk, p.year - 1) in reports:
            previous = report_values(reports[(existing.pk, p.year - 1)])
    comment = p.comment
    if not comment and existing is not None and p.year is not None:
        report = reports.get((existing.pk, p.year))
        comment = report.comment if report else ""
    check = check_report(p.values, year=year, years=ctx.years, previous=previous, comment=comment)
    for key, message in check.errors.items():
        if key == "year" and (p.year is None or p.has_error("year")):
            continue
        if key != "year" and key != "comment" and p.has_error(key):
            continue
        p.error(key, message)


def _plan_report(p: _Parsed, ctx, enterprise, existing, reports, scales, writes) -> str:
    report = reports.get((existing.pk, p.year)) if existing is not None else None
    scale = scales.get((existing.pk, p.year)) if existing is not None else None
    comment = p.comment or (report.comment if report else "")
    if report is None:
        report = YearlyReport(
            enterprise=enterprise, year=p.year, status=ctx.target, comment=comment, **p.values
        )
        writes.new_reports.append(report)
        outcome = "created"
    else:
        changed = [n for n in FIGURE_KEYS if getattr(report, n) != p.values[n]]
        if report.comment != comment:
            changed.append("comment")
        if changed and report.status == ReportStatus.CITY_APPROVED:
            p.error(changed[0], CITY_APPROVED_MESSAGE)
            return "invalid"
        if changed or STATUS_RANK[report.status] < STATUS_RANK[ctx.target]:
            from_status = report.status
            for name in changed:
                setattr(report, name, p.values[name] if name != "comment" else comment)
            if report.status != ctx.target:
                report.status = ctx.target
                changed.append("status")
            writes.changed_reports.append((report, tuple(changed), from_status))
            outcome = "updated"
        else:
            outcome = "unchanged"
    if scale is None:
        writes.new_scales.append(
            ScaleStatus(enterprise=enterprise, year=p.year, above_scale=p.above_scale)
        )
        outcome = "updated" if outcome == "unchanged" else outcome
    elif scale.above_scale != p.above_scale:
        reported = reports.get((existing.pk, p.year))
        if reported is not None and reported.status == ReportStatus.CITY_APPROVED:
            p.error("above_scale", CITY_APPROVED_MESSAGE)
            return "invalid"
        scale.above_scale = p.above_scale
        writes.changed_scales.append(scale)
        outcome = "updated" if outcome == "unchanged" else outcome
    return outcome
