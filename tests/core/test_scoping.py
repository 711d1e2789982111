"""The one scoping function: every model declares its Scope, and each role sees what it should."""

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from rest_framework.authtoken.models import Token

from tests.accounts.factories import make_user
from zhizao.core.models import Region
from zhizao.core.roles import Role
from zhizao.core.scoping import Scope, scope_queryset
from zhizao.plans.models import Indicator, RegionTarget


def project_models():
    return [
        m
        for m in apps.get_models()
        if m.__module__.startswith("zhizao.") and not m.__name__.startswith("Historical")
    ]


def test_every_project_model_declares_a_scope():
    missing = [
        m.__name__ for m in project_models() if not isinstance(getattr(m, "scope", None), Scope)
    ]
    assert missing == []


def test_a_model_without_a_scope_cannot_be_queried_through_scoping(city_admin):
    # given a model that declares no Scope (an API token)
    with pytest.raises(ImproperlyConfigured, match="Token declares no Scope"):
        scope_queryset(city_admin, Token.objects.all())


def test_district_officer_sees_its_subtree_and_ancestors_only(yuecheng_officer):
    names = set(
        scope_queryset(yuecheng_officer, Region.objects.all()).values_list("name", flat=True)
    )
    assert names == {"绍兴市", "越城区"}


def test_district_officer_without_a_district_sees_no_district_rows(plan):
    # given an officer whose district was never set (an incomplete account)
    officer = make_user(Role.DISTRICT)
    assert scope_queryset(officer, RegionTarget.objects.all()).count() == 0
    assert scope_queryset(officer, Region.objects.all()).count() == 0


def test_anonymous_sees_public_reference_data_but_no_plan_records(plan):
    from django.contrib.auth.models import AnonymousUser

    anonymous = AnonymousUser()
    assert scope_queryset(anonymous, Region.objects.all()).count() == 7
    assert scope_queryset(anonymous, Indicator.objects.all()).count() == 0
    assert scope_queryset(anonymous, RegionTarget.objects.all()).count() == 0


@pytest.mark.parametrize(
    ("role", "expected"),
    [(Role.CITY_ADMIN, 36), (Role.ENTERPRISE, 0), (Role.PROVIDER, 0), (Role.EXPERT, 0)],
)
def test_region_targets_by_role(plan, role, expected):
    user = make_user(role, "越城区" if role == Role.ENTERPRISE else None)
    assert scope_queryset(user, RegionTarget.objects.all()).count() == expected


def test_district_officer_must_belong_to_a_district(plan):
    from django.core.exceptions import ValidationError

    officer = make_user(Role.DISTRICT, "绍兴市")
    with pytest.raises(ValidationError) as caught:
        officer.full_clean()
    assert caught.value.message_dict["region"] == [
        "「绍兴市」不是区、县（市），区县用户只能属于一个区县。"
    ]
