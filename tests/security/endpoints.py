"""Every endpoint of the URL configuration (pages, downloads and the REST API's router) whose path
names an object, and for each the object of the matrix's world that it is tried on."""

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

from zhizao.bridge.views_entries import ACTION_DONE as ENTRY_ACTIONS
from zhizao.cultivation.views_review import ACTIONS as APPLICATION_ACTIONS

# Path arguments that do not name an object: a format suffix, a library's code, an action.
NOT_IDS = {"format", "library", "action"}


@dataclass(frozen=True)
class Endpoint:
    name: str
    route: str
    ids: tuple[str, ...]
    api: bool


def _walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}{pattern.namespace}:"
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), namespace, pattern


def endpoints_with_ids() -> list[Endpoint]:
    found: dict[str, Endpoint] = {}
    for route, namespace, pattern in _walk(get_resolver().url_patterns):
        if "(?P<format>" in route or "<drf_format_suffix:" in route or not pattern.name:
            continue  # the API's format-suffix twin of a route already listed
        ids = tuple(
            name
            for name in (*pattern.pattern.regex.groupindex, *pattern.default_args)
            if name not in NOT_IDS
        )
        ids = tuple(name for name in ids if name in pattern.pattern.regex.groupindex)
        if ids:
            name = namespace + pattern.name
            found.setdefault(name, Endpoint(name, route, ids, route.startswith("api/")))
    return sorted(found.values(), key=lambda e: e.name)


def _entry(o):
    return {"library": "solution", "pk": o["draft_entry"].pk}


def _report(o):
    return {"pk": o["enterprise"].pk, "year": o["report"].year}


