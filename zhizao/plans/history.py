"""The change history of a plan's records, as the plan page shows it to the city admin."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from zhizao.core.models import Region
from zhizao.core.numbers import plain
from zhizao.plans.models import Indicator, Plan, RegionTarget, YearTarget

ACTION_LABELS = {"+": _("新建"), "~": _("修改"), "-": _("删除")}


@dataclass
class HistoryEntry:
    when: datetime
    who: str
    action: str
    record_type: str
    record: str
    reason: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)
    # How many records of this type the same person changed the same way in the same second.
    batch_count: int = 1


def _filters(plan: Plan) -> list[tuple[type, dict]]:
    return [
        (Plan, {"id": plan.pk}),
        (Indicator, {"plan_id": plan.pk}),
        (YearTarget, {"indicator__plan_id": plan.pk}),
        (RegionTarget, {"indicator__plan_id": plan.pk}),
    ]


def _describe(model, row, indicators: dict, regions: dict) -> str:
    if model is Plan:
        return row.name
    if model is Indicator:
        return _("指标 %(number)s「%(name)s」") % {"number": row.number, "name": row.name}
    indicator = indicators.get(row.indicator_id, f"#{row.indicator_id}")
    if model is YearTarget:
        return _("指标 %(indicator)s %(year)s年") % {"indicator": indicator, "year": row.year}
    return _("指标 %(indicator)s %(value)s") % {
        "indicator": indicator,
        "value": regions.get(row.region_id, row.region_id),
    }


def plan_history(plan: Plan, limit: int = 50) -> list[HistoryEntry]:
    """The latest `limit` changes to the plan and its records, newest first, each with the fields
    it changed. Two queries per record type, however many entries there are."""
    entries: list[HistoryEntry] = []
    indicators = dict(Indicator.objects.filter(plan=plan).values_list("id", "number"))
    regions = dict(Region.objects.values_list("id", "name"))
    for model, lookup in _filters(plan):
        historical = model.history.model
        rows = list(
            historical.objects.filter(**lookup)
            .select_related("history_user")
            .order_by("-history_date", "-history_id")[:limit]
        )
        if not rows:
            continue
        fields = [f for f in model._meta.fields if f.name not in {"id"}]
        # A load or an edit stamps all its records with one time (services.mark_change).
        batch_counts = {
            (b["history_date"], b["history_type"], b["history_change_reason"]): b["n"]
            for b in historical.objects.filter(**lookup)
            .filter(history_date__gte=rows[-1].history_date)
            .values("history_date", "history_type", "history_change_reason")
            .annotate(n=Count("pk"))
        }
        # The version before each shown row: all versions of those records up to the newest shown.
        earlier: dict[int, list] = {}
        for version in historical.objects.filter(
            id__in={r.id for r in rows}, history_date__lte=rows[0].history_date
        ).order_by("history_date", "history_id"):
            earlier.setdefault(version.id, []).append(version)
        for row in rows:
            versions = earlier.get(row.id, [])
            position = next(
                (i for i, v in enumerate(versions) if v.history_id == row.history_id), 0
            )
            previous = versions[position - 1] if position > 0 else None
            changes = []
            if previous is not None and row.history_type == "~":
                for f in fields:
                    old, new = getattr(previous, f.attname), getattr(row, f.attname)
                    if old != new:
                        changes.append((str(f.verbose_name), _show(old), _show(new)))
            entries.append(
                HistoryEntry(
                    when=row.history_date,
                    who=str(row.history_user) if row.history_user else _("系统（命令行）"),
                    action=ACTION_LABELS.get(row.history_type, row.history_type),
                    record_type=str(model._meta.verbose_name),
                    record=_describe(model, row, indicators, regions),
                    reason=row.history_change_reason or "",
                    changes=changes,
                    batch_count=batch_counts.get(
                        (row.history_date, row.history_type, row.history_change_reason), 1
                    ),
                )
            )
    entries.sort(key=lambda e: e.when, reverse=True)
    return _group_bulk_entries(entries)[:limit]


def _group_bulk_entries(entries: list[HistoryEntry]) -> list[HistoryEntry]:
    """One line for the records a single load created or deleted together (a plan file makes
    180 records in the same second), so the changes that matter stay visible."""
    groups: list[list[HistoryEntry]] = []
    for entry in entries:
        last = groups[-1][-1] if groups else None
        same_batch = (
            last is not None
            and not entry.changes
            and not last.changes
            and entry.action != _("修改")
            and (last.who, last.action, last.reason) == (entry.who, entry.action, entry.reason)
            and last.when == entry.when
        )
        if same_batch:
            groups[-1].append(entry)
        else:
            groups.append([entry])
    result = []
    for group in groups:
        first = group[0]
        if len(group) > 1:
            per_type = {e.record_type: e.batch_count for e in reversed(group)}
            first.record_type = _("批量")
            first.record = "、".join(
                _("%(kind)s %(count)s 条") % {"kind": kind, "count": count}
                for kind, count in per_type.items()
            )
        result.append(first)
    return result


def _show(value) -> str:
    if value is None or value == "":
        return "—"
    if hasattr(value, "as_tuple"):
        return plain(value)
    return str(value)
