"""The main menu, per role: each item names the predicate (core.access) that the page behind it
checks, so that nobody is offered a page it may not use."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zhizao.core import access
from zhizao.core.roles import Role


@dataclass(frozen=True)
class MenuItem:
    code: str
    label: str
    url_name: str
    allowed: Callable[[object], bool]
    children: tuple["MenuItem", ...] = ()
    args: tuple = ()
    query: str = ""
    divider_before: bool = False
    testid: str = ""


@dataclass
class MenuEntry:
    """A menu item as one user's page shows it."""

    code: str
    label: str
    url: str
    children: list["MenuEntry"] = field(default_factory=list)
    divider_before: bool = False
    testid: str = ""


def _everyone(user) -> bool:
    return access.role_of(user) is not None


def _city(user) -> bool:
    return access.role_of(user) == Role.CITY_ADMIN


MENU = (
    # The city's home is its 驾驶舱 (below); the brand leads there too.
    MenuItem("home", _("工作台"), "home", lambda user: _everyone(user) and not _city(user)),
    MenuItem("inbox", _("待办"), "core:inbox", _everyone),
    MenuItem(
        "cockpit", _("驾驶舱"), "monitoring:cockpit", access.may_view_ranking, testid="cockpit-menu"
    ),
    MenuItem("overview", _("指标总览"), "monitoring:overview", access.may_view_figures),
    MenuItem(
        "ranking",
        _("区县排名"),
        "monitoring:ranking",
        access.may_view_ranking,
        testid="ranking-menu",
    ),
    MenuItem("registry", _("企业库"), "enterprises:list", access.may_view_registry),
    # Batches and recognised titles are the city's published calls and lists: every role reads
    # them (providers help enterprises apply); applications are the applicants' and reviewers'.
    MenuItem(
        "cultivation",
        _("梯度培育"),
        "cultivation:batches",
        _everyone,
        children=(
            MenuItem("ladder", _("培育梯队"), "cultivation:ladder", access.may_view_figures),
            MenuItem("batches", _("申报批次"), "cultivation:batches", _everyone),
            MenuItem(
                "applications",
                _("称号申报"),
                "cultivation:applications",
                access.may_apply_for_titles,
            ),
            MenuItem("titles", _("认定称号"), "cultivation:titles", _everyone),
            MenuItem(
                "public_titles", _("公开名单"), "public_titles", _everyone, divider_before=True
            ),
        ),
    ),
    MenuItem("diagnosis", _("诊断服务"), "diagnosis:home", _everyone),
    MenuItem("bridge", _("新智造鹊桥"), "bridge:home", _everyone, testid="bridge-link"),
    MenuItem("plan", _("行动方案"), "plans:list", _everyone),
    MenuItem(
        "more",
        _("更多"),
        "",
        access.may_read_api_docs,
        children=(
            MenuItem("years", _("年度锁定"), "enterprises:years", _city),
            MenuItem("api", _("接口文档"), "api-docs", access.may_read_api_docs),
            MenuItem("admin", _("管理后台"), "admin:index", _city),
        ),
    ),
)


def _entry(item: MenuItem, user) -> MenuEntry:
    url = reverse(item.url_name, args=item.args) if item.url_name else "#"
    url += f"?{item.query}" if item.query else ""
    children = [_entry(child, user) for child in item.children if child.allowed(user)]
    return MenuEntry(item.code, item.label, url, children, item.divider_before, item.testid)


def menu_for(user) -> list[MenuEntry]:
    """The items `user` may use, in order; no query."""
    return [_entry(item, user) for item in MENU if item.allowed(user)]
