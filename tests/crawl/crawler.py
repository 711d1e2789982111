"""A breadth-first crawler over the Django test client: from a role's landing page it follows
every same-site link, every GET form's first value of each field with choices (a list's filters),
and every redirect, and records for each page what the checks need (status, kind, queries, what
went wrong). Pages are grouped by kind, (URL name, query keys): a kind is visited a few times at
most, so that a list of 5,000 enterprises costs a few detail pages, not 5,000."""

import traceback
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import Resolver404, resolve

# Links the crawl does not follow: they sign out, switch the language (a POST), or are Django's
# admin (its own well-tested pages; a change list's filters and sort orders are endless).
SKIPPED_PREFIXES = ("/accounts/logout/", "/i18n/", "/admin/", "/static/", "/media/", "/api/")

# What Django answers when a project has no error page of its own: bare English, no way back.
BARE_ERROR_PAGES = (
    "<h1>Not Found</h1>",
    "<h1>403 Forbidden</h1>",
    "<h1>Server Error (500)</h1>",
    "<h1>Bad Request (400)</h1>",
)
DEBUG_PAGE_MARKERS = ("Django Version:", "You're seeing this error because you have")


@dataclass
class Page:
    url: str
    status: int
    kind: tuple
    content_type: str = ""
    queries: int = 0
    location: str = ""
    problems: list[str] = field(default_factory=list)
    found_on: str = ""


@dataclass
class Crawl:
    role: str
    pages: dict[str, Page] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set)  # every link the role was shown, visited or not

    def problems(self) -> list[tuple[str, str]]:
        """(URL name, what is wrong) for every problem found."""
        return [
            (page.kind[0], f"{page.url} (linked from {page.found_on or 'the start'}): {problem}")
            for page in self.pages.values()
            for problem in page.problems
        ]


class _Links(HTMLParser):
    """The hrefs of <a> elements, and GET forms with the choices of their fields."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "form":
            method = (attrs.get("method") or "get").lower()
            self._form = (
                {"action": attrs.get("action") or "", "fields": {}, "choices": {}}
                if method == "get"
                else None
            )
        elif self._form is None:
            return
        elif tag == "select" and attrs.get("name"):
            self._select = attrs["name"]
            self._form["choices"].setdefault(self._select, [])
        elif tag == "option" and self._select:
            value = attrs.get("value")
            if value:
                self._form["choices"][self._select].append(value)
        elif tag == "input" and attrs.get("name"):
            kind = (attrs.get("type") or "text").lower()
            if kind in ("radio", "checkbox"):
                if attrs.get("value"):
                    self._form["choices"].setdefault(attrs["name"], []).append(attrs["value"])
            elif kind == "hidden" and attrs.get("value"):
                self._form["fields"][attrs["name"]] = attrs["value"]

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None


def page_kind(path: str, query: str) -> tuple:
    try:
        match = resolve(path)
        name = match.view_name
    except Resolver404:
        name = path
    return (name, tuple(sorted({key for key, _ in parse_qsl(query, keep_blank_values=True)})))


def normalise(href: str, base: str) -> str | None:
    """The same-site URL `href` points to from page `base`, without fragment; None when the link
    leaves the site or is not a page (mailto:, javascript:, tel:)."""
    href = href.strip()
    if not href or href.startswith(("#", "mailto:", "tel:", "javascript:", "data:")):
        return None
    parts = urlsplit(urljoin(base, href))
    if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
        return None
    if parts.path.startswith(SKIPPED_PREFIXES):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def form_urls(form: dict, base: str) -> list[str]:
    """One URL per field with choices: that field set to its first value (a filter's first
    value), the form's hidden fields kept."""
    action = normalise(form["action"] or base.split("?")[0], base)
    if action is None:
        return []
    urls = []
    for name, values in form["choices"].items():
        if values:
            query = {**form["fields"], name: values[0]}
            urls.append(f"{action.split('?')[0]}?{urlencode(query)}")
    return urls


def check_page(page: Page, body: str) -> None:
    if page.status >= 500:
        page.problems.append(f"answers {page.status}")
    if any(marker in body for marker in DEBUG_PAGE_MARKERS):
        page.problems.append("shows Django's debug page")
    for marker in BARE_ERROR_PAGES:
        if marker in body:
            page.problems.append(f"shows Django's bare English error page {marker}")


def crawl(
    client: Client,
    role: str,
    start: list[str],
    *,
    per_kind: int = 2,
    per_name: int = 6,
    limit: int = 300,
    query_budget: int = 60,
    query_exceptions: dict | None = None,
) -> Crawl:
    """Visit breadth-first from `start` as `client`'s user. A kind of page (URL name and query
    keys) is visited at most `per_kind` times and a URL name `per_name` times (a non-HTML download
    once), `limit` pages in all."""
    query_exceptions = query_exceptions or {}
    result = Crawl(role)
    queue = deque((url, "") for url in start)
    result.seen.update(start)
    visits: dict[tuple, int] = {}
    while queue and len(result.pages) < limit:
        url, found_on = queue.popleft()
        if url in result.pages:
            continue
        path, _, query = url.partition("?")
        kind = page_kind(path, query)
        if visits.get(kind, 0) >= per_kind or visits.get(kind[0], 0) >= per_name:
            continue
        visits[kind] = visits.get(kind, 0) + 1
        visits[kind[0]] = visits.get(kind[0], 0) + 1
        page = Page(url=url, status=0, kind=kind, found_on=found_on)
        result.pages[url] = page
        try:
            # Each request in a savepoint rolled back after it: what a GET changes (a
            # notification marked read) does not change the next page, and a view's database
            # error does not abort the crawl's transaction.
            with transaction.atomic():
                with CaptureQueriesContext(connection) as queries:
                    response = client.get(url)
                transaction.set_rollback(True)
        except Exception as exc:  # the test client re-raises a view's exception
            page.status = 500
            page.problems.append(
                "raises " + "".join(traceback.format_exception(exc, limit=-8)).strip()
            )
            continue
        page.status = response.status_code
        page.queries = len(queries.captured_queries)
        page.content_type = response.get("Content-Type", "")
        budget = query_exceptions.get(kind[0], query_budget)
        if page.queries > budget:
            page.problems.append(f"runs {page.queries} queries (budget {budget})")
        if response.status_code in (301, 302, 303, 307, 308):
            page.location = response["Location"]
            target = normalise(page.location, url)
            if target and target not in result.seen:
                result.seen.add(target)
                queue.append((target, url))
            continue
        if "text/html" not in page.content_type:
            visits[kind[0]] = per_name  # a download: once per URL name is enough
            continue
        body = response.content.decode(response.charset or "utf-8", errors="replace")
        check_page(page, body)
        parser = _Links()
        parser.feed(body)
        found = [normalise(href, url) for href in parser.links]
        for form in parser.forms:
            found.extend(form_urls(form, url))
        for target in found:
            if target and target not in result.seen:
                result.seen.add(target)
                queue.append((target, url))
    return result
