"""Keep the registry's documents in step with the titles of the cultivation app.

The cultivation app cannot call the bridge (apps import only downwards, DESIGN.md), so the bridge
listens: after a title is saved or deleted, once the transaction commits, its enterprise's and
its project's documents are rebuilt (`indexing.index_title`). The work runs after the commit, so
a rolled-back recognition leaves no trace, and `robust`, so a failure to index is logged without
undoing the recognition (`zhizao bridge reindex` repairs the index).
"""

from functools import partial

from django.db import transaction
from django.db.models.signals import post_delete, post_save


def _title_changed(sender, instance, using=None, **kwargs) -> None:
    from zhizao.bridge.search.indexing import index_title_ids

    job = partial(index_title_ids, instance.pk, instance.enterprise_id)
    transaction.on_commit(job, using=using, robust=True)


def connect() -> None:
    """Called once from the bridge app's ready()."""
    from zhizao.cultivation.models import Title

    post_save.connect(_title_changed, sender=Title, dispatch_uid="bridge-search-title-saved")
    post_delete.connect(_title_changed, sender=Title, dispatch_uid="bridge-search-title-deleted")
