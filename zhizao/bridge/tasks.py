"""Background work of the bridge, queued by name by the apps whose records it indexes (the
cultivation app names INDEX_TITLES_TASK), so that those apps need not know the bridge."""

from django.utils.translation import gettext as _

from zhizao.bridge.models import Need
from zhizao.bridge.needs import MATCH_NEED_TASK, match_need, need_url
from zhizao.bridge.search.indexing import index_title_ids
from zhizao.bridge.services import BridgeError
from zhizao.core.tasks import TaskFailed, register

INDEX_TITLES_TASK = "bridge.index_titles"


@register(INDEX_TITLES_TASK)
def index_titles(task, report) -> dict:
    """payload: {"titles": [{"title": id, "enterprise": id or null}, …]}"""
    refs = task.payload.get("titles", [])
    for ref in refs:
        index_title_ids(ref["title"], ref.get("enterprise"))
    return {"summary": f"已更新 {len(refs)} 个称号的检索文档。"}


@register(MATCH_NEED_TASK)
def match_need_task(task, report) -> dict:
    """payload: {"need": id}; the one who asked (the task's creator) is the match's actor."""
    need = Need.objects.filter(pk=task.payload.get("need")).first()
    if need is None:
        raise TaskFailed(_("需求已不存在。"))
    report(10, _("正在匹配资源…"))
    try:
        matches = match_need(need, user=task.created_by)
    except BridgeError as exc:
        raise TaskFailed(str(exc)) from None
    return {
        "summary": _("平台为您匹配了 %(count)s 项资源。") % {"count": len(matches)},
        "matches": len(matches),
        "next_url": need_url(need),
    }
