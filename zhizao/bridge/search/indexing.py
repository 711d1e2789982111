"""Building the search index: one SearchDocument per library entry, and per recognised
enterprise and completed transformation of the platform's own registries.

What a document holds per library (title / body; the facets are the entry's clusters,
sub-domains and the districts it serves or is in):

    standard   code + title / scope, description, status
    equipment  name / category, maker, specifications, description, 首台（套）
    software   name / category, vendor, deployment, description
    solution   title / description, provider, clusters
    provider   name / description, qualifications, clusters, districts served
    expert     name / expertise, professional title, affiliation, description, clusters
    finance    name / institution, type, eligibility, description
    case       title / description, problem, approach, results, enterprise, provider, clusters
    enterprise name / its published titles, cluster, district, town      (Title registry)
    project    project name / holder, title, year, cluster, district       (Titles of type
               transformation-completed)

A solution and a case take the rating of their provider. `index_entry` and `remove_entry` keep
one document in step (the services call them in the entry's transaction); `index_registries`
and `rebuild_index` write in bulk.
"""

from __future__ import annotations

import datetime
import os
import re
from collections import defaultdict
from dataclasses import dataclass

from django.db import connections, router, transaction
from django.utils import timezone

from zhizao.bridge.models import (
    Case,
    Equipment,
    ExpertProfile,
    FinancialProduct,
    Library,
    Provider,
    SearchDocument,
    Software,
    Solution,
    Standard,
)
from zhizao.bridge.search import schema, segmentation
from zhizao.core.models import IndustryCluster, Region

MODELS = {
    Library.STANDARD: Standard,
    Library.EQUIPMENT: Equipment,
    Library.SOFTWARE: Software,
    Library.SOLUTION: Solution,
    Library.PROVIDER: Provider,
    Library.EXPERT: ExpertProfile,
    Library.FINANCE: FinancialProduct,
    Library.CASE: Case,
}
LIBRARY_OF = {model: library for library, model in MODELS.items()}
REGISTRY_LIBRARIES = (Library.ENTERPRISE, Library.PROJECT)
# The title type whose titles are the completed transformations (项目库).
PROJECT_TITLE_TYPE = "transformation-completed"

BATCH_SIZE = 2000
# Segmenting is most of a rebuild's time: above this many documents it runs in worker processes.
PARALLEL_THRESHOLD = 20_000
_CODE = re.compile(r"[^A-Za-z0-9.\-]")


@dataclass
class Source:
    """A document before segmentation."""

    library: str
    object_id: int
    title: str
    body: str
    clusters: list[str]
    subdomains: list[str]
    regions: list[str]
    is_published: bool
    rating: object
    updated_at: datetime.datetime
    maintainers: list[int]


def _codes(values) -> str:
    """Facet codes as stored: space-separated, only characters safe in any SQL splitting."""
    codes = []
    for value in values or []:
        code = _CODE.sub("", str(value))
        if code and code not in codes:
            codes.append(code)
    return " ".join(codes)


def _join(*parts) -> str:
    return "\n".join(str(part).strip() for part in parts if part and str(part).strip())


class Related:
    """The many-to-many and foreign rows the documents of one library need, loaded in bulk
    (for every entry of the library, or for the entries `ids`)."""

    def __init__(self, model, ids=None):
        self.clusters = {c.pk: c for c in IndustryCluster.objects.all()}
        self.regions = {r.pk: r for r in Region.objects.all()}
        self.cluster_ids = _pairs(model, "clusters", ids)
        self.maintainer_ids = _pairs(model, "maintainers", ids)
        self.providers: dict[int, Provider] = {}
        self.provider_regions: dict[int, list[int]] = {}
        if model in (Provider, Solution, Case):
            if model is Provider or ids is None:
                provider_ids = ids
            else:
                rows = model.objects.filter(pk__in=ids).values_list("provider_id", flat=True)
                provider_ids = [p for p in rows if p]
            self.provider_regions = _pairs(Provider, "regions_served", provider_ids)
            providers = Provider.objects.only("id", "name", "rating")
            if provider_ids is not None:
                providers = providers.filter(pk__in=provider_ids)
            self.providers = {p.pk: p for p in providers}

    def cluster_codes(self, entry) -> list[str]:
        return [self.clusters[c].code for c in self.cluster_ids.get(entry.pk, [])]

    def cluster_names(self, entry) -> list[str]:
        return [self.clusters[c].name for c in self.cluster_ids.get(entry.pk, [])]

    def served(self, provider_id) -> list[Region]:
        return [self.regions[r] for r in self.provider_regions.get(provider_id, [])]

    def provider(self, provider_id) -> Provider | None:
        return self.providers.get(provider_id) if provider_id else None


