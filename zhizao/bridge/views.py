"""新智造鹊桥 public pages: the home with one search box over the ten libraries, the search
results with their facets, a library's list with its filter, and an entry's page. No login is
needed: anonymous visitors see published entries only, a signed-in user besides them the entries
it maintains, the city admin everything (the scoping function decides). The maintainers' pages
are in views_entries.py, needs and matching in views_needs.py."""

import math
from dataclasses import dataclass
from urllib.parse import urlencode

from django import forms
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from zhizao.bridge import services
from zhizao.bridge.filters import filter_for
from zhizao.bridge.forms import DIVISION_NAMES, subdomain_choices
from zhizao.bridge.libraries import LIBRARIES, LibrarySpec, spec_for
from zhizao.bridge.models import (
    Case,
    EntryStatus,
    Library,
    Provider,
    SearchDocument,
    Solution,
)
from zhizao.bridge.search import search
from zhizao.core.models import IndustryCluster, Region, RegionLevel
from zhizao.core.roles import is_city_admin
from zhizao.core.scoping import get_scoped_object_or_404, scope_queryset

PAGE_SIZE = 20
MAX_PAGE = 50  # deep pages of a search are not worth their cost: refine the words instead
STATUS_STYLES = {
    EntryStatus.DRAFT: "secondary",
    EntryStatus.PENDING: "warning",
    EntryStatus.PUBLISHED: "success",
    EntryStatus.UNPUBLISHED: "dark",
}
# What each library's card on the home says it holds.
LIBRARY_BLURBS = {
    Library.STANDARD: gettext_lazy("国家、行业和团体标准：标准号、状态、实施日期与适用范围"),
    Library.EQUIPMENT: gettext_lazy("工业机器人、数控装备、智能检测与物流装备，含首台（套）"),
    Library.SOFTWARE: gettext_lazy("ERP、MES、PLM、WMS、APS、EMS 与工业互联网平台"),
    Library.SOLUTION: gettext_lazy("面向产业集群和能力子域的整体方案与典型投资"),
    Library.PROVIDER: gettext_lazy("智能制造工程服务商：资质、服务区县、交付项目与评分"),
    Library.EXPERT: gettext_lazy("智能制造专家：专业领域、职称与工作单位"),
    Library.FINANCE: gettext_lazy("智能化改造贷款、融资租赁、保险与担保产品"),
    Library.ENTERPRISE: gettext_lazy("已完成或正在实施智能化改造的企业"),
    Library.PROJECT: gettext_lazy("智能化改造项目：建设内容、投资与进展"),
    Library.CASE: gettext_lazy("改造前后成效可比的典型案例"),
}


def is_registry(library: str) -> bool:
    """Enterprises and projects are the platform's own registries, in the bridge through the
    search index only."""
    return library not in LIBRARIES


def library_or_404(code: str) -> str:
    if code not in Library.values:
        raise Http404
    return code


def status_style(status: str) -> str:
    return STATUS_STYLES.get(status, "secondary")


# --- names for codes -------------------------------------------------------------------------


def cluster_names() -> dict[str, str]:
    return dict(IndustryCluster.objects.values_list("code", "name"))


def district_names() -> dict[str, str]:
    return dict(Region.objects.filter(level=RegionLevel.COUNTY).values_list("code", "name"))


def subdomain_names() -> dict[str, str]:
    return dict(subdomain_choices())


def library_counts(user) -> dict[str, int]:
    """How many entries of each library the user may see (published ones for the public)."""
    counts = {}
    for code in Library.values:
        if is_registry(code):
            queryset = SearchDocument.objects.filter(library=code)
        else:
            queryset = LIBRARIES[code].model.objects.all()
        counts[code] = scope_queryset(user, queryset).count()
    return counts


# --- home and search -------------------------------------------------------------------------


@require_GET
def home(request):
    counts = library_counts(request.user)
    libraries = [
        {"code": code, "label": label, "count": counts[code], "blurb": LIBRARY_BLURBS[code]}
        for code, label in Library.choices
    ]
    return render(
        request,
        "bridge/home.html",
        {
            "libraries": libraries,
            "total": sum(counts.values()),
            "examples": ["印染 MES", "机器换人", "能源管理", "黄酒 智能酿造", "智能化改造贷款"],
        },
    )


@dataclass
class FacetItem:
    code: str
    label: str
    count: int
    selected: bool
    url: str


FACETS = (
    ("library", gettext_lazy("资源库")),
    ("cluster", gettext_lazy("产业集群")),
    ("subdomain", gettext_lazy("能力子域")),
    ("region", gettext_lazy("服务区县")),
)


def _selected(request, name: str, allowed) -> list[str]:
    return [v for v in dict.fromkeys(request.GET.getlist(name)) if v in allowed]


def _query_string(params: dict[str, list[str]], **changes) -> str:
    merged = {k: list(v) for k, v in params.items()}
    for key, value in changes.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return urlencode([(k, v) for k, values in merged.items() for v in values if v != ""])


