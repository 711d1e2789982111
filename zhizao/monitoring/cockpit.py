"""The city's first screen (驾驶舱) and the districts' ranking, as data for the pages, the
workbooks and the API: who is behind, on what, and by how much.

Everything here reads the figures through the services (`cached_plan_progress` per region and
`district_ranking`), each cached per state of the figures (`values_stamp`), so a page costs a
fixed number of queries whatever the number of indicators, districts or enterprises."""

from django.core.cache import cache
from django.urls import reverse

from zhizao.core.access import may_view_ranking
from zhizao.core.models import Region
from zhizao.core.numbers import shortfall_text
from zhizao.monitoring.goals import TargetBasis
from zhizao.monitoring.services import (
    cached_plan_progress,
    district_ranking,
    values_stamp,
    visible_regions,
)
from zhizao.plans.models import Plan

# The order a row's statuses are counted and shown in, worst first.
STATUS_ORDER = ("red", "amber", "green", "no_data", "no_target")
# Cell colours of the grid and the workbooks (Bootstrap's subtle backgrounds).
STATUS_FILLS = {
    "green": "D1E7DD",
    "amber": "FFF3CD",
    "red": "F8D7DA",
    "no_data": "E9ECEF",
    "no_target": "FFFFFF",
}


def cached_ranking(plan: Plan, year: int, stamp: str | None = None) -> dict:
    """`district_ranking` over every district, as the city sees it, cached per state of the
    figures: the ranking is published in the 通报, so it is the same for every viewer."""
    stamp = stamp or values_stamp(plan)
    key = f"monitoring:ranking:{plan.pk}:{year}:{stamp}"
    ranking = cache.get(key)
    if ranking is None:
        ranking = district_ranking(plan, year)
        cache.set(key, ranking, timeout=3600)
    return ranking


def counts_of(rows: list[dict]) -> dict[str, int]:
    """How many indicators of a region's progress rows are in each status."""
    return {key: sum(1 for r in rows if r["status"] == key) for key in STATUS_ORDER}


def _place(ranking: dict) -> dict[int, tuple]:
    """{district pk: (composite place, mean rank)} of a `district_ranking`."""
    return {d.pk: (place, score) for d, score, place in ranking["composite"]}


def _cell(row: dict, region: Region, year: int) -> dict:
    """One grid cell: the region's standing on one indicator, with where to drill down."""
    number = row["no"]
    return {
        "no": number,
        "status": row["status"],
        "actual": row["actual"],
        "unit": row["unit"],
        "name": row["name"],
        "progress": row["five_year_progress"],
        "schedule": row["schedule"],
        "at_risk": row["at_risk"],
        "year_target": row["year_target"],
        "gap": shortfall_text(row.get("gap"), row["unit"]),
        "derived": row.get("target_basis") == TargetBasis.DERIVED,
        "reached": bool(row.get("reached")),
        "url": f"{reverse('monitoring:indicator_rows', args=[number])}"
        f"?region={region.code}&year={year}",
    }


def _severity(cell: dict) -> tuple:
    """Red before amber before green before no data; within a status, furthest behind first."""
    behind = (cell["progress"] or 0) - (cell["schedule"] or 0)
    return (STATUS_ORDER.index(cell["status"]), behind, cell["no"])


def cockpit(plan: Plan, year: int, user) -> dict:
    """The 驾驶舱 of `year`: the city's counts by status, and one row per district the viewer may
    see (the city admin: all; a district officer: its own), each with its counts, its composite
    place among all districts and a cell per indicator; rows worst first (most red, then most
    amber, then the lower place). `behind`: the red cells furthest behind their schedule;
    `key`: the cache key these figures are kept under (a page may keep its HTML beside it)."""
    regions = visible_regions(user, plan)
    stamp = values_stamp(plan)
    # The same for every viewer who may see the same regions: cached per state of the figures.
    key = f"monitoring:cockpit:{plan.pk}:{year}:{stamp}:{','.join(str(r.pk) for r in regions)}"
    data = cache.get(key)
    if data is None:
        data = {**_cockpit(plan, year, regions, stamp), "key": key}
        cache.set(key, data, timeout=3600)
    return data


