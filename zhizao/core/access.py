"""Who may use which part of the platform, as predicates on the user. The menu (core.menu) and
the views that gate a whole page call the same predicate, so that a menu never offers a page
that answers 404 or 403 to the person who sees the link."""

from zhizao.core.roles import Role, is_city_admin


def role_of(user) -> str | None:
    """The user's role, the city admin's (superusers included) as Role.CITY_ADMIN."""
    if not getattr(user, "is_authenticated", False):
        return None
    if is_city_admin(user):
        return Role.CITY_ADMIN
    return getattr(user, "role", None)


def is_official(user) -> bool:
    """The city admin or a district officer: the people who follow the figures."""
    return role_of(user) in (Role.CITY_ADMIN, Role.DISTRICT)


def may_view_registry(user) -> bool:
    """企业库 (the enterprise list and its filters): the city and the districts. An enterprise
    user reaches its own enterprise's page from its landing page."""
    return is_official(user)


def may_view_figures(user) -> bool:
    """指标总览, the ladder, diagnosis coverage: the city and the districts."""
    return is_official(user)


def may_view_ranking(user) -> bool:
    """驾驶舱 and 区县排名: the city and the districts (the ranking is published in the 通报)."""
    return is_official(user)


def may_read_api_docs(user) -> bool:
    """接口文档: for the officials whose systems read the platform's figures."""
    return is_official(user)


def may_apply_for_titles(user) -> bool:
    """称号申报 (the applications): who applies, reviews or scores applications."""
    return role_of(user) in (Role.CITY_ADMIN, Role.DISTRICT, Role.ENTERPRISE, Role.EXPERT)


def answers_needs(user) -> bool:
    """Providers and experts answer the needs matched to them (匹配给我的需求)."""
    return role_of(user) in (Role.PROVIDER, Role.EXPERT)


def posts_needs(user) -> bool:
    """Needs lists (需求): the enterprise its own, the district and the city theirs."""
    return role_of(user) in (Role.CITY_ADMIN, Role.DISTRICT, Role.ENTERPRISE)
