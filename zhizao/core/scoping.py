"""The one scoping function (DESIGN.md): every page, API endpoint, export and search narrows its
queryset with `scope_queryset`, so that what a user may see is a property of the data layer.

Each model declares a `Scope` as the class attribute `scope`; a model without one cannot be
queried through here, which keeps a forgotten model from leaking by default.
"""

from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q, QuerySet
from django.http import Http404

from zhizao.core.roles import Role, is_city_admin


@dataclass(frozen=True)
class Scope:
    """How a model's rows narrow for a user.

    region_field: lookup from the model to a Region ("" for Region itself, None when the rows
        have no region). A district officer sees rows inside its district's subtree.
    enterprise_field: lookup from the model to an Enterprise ("" for Enterprise itself, None
        when the rows belong to no enterprise). An enterprise user sees the rows of the
        enterprises it is a member of (Enterprise.members).
    owner_field: lookup from the model to the user who owns the row (a background task's
        creator); every user but the city admin sees only its own rows.
    expert_field: lookup from the model to the experts or providers assigned to it (an
        application's reviewers, a diagnosis's diagnostician); they see only the rows they are
        assigned to.
    sees_ancestors: a district officer also sees the regions above its own (Region only).
    others_see_all: users without a narrower rule see every row: enterprise, provider and expert
        users, and district officers when the rows have no region (city-wide records such as a
        plan's indicators); otherwise they see none until the model's Scope gives them a rule.
    public: anonymous visitors see every row (reference data and published records).
    published_field: for entries of a public library (新智造鹊桥): everybody but the city admin,
        anonymous visitors included, sees the rows whose published_field is true, and besides
        them the rows it maintains (maintainer_field, a lookup to the users who maintain it).
    """

    region_field: str | None = None
    enterprise_field: str | None = None
    owner_field: str | None = None
    expert_field: str | None = None
    sees_ancestors: bool = False
    others_see_all: bool = False
    public: bool = False
    published_field: str | None = None
    maintainer_field: str | None = None


def scope_for(model) -> Scope:
    scope = getattr(model, "scope", None)
    if not isinstance(scope, Scope):
        raise ImproperlyConfigured(f"{model.__name__} declares no Scope; it cannot be scoped.")
    return scope


def scope_queryset(user, queryset: QuerySet) -> QuerySet:
    """Narrow `queryset` to the rows `user` may see."""
    scope = scope_for(queryset.model)
    if scope.published_field is not None and not is_city_admin(user):
        return _published_or_maintained(user, queryset, scope)
    if user is None or not user.is_authenticated:
        return queryset if scope.public else queryset.none()
    if is_city_admin(user):
        return queryset
    if scope.owner_field is not None:
        return queryset.filter(**{scope.owner_field: user})
    role = getattr(user, "role", None)
    if role == Role.DISTRICT and scope.region_field is not None:
        return _narrow_to_district(user, queryset, scope)
    if role in (Role.EXPERT, Role.PROVIDER) and scope.expert_field is not None:
        return queryset.filter(**{scope.expert_field: user})
    if role == Role.ENTERPRISE and scope.enterprise_field is not None:
        prefix = f"{scope.enterprise_field}__" if scope.enterprise_field else ""
        return queryset.filter(**{f"{prefix}members": user})
    if scope.others_see_all:
        return queryset
    return queryset.none()


def _published_or_maintained(user, queryset: QuerySet, scope: Scope) -> QuerySet:
    visible = Q(**{scope.published_field: True})
    if scope.maintainer_field and user is not None and user.is_authenticated:
        maintained = queryset.filter(**{scope.maintainer_field: user}).values("pk")
        visible |= Q(pk__in=maintained)
    return queryset.filter(visible)


def _narrow_to_district(user, queryset: QuerySet, scope: Scope) -> QuerySet:
    region = getattr(user, "region", None)
    if region is None:
        return queryset.none()
    prefix = f"{scope.region_field}__" if scope.region_field else ""
    condition = Q(**{f"{prefix}path__startswith": region.path})
    if scope.sees_ancestors:
        condition |= Q(**{f"{prefix}code__in": region.ancestor_codes})
    return queryset.filter(condition)


def is_visible(user, instance) -> bool:
    """Whether `user` may open `instance` (a page links to an object only when it may)."""
    if instance is None:
        return False
    return scope_queryset(user, type(instance).objects.filter(pk=instance.pk)).exists()


def get_scoped_object_or_404(user, queryset: QuerySet, **lookup):
    """The scoped twin of get_object_or_404: out-of-scope rows are indistinguishable from absent."""
    try:
        return scope_queryset(user, queryset).get(**lookup)
    except queryset.model.DoesNotExist as exc:
        raise Http404 from exc
