"""plans services: loading a plan file, editing plan records without breaking the plan's
arithmetic, and exporting a plan for other systems."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from zhizao.core.models import Region
from zhizao.core.numbers import as_json_number
from zhizao.core.scoping import scope_queryset
from zhizao.core.services import (
    ChangeCounts,
    RegionNode,
    mark_change,
    sync_clusters,
    sync_region_tree,
    upsert,
)
from zhizao.plans.models import Indicator, Plan, RegionTarget, YearTarget
from zhizao.plans.planfile import (
    IndicatorSpec,
    PlanFileError,
    PlanSpec,
    RegionTargetSpec,
    check_plan_spec,
)
from zhizao.plans.tables import IndicatorTable, RegionTable, indicator_table, region_table
from zhizao.plans.workbooks import workbook_bytes, write_indicator_sheet, write_region_sheet

LOAD_REASON = "加载方案文件"


@dataclass
class LoadReport:
    plan: Plan
    counts: ChangeCounts

    def summary(self) -> str:
        c = self.counts.counts
        return (
            f"方案「{self.plan.name}」（{self.plan.code}）：新建 {c['created']} 条，"
            f"更新 {c['updated']} 条，删除 {c['deleted']} 条，未变 {c['unchanged']} 条。"
        )


@transaction.atomic
def load_plan(spec: PlanSpec) -> LoadReport:
    """Create the plan, or update it in place: a record is written only where the file differs,
    records the file no longer has are deleted, and loading the same file again changes nothing.
    `spec` must have passed `check_plan_spec` (read_plan_file does this)."""
    stamp = timezone.now()
    root, counts = sync_region_tree(spec.region_root, reason=LOAD_REASON, stamp=stamp)
    counts.merge(sync_clusters(spec.clusters, reason=LOAD_REASON, stamp=stamp))
    plan, outcome = upsert(
        Plan,
        {"code": spec.code},
        {
            "name": spec.name,
            "document_number": spec.document_number,
            "issued_on": spec.issued_on,
            "region_id": root.pk,
            "base_year": spec.base_year,
            "first_year": spec.years[0],
            "last_year": spec.years[-1],
            "indicator_table_title": spec.indicator_table_title,
            "region_table_title": spec.region_table_title,
            "map_script": spec.map_script,
            "map_name": spec.map_name,
        },
        reason=LOAD_REASON,
        stamp=stamp,
    )
    counts.add(outcome)
    _sync_indicators(plan, spec.indicators, counts, stamp)
    _sync_region_targets(plan, spec.region_targets, counts, stamp)
    return LoadReport(plan=plan, counts=counts)


def _sync_indicators(
    plan: Plan, specs: list[IndicatorSpec], counts: ChangeCounts, stamp: datetime
) -> None:
    existing = {i.number: i for i in plan.indicators.all()}
    # Indicators the file no longer has go first, freeing their numbers and codes.
    stale = [i for n, i in existing.items() if n not in {s.number for s in specs}]
    for indicator in stale:
        mark_change(indicator, LOAD_REASON, stamp)
        indicator.delete()
        counts.add("deleted")
    # Codes are unique per plan, so a file that swaps two indicators' codes would collide
    # half-way: park the changing codes first (a plain update, which history does not record).
    wanted_codes = {s.number: s.code for s in specs}
    moving = [i for n, i in existing.items() if n in wanted_codes and i.code != wanted_codes[n]]
    for indicator in moving:
        Indicator.objects.filter(pk=indicator.pk).update(code=f"~{indicator.pk}")
    years_by_indicator: dict[int, dict[int, YearTarget]] = {}
    for year_target in YearTarget.objects.filter(indicator__plan=plan):
        years_by_indicator.setdefault(year_target.indicator_id, {})[year_target.year] = year_target
    for spec in specs:
        indicator, outcome = upsert(
            Indicator,
            {"plan_id": plan.pk, "number": spec.number},
            {
                "code": spec.code,
                "category": spec.category,
                "name": spec.name,
                "unit": spec.unit,
                "kind": spec.kind,
                "aggregate": spec.aggregate,
                "base": spec.base,
                "base_note": spec.base_note,
                "target": spec.target,
                "target_note": spec.target_note,
                "shows_percent_sign": spec.shows_percent_sign,
                "region_item": spec.region_item,
                "source": spec.source,
            },
            existing=existing.get(spec.number),
            reason=LOAD_REASON,
            stamp=stamp,
        )
        counts.add(outcome)
        current = years_by_indicator.get(indicator.pk, {})
        for year, value in spec.years.items():
            _record, outcome = upsert(
                YearTarget,
                {"indicator_id": indicator.pk, "year": year},
                {"value": value},
                existing=current.get(year),
                reason=LOAD_REASON,
                stamp=stamp,
            )
            counts.add(outcome)
        for year, year_target in current.items():
            if year not in spec.years:
                mark_change(year_target, LOAD_REASON, stamp)
                year_target.delete()
                counts.add("deleted")


def _sync_region_targets(
    plan: Plan, specs: list[RegionTargetSpec], counts: ChangeCounts, stamp: datetime
) -> None:
    indicators = {i.number: i for i in plan.indicators.all()}
    regions = {r.name: r for r in Region.objects.all()}
    existing = {
        (t.indicator_id, t.region_id): t for t in RegionTarget.objects.filter(indicator__plan=plan)
    }
    kept = set()
    for spec in specs:
        key = (indicators[spec.indicator_number].pk, regions[spec.region_name].pk)
        kept.add(key)
        _record, outcome = upsert(
            RegionTarget,
            {"indicator_id": key[0], "region_id": key[1]},
            {"floor": spec.floor, "stretch": spec.stretch, "level_target": spec.level_target},
            existing=existing.get(key),
            reason=LOAD_REASON,
            stamp=stamp,
        )
        counts.add(outcome)
    for key, target in existing.items():
        if key not in kept:
            mark_change(target, LOAD_REASON, stamp)
            target.delete()
            counts.add("deleted")


def plan_with_tables(queryset):
    """The plan with everything its two tables need, fetched in a fixed number of queries."""
    return queryset.select_related("region").prefetch_related(
        Prefetch(
            "indicators",
            queryset=Indicator.objects.order_by("number").prefetch_related(
                Prefetch("year_targets", queryset=YearTarget.objects.order_by("year")),
            ),
        )
    )


def spec_from_plan(plan: Plan) -> PlanSpec:
    """The plan as stored, in the shape the plan-file checks read."""
    indicators = list(Indicator.objects.filter(plan=plan).prefetch_related("year_targets"))
    region_targets = RegionTarget.objects.filter(indicator__plan=plan).select_related(
        "indicator", "region"
    )
    return PlanSpec(
        code=plan.code,
        name=plan.name,
        base_year=plan.base_year,
        years=plan.years,
        region_root=RegionNode(plan.region.code, plan.region.name),
        indicators=[
            IndicatorSpec(
                number=i.number,
                code=i.code,
                category=i.category,
                name=i.name,
                unit=i.unit,
                kind=i.kind,
                aggregate=i.aggregate,
                target=i.target,
                base=i.base,
                years={y.year: y.value for y in i.year_targets.all()},
            )
            for i in indicators
        ],
        region_targets=[
            RegionTargetSpec(t.indicator.number, t.region.name, t.floor, t.stretch, t.level_target)
            for t in region_targets
        ],
    )


def plan_of(record) -> Plan:
    if isinstance(record, Plan):
        return record
    if isinstance(record, Indicator):
        return record.plan
    return record.indicator.plan


@transaction.atomic
def update_plan_records(edits: list[tuple[object, dict]], *, reason: str = "") -> None:
    """Change plan records together (a plan, indicators, yearly targets, region targets) and
    refuse, undoing all of them, a result that breaks the plan's arithmetic, with the messages a
    plan file gets. Moving 10 from 2021 to 2025 is two edits that only add up together."""
    plans = {}
    stamp = timezone.now()
    for record, changes in edits:
        for name, value in changes.items():
            setattr(record, name, value)
        mark_change(record, reason or "在线修改", stamp)
        record.save()
        plan = plan_of(record)
        plans[plan.pk] = plan
    errors = [e for plan in plans.values() for e in check_plan_spec(spec_from_plan(plan))]
    if errors:
        raise PlanFileError(errors)


def update_plan_record(record, changes: dict, *, reason: str = ""):
    update_plan_records([(record, changes)], reason=reason)
    return record


def indicator_edits(
    indicator: Indicator,
    changes: dict,
    years: dict[int, Decimal] | None = None,
    regions: dict[str, tuple[Decimal, Decimal]] | None = None,
) -> list[tuple[object, dict]]:
    """The edits that change an indicator with its yearly values and district targets at once.
    `years` maps year to value; `regions` maps a region code to (floor, stretch)."""
    edits: list[tuple[object, dict]] = [(indicator, changes)] if changes else []
    if years:
        current = {y.year: y for y in indicator.year_targets.all()}
        unknown = sorted(set(years) - set(current))
        if unknown:
            raise PlanFileError(
                [
                    _("%(number)s号指标没有 %(value)s年的目标。")
                    % {"number": indicator.number, "value": "、".join(map(str, unknown))}
                ]
            )
        edits += [(current[y], {"value": v}) for y, v in years.items() if current[y].value != v]
    if regions:
        current = {t.region.code: t for t in indicator.region_targets.select_related("region")}
        unknown = sorted(set(regions) - set(current))
        if unknown:
            raise PlanFileError(
                [
                    _("%(number)s号指标没有区划代码为 %(value)s 的区县目标。")
                    % {"number": indicator.number, "value": "、".join(unknown)}
                ]
            )
        # A level indicator's district target is one level (floor = stretch = the level).
        level = indicator.kind == "level"
        edits += [
            (
                current[code],
                {"floor": floor, "stretch": stretch} | ({"level_target": floor} if level else {}),
            )
            for code, (floor, stretch) in regions.items()
            if (current[code].floor, current[code].stretch) != (floor, stretch)
        ]
    return edits


def check_plan_records_change(edits: list[tuple[object, dict]]) -> list[str]:
    """What update_plan_records would refuse, keeping nothing (for forms' validation)."""
    try:
        with transaction.atomic():
            update_plan_records(edits)
            raise _Undo
    except PlanFileError as exc:
        return exc.errors
    except _Undo:
        return []
    finally:
        for record, _change in edits:
            if record.pk:
                record.refresh_from_db()


class _Undo(Exception):
    pass


def export_plan_json(plan: Plan) -> dict:
    """The plan in the JSON shape other systems read (docs/plan-file.md, "Export")."""
    plan = plan_with_tables(Plan.objects.filter(pk=plan.pk)).get()
    region_targets = (
        RegionTarget.objects.filter(indicator__plan=plan)
        .select_related("indicator", "region")
        .order_by("indicator__number", "region__sort_order")
    )
    return {
        "code": plan.code,
        "name": plan.name,
        "base_year": plan.base_year,
        "years": plan.years,
        "indicators": [
            {
                "no": i.number,
                "code": i.code,
                "category": i.category,
                "name": i.name,
                "unit": i.unit,
                "kind": i.kind,
                **({"aggregate": i.aggregate} if i.aggregate else {}),
                "base": as_json_number(i.base),
                "base_note": i.base_note or None,
                "target": as_json_number(i.target),
                "target_note": i.target_note or None,
                "years": {str(y.year): as_json_number(y.value) for y in i.year_targets.all()},
            }
            for i in plan.indicators.all()
        ],
        "region_targets": [
            {
                "indicator_no": t.indicator.number,
                "region": t.region.name,
                "floor": as_json_number(t.floor),
                "stretch": as_json_number(t.stretch),
                **(
                    {"level_target": as_json_number(t.level_target)}
                    if t.level_target is not None
                    else {}
                ),
            }
            for t in region_targets
        ],
    }


def visible_region_columns(user, plan: Plan) -> list[Region]:
    """The districts whose columns `user` may see in the plan's district table."""
    districts = Region.objects.filter(parent=plan.region).order_by("sort_order")
    return list(scope_queryset(user, districts)) if user is not None else list(districts)


def visible_region_targets(user, plan: Plan) -> list[RegionTarget]:
    targets = RegionTarget.objects.filter(indicator__plan=plan)
    return list(scope_queryset(user, targets) if user is not None else targets)


def plan_tables(user, plan: Plan) -> tuple[IndicatorTable, RegionTable]:
    """Both tables for `user`: the district table holds only the districts it may see.
    `user=None` is the command line, which sees everything."""
    plan = plan_with_tables(Plan.objects.filter(pk=plan.pk)).get()
    return indicator_table(plan), region_table(
        plan, visible_region_columns(user, plan), visible_region_targets(user, plan)
    )


def plan_tables_workbook(plan: Plan, *, user) -> bytes:
    indicators, regions = plan_tables(user, plan)
    return workbook_bytes((write_indicator_sheet, indicators), (write_region_sheet, regions))