def _facet_counts(raw) -> list[tuple[str, int]]:
    """A facet's counts as (code, count), whatever shape the search returns them in."""
    if raw is None:
        return []
    if isinstance(raw, dict):
        items = raw.items()
    else:
        items = [(getattr(i, "code", None) or i[0], getattr(i, "count", None) or i[1]) for i in raw]
    return [(str(code), int(count)) for code, count in items if code not in (None, "")]


def facet_items(name: str, raw, params, names: dict[str, str]) -> list[FacetItem]:
    chosen = params.get(name, [])
    items = []
    for code, count in _facet_counts(raw):
        selected = code in chosen
        toggled = [c for c in chosen if c != code] if selected else [*chosen, code]
        items.append(
            FacetItem(
                code=code,
                label=names.get(code, code),
                count=count,
                selected=selected,
                url="?" + _query_string(params, **{name: toggled, "page": None}),
            )
        )
    items.sort(key=lambda i: (not i.selected, -i.count, i.label))
    return items


@require_GET
def search_page(request):
    q = " ".join(request.GET.get("q", "").split())[:200]
    names = {
        "library": dict(Library.choices),
        "cluster": cluster_names(),
        "subdomain": subdomain_names(),
        "region": district_names(),
    }
    params = {"q": [q] if q else []}
    for name, _label in FACETS:
        params[name] = _selected(request, name, names[name])
    try:
        page_number = max(1, min(int(request.GET.get("page", 1)), MAX_PAGE))
    except ValueError:
        page_number = 1
    results = None
    if q:  # the search finds by words; facets only narrow what the words found
        results = search(
            q,
            user=request.user,
            libraries=params["library"] or None,
            clusters=params["cluster"] or None,
            subdomains=params["subdomain"] or None,
            regions=params["region"] or None,
            limit=PAGE_SIZE,
            offset=(page_number - 1) * PAGE_SIZE,
        )
    facets = []
    pages = 0
    if results is not None:
        for name, label in FACETS:
            items = facet_items(name, results.facets.get(name), params, names[name])
            if items:
                facets.append({"name": name, "label": label, "items": items})
        pages = min(math.ceil(results.total / PAGE_SIZE), MAX_PAGE)
    chosen = [
        {
            "label": names[name][code],
            "kind": label,
            "url": "?"
            + _query_string(params, **{name: [c for c in params[name] if c != code], "page": None}),
        }
        for name, label in FACETS
        for code in params[name]
    ]
    base = _query_string(params, page=None)
    return render(
        request,
        "bridge/search.html",
        {
            "q": q,
            "results": results,
            "hits": results.hits if results is not None else [],
            "facets": facets,
            "chosen": chosen,
            "page_number": page_number,
            "pages": pages,
            "first": (page_number - 1) * PAGE_SIZE + 1,
            "previous_url": f"?{base}&page={page_number - 1}" if page_number > 1 else "",
            "next_url": f"?{base}&page={page_number + 1}" if page_number < pages else "",
            "library_names": names["library"],
            "clear_url": "?" + _query_string({"q": params["q"]}),
        },
    )


# --- a library -------------------------------------------------------------------------------


def entry_queryset(spec: LibrarySpec):
    """An entry with what its list and page show, in a bounded number of queries."""
    queryset = spec.model.objects.prefetch_related("clusters")
    if spec.library in (Library.SOLUTION, Library.CASE):
        queryset = queryset.select_related("provider")
    if spec.library == Library.CASE:
        queryset = queryset.select_related("solution", "enterprise")
    if spec.library == Library.PROVIDER:
        queryset = queryset.prefetch_related("regions_served")
    return queryset


def styled_filter(filterset, user):
    """The library's filter as the page shows it: small controls, sub-domain and division as
    lists to choose from, and the review fields only for who has entries under review."""
    fields = filterset.form.fields
    if "subdomain" in fields:
        fields["subdomain"].widget = forms.Select(
            choices=[("", _("全部")), *[(c, f"{c} {n}") for c, n in subdomain_choices()]]
        )
        fields["subdomain"].label = _("能力子域")
    if "division" in fields:
        fields["division"].widget = forms.Select(
            choices=[("", _("全部")), *[(c, f"{c} {n}") for c, n in DIVISION_NAMES.items()]]
        )
        fields["division"].label = _("行业大类")
    # by id: for links from an entry's page (a provider's solutions), not typed
    fields.pop("provider", None)
    fields.pop("solution", None)
    if not getattr(user, "is_authenticated", False):
        fields.pop("status", None)
        fields.pop("mine", None)
    for field in fields.values():
        widget = field.widget
        is_select = getattr(widget, "input_type", "select") == "select"
        widget.attrs["class"] = (
            "form-select form-select-sm" if is_select else "form-control form-control-sm"
        )
    return filterset


