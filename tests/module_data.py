"""Data made once for a module's tests: written inside a transaction that is rolled back when the
module is done. Each test still takes `db` and gets a savepoint of its own inside it, so what a
test changes is undone before the next one (SQLite and PostgreSQL alike)."""

import contextlib

import time_machine
from django.core.cache import cache
from django.db import transaction
from django.test.utils import override_settings

from tests.clock import TODAY

FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@contextlib.contextmanager
def rolled_back(django_db_blocker, **settings):
    """Database access for a module-scoped fixture; everything written is rolled back at the end.
    The data is made on the tests' TODAY; passwords use a fast hasher; `settings` are overridden
    for the duration."""
    with (
        time_machine.travel(TODAY, tick=True),
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHER, **settings),
    ):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            cache.clear()
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            cache.clear()
