"""新智造鹊桥 search: one search box over every library (docs/adr/0006-bridge-search.md).

    from zhizao.bridge.search import search
    results = search("印染 MES", user=request.user, libraries=["solution"], limit=20)
    results.total, results.hits[0].score, results.hits[0].snippet_html, results.facets["cluster"]

Keeping the index in step: `index_entry(entry)` / `remove_entry(library, object_id)` for one
library entry, `index_title(title)` for a title of the registry, `index_registries()` and
`rebuild_index()` in bulk.
"""

from zhizao.bridge.search.backends import Hit, SearchResults, search
from zhizao.bridge.search.indexing import (
    index_entry,
    index_registries,
    index_title,
    rebuild_index,
    remove_entry,
)

__all__ = [
    "Hit",
    "SearchResults",
    "index_entry",
    "index_registries",
    "index_title",
    "rebuild_index",
    "remove_entry",
    "search",
]
