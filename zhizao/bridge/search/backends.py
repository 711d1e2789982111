"""One search interface, two backends: SQLite FTS5 (the embedded default) and PostgreSQL full-text
search (production), chosen by the connection's vendor. docs/adr/0006-bridge-search.md says why.

A search is two SQL statements on either backend: the facet counts and total of the matched set,
then the ranked page of hits. Both statements narrow to what the user may see inside the SQL, by
the same rule as `scope_queryset` (ENTRY scope: published, or maintained by the user; the city
admin sees everything). Snippets are made in Python from the hits' original text.

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

    def split_codes(self, column: str) -> tuple[str, str]:
        """(FROM item splitting m.column into rows, the column holding one code)."""
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

    def facet_counts(self, groups, any_group, user, chosen) -> tuple[int, dict]:
        """The total and, per facet, the counts of the matched set under the other facets'
        filters (so that choosing a library still shows how many the other libraries have)."""
        from_sql, where_sql, where_params, _, _ = self.match(groups, any_group)
        scope, scope_params = scope_sql(user)
        conditions = self.filters("m", chosen)
        matched = (
            f"WITH m AS MATERIALIZED (SELECT d.library, d.cluster_codes, d.subdomain_codes, "
            f"d.region_codes {from_sql} WHERE {where_sql} AND {scope}) "
        )
        sql = []
        params = [*where_params, *scope_params]
        condition, condition_params = self._and(conditions)
        sql.append(f"SELECT 'total', '', COUNT(*) FROM m WHERE {condition}")
        params += condition_params
        condition, condition_params = self._and(conditions, skip="library")
        sql.append(
            f"SELECT 'library', m.library, COUNT(*) FROM m WHERE {condition} GROUP BY m.library"
        )
        params += condition_params
        for facet, column in CODE_COLUMNS.items():
            split, code = self.split_codes(column)
            condition, condition_params = self._and(conditions, skip=facet)
            sql.append(
                f"SELECT '{facet}', {code}, COUNT(*) FROM m, {split} "
                f"WHERE m.{column} <> '' AND {condition} GROUP BY {code}"
            )
            params += condition_params
        total, facets = 0, {facet: {} for facet in FACETS}
        with self.connection.cursor() as cursor:
            cursor.execute(matched + " UNION ALL ".join(sql), params)
            for facet, code, count in cursor.fetchall():
                if facet == "total":
                    total = count
                elif code:
                    facets[facet][code] = count
        for facet in FACETS:
            facets[facet] = dict(
                sorted(facets[facet].items(), key=lambda item: (-item[1], item[0]))
            )
        return total, facets

    def ranked(self, groups, any_group, user, chosen, limit, offset, now) -> list[tuple]:
        """(id, library, object_id, title, body, score) of the page, best first."""
        from_sql, where_sql, where_params, text, text_params = self.match(groups, any_group)
        scope, scope_params = scope_sql(user)
        condition, condition_params = self._and(self.filters("d", chosen))
        freshness, freshness_params = self.freshness(now)
        quality = f"COALESCE(CAST(d.rating AS {self.float_type}), {NEUTRAL_RATING}) / 5.0"
        sql = (
            "SELECT s.id, d.library, d.object_id, d.title, d.body, s.score FROM ("
            " SELECT x.id, x.library, x.object_id,"
            "  (CASE WHEN x.best > 0 THEN x.t / x.best ELSE 1.0 END)"
            f"  * ({RELEVANCE_FLOOR} + {FRESHNESS_WEIGHT} * x.fresh + {QUALITY_WEIGHT} * x.quality)"
            "  AS score"
            " FROM (SELECT y.*, MAX(y.t) OVER () AS best FROM ("
            f"  SELECT d.id, d.library, d.object_id, {text} AS t, {freshness} AS fresh,"
            f"  {quality} AS quality {from_sql}"
            f"  WHERE {where_sql} AND {scope} AND {condition}"
            " ) AS y) AS x"
            " ORDER BY score DESC, x.library, x.object_id LIMIT %s OFFSET %s"
            f") AS s JOIN {self.table} AS d ON d.id = s.id"
            " ORDER BY s.score DESC, d.library, d.object_id"
        )
        params = [
            *text_params,
            *freshness_params,
            *where_params,
            *scope_params,
            *condition_params,
            limit,
            offset,
        ]
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
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

    def split_codes(self, column):
        return f"""json_each('["' || replace(m.{column}, ' ', '","') || '"]') AS c""", "c.value"


class PostgreSQLBackend(Backend):
    """A stored generated tsvector column (title 'A', body 'B', 'simple' configuration over the
    segmented words) with a GIN index (migration 0002_search_index): ts_rank_cd()."""

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
        return f"FROM {self.table} AS d", f"d.search_vector @@ {query}", params, text, params

    def freshness(self, now):
        return (
            "1.0 / (1.0 + GREATEST(CAST(EXTRACT(EPOCH FROM (%s - d.updated_at)) AS DOUBLE "
            f"PRECISION), 0.0) / 86400.0 / {FRESHNESS_DAYS})",
            [now],
        )

    def split_codes(self, column):
        return f"unnest(string_to_array(m.{column}, ' ')) AS c(code)", "c.code"


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

    Every word of the query (or one of its synonyms) must occur; when no entry has them all,
    entries with any of them are returned instead, ranked, and `relaxed` is set. Facet filters
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
    total, facets = backend.facet_counts(groups, False, user, chosen)
    if total == 0 and len(groups) > 1:
        relaxed = True
        total, facets = backend.facet_counts(groups, True, user, chosen)
    results = SearchResults(
        total=total, facets=facets, terms=[[list(a) for a in g] for g in groups], relaxed=relaxed
    )
    if total == 0 or offset >= total:
        return results
    terms = segmentation.highlight_terms(groups)
    for _, library, object_id, title, body, score in backend.ranked(
        groups, relaxed, user, chosen, limit, offset, now
    ):
        results.hits.append(
            Hit(
                library=library,
                object_id=object_id,
                title=title,
                snippet_html=snippets.snippet(body, terms),
                score=round(float(score), 6),
                title_html=snippets.highlight(title, terms),
            )
        )
    return results
