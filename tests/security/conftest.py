import pytest

from tests.module_data import rolled_back
from tests.security.world import World, build_world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> World:
    """The matrix's users and the other side's records, made once for the module."""
    with rolled_back(django_db_blocker):
        yield build_world()
