# The full-text index of the bridge's search (docs/adr/0006-bridge-search.md), per vendor:
# SQLite FTS5 over the segmented words, SearchDocument as its external content, kept in step by
# triggers; PostgreSQL a narrow side table (scope, facets, date, rating and the tsvector: title
# 'A', body 'B') with a GIN index, kept in step by a trigger on SearchDocument.
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
    "CREATE TABLE IF NOT EXISTS bridge_searchdocument_tsv (id bigint PRIMARY KEY, "
    "is_published boolean NOT NULL, library varchar(12) NOT NULL, object_id bigint NOT NULL, "
    "cluster_codes varchar(400) NOT NULL, subdomain_codes varchar(200) NOT NULL, region_codes"
    " varchar(200) NOT NULL, updated_at timestamp with time zone NOT NULL, rating numeric(3, "
    "2), search_vector tsvector NOT NULL)",
    "CREATE INDEX IF NOT EXISTS bridge_searchdocument_tsv_search_vector ON "
    "bridge_searchdocument_tsv USING gin (search_vector)",
    "CREATE OR REPLACE FUNCTION bridge_searchdocument_tsv_sync() RETURNS trigger LANGUAGE "
    "plpgsql AS $$ BEGIN IF coalesce(current_setting('zhizao.search_bulk_load', true), '') = "
    "'on' THEN RETURN NULL; END IF; IF TG_OP = 'DELETE' THEN DELETE FROM "
    "bridge_searchdocument_tsv WHERE id = OLD.id; RETURN NULL; END IF; IF TG_OP = 'UPDATE' "
    "AND OLD.id <> NEW.id THEN DELETE FROM bridge_searchdocument_tsv WHERE id = OLD.id; END "
    "IF; INSERT INTO bridge_searchdocument_tsv (id, is_published, library, object_id, "
    "cluster_codes, subdomain_codes, region_codes, updated_at, rating, search_vector) VALUES "
    "(NEW.id, NEW.is_published, NEW.library, NEW.object_id, NEW.cluster_codes, "
    "NEW.subdomain_codes, NEW.region_codes, NEW.updated_at, NEW.rating, "
    "setweight(to_tsvector('simple'::regconfig, coalesce(NEW.title_words, '')), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, coalesce(NEW.body_words, '')), 'B')) ON "
    "CONFLICT (id) DO UPDATE SET is_published = EXCLUDED.is_published, library = "
    "EXCLUDED.library, object_id = EXCLUDED.object_id, cluster_codes = "
    "EXCLUDED.cluster_codes, subdomain_codes = EXCLUDED.subdomain_codes, region_codes = "
    "EXCLUDED.region_codes, updated_at = EXCLUDED.updated_at, rating = EXCLUDED.rating, "
    "search_vector = EXCLUDED.search_vector; RETURN NULL; END $$",
    "CREATE OR REPLACE FUNCTION bridge_searchdocument_tsv_truncate() RETURNS trigger LANGUAGE"
    " plpgsql AS $$ BEGIN TRUNCATE bridge_searchdocument_tsv; RETURN NULL; END $$",
    "DROP TRIGGER IF EXISTS bridge_searchdocument_tsv_sync ON bridge_searchdocument",
    "CREATE TRIGGER bridge_searchdocument_tsv_sync AFTER INSERT OR UPDATE OR DELETE ON "
    "bridge_searchdocument FOR EACH ROW EXECUTE FUNCTION bridge_searchdocument_tsv_sync()",
    "DROP TRIGGER IF EXISTS bridge_searchdocument_tsv_truncate ON bridge_searchdocument",
    "CREATE TRIGGER bridge_searchdocument_tsv_truncate AFTER TRUNCATE ON "
    "bridge_searchdocument FOR EACH STATEMENT EXECUTE FUNCTION "
    "bridge_searchdocument_tsv_truncate()",
    "INSERT INTO bridge_searchdocument_tsv (id, is_published, library, object_id, "
    "cluster_codes, subdomain_codes, region_codes, updated_at, rating, search_vector) SELECT "
    "d.id, d.is_published, d.library, d.object_id, d.cluster_codes, d.subdomain_codes, "
    "d.region_codes, d.updated_at, d.rating, setweight(to_tsvector('simple'::regconfig, "
    "coalesce(d.title_words, '')), 'A') || setweight(to_tsvector('simple'::regconfig, "
    "coalesce(d.body_words, '')), 'B') FROM bridge_searchdocument AS d",
]
POSTGRESQL_BACKWARD = [
    "DROP TRIGGER IF EXISTS bridge_searchdocument_tsv_sync ON bridge_searchdocument",
    "DROP TRIGGER IF EXISTS bridge_searchdocument_tsv_truncate ON bridge_searchdocument",
    "DROP FUNCTION IF EXISTS bridge_searchdocument_tsv_sync()",
    "DROP FUNCTION IF EXISTS bridge_searchdocument_tsv_truncate()",
    "DROP TABLE IF EXISTS bridge_searchdocument_tsv",
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
