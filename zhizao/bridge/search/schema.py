"""The full-text index beside the SearchDocument table, per database vendor.

SQLite: an FTS5 table over the segmented words, with SearchDocument as its external content,
kept in step by triggers (so any write through the ORM is indexed).

PostgreSQL: a narrow side table, `bridge_searchdocument_tsv`, one row per document with what a
search reads of every matched row (scope, facet codes, date, rating) and its tsvector (title
words weighted 'A', body words 'B', the 'simple' configuration: the words are segmented already,
so no stemming or stopwords of the database's own), with a GIN index; kept in step by a trigger
on SearchDocument (rows, and TRUNCATE). A broad query visits every matched row: keeping the
documents' text out of these rows makes them a third of the size, so that they stay cached.

Migration 0002_search_index creates both; these are the same statements, for `ensure_index`
(which repairs a lost trigger: Django's SQLite schema editor drops a table's triggers when a
later migration remakes the table) and for a rebuild in bulk.
"""

from __future__ import annotations

from contextlib import contextmanager

TABLE = "bridge_searchdocument"
FTS = f"{TABLE}_fts"
THROUGH = f"{TABLE}_maintainers"

SQLITE_FTS = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS} USING fts5("
    f"title_words, body_words, content='{TABLE}', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 0')"
)
SQLITE_TRIGGERS = (
    f"CREATE TRIGGER IF NOT EXISTS {TABLE}_fts_insert AFTER INSERT ON {TABLE} BEGIN "
    f"INSERT INTO {FTS}(rowid, title_words, body_words) "
    "VALUES (new.id, new.title_words, new.body_words); END",
    f"CREATE TRIGGER IF NOT EXISTS {TABLE}_fts_delete AFTER DELETE ON {TABLE} BEGIN "
    f"INSERT INTO {FTS}({FTS}, rowid, title_words, body_words) "
    "VALUES ('delete', old.id, old.title_words, old.body_words); END",
    f"CREATE TRIGGER IF NOT EXISTS {TABLE}_fts_update AFTER UPDATE ON {TABLE} "
    "WHEN old.title_words IS NOT new.title_words OR old.body_words IS NOT new.body_words "
    "OR old.id IS NOT new.id BEGIN "
    f"INSERT INTO {FTS}({FTS}, rowid, title_words, body_words) "
    "VALUES ('delete', old.id, old.title_words, old.body_words); "
    f"INSERT INTO {FTS}(rowid, title_words, body_words) "
    "VALUES (new.id, new.title_words, new.body_words); END",
)
SQLITE_TRIGGER_NAMES = tuple(f"{TABLE}_fts_{event}" for event in ("insert", "delete", "update"))

TSV = f"{TABLE}_tsv"
VECTOR = (
    "setweight(to_tsvector('simple'::regconfig, coalesce({row}.title_words, '')), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, coalesce({row}.body_words, '')), 'B')"
)
TSV_COLUMNS = (
    "id, is_published, library, object_id, cluster_codes, subdomain_codes, region_codes, "
    "updated_at, rating, search_vector"
)


def _tsv_values(row: str) -> str:
    """The side table's values for a document row (NEW in the trigger, d when filling)."""
    plain = [f"{row}.{column}" for column in TSV_COLUMNS.split(", ")[:-1]]
    return ", ".join([*plain, VECTOR.format(row=row)])


