"""core services: keeping the region tree and the industry clusters in step with a plan file."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from django.db import models

from zhizao.core.models import IndustryCluster, Region, RegionLevel


@dataclass(frozen=True)
class RegionNode:
    """One node of a region tree as a plan file states it."""

    code: str
    name: str
    children: tuple["RegionNode", ...] = ()


@dataclass(frozen=True)
class ClusterSpec:
    code: str
    name: str


@dataclass
class ChangeCounts:
    """How many records a load created, updated, deleted or left as they were."""

    counts: Counter = field(default_factory=Counter)

    def add(self, outcome: str) -> None:
        self.counts[outcome] += 1

    def merge(self, other: "ChangeCounts") -> None:
        self.counts.update(other.counts)

    @property
    def changed(self) -> bool:
        return any(self.counts[k] for k in ("created", "updated", "deleted"))


def mark_change(obj: models.Model, reason: str, stamp: datetime | None = None) -> None:
    """What the next history entry of `obj` records besides the user: why, and when."""
    obj._change_reason = reason
    if stamp is not None:
        obj._history_date = stamp


def upsert(
    model: type[models.Model],
    lookup: dict,
    values: dict,
    *,
    existing: models.Model | None = None,
    reason: str = "",
    stamp: datetime | None = None,
) -> tuple[models.Model, str]:
    """Create or update one row, saving only when a value differs so that history stays truthful.
    `stamp` dates the history entry, so that every record one load writes shares one time.

    Returns the row and "created", "updated" or "unchanged".
    """
    obj = existing
    if obj is None:
        obj = model._default_manager.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        mark_change(obj, reason, stamp)
        obj.save()
        return obj, "created"
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if not changed:
        return obj, "unchanged"
    for name in changed:
        setattr(obj, name, values[name])
    mark_change(obj, reason, stamp)
    obj.save()
    return obj, "updated"


def sync_region_tree(
    root: RegionNode, *, reason: str = "", stamp: datetime | None = None
) -> tuple[Region, ChangeCounts]:
    """Create or update the city's region tree; regions are never deleted here, since later
    records (enterprises, reports) refer to them."""
    counts = ChangeCounts()
    existing = {r.code: r for r in Region.objects.all()}
    order = 0

    def visit(node: RegionNode, parent: Region | None, depth: int) -> Region:
        nonlocal order
        order += 1
        path = f"{parent.path if parent else '/'}{node.code}/"
        level = [RegionLevel.CITY, RegionLevel.COUNTY, RegionLevel.TOWN][min(depth, 2)]
        region, outcome = upsert(
            Region,
            {"code": node.code},
            {
                "name": node.name,
                "parent_id": parent.pk if parent else None,
                "path": path,
                "level": level,
                "sort_order": order,
            },
            existing=existing.get(node.code),
            reason=reason,
            stamp=stamp,
        )
        counts.add(outcome)
        for child in node.children:
            visit(child, region, depth + 1)
        return region

    return visit(root, None, 0), counts


def sync_clusters(
    clusters: list[ClusterSpec], *, reason: str = "", stamp: datetime | None = None
) -> ChangeCounts:
    counts = ChangeCounts()
    existing = {c.code: c for c in IndustryCluster.objects.all()}
    for order, spec in enumerate(clusters, start=1):
        _, outcome = upsert(
            IndustryCluster,
            {"code": spec.code},
            {"name": spec.name, "sort_order": order},
            existing=existing.get(spec.code),
            reason=reason,
            stamp=stamp,
        )
        counts.add(outcome)
    return counts
