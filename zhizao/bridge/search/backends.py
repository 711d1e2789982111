"""One search interface, two backends: SQLite FTS5 (the embedded default) and PostgreSQL full-text
search (production), chosen by the connection's vendor. docs/adr/0006-bridge-search.md says why.

A search is one SQL statement on either backend: the matched set is materialised once (text
match, scope, score parts), and the total, the facet counts and the ranked page of hits are read
from it. It narrows to what the user may see inside the SQL, by the same rule as
`scope_queryset` (ENTRY scope: published, or maintained by the user; the city admin sees
everything). Snippets are made in Python from the hits' original text.

Ranking, the same formula on both backends (all in SQL, so that ORDER BY … LIMIT pages):

    relevance = text / max(text over the matched set)            in (0, 1]
    freshness = 1 / (1 + days since updated_at / 365)            1 today, 1/2 after a year
    quality   = rating / 5, or 3/5 when unrated                  in [0, 1]
    score     = relevance × (0.70 + 0.20 × freshness + 0.10 × quality)

where `text` is the backend's own text score: −bm25() with the title weighted 10 and the body 1
on SQLite; ts_rank_cd() with the title 'A' weighted 1.0 and the body 'B' 0.1, normalised by the
log of the document's length, on PostgreSQL. Recency and rating can take at most 30 % off a
document's relevance, so a title match stays above a body-only match of the same words, and
among equally relevant entries the fresh and well rated come first.

The maintained libraries' entries (solutions, equipment, software, providers, cases, standards,
experts, financial products) come before the registry records (titled enterprises and completed
transformation projects: thousands of them, generated from the platform's own records), whatever
their scores: hits are ordered by (registry record or not, score). A search for 数字孪生 then
shows the two products first and the 830 projects that mention it after them; the library facet
still counts both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.core.exceptions import ImproperlyConfigured
from django.db import connections, router
from django.utils import timezone

from zhizao.bridge.models import SearchDocument
from zhizao.bridge.search import segmentation, snippets
from zhizao.core.roles import is_city_admin

FACETS = ("library", "cluster", "subdomain", "region")
# The multi-valued facets: space-separated codes in one column.
CODE_COLUMNS = {
    "cluster": "cluster_codes",
    "subdomain": "subdomain_codes",
    "region": "region_codes",
}

TITLE_WEIGHT = 10.0  # SQLite bm25() column weight of the title (the body's is 1)
PG_WEIGHTS = (0.0, 0.0, 0.1, 1.0)  # ts_rank_cd weights of D, C, B (body), A (title)
PG_NORMALIZATION = 1  # ts_rank_cd: divide by 1 + log(document length)
RELEVANCE_FLOOR = 0.70
FRESHNESS_WEIGHT = 0.20
QUALITY_WEIGHT = 0.10
FRESHNESS_DAYS = 365.0
NEUTRAL_RATING = 3.0
MAX_LIMIT = 100
MMAP_BYTES = 256 * 1024 * 1024
# Registry records (indexing.REGISTRY_LIBRARIES) are ordered after every library entry.
REGISTRY_CODES = ("enterprise", "project")


def registry_sql(alias: str) -> str:
    """1 for a registry record, 0 for a library entry: the first key of the order of hits."""
    codes = ", ".join(f"'{code}'" for code in REGISTRY_CODES)
    return f"CASE WHEN {alias}.library IN ({codes}) THEN 1 ELSE 0 END"


def hit_order(row) -> tuple:
    """The order of rows (id, library, object_id, title, body, score): library entries first,
    then the best score, then library and id for a stable order."""
    return (row[1] in REGISTRY_CODES, -row[5], row[1], row[2])


@dataclass(frozen=True)
class Hit:
    library: str
    object_id: int
    title: str
    snippet_html: str
    score: float
    title_html: str = ""


@dataclass
class SearchResults:
    total: int
    hits: list[Hit] = field(default_factory=list)
    facets: dict[str, dict[str, int]] = field(default_factory=lambda: {f: {} for f in FACETS})
    # The query's words with their synonyms, as searched: [[["mes"], ["制造执行系统"]], …].
    terms: list = field(default_factory=list)
    # True when no entry had every word and the results are those with any of them.
    relaxed: bool = False


def adjustment(updated_at: datetime, rating, now: datetime | None = None) -> float:
    """The recency and rating factor of the ranking formula, in Python (the SQL's reference)."""
    now = now or timezone.now()
    days = max((now - updated_at).total_seconds() / 86400.0, 0.0)
    freshness = 1.0 / (1.0 + days / FRESHNESS_DAYS)
    quality = float(rating if rating is not None else NEUTRAL_RATING) / 5.0
    return RELEVANCE_FLOOR + FRESHNESS_WEIGHT * freshness + QUALITY_WEIGHT * quality


def scope_sql(user, alias: str = "d") -> tuple[str, list]:
    """The SQL condition equivalent to `scope_queryset(user, SearchDocument.objects…)`."""
    if is_city_admin(user):
        return "1=1", []
    if user is None or not user.is_authenticated:
        return f"{alias}.is_published = %s", [True]
    through = SearchDocument.maintainers.through._meta
    document_column = through.get_field("searchdocument").column
    user_column = through.get_field("user").column
    return (
        f"({alias}.is_published = %s OR {alias}.id IN "
        f"(SELECT {document_column} FROM {through.db_table} WHERE {user_column} = %s))",
        [True, user.pk],
    )


class Backend:
    vendor = ""
    float_type = "REAL"
    position_function = ""

    def __init__(self, connection):
        self.connection = connection
        self.table = SearchDocument._meta.db_table

    # --- what the backends differ in -----------------------------------------------------

    def match(self, groups, any_group: bool) -> tuple[str, str, list, str, list]:
        """(FROM clause, WHERE condition, its params, text score expression, its params)."""
        raise NotImplementedError

    def freshness(self, now: datetime) -> tuple[str, list]:
        raise NotImplementedError

    # --- shared ------------------------------------------------------------------------------

    def contains_code(self, column: str, code: str) -> tuple[str, list]:
        return f"{self.position_function}(' ' || {column} || ' ', %s) > 0", [f" {code} "]

    def filters(self, alias: str, chosen: dict[str, list[str]]) -> dict[str, tuple[str, list]]:
        """A condition per chosen facet: any of its codes (OR within a facet)."""
        conditions = {}
        for facet, codes in chosen.items():
            if not codes:
                continue
            if facet == "library":
                marks = ", ".join(["%s"] * len(codes))
                conditions[facet] = (f"{alias}.library IN ({marks})", list(codes))
                continue
            parts, params = [], []
            for code in codes:
                sql, code_params = self.contains_code(f"{alias}.{CODE_COLUMNS[facet]}", code)
                parts.append(sql)
                params += code_params
            conditions[facet] = ("(" + " OR ".join(parts) + ")", params)
        return conditions

    @staticmethod
    def _and(conditions, skip: str | None = None) -> tuple[str, list]:
        parts, params = [], []
        for facet, (sql, condition_params) in conditions.items():
            if facet != skip:
                parts.append(sql)
                params += condition_params
        return (" AND ".join(parts) or "1=1"), params

    def _scored(self, groups, any_group, user, now) -> tuple[str, list]:
        """SELECT of the matched set visible to the user, with the parts of the score."""
        from_sql, where_sql, where_params, text, text_params = self.match(groups, any_group)
        scope, scope_params = scope_sql(user)
        freshness, freshness_params = self.freshness(now)
        quality = f"COALESCE(CAST(d.rating AS {self.float_type}), {NEUTRAL_RATING}) / 5.0"
        sql = (
            "SELECT d.id, d.library, d.object_id, d.cluster_codes, d.subdomain_codes,"
            f" d.region_codes, {text} AS t, {freshness} AS fresh, {quality} AS quality"
            f" {from_sql} WHERE {where_sql} AND {scope}"
        )
        return sql, [*text_params, *freshness_params, *where_params, *scope_params]

    SCORE = (
        "COALESCE({m}.t / NULLIF({best}, 0), 1.0)"
        f" * ({RELEVANCE_FLOOR} + {FRESHNESS_WEIGHT} * {{m}}.fresh"
        f" + {QUALITY_WEIGHT} * {{m}}.quality)"
    )

    def run(self, groups, any_group, user, chosen, limit, offset, now):
        """One statement: the total, the facet counts and the page of hits.

        Returns (total, facets, rows, matched): rows (id, library, object_id, title, body,
        score) best first, and `matched` the count before the facet filters. Each facet counts
        the matched set under the other facets' filters, so that choosing a library still shows
        how many the other libraries have. The multi-valued facets are grouped by their stored
        code lists in SQL; the few distinct lists are split into codes here."""
        matched_sql, params = self._scored(groups, any_group, user, now)
        conditions = self.filters("m", chosen)
        every, every_params = self._and(conditions)
        # Typed NULLs: PostgreSQL resolves the columns of a UNION branch by branch.
        nulls = f"CAST(NULL AS {self.float_type}), CAST(NULL AS BIGINT), NULL, NULL"
        branches = [
            f"SELECT 'total', CAST(NULL AS TEXT), COUNT(*), {nulls} FROM m WHERE {every}",
            f"SELECT 'matched', NULL, COUNT(*), {nulls} FROM m",
        ]
        params += every_params
        for facet in FACETS:
            column = "library" if facet == "library" else CODE_COLUMNS[facet]
            condition, condition_params = self._and(conditions, skip=facet)
            branches.append(
                f"SELECT '{facet}', m.{column}, COUNT(*), {nulls} FROM m"
                f" WHERE m.{column} <> '' AND {condition} GROUP BY m.{column}"
            )
            params += condition_params
        # The best text score as a scalar subquery: evaluated once (a join to it may be
        # planned as a nested loop that recomputes it for every row).
        best_condition, best_params = self._and(self.filters("b", chosen))
        best = f"(SELECT MAX(b.t) FROM m AS b WHERE {best_condition})"
        score = self.SCORE.format(best=best, m="h")
        on_page, on_page_params = self._and(self.filters("h", chosen))
        branches.append(
            "SELECT 'hit', d.library, d.object_id, p.score, p.id, d.title, d.body FROM ("
            f" SELECT h.id, {score} AS score, {registry_sql('h')} AS registry,"
            f" h.library, h.object_id FROM m AS h WHERE {on_page}"
            " ORDER BY registry, score DESC, h.library, h.object_id LIMIT %s OFFSET %s"
            f") AS p JOIN {self.table} AS d ON d.id = p.id"
        )
        params += [*best_params, *on_page_params, limit, offset]
        sql = f"WITH m AS MATERIALIZED ({matched_sql}) " + " UNION ALL ".join(branches)
        total, matched, facets, rows = 0, 0, {facet: {} for facet in FACETS}, []
        with self.connection.cursor() as cursor:
            self.prepare(cursor)
            cursor.execute(sql, params)
            for kind, code, count, score, pk, title, body in cursor.fetchall():
                if kind == "total":
                    total = count
                elif kind == "matched":
                    matched = count
                elif kind == "hit":
                    rows.append((pk, code, count, title, body, float(score)))
                elif kind == "library":
                    facets[kind][code] = count
                else:
                    for single in code.split():
                        facets[kind][single] = facets[kind].get(single, 0) + count
        rows.sort(key=hit_order)
        for facet in FACETS:
            facets[facet] = dict(sorted(facets[facet].items(), key=lambda i: (-i[1], i[0])))
        return total, facets, rows, matched

    def prepare(self, cursor) -> None:
        """Per-connection settings a search wants (none by default)."""

    def ranked(self, groups, any_group, user, chosen, limit, offset, now) -> list[tuple]:
        """(id, library, object_id, title, body, score) of a page, best first, without the
        facets (matching uses this: one statement)."""
        matched_sql, params = self._scored(groups, any_group, user, now)
        every, every_params = self._and(self.filters("y", chosen))
        score = self.SCORE.format(best="m.best", m="m")
        sql = (
            "SELECT p.id, d.library, d.object_id, d.title, d.body, p.score FROM ("
            f" SELECT m.id, m.library, m.object_id, {score} AS score,"
            f" {registry_sql('m')} AS registry FROM ("
            f"  SELECT y.*, MAX(y.t) OVER () AS best FROM ({matched_sql}) AS y"
            f"  WHERE {every}"
            " ) AS m ORDER BY registry, score DESC, m.library, m.object_id LIMIT %s OFFSET %s"
            f") AS p JOIN {self.table} AS d ON d.id = p.id"
            " ORDER BY p.registry, p.score DESC, d.library, d.object_id"
        )
        with self.connection.cursor() as cursor:
            self.prepare(cursor)
            cursor.execute(sql, [*params, *every_params, limit, offset])
            return cursor.fetchall()


class SQLiteBackend(Backend):
    """FTS5 over an external-content table kept in step by triggers (migration
    0002_search_index): bm25() with column weights."""

    vendor = "sqlite"
    float_type = "REAL"
    position_function = "instr"

    @property
    def fts(self) -> str:
        return f"{self.table}_fts"

    @staticmethod
    def fts_query(groups, any_group: bool) -> str:
        def phrase(word: str) -> str:
            return '"' + word.replace('"', '""') + '"'

        parts = []
        for group in groups:
            alternatives = ["(" + " AND ".join(phrase(w) for w in alt) + ")" for alt in group]
            parts.append("(" + " OR ".join(alternatives) + ")")
        return (" OR " if any_group else " AND ").join(parts)

    def match(self, groups, any_group):
        # CROSS JOIN keeps the FTS5 match the outer loop: left to itself, the planner may walk
        # the is_published index and test the match row by row.
        from_sql = f"FROM {self.fts} CROSS JOIN {self.table} AS d ON d.id = {self.fts}.rowid"
        where_sql = f"{self.fts} MATCH %s"
        text = f"-bm25({self.fts}, {TITLE_WEIGHT}, 1.0)"
        return from_sql, where_sql, [self.fts_query(groups, any_group)], text, []

    def freshness(self, now):
        # Django keeps SQLite datetimes as UTC text, which julianday() reads.
        now_text = timezone.make_naive(now, UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        return (
            f"1.0 / (1.0 + MAX(julianday(%s) - julianday(d.updated_at), 0.0) / {FRESHNESS_DAYS})",
            [now_text],
        )

    def prepare(self, cursor) -> None:
        # Memory-mapped reads: a broad query visits thousands of documents' rows at random, and
        # SQLite's own page cache (2 MB by default) would read each page through a system call.
        raw = self.connection.connection
        if getattr(self.connection, "_search_prepared", None) is not raw:
            raw.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
            self.connection._search_prepared = raw


class PostgreSQLBackend(Backend):
    """The narrow side table bridge_searchdocument_tsv (scope, facets, date, rating and the
    tsvector: title 'A', body 'B', 'simple' configuration over the segmented words) with a GIN
    index, kept in step by a trigger (migration 0002_search_index): ts_rank_cd()."""

    vendor = "postgresql"
    float_type = "DOUBLE PRECISION"
    position_function = "strpos"

    @staticmethod
    def tsquery(groups, any_group: bool) -> tuple[str, list]:
        # plainto_tsquery takes the words as a bound parameter: no query syntax to escape.
        parts, params = [], []
        for group in groups:
            alternatives = []
            for alternative in group:
                alternatives.append("plainto_tsquery('simple', %s)")
                params.append(" ".join(alternative))
            parts.append("(" + " || ".join(alternatives) + ")")
        return "(" + (" || " if any_group else " && ").join(parts) + ")", params

    def match(self, groups, any_group):
        query, params = self.tsquery(groups, any_group)
        weights = ", ".join(str(w) for w in PG_WEIGHTS)
        text = f"ts_rank_cd(ARRAY[{weights}]::real[], d.search_vector, {query}, {PG_NORMALIZATION})"
        return f"FROM {self.table}_tsv AS d", f"d.search_vector @@ {query}", params, text, params

    def freshness(self, now):
        return (
            "1.0 / (1.0 + GREATEST(CAST(EXTRACT(EPOCH FROM (%s - d.updated_at)) AS DOUBLE "
            f"PRECISION), 0.0) / 86400.0 / {FRESHNESS_DAYS})",
            [now],
        )


BACKENDS = {backend.vendor: backend for backend in (SQLiteBackend, PostgreSQLBackend)}


def backend_for(using: str | None = None) -> Backend:
    alias = using or router.db_for_read(SearchDocument)
    connection = connections[alias]
    try:
        return BACKENDS[connection.vendor](connection)
    except KeyError:
        raise ImproperlyConfigured(
            f"Search supports SQLite and PostgreSQL, not {connection.vendor}."
        ) from None


def _codes(values) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    return [str(v).strip() for v in values if str(v).strip()]


def search(
    query: str,
    *,
    user=None,
    libraries=None,
    clusters=None,
    subdomains=None,
    regions=None,
    limit: int = 20,
    offset: int = 0,
    now: datetime | None = None,
    using: str | None = None,
) -> SearchResults:
    """Search every library for `query`, as `user` may see them (None: anonymous).

    Every word of the query (or one of its synonyms) must occur; when no visible entry has them
    all, entries with any of them are returned instead, ranked, and `relaxed` is set. Facet filters
    take codes: libraries ("solution"…), clusters ("textile"…), subdomains ("PO"…), regions
    ("330602"…); several codes of one facet mean any of them. An empty query, or one of
    stopwords and punctuation only, finds nothing.
    """
    groups = segmentation.query_groups(query or "")
    if not groups:
        return SearchResults(total=0)
    chosen = {
        "library": _codes(libraries),
        "cluster": _codes(clusters),
        "subdomain": _codes(subdomains),
        "region": _codes(regions),
    }
    limit = max(1, min(int(limit), MAX_LIMIT))
    offset = max(0, int(offset))
    now = now or timezone.now()
    backend = backend_for(using)
    relaxed = False
    total, facets, rows, matched = backend.run(groups, False, user, chosen, limit, offset, now)
    if matched == 0 and len(groups) > 1:
        # No entry has every word (when the words match but the filters exclude them, the
        # filters are what to change, not the words).
        relaxed = True
        total, facets, rows, _ = backend.run(groups, True, user, chosen, limit, offset, now)
    results = SearchResults(
        total=total, facets=facets, terms=[[list(a) for a in g] for g in groups], relaxed=relaxed
    )
    terms = segmentation.highlight_terms(groups)
    for _, library, object_id, title, body, score in rows:
        results.hits.append(
            Hit(
                library=library,
                object_id=object_id,
                title=title,
                snippet_html=snippets.snippet(body, terms),
                score=round(score, 6),
                title_html=snippets.highlight(title, terms),
            )
        )
    return results
