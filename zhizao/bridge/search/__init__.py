"""新智造鹊桥 search: one search box over every library (docs/adr/0006-bridge-search.md).

    from zhizao.bridge.search import search
    results = search("印染 MES", user=request.user, libraries=["solution"], limit=20)
    results.total, results.hits[0].score, results.hits[0].snippet_html, results.facets["cluster"]

Keeping the index in step: `index_entry(entry)` / `remove_entry(library, object_id)` for one
library entry, `index_title(title)` for a title of the registry, `index_registries()` and
`rebuild_index()` in bulk.
"""

# Imported on first use, so that `segmentation` (no Django) loads alone in worker processes.
_EXPORTS = {
    "Hit": "backends",
    "SearchResults": "backends",
    "search": "backends",
    "index_entry": "indexing",
    "index_registries": "indexing",
    "index_title": "indexing",
    "rebuild_index": "indexing",
    "remove_entry": "indexing",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    globals()[name] = value
    return value