def _pairs(model, field_name: str, ids=None) -> dict[int, list[int]]:
    """{entry id: [related ids]} of a many-to-many field, from its through table."""
    field = model._meta.get_field(field_name)
    through = field.remote_field.through
    source = through._meta.get_field(field.m2m_field_name()).attname
    target = through._meta.get_field(field.m2m_reverse_field_name()).attname
    rows = through.objects.all()
    if ids is not None:
        rows = rows.filter(**{f"{source}__in": list(ids)})
    pairs: dict[int, list[int]] = defaultdict(list)
    for left, right in rows.order_by("pk").values_list(source, target):
        pairs[left].append(right)
    return pairs


def _source(entry, related: Related) -> Source:
    """The title, body and facets of one library entry."""
    library = LIBRARY_OF[type(entry)]
    clusters = related.cluster_names(entry)
    regions: list[str] = []
    rating = None
    if isinstance(entry, Standard):
        title = f"{entry.code} {entry.title}"
        body = _join(entry.scope_text, entry.description, entry.get_standard_status_display())
    elif isinstance(entry, Equipment):
        title = entry.name
        body = _join(
            entry.category,
            entry.maker,
            entry.specifications,
            entry.description,
            "首台（套）" if entry.first_of_kind else "",
        )
    elif isinstance(entry, Software):
        title = entry.name
        body = _join(
            entry.get_category_display(),
            entry.vendor,
            entry.get_deployment_display(),
            entry.description,
        )
    elif isinstance(entry, Solution):
        provider = related.provider(entry.provider_id)
        title = entry.title
        body = _join(entry.description, provider.name if provider else "", " ".join(clusters))
        if provider is not None:
            regions = [r.code for r in related.served(provider.pk)]
            rating = provider.rating
    elif isinstance(entry, Provider):
        served = related.served(entry.pk)
        title = entry.name
        body = _join(
            entry.description,
            entry.qualifications,
            " ".join(clusters),
            " ".join(r.name for r in served),
        )
        regions = [r.code for r in served]
        rating = entry.rating
    elif isinstance(entry, ExpertProfile):
        title = entry.name
        body = _join(
            entry.expertise,
            entry.professional_title,
            entry.affiliation,
            entry.description,
            " ".join(clusters),
        )
    elif isinstance(entry, FinancialProduct):
        title = entry.name
        body = _join(
            entry.institution,
            entry.get_product_type_display(),
            entry.eligibility,
            entry.description,
        )
    elif isinstance(entry, Case):
        provider = related.provider(entry.provider_id)
        enterprise = entry.enterprise if entry.enterprise_id else None
        results = "；".join(
            f"{r.get('name', '')}{r.get('before', '')}→{r.get('after', '')}{r.get('unit', '')}"
            for r in entry.results or []
            if isinstance(r, dict)
        )
        title = entry.title
        body = _join(
            entry.description,
            entry.problem,
            entry.approach,
            results,
            enterprise.name if enterprise else entry.enterprise_name,
            provider.name if provider else "",
            " ".join(clusters),
        )
        if enterprise is not None:
            regions = [related.regions[enterprise.region_id].code]
        if provider is not None:
            rating = provider.rating
    else:  # pragma: no cover - MODELS lists every library model
        raise TypeError(f"{type(entry).__name__} is not a library entry")
    return Source(
        library=library,
        object_id=entry.pk,
        title=title,
        body=body,
        clusters=related.cluster_codes(entry),
        subdomains=list(entry.subdomains or []),
        regions=regions,
        is_published=entry.is_published,
        rating=rating,
        updated_at=entry.updated_at,
        maintainers=related.maintainer_ids.get(entry.pk, []),
    )


def _entries(model, ids=None):
    rows = model.objects.all()
    if model is Case:
        rows = rows.select_related("enterprise")
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    return rows.order_by("pk")


def _segmented(sources: list[Source]) -> list[tuple[str, str]]:
    return [(segmentation.index_text(s.title), segmentation.index_text(s.body)) for s in sources]


def _document(source: Source, words: tuple[str, str]) -> SearchDocument:
    return SearchDocument(
        library=source.library,
        object_id=source.object_id,
        title=source.title[:300],
        body=source.body,
        title_words=words[0],
        body_words=words[1],
        cluster_codes=_codes(source.clusters),
        subdomain_codes=_codes(source.subdomains),
        region_codes=_codes(source.regions),
        is_published=source.is_published,
        rating=source.rating,
        updated_at=source.updated_at,
    )


