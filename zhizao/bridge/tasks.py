"""Background work of the bridge, queued by name by the apps whose records it indexes (the
cultivation app names INDEX_TITLES_TASK), so that those apps need not know the bridge."""

from zhizao.bridge.search.indexing import index_title_ids
from zhizao.core.tasks import register

INDEX_TITLES_TASK = "bridge.index_titles"


@register(INDEX_TITLES_TASK)
def index_titles(task, report) -> dict:
    """payload: {"titles": [{"title": id, "enterprise": id or null}, …]}"""
    refs = task.payload.get("titles", [])
    for ref in refs:
        index_title_ids(ref["title"], ref.get("enterprise"))
    return {"summary": f"已更新 {len(refs)} 个称号的检索文档。"}
