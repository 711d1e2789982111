"""The default plan for a test, fast: the first test of a session (of each worker) loads it
through the service and keeps the rows the load wrote; every later test writes the same rows
back in one bulk insert per table, instead of reading, checking and comparing the plan file
again (the plan load's own tests call `load_default_plan`, not this)."""

import datetime

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection
from django.utils import timezone

from tests.plans.factories import DEFAULT_PLAN_CODE, load_default_plan
from zhizao.plans.models import Plan

_rows: list[tuple[type, list[dict]]] | None = None


def _models():
    return [m for m in apps.get_models(include_auto_created=True) if not m._meta.proxy]


def _pks(model) -> set:
    return set(model._base_manager.values_list("pk", flat=True))


def default_plan() -> Plan:
    """The default plan, as `load_default_plan` leaves it, in the test's database."""
    global _rows
    existing = Plan.objects.filter(code=DEFAULT_PLAN_CODE).first()
    if existing is not None:  # a module's shared data has it already
        return existing
    if _rows is None:
        before = {model: _pks(model) for model in _models()}
        plan = load_default_plan()
        _rows = []
        for model, known in before.items():
            written = [
                row
                for row in model._base_manager.values()
                if row[model._meta.pk.attname] not in known
            ]
            if written:
                _rows.append((model, written))
        return plan
    # Foreign keys are checked at commit (Django creates them deferrable on both databases), so
    # the tables can be filled in any order.
    # The load's history entries are dated just before this test's clock: the first load ran
    # at another test's time, perhaps a later one, and history reads newest first.
    loaded_at = timezone.now() - datetime.timedelta(seconds=1)
    for model, rows in _rows:
        dated = any(field.name == "history_date" for field in model._meta.fields)
        model._base_manager.bulk_create(
            [model(**(row | {"history_date": loaded_at} if dated else row)) for row in rows]
        )
    statements = connection.ops.sequence_reset_sql(no_style(), [model for model, _ in _rows])
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
    return Plan.objects.get(code=DEFAULT_PLAN_CODE)