def _save_one(source: Source | None, library: str, object_id: int) -> SearchDocument | None:
    if source is None:
        remove_entry(library, object_id)
        return None
    document = _document(source, _segmented([source])[0])
    fields = {
        f.attname: getattr(document, f.attname)
        for f in SearchDocument._meta.concrete_fields
        if not f.primary_key and f.name not in ("library", "object_id")
    }
    document, _ = SearchDocument.objects.update_or_create(
        library=library, object_id=object_id, defaults=fields
    )
    document.maintainers.set(source.maintainers)
    return document


def index_entry(entry) -> SearchDocument:
    """Build or update the document of one library entry (any model of MODELS)."""
    model = type(entry)
    return _save_one(_source(entry, Related(model, ids=[entry.pk])), LIBRARY_OF[model], entry.pk)


def remove_entry(library: str, object_id: int) -> None:
    """Remove the document of an entry (deleted, or no longer to be found)."""
    SearchDocument.objects.filter(library=library, object_id=object_id).delete()


# --- the registries: recognised enterprises and completed transformations ---------------------


def _public_titles():
    from zhizao.cultivation.services import public_titles

    return public_titles().select_related(
        "title_type", "cluster", "region", "application", "enterprise__cluster"
    )


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def _project_source(title) -> Source:
    application = title.application
    cluster = title.cluster or (title.enterprise.cluster if title.enterprise_id else None)
    scenes = (application.scenes if application else None) or []
    return Source(
        library=Library.PROJECT,
        object_id=title.pk,
        title=title.project_name or f"{title.holder_name}智能化改造项目",
        body=_join(
            title.holder_name,
            f"{title.title_type.name}（{title.year}年）",
            application.summary if application else "",
            "；".join(_scene_text(scene) for scene in scenes),
            cluster.name if cluster else "",
            title.region.name,
        ),
        clusters=[cluster.code] if cluster else [],
        subdomains=[],
        regions=[title.region.code],
        is_published=True,
        rating=None,
        updated_at=_midnight(title.recognised_on),
        maintainers=[],
    )


def _scene_text(scene) -> str:
    if isinstance(scene, dict):
        return _join(scene.get("name", ""), scene.get("description", "")).replace("\n", "：")
    return str(scene)


def _enterprise_source(enterprise, held: list) -> Source:
    return Source(
        library=Library.ENTERPRISE,
        object_id=enterprise.pk,
        title=enterprise.name,
        body=_join(
            "；".join(f"{t.title_type.name}（{t.year}年）" for t in held),
            "；".join(t.project_name for t in held if t.project_name),
            enterprise.cluster.name if enterprise.cluster else "",
            enterprise.region.name,
            enterprise.town,
        ),
        clusters=[enterprise.cluster.code] if enterprise.cluster else [],
        subdomains=[],
        regions=[enterprise.region.code],
        is_published=True,
        rating=None,
        updated_at=_midnight(max(t.recognised_on for t in held)),
        maintainers=[],
    )


def _registry_sources(titles=None) -> list[Source]:
    """Sources of the enterprises holding a public title (published, not revoked) and of the
    completed transformations among those titles. Registry documents are public and
    maintained by nobody: they are the published record."""
    from zhizao.enterprises.models import Enterprise

    titles = _public_titles() if titles is None else titles
    by_enterprise: dict[int, list] = defaultdict(list)
    sources = []
    for title in titles.order_by("recognised_on", "pk"):
        if title.enterprise_id:
            by_enterprise[title.enterprise_id].append(title)
        if title.title_type.code == PROJECT_TITLE_TYPE:
            sources.append(_project_source(title))
    enterprises = Enterprise.objects.filter(pk__in=list(by_enterprise))
    for enterprise in enterprises.select_related("region", "cluster").order_by("pk"):
        sources.append(_enterprise_source(enterprise, by_enterprise[enterprise.pk]))
    return sources


def index_registries() -> dict[str, int]:
    """Replace the documents of the enterprise and project libraries by the registry's
    present state. Returns the number of documents per library."""
    sources = _registry_sources()
    with transaction.atomic(using=router.db_for_write(SearchDocument)):
        SearchDocument.objects.filter(library__in=REGISTRY_LIBRARIES).delete()
        _write(sources)
    return _counts(sources)


def index_title(title) -> None:
    """Keep the documents of one title's enterprise and project in step (after a title is
    recognised, published, revoked or deleted)."""
    index_title_ids(title.pk, title.enterprise_id)