POSTGRESQL_INDEX = (
    f"CREATE INDEX IF NOT EXISTS {TSV}_search_vector ON {TSV} USING gin (search_vector)"
)
POSTGRESQL_STATEMENTS = (
    f"CREATE TABLE IF NOT EXISTS {TSV} ("
    "id bigint PRIMARY KEY, is_published boolean NOT NULL, library varchar(12) NOT NULL, "
    "object_id bigint NOT NULL, cluster_codes varchar(400) NOT NULL, "
    "subdomain_codes varchar(200) NOT NULL, region_codes varchar(200) NOT NULL, "
    "updated_at timestamp with time zone NOT NULL, rating numeric(3, 2), "
    "search_vector tsvector NOT NULL)",
    POSTGRESQL_INDEX,
    # A bulk rebuild sets zhizao.search_bulk_load for its transaction and fills the table at once.
    f"CREATE OR REPLACE FUNCTION {TSV}_sync() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "IF coalesce(current_setting('zhizao.search_bulk_load', true), '') = 'on' THEN "
    "RETURN NULL; END IF; "
    f"IF TG_OP = 'DELETE' THEN DELETE FROM {TSV} WHERE id = OLD.id; RETURN NULL; END IF; "
    f"IF TG_OP = 'UPDATE' AND OLD.id <> NEW.id THEN DELETE FROM {TSV} WHERE id = OLD.id; END IF; "
    f"INSERT INTO {TSV} ({TSV_COLUMNS}) VALUES ({_tsv_values('NEW')}) "
    "ON CONFLICT (id) DO UPDATE SET "
    + ", ".join(f"{c} = EXCLUDED.{c}" for c in TSV_COLUMNS.split(", ")[1:])
    + "; RETURN NULL; END $$",
    f"CREATE OR REPLACE FUNCTION {TSV}_truncate() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"TRUNCATE {TSV}; RETURN NULL; END $$",
    f"DROP TRIGGER IF EXISTS {TSV}_sync ON {TABLE}",
    f"CREATE TRIGGER {TSV}_sync AFTER INSERT OR UPDATE OR DELETE ON {TABLE} "
    f"FOR EACH ROW EXECUTE FUNCTION {TSV}_sync()",
    f"DROP TRIGGER IF EXISTS {TSV}_truncate ON {TABLE}",
    f"CREATE TRIGGER {TSV}_truncate AFTER TRUNCATE ON {TABLE} "
    f"FOR EACH STATEMENT EXECUTE FUNCTION {TSV}_truncate()",
)
POSTGRESQL_FILL = f"INSERT INTO {TSV} ({TSV_COLUMNS}) SELECT {_tsv_values('d')} FROM {TABLE} AS d"


def ensure_index(connection) -> None:
    """Create the full-text index and its triggers where missing (idempotent)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(SQLITE_FTS)
            missing = _missing_triggers(cursor)
            for statement in SQLITE_TRIGGERS:
                cursor.execute(statement)
            if missing:
                cursor.execute(f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')")
        elif connection.vendor == "postgresql":
            for statement in POSTGRESQL_STATEMENTS:
                cursor.execute(statement)


def _missing_triggers(cursor) -> bool:
    cursor.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [TABLE]
    )
    return bool(set(SQLITE_TRIGGER_NAMES) - {name for (name,) in cursor.fetchall()})


def delete_all(connection) -> None:
    """Every document and its maintainers, without Django's per-row collector. On PostgreSQL
    by TRUNCATE (its trigger empties the side table too): the rebuilt tables start compact,
    where deleting would leave every old row dead beside its replacement until a vacuum; the
    price is that searches wait for the rebuild's transaction to commit."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {THROUGH}, {TABLE}")
            return
        cursor.execute(f"DELETE FROM {THROUGH}")
        cursor.execute(f"DELETE FROM {TABLE}")


@contextmanager
def bulk_load(connection):
    """Around a rewrite of many documents inside a transaction: the row triggers stand aside and
    the index is filled once at the end (much faster than row by row)."""
    ensure_index(connection)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for name in SQLITE_TRIGGER_NAMES:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        yield
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')")
            for statement in SQLITE_TRIGGERS:
                cursor.execute(statement)
    elif connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('zhizao.search_bulk_load', 'on', true)")
            cursor.execute(f"TRUNCATE {TSV}")
            cursor.execute(f"DROP INDEX IF EXISTS {TSV}_search_vector")
        yield
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {TSV}")  # whatever the rewrite's TRUNCATE left to do
            cursor.execute(POSTGRESQL_FILL)
            cursor.execute(POSTGRESQL_INDEX)  # the GIN index, built in one pass
            cursor.execute("SELECT set_config('zhizao.search_bulk_load', 'off', true)")
            # Fresh statistics: the planner must not take 100,000 rows for a handful.
            cursor.execute(f"ANALYZE {TSV}")
    else:
        yield


def after_bulk_load(connection) -> None:
    """After a rebuild has committed: on PostgreSQL, vacuum the side table once (its visibility
    map and hint bits set now rather than by the first searches). Skipped inside an outer
    transaction, where VACUUM cannot run (autovacuum follows)."""
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {TSV}")
