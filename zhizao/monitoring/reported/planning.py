"""Planning the writes of checked values: which stored values they touch, and what writing
each one would create, change or leave alone. check_values runs it to count the outcomes in
the preview; apply_values runs it again inside its transaction, against the locked rows."""

from dataclasses import dataclass, field
from decimal import Decimal

from zhizao.core.models import Region
from zhizao.monitoring.models import ReportedStatus, ReportedValue
from zhizao.plans.models import Indicator


@dataclass(slots=True)
class ValueEntry:
    """One row parsed: the value it states for an indicator, region and period."""

    row: int
    indicator: Indicator
    region: Region
    year: int
    quarter: int
    value: Decimal
    note: str | None  # None when the file has no note column: the stored note is kept

    @property
    def key(self) -> tuple[int, int, int, int]:
        return (self.indicator.pk, self.region.pk, self.year, self.quarter)


def _existing(entries: list[ValueEntry], *, lock: bool = False) -> dict[tuple, ReportedValue]:
    """The stored values the entries touch, in one query (the file's indicators × regions ×
    years, narrowed to its keys in Python)."""
    if not entries:
        return {}
    keys = {e.key for e in entries}
    found = ReportedValue.objects.filter(
        indicator_id__in={e.indicator.pk for e in entries},
        region_id__in={e.region.pk for e in entries},
        year__in={e.year for e in entries},
    )
    if lock:
        found = found.select_for_update()
    result = {}
    for stored in found:
        key = (stored.indicator_id, stored.region_id, stored.year, stored.quarter)
        if key in keys:
            result[key] = stored
    return result


@dataclass
class _Writes:
    outcomes: dict[int, str] = field(default_factory=dict)
    new: list[ReportedValue] = field(default_factory=list)
    changed: list[tuple[ReportedValue, tuple[str, ...]]] = field(default_factory=list)
    recompute_years: set[int] = field(default_factory=set)


def _actor(user):
    return user if getattr(user, "is_authenticated", False) else None


def _plan_writes(entries, existing: dict, user, approve: bool) -> _Writes:
    """What writing the entries changes. A new value is submitted, or approved with `approve`;
    a changed value of an approved one goes back to submitted unless `approve`."""
    actor = _actor(user)
    writes = _Writes()
    for entry in entries:
        stored = existing.get(entry.key)
        note = entry.note if entry.note is not None else (stored.note if stored else "")
        if stored is None:
            status = ReportedStatus.APPROVED if approve else ReportedStatus.SUBMITTED
            writes.new.append(
                ReportedValue(
                    indicator=entry.indicator,
                    region=entry.region,
                    year=entry.year,
                    quarter=entry.quarter,
                    value=entry.value,
                    note=note,
                    status=status,
                    reported_by=actor,
                    approved_by=actor if approve else None,
                )
            )
            writes.outcomes[entry.row] = "created"
            if approve:
                writes.recompute_years.add(entry.year)
            continue
        was_approved = stored.status == ReportedStatus.APPROVED
        value_changed = stored.value != entry.value
        changes: dict = {}
        if value_changed:
            changes["value"] = entry.value
            changes["reported_by"] = actor
        if stored.note != note:
            changes["note"] = note
        if approve and not was_approved:
            changes["status"] = ReportedStatus.APPROVED
            changes["approved_by"] = actor
        elif not approve and was_approved and value_changed:
            changes["status"] = ReportedStatus.SUBMITTED
            changes["approved_by"] = None
        if not changes:
            writes.outcomes[entry.row] = "unchanged"
            continue
        now_approved = changes.get("status", stored.status) == ReportedStatus.APPROVED
        if was_approved != now_approved or (now_approved and value_changed):
            writes.recompute_years.add(entry.year)
        for name, new in changes.items():
            setattr(stored, name, new)
        writes.changed.append((stored, tuple(sorted(changes))))
        writes.outcomes[entry.row] = "updated"
    return writes
