"""Schema post-processing, so that the committed OpenAPI schema is the same on every database."""

# The integer ranges Django derives from the database backend (SQLite allows 64-bit integers
# where PostgreSQL's smallint and integer stop earlier); they are storage limits, not API rules.
BACKEND_INTEGER_LIMITS = {32767, 2147483647, 9223372036854775807}


def drop_backend_integer_limits(result, generator, request, public):
    _strip(result)
    return result


def _strip(node) -> None:
    if isinstance(node, dict):
        if node.get("type") == "integer" and node.get("maximum") in BACKEND_INTEGER_LIMITS:
            del node["maximum"]
            if node.get("format") == "int64":
                del node["format"]
        for value in node.values():
            _strip(value)
    elif isinstance(node, list):
        for value in node:
            _strip(value)
