"""The full-text index beside the SearchDocument table, per database vendor.

SQLite: an FTS5 table over the segmented words, with SearchDocument as its external content,
kept in step by triggers (so any write through the ORM is indexed). PostgreSQL: a stored
generated tsvector column (title words weighted 'A', body words 'B', the 'simple' configuration:
the words are segmented already, so no stemming or stopwords of the database's own) with a GIN
index. Migration 0002_search_index creates both; these are the same statements, for
`ensure_index` (which repairs a lost trigger: Django's SQLite schema editor drops a table's
triggers when a later migration remakes the table) and for a rebuild in bulk.
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

POSTGRESQL_VECTOR = (
    f"ALTER TABLE {TABLE} ADD COLUMN IF NOT EXISTS search_vector tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple'::regconfig, coalesce(title_words, '')), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, coalesce(body_words, '')), 'B')) STORED"
)
POSTGRESQL_INDEX = (
    f"CREATE INDEX IF NOT EXISTS {TABLE}_search_vector ON {TABLE} USING gin (search_vector)"
)


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
            cursor.execute(POSTGRESQL_VECTOR)
            cursor.execute(POSTGRESQL_INDEX)


def _missing_triggers(cursor) -> bool:
    cursor.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [TABLE]
    )
    return bool(set(SQLITE_TRIGGER_NAMES) - {name for (name,) in cursor.fetchall()})


def delete_all(connection) -> None:
    """Every document and its maintainers, without Django's per-row collector."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {THROUGH}")
        cursor.execute(f"DELETE FROM {TABLE}")


@contextmanager
def bulk_load(connection):
    """Around a rewrite of many documents inside a transaction: on SQLite the triggers are
    dropped and the FTS index rebuilt once at the end (much faster than row by row)."""
    ensure_index(connection)
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        for name in SQLITE_TRIGGER_NAMES:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
    yield
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')")
        for statement in SQLITE_TRIGGERS:
            cursor.execute(statement)