# URL name → the path arguments of the object it is tried on (from the world's objects), and
# for paths that take an action, each action tried.
FOREIGN = {
    "core:task": lambda o: {"pk": o["task"].pk},
    "core:task_progress": lambda o: {"pk": o["task"].pk},
    "core:notification_open": lambda o: {"pk": o["notification"].pk},
    "plans:detail": lambda o: {"code": o["plan"].code},
    "plans:indicators_xlsx": lambda o: {"code": o["plan"].code},
    "plans:regions_xlsx": lambda o: {"code": o["plan"].code},
    "plans:plan_xlsx": lambda o: {"code": o["plan"].code},
    "plans:region_targets": lambda o: {"code": o["plan"].code, "region_code": o["keqiao"].code},
    "enterprises:detail": lambda o: {"pk": o["enterprise"].pk},
    "enterprises:report": _report,
    "enterprises:report_action": _report,
    "monitoring:district": lambda o: {"code": o["keqiao"].code},
    "monitoring:indicator": lambda o: {"number": o["indicator"].number},
    "monitoring:indicator_rows": lambda o: {"number": o["indicator"].number},
    "cultivation:batch": lambda o: {"pk": o["batch"].pk},
    "cultivation:application": lambda o: {"pk": o["application"].pk},
    "cultivation:attachment_upload": lambda o: {"pk": o["application"].pk},
    "cultivation:application_action": lambda o: {"pk": o["application"].pk},
    "cultivation:attachment": lambda o: {"pk": o["attachment"].pk},
    "cultivation:attachment_remove": lambda o: {"pk": o["attachment"].pk},
    "cultivation:title": lambda o: {"pk": o["title"].pk},
    "cultivation:title_revoke": lambda o: {"pk": o["title"].pk},
    "diagnosis:report": lambda o: {"pk": o["assessment"].pk},
    "diagnosis:report_pdf": lambda o: {"pk": o["assessment"].pk},
    "diagnosis:fill": lambda o: {"pk": o["assessment"].pk},
    "diagnosis:answer": lambda o: {"pk": o["assessment"].pk},
    "diagnosis:submit": lambda o: {"pk": o["assessment"].pk},
    "diagnosis:enterprise": lambda o: {"pk": o["enterprise"].pk},
    "diagnosis:start": lambda o: {"pk": o["enterprise"].pk},
    "diagnosis:assign": lambda o: {"pk": o["enterprise"].pk},
    "diagnosis:diagnosis": lambda o: {"pk": o["diagnosis"].pk},
    "diagnosis:record": lambda o: {"pk": o["diagnosis"].pk},
    "diagnosis:acknowledge": lambda o: {"pk": o["diagnosis"].pk},
    "diagnosis:diagnosis_pdf": lambda o: {"pk": o["diagnosis"].pk},
    "bridge:need": lambda o: {"pk": o["need"].pk},
    "bridge:need_action": lambda o: {"pk": o["need"].pk},
    "bridge:need_matching": lambda o: {"pk": o["need"].pk},
    "bridge:match_action": lambda o: {"pk": o["match"].pk},
    "bridge:entry": _entry,
    "bridge:entry_edit": _entry,
    "bridge:entry_action": _entry,
    # The REST API
    "region-detail": lambda o: {"code": o["keqiao"].code},
    "industrycluster-detail": lambda o: (
        {"code": o["enterprise"].cluster.code} if o["enterprise"].cluster else {"code": "textile"}
    ),
    "plan-detail": lambda o: {"code": o["plan"].code},
    "indicator-detail": lambda o: {"pk": o["indicator"].pk},
    "yeartarget-detail": lambda o: {"pk": o["year_target"].pk},
    "regiontarget-detail": lambda o: {"pk": o["region_target"].pk},
    "enterprise-detail": lambda o: {"pk": o["enterprise"].pk},
    "yearlyreport-detail": lambda o: {"pk": o["report"].pk},
    "yearlyreport-approve": lambda o: {"pk": o["report"].pk},
    "yearlyreport-return-": lambda o: {"pk": o["report"].pk},
    "yearlyreport-submit": lambda o: {"pk": o["report"].pk},
    "yearlyreport-withdraw": lambda o: {"pk": o["report"].pk},
    "yearlock-detail": lambda o: {"year": "2025"},
    "yearlock-lock": lambda o: {"year": "2025"},
    "yearlock-unlock": lambda o: {"year": "2025"},
    "titletype-detail": lambda o: {"code": o["title"].title_type.code},
    "batch-detail": lambda o: {"pk": o["batch"].pk},
    "title-detail": lambda o: {"pk": o["title"].pk},
    "title-revoke": lambda o: {"pk": o["title"].pk},
    "indicatorvalue-detail": lambda o: {"pk": o["indicator_value"].pk},
    "selfassessment-detail": lambda o: {"pk": o["assessment"].pk},
    "expertdiagnosis-detail": lambda o: {"pk": o["diagnosis"].pk},
}
# Every application endpoint of the API is tried on the other side's application, every entry
# endpoint of a library on the other provider's draft solution.
API_PREFIXES = {
    "application-": lambda o: {"pk": o["application"].pk},
    "bridge-solutions-": lambda o: {"pk": o["draft_entry"].pk},
}
# The libraries' other API endpoints: the same code as bridge-solutions- (one viewset class
# per library, bridge.api.VIEWSETS); an entry of each is not needed to prove the scoping.
EXEMPT_PREFIXES = {
    f"bridge-{library}-": "the same viewset code as bridge-solutions-, tried on a draft solution"
    for library in (
        "standards",
        "equipment",
        "software",
        "providers",
        "experts",
        "finance",
        "cases",
    )
}
EXEMPT: dict[str, str] = {}

ACTIONS = {
    "enterprises:report_action": ["submit", "withdraw", "approve", "approve_next", "return"],
    "cultivation:application_action": sorted(str(a) for a in APPLICATION_ACTIONS),
    "bridge:need_action": ["rematch", "close"],
    "bridge:match_action": ["advance", "close"],
    "bridge:entry_action": sorted(ENTRY_ACTIONS),
}


def _admin(endpoint_ids):
    # Only staff reach the admin; for every other role any object of it must stay shut.
    values = {"app_label": "enterprises", "object_id": "1", "content_type_id": "1"}
    return lambda o: {name: values.get(name, "1") for name in endpoint_ids}


def foreign_arguments(name: str, ids: tuple[str, ...] = ()):
    """The function giving the path arguments for `name`, or None when the matrix lacks it."""
    if name.startswith("admin:"):
        return _admin(ids)
    if name in FOREIGN:
        return FOREIGN[name]
    for prefix, function in API_PREFIXES.items():
        if name.startswith(prefix):
            return function
    return None


def exemption(name: str) -> str | None:
    for prefix, reason in {**EXEMPT_PREFIXES, **EXEMPT}.items():
        if name.startswith(prefix):
            return reason
    return None