def _page(request, queryset, size=PAGE_SIZE):
    page = Paginator(queryset, size).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


@require_GET
def library_page(request, library: str):
    library = library_or_404(library)
    if is_registry(library):
        return _registry_page(request, library)
    spec = LIBRARIES[library]
    user = request.user
    queryset = scope_queryset(user, entry_queryset(spec))
    filterset = styled_filter(
        filter_for(library)(request.GET or None, queryset=queryset, request=request), user
    )
    ordering = spec.model._meta.ordering or ["pk"]
    page, query = _page(request, filterset.qs.order_by(*ordering, "pk"))
    creatable = services.creation_problem(spec, user) is None
    return render(
        request,
        "bridge/library.html",
        {
            "spec": spec,
            "library": library,
            "label": spec.label,
            "filter": filterset,
            "page": page,
            "query": query,
            "can_create": creatable,
            "show_status": getattr(user, "is_authenticated", False),
            "status_styles": STATUS_STYLES,
            "subdomain_names": subdomain_names(),
        },
    )


def _registry_page(request, library: str):
    """The enterprises and projects of the bridge, as the search index holds them."""
    q = " ".join(request.GET.get("q", "").split())[:200]
    documents = scope_queryset(request.user, SearchDocument.objects.filter(library=library))
    if q:
        documents = documents.filter(title__icontains=q)
    page, query = _page(request, documents.order_by("title", "pk"))
    return render(
        request,
        "bridge/registry.html",
        {
            "library": library,
            "label": Library(library).label,
            "q": q,
            "page": page,
            "query": query,
        },
    )


# --- an entry --------------------------------------------------------------------------------


def _history(entry, user) -> list:
    """Who changed the entry, when and why: for its maintainers and the city admin."""
    if not services.may_maintain(entry, user):
        return []
    return list(entry.history.select_related("history_user").order_by("-history_date")[:12])


def _return_reason(entry, history) -> str:
    if entry.status != EntryStatus.DRAFT:
        return ""
    for record in history:
        reason = record.history_change_reason or ""
        if reason.startswith(_("退回修改：")):
            return reason.removeprefix(_("退回修改："))
        if reason in (_("提交审核"), _("新建"), _("修改")):
            return ""
    return ""


def result_rows(results) -> list[dict]:
    """A case's before/after figures with the change, when both are numbers."""
    rows = []
    for item in results or []:
        before, after = item.get("before", ""), item.get("after", "")
        change = ""
        try:
            b, a = float(str(before).replace(",", "")), float(str(after).replace(",", ""))
        except ValueError:
            pass
        else:
            if b:
                change = f"{(a - b) / abs(b) * 100:+.1f}%"
        rows.append({**item, "change": change})
    return rows


def entry_context(request, spec: LibrarySpec, entry) -> dict:
    user = request.user
    history = _history(entry, user)
    context = {
        "spec": spec,
        "library": spec.library,
        "entry": entry,
        "title": spec.title_of(entry),
        "status_style": status_style(entry.status),
        "actions": services.next_actions(entry, user),
        "history": history,
        "return_reason": _return_reason(entry, history),
        "subdomains": [(c, subdomain_names().get(c, c)) for c in entry.subdomains or []],
        "divisions": [(c, DIVISION_NAMES.get(c, "")) for c in entry.divisions or []],
        "clusters": list(entry.clusters.all()),
        "is_city": is_city_admin(user),
    }
    if spec.library == Library.PROVIDER:
        context["regions"] = list(entry.regions_served.all())
        context["solutions"] = list(
            scope_queryset(user, Solution.objects.filter(provider=entry)).order_by("title")
        )
        context["cases"] = list(
            scope_queryset(user, Case.objects.filter(provider=entry)).order_by("title")
        )
    elif spec.library == Library.SOLUTION:
        context["cases"] = list(
            scope_queryset(user, Case.objects.filter(solution=entry)).order_by("title")
        )
        context["provider"] = _visible(user, Provider, entry.provider_id)
    elif spec.library == Library.CASE:
        context["results"] = result_rows(entry.results)
        context["provider"] = _visible(user, Provider, entry.provider_id)
        context["solution"] = _visible(user, Solution, entry.solution_id)
    return context


def _visible(user, model, pk):
    if pk is None:
        return None
    return scope_queryset(user, model.objects.filter(pk=pk)).first()


@require_GET
def entry_page(request, library: str, pk: int):
    library = library_or_404(library)
    if is_registry(library):
        document = get_scoped_object_or_404(
            request.user, SearchDocument.objects.all(), library=library, object_id=pk
        )
        return render(
            request,
            "bridge/registry_entry.html",
            {"document": document, "library": library, "label": Library(library).label},
        )
    spec = spec_for(library)
    entry = get_scoped_object_or_404(request.user, entry_queryset(spec), pk=pk)
    return render(request, "bridge/entry.html", entry_context(request, spec, entry))