def index_title_ids(title_id: int, enterprise_id: int | None) -> None:
    if enterprise_id:
        held = list(
            _public_titles()
            .filter(enterprise_id=enterprise_id)
            .select_related("enterprise__region", "enterprise__cluster")
            .order_by("recognised_on", "pk")
        )
        source = _enterprise_source(held[0].enterprise, held) if held else None
        _save_one(source, Library.ENTERPRISE, enterprise_id)
    public = _public_titles().filter(pk=title_id, title_type__code=PROJECT_TITLE_TYPE).first()
    _save_one(_project_source(public) if public else None, Library.PROJECT, title_id)


# --- everything, in bulk -------------------------------------------------------------------


def _library_sources() -> list[Source]:
    sources = []
    for model in MODELS.values():
        related = Related(model)
        sources.extend(_source(entry, related) for entry in _entries(model).iterator(5000))
    return sources


def _segment_all(sources: list[Source], workers: int | None) -> list[tuple[str, str]]:
    """Segment every source, in worker processes when there are many (jieba is pure Python)."""
    if workers is None:
        workers = min(os.cpu_count() or 1, 8) if len(sources) >= PARALLEL_THRESHOLD else 1
    texts = [(s.title, s.body) for s in sources]
    if workers <= 1:
        return [(segmentation.index_text(t), segmentation.index_text(b)) for t, b in texts]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # Forked workers inherit the initialised tokenizer and touch no database connection.
    segmentation.tokenizer()
    context = multiprocessing.get_context("fork")
    chunks = [texts[i : i + BATCH_SIZE] for i in range(0, len(texts), BATCH_SIZE)]
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return [words for chunk in pool.map(_segment_chunk, chunks) for words in chunk]


def _segment_chunk(texts: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(segmentation.index_text(t), segmentation.index_text(b)) for t, b in texts]


def _write(sources: list[Source], words: list[tuple[str, str]] | None = None) -> None:
    """Insert the documents and their maintainers with plain multi-row statements (a rebuild
    writes 100,000 documents: building ORM objects for them would cost more than the writing).
    Called inside a transaction; ids are taken from the table's own sequence."""
    if words is None:
        words = _segmented(sources)
    connection = connections[router.db_for_write(SearchDocument)]
    ids = _reserve_ids(connection, len(sources))
    fields = SearchDocument._meta.concrete_fields
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    through = SearchDocument.maintainers.through._meta
    links_sql = (
        f"INSERT INTO {through.db_table} ({through.get_field('searchdocument').column}, "
        f"{through.get_field('user').column}) VALUES (%s, %s)"
    )
    with connection.cursor() as cursor:
        for start in range(0, len(sources), BATCH_SIZE):
            rows, links = [], []
            for offset, source in enumerate(sources[start : start + BATCH_SIZE]):
                document = _document(source, words[start + offset])
                document.pk = ids[start + offset]
                rows.append(
                    [f.get_db_prep_save(getattr(document, f.attname), connection) for f in fields]
                )
                links.extend((document.pk, user_id) for user_id in source.maintainers)
            cursor.executemany(
                f"INSERT INTO {SearchDocument._meta.db_table} ({columns}) VALUES ({marks})", rows
            )
            if links:
                cursor.executemany(links_sql, links)


def _reserve_ids(connection, count: int) -> list[int]:
    table = SearchDocument._meta.db_table
    if count == 0:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [pk for (pk,) in cursor.fetchall()]
        # SQLite: the transaction holds the database's write lock, so nobody else takes ids.
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        last = cursor.fetchone()[0]
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        last = max(last, row[0] if row else 0)
    return list(range(last + 1, last + 1 + count))


def _counts(sources: list[Source]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for source in sources:
        counts[source.library] += 1
    return dict(counts)


def rebuild_index(*, workers: int | None = None) -> dict[str, int]:
    """Rebuild every document from the libraries and registries, in one transaction (on
    SQLite searches see the old index until it commits; on PostgreSQL they wait for the
    commit). Segmentation, most of the work, runs before the transaction, in `workers`
    processes (default: the CPUs, from 20,000 documents up). Returns the number of documents
    per library."""
    sources = _library_sources() + _registry_sources()
    words = _segment_all(sources, workers)
    alias = router.db_for_write(SearchDocument)
    connection = connections[alias]
    with transaction.atomic(using=alias), schema.bulk_load(connection):
        schema.delete_all(connection)
        _write(sources, words)
    schema.after_bulk_load(connection)
    return _counts(sources)
