"""Small factories for users of each role."""

import itertools

from zhizao.accounts.models import User
from zhizao.core.models import Region
from zhizao.core.roles import Role

_serial = itertools.count(1)
PASSWORD = "test-password-123"


def make_user(role: Role = Role.ENTERPRISE, region: str | None = None, **fields) -> User:
    user = User(
        username=fields.pop("username", f"{role.value}-{next(_serial)}"),
        role=role,
        region=Region.objects.get(name=region) if region else None,
        **fields,
    )
    user.set_password(PASSWORD)
    user.save()
    return user


def make_city_admin(**fields) -> User:
    return make_user(Role.CITY_ADMIN, **fields)


def make_district_officer(region: str = "越城区", **fields) -> User:
    return make_user(Role.DISTRICT, region, **fields)
