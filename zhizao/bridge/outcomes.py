"""对接成效: how far the needs got, by district, cluster and month, and the contract value signed.

A need counts once in each column it reached: posted (every need but drafts), matched (it has at
least one match), signed (a match of it signed or delivered), delivered (a match of it
delivered); the contract value adds the contract values of its signed and delivered matches
(万元). The month is the month the need was posted (Asia/Shanghai), so that a row follows the
needs of one month through the steps. Each breakdown is one grouped query over the needs the
user may see (`scope_queryset`): a district officer sees its own district."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhizao.bridge.models import MatchStatus, Need, NeedStatus
from zhizao.core.models import IndustryCluster, Region, RegionLevel
from zhizao.core.scoping import scope_queryset

SIGNED = (MatchStatus.SIGNED, MatchStatus.DELIVERED)
NO_CLUSTER = _("未分集群")


@dataclass
class OutcomeRow:
    key: str  # a region code, a cluster code, "2025-03", or "" for the total
    label: str
    posted: int = 0
    matched: int = 0
    signed: int = 0
    delivered: int = 0
    contract_value: Decimal = field(default_factory=lambda: Decimal("0.00"))

    @property
    def signing_rate(self) -> Decimal | None:
        """Signed needs per posted need, in %."""
        if not self.posted:
            return None
        return (Decimal(self.signed) * 100 / self.posted).quantize(Decimal("0.1"))


@dataclass
class Outcomes:
    total: OutcomeRow
    by_district: list[OutcomeRow]
    by_cluster: list[OutcomeRow]
    by_month: list[OutcomeRow]


def _counted(needs, group: str | None):
    rows = needs.values(group) if group else needs
    counts = {
        "posted": Count("id", distinct=True),
        "matched": Count("id", distinct=True, filter=Q(matches__isnull=False)),
        "signed": Count("id", distinct=True, filter=Q(matches__status__in=SIGNED)),
        "delivered": Count("id", distinct=True, filter=Q(matches__status=MatchStatus.DELIVERED)),
        "value": Sum("matches__contract_value", filter=Q(matches__status__in=SIGNED)),
    }
    if group:
        return list(rows.annotate(**counts).order_by(group))
    return [rows.aggregate(**counts)]


def _row(key: str, label: str, counts: dict) -> OutcomeRow:
    return OutcomeRow(
        key=key,
        label=label,
        posted=counts["posted"],
        matched=counts["matched"],
        signed=counts["signed"],
        delivered=counts["delivered"],
        contract_value=(counts["value"] or Decimal(0)).quantize(Decimal("0.01")),
    )


def _add(into: OutcomeRow, counts: dict) -> None:
    into.posted += counts["posted"]
    into.matched += counts["matched"]
    into.signed += counts["signed"]
    into.delivered += counts["delivered"]
    into.contract_value += (counts["value"] or Decimal(0)).quantize(Decimal("0.01"))


def _district_of(region: Region, districts: dict[str, Region]) -> Region:
    """The county-level region a region lies in (itself for a district, the city for itself)."""
    for code in region.path.strip("/").split("/"):
        if code in districts:
            return districts[code]
    return region


def outcomes(user, *, since: datetime.date | None = None, until: datetime.date | None = None):
    """对接成效 of the needs `user` may see, posted between `since` and `until` (inclusive)."""
    visible = scope_queryset(user, Need.objects.all()).values("pk")
    needs = Need.objects.filter(pk__in=visible).exclude(status=NeedStatus.DRAFT)
    tz = timezone.get_default_timezone()
    if since is not None:
        start = datetime.datetime.combine(since, datetime.time.min, tzinfo=tz)
        needs = needs.filter(created_at__gte=start)
    if until is not None:
        end = datetime.datetime.combine(until + datetime.timedelta(days=1), datetime.time.min)
        needs = needs.filter(created_at__lt=end.replace(tzinfo=tz))

    total = _row("", _("合计"), _counted(needs, None)[0])

    regions = {r.pk: r for r in Region.objects.all()}
    districts = {r.code: r for r in regions.values() if r.level == RegionLevel.COUNTY}
    by_district: dict[str, OutcomeRow] = {}
    for counts in _counted(needs, "region_id"):
        district = _district_of(regions[counts["region_id"]], districts)
        row = by_district.setdefault(district.code, OutcomeRow(district.code, district.name))
        _add(row, counts)
    order = {r.code: (r.sort_order, r.code) for r in regions.values()}
    district_rows = sorted(by_district.values(), key=lambda row: order[row.key])

    clusters = {c.pk: c for c in IndustryCluster.objects.all()}
    cluster_rows = []
    for counts in _counted(needs, "cluster_id"):
        cluster = clusters.get(counts["cluster_id"])
        key, label = (cluster.code, cluster.name) if cluster else ("", NO_CLUSTER)
        cluster_rows.append(_row(key, label, counts))
    rank = {c.code: (c.sort_order, c.code) for c in clusters.values()}
    cluster_rows.sort(key=lambda row: rank.get(row.key, (10**9, "")))

    month_rows = []
    by_month = needs.annotate(month=TruncMonth("created_at", tzinfo=tz))
    for counts in _counted(by_month, "month"):
        month = counts["month"]
        label = f"{month:%Y-%m}" if month else ""
        month_rows.append(_row(label, label, counts))

    return Outcomes(
        total=total, by_district=district_rows, by_cluster=cluster_rows, by_month=month_rows
    )
