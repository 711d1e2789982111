"""Small factories for 新智造鹊桥: an entry of each library, provider and expert users who
maintain them, needs and matches.

Entries are created straight in the database (no service, no search indexing) and are
**published** unless `status` says otherwise; `clusters` takes cluster names or codes,
`maintainers` the users who maintain the entry. Load the plan first (the `plan` fixture) so
that the clusters and regions exist.
"""

import itertools
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from tests.accounts.factories import make_user
from tests.enterprises.factories import make_enterprise
from zhizao.bridge.models import (
    Case,
    EntryStatus,
    Equipment,
    ExpertProfile,
    FinanceType,
    FinancialProduct,
    Library,
    Match,
    MatchStatus,
    Need,
    NeedStatus,
    Provider,
    Software,
    SoftwareCategory,
    Solution,
    Standard,
)
from zhizao.core.models import IndustryCluster, Region
from zhizao.core.roles import Role

_serial = itertools.count(1)


def _cluster(name_or_code: str) -> IndustryCluster:
    return IndustryCluster.objects.get(Q(name=name_or_code) | Q(code=name_or_code))


def _entry(model, fields: dict, clusters=None, maintainers=None, status=EntryStatus.PUBLISHED):
    """Save one entry with its many-to-many fields; published entries get a published_at."""
    fields.setdefault("status", status)
    if fields["status"] == EntryStatus.PUBLISHED:
        fields.setdefault("published_at", timezone.now())
    entry = model.objects.create(**fields)
    if clusters:
        entry.clusters.set([_cluster(c) for c in clusters])
    if maintainers:
        entry.maintainers.set(maintainers)
    return entry


def make_provider_user(region: str | None = None, **fields):
    return make_user(
        Role.PROVIDER, region, full_name=fields.pop("full_name", "服务商用户"), **fields
    )


def make_expert_user(**fields):
    return make_user(
        Role.EXPERT, full_name=fields.pop("full_name", f"专家{next(_serial)}"), **fields
    )


def make_standard(code: str | None = None, clusters=None, maintainers=None, **fields) -> Standard:
    number = next(_serial)
    fields.setdefault("title", f"智能制造 测试标准{number}")
    return _entry(
        Standard, {"code": code or f"GB/T {39000 + number}-2020", **fields}, clusters, maintainers
    )


def make_equipment(name: str | None = None, clusters=None, maintainers=None, **fields) -> Equipment:
    number = next(_serial)
    fields.setdefault("maker", f"测试装备{number}有限公司")
    fields.setdefault("category", "工业机器人")
    return _entry(Equipment, {"name": name or f"测试装备{number}", **fields}, clusters, maintainers)


def make_software(name: str | None = None, clusters=None, maintainers=None, **fields) -> Software:
    number = next(_serial)
    fields.setdefault("category", SoftwareCategory.MES)
    fields.setdefault("vendor", f"测试软件{number}有限公司")
    return _entry(Software, {"name": name or f"测试软件{number}", **fields}, clusters, maintainers)


def make_provider(
    name: str | None = None, clusters=None, maintainers=None, regions=None, **fields
) -> Provider:
    """A provider; `regions` are the names of the districts it serves."""
    provider = _entry(
        Provider,
        {"name": name or f"测试服务商{next(_serial)}有限公司", **fields},
        clusters,
        maintainers,
    )
    if regions:
        provider.regions_served.set(Region.objects.filter(name__in=regions))
    return provider


def make_solution(
    title: str | None = None,
    provider: Provider | None = None,
    clusters=None,
    maintainers=None,
    **fields,
) -> Solution:
    """A solution; its maintainers default to the provider's."""
    if provider is not None and maintainers is None:
        maintainers = list(provider.maintainers.all())
    return _entry(
        Solution,
        {"title": title or f"测试解决方案{next(_serial)}", "provider": provider, **fields},
        clusters,
        maintainers,
    )


def make_expert_profile(
    name: str | None = None, user=None, clusters=None, maintainers=None, **fields
) -> ExpertProfile:
    """An expert's profile; when it has a user, that user maintains it."""
    if user is not None and maintainers is None:
        maintainers = [user]
    fields.setdefault("expertise", "智能制造系统集成")
    return _entry(
        ExpertProfile,
        {"name": name or f"专家{next(_serial)}", "user": user, **fields},
        clusters,
        maintainers,
    )


def make_financial_product(
    name: str | None = None, clusters=None, maintainers=None, **fields
) -> FinancialProduct:
    number = next(_serial)
    fields.setdefault("institution", "测试银行绍兴分行")
    fields.setdefault("product_type", FinanceType.LOAN)
    fields.setdefault("rate_min", Decimal("3.200"))
    fields.setdefault("rate_max", Decimal("4.500"))
    return _entry(
        FinancialProduct, {"name": name or f"智改贷{number}号", **fields}, clusters, maintainers
    )


def make_case(
    title: str | None = None,
    provider: Provider | None = None,
    clusters=None,
    maintainers=None,
    **fields,
) -> Case:
    """A case; its maintainers default to the provider's."""
    if provider is not None and maintainers is None:
        maintainers = list(provider.maintainers.all())
    return _entry(
        Case,
        {"title": title or f"测试案例{next(_serial)}", "provider": provider, **fields},
        clusters,
        maintainers,
    )


def make_need(enterprise=None, cluster: str | None = None, **fields) -> Need:
    """An open need of `enterprise` (a new enterprise in 越城区 by default)."""
    enterprise = enterprise or make_enterprise()
    return Need.objects.create(
        enterprise=enterprise,
        region=fields.pop("region", enterprise.region),
        title=fields.pop("title", f"测试需求{next(_serial)}"),
        description=fields.pop("description", "希望建设MES系统，实现生产过程透明化。"),
        cluster=_cluster(cluster) if cluster else enterprise.cluster,
        status=fields.pop("status", NeedStatus.OPEN),
        **fields,
    )


def make_match(need: Need | None = None, entry=None, responders=None, **fields) -> Match:
    """A match of `need` with `entry` (a new published solution by default)."""
    need = need or make_need()
    entry = entry or make_solution()
    library = fields.pop("library", LIBRARY_OF[type(entry)])
    match = Match.objects.create(
        need=need,
        library=library,
        object_id=entry.pk,
        title=fields.pop("title", str(entry)),
        score=fields.pop("score", Decimal("0.8000")),
        status=fields.pop("status", MatchStatus.RECOMMENDED),
        **fields,
    )
    if responders is None:
        responders = list(entry.maintainers.all())
    if responders:
        match.responders.set(responders)
    return match


LIBRARY_OF = {
    Standard: Library.STANDARD,
    Equipment: Library.EQUIPMENT,
    Software: Library.SOFTWARE,
    Provider: Library.PROVIDER,
    Solution: Library.SOLUTION,
    ExpertProfile: Library.EXPERT,
    FinancialProduct: Library.FINANCE,
    Case: Library.CASE,
}