def _cockpit(plan: Plan, year: int, regions: list[Region], stamp: str) -> dict:
    ranking = cached_ranking(plan, year, stamp)
    places = _place(ranking)
    city = next((r for r in regions if r.pk == plan.region_id), None)
    districts = [r for r in regions if r.parent_id == plan.region_id]
    rows = []
    for district in districts:
        progress = cached_plan_progress(plan, year, district, None)
        counts = counts_of(progress)
        place, score = places.get(district.pk, (None, None))
        cells = [_cell(row, district, year) for row in progress]
        rows.append(
            {
                "region": district,
                "counts": counts,
                "place": place,
                "score": score,
                "cells": cells,
                # The district's indicators worst first, for a list on a phone.
                "worst_first": sorted(cells, key=_severity),
            }
        )
    rows.sort(key=lambda r: (-r["counts"]["red"], -r["counts"]["amber"], r["place"] or 99))
    indicators = [(c["no"], c["name"], c["unit"]) for c in rows[0]["cells"]] if rows else []
    city_rows = cached_plan_progress(plan, year, city, None) if city else []
    behind = sorted(
        (
            {**cell, "region": row["region"]}
            for row in rows
            for cell in row["cells"]
            if cell["status"] == "red"
        ),
        key=_severity,
    )
    return {
        "city": city,
        "city_counts": counts_of(city_rows) if city else None,
        "city_cells": [_cell(row, city, year) for row in city_rows],
        "rows": rows,
        "indicators": indicators,
        "behind": behind[:8],
        "districts_ranked": sum(1 for p, _ in places.values() if p is not None),
    }


def ranking_table(plan: Plan, year: int) -> dict:
    """The ranking as the ranking page, its workbook and the API give it: the districts in order
    of their composite place, each with its mean rank and, per indicator that ranks districts,
    its five-year progress, its rank and its status. Unplaced districts come last."""
    stamp = values_stamp(plan)
    ranking = cached_ranking(plan, year, stamp)
    districts = ranking["districts"]
    progress = {d.pk: cached_plan_progress(plan, year, d, None) for d in districts}
    ranked = [row["indicator"] for row in ranking["rows"]]
    status = {(d.pk, row["no"]): row["status"] for d in districts for row in progress[d.pk]}
    entries = []
    for position, (district, score, place) in enumerate(ranking["composite"]):
        cells = []
        for row in ranking["rows"]:
            value, rank = row["cells"][position]
            number = row["indicator"].number
            cells.append(
                {
                    "no": number,
                    "progress": value,
                    "rank": rank,
                    "status": status.get((district.pk, number), "no_data"),
                }
            )
        entries.append({"region": district, "place": place, "score": score, "cells": cells})
    entries.sort(key=lambda e: (e["place"] is None, e["place"] or 0, e["region"].sort_order))
    return {"indicators": ranked, "entries": entries, "of": len(districts)}


def standing(plan: Plan, year: int, district: Region) -> dict | None:
    """A district's place among all districts and its counts by status, for its landing page;
    None for a region that is not one of the plan's districts."""
    if district is None or district.parent_id != plan.region_id:
        return None
    ranking = cached_ranking(plan, year)
    place, score = _place(ranking).get(district.pk, (None, None))
    progress = cached_plan_progress(plan, year, district, None)
    return {
        "region": district,
        "year": year,
        "place": place,
        "score": score,
        "of": len(ranking["districts"]),
        "counts": counts_of(progress),
    }


def can_see_ranking(user) -> bool:
    """The city admin and the district officers: the ranking is published in the 通报. The
    menu asks the same predicate (core.access)."""
    return may_view_ranking(user)
