# The full-text index of the bridge's search (docs/adr/0006-bridge-search.md), per vendor:
# SQLite FTS5 over the segmented words, SearchDocument as its external content, kept in step by
# triggers; PostgreSQL a stored generated tsvector column (title 'A', body 'B') with a GIN index.
# zhizao/bridge/search/schema.py holds the same statements for repairs and bulk rebuilds.

from django.db import migrations

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS bridge_searchdocument_fts USING fts5("
    "title_words, body_words, content='bridge_searchdocument', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER IF NOT EXISTS bridge_searchdocument_fts_insert AFTER INSERT ON "
    "bridge_searchdocument BEGIN "
    "INSERT INTO bridge_searchdocument_fts(rowid, title_words, body_words) "
    "VALUES (new.id, new.title_words, new.body_words); END",
    "CREATE TRIGGER IF NOT EXISTS bridge_searchdocument_fts_delete AFTER DELETE ON "
    "bridge_searchdocument BEGIN "
    "INSERT INTO bridge_searchdocument_fts(bridge_searchdocument_fts, rowid, title_words, "
    "body_words) VALUES ('delete', old.id, old.title_words, old.body_words); END",
    "CREATE TRIGGER IF NOT EXISTS bridge_searchdocument_fts_update AFTER UPDATE ON "
    "bridge_searchdocument WHEN old.title_words IS NOT new.title_words "
    "OR old.body_words IS NOT new.body_words OR old.id IS NOT new.id BEGIN "
    "INSERT INTO bridge_searchdocument_fts(bridge_searchdocument_fts, rowid, title_words, "
    "body_words) VALUES ('delete', old.id, old.title_words, old.body_words); "
    "INSERT INTO bridge_searchdocument_fts(rowid, title_words, body_words) "
    "VALUES (new.id, new.title_words, new.body_words); END",
    "INSERT INTO bridge_searchdocument_fts(bridge_searchdocument_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS bridge_searchdocument_fts_insert",
    "DROP TRIGGER IF EXISTS bridge_searchdocument_fts_delete",
    "DROP TRIGGER IF EXISTS bridge_searchdocument_fts_update",
    "DROP TABLE IF EXISTS bridge_searchdocument_fts",
]
POSTGRESQL_FORWARD = [
    "ALTER TABLE bridge_searchdocument ADD COLUMN IF NOT EXISTS search_vector tsvector "
    "GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple'::regconfig, coalesce(title_words, '')), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, coalesce(body_words, '')), 'B')) STORED",
    "CREATE INDEX IF NOT EXISTS bridge_searchdocument_search_vector ON bridge_searchdocument "
    "USING gin (search_vector)",
]
POSTGRESQL_BACKWARD = [
    "DROP INDEX IF EXISTS bridge_searchdocument_search_vector",
    "ALTER TABLE bridge_searchdocument DROP COLUMN IF EXISTS search_vector",
]


def _run(statements):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        for statement in statements.get(vendor, []):
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("bridge", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRESQL_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRESQL_BACKWARD}),
        ),
    ]
