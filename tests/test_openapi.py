"""The committed OpenAPI schema is the one the code produces (regenerate with `make schema`)."""

import io
from pathlib import Path

from django.core.management import call_command

SCHEMA = Path(__file__).resolve().parent.parent / "openapi.yaml"


def test_committed_schema_matches_the_code():
    out = io.StringIO()
    call_command("spectacular", "--validate", stdout=out)
    assert out.getvalue() == SCHEMA.read_text(encoding="utf-8"), (
        "openapi.yaml is out of date: run `make schema` and commit it."
    )


def test_swagger_ui_is_served_offline_from_our_static_files(client):
    html = client.get("/api/docs/").content.decode()
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
