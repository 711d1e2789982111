"""English is complete: no Chinese interface text escapes translation.

Two guards. The static scan (tests/core/i18n_scan.py) reads every template and Python module
and fails on Chinese text outside the translation machinery; what is data, not interface, is
listed with its reason in tests/core/i18n_allowlist.txt. The rendered check signs in as each
role with English chosen, follows the links from its landing page, and fails on any Chinese
string on a page that the catalogue knows as an interface string: it was marked for
translation but came out untranslated (enterprise, region, indicator and plan names are data
and allowed).
"""

import ast
import datetime
import re
import shutil
from collections import deque
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from tests.accounts.factories import PASSWORD, make_user
from tests.bridge.factories import make_match, make_need, make_provider_user, make_solution
from tests.core import i18n_scan
from tests.cultivation.factories import make_application, make_batch, make_expert, make_title
from tests.diagnosis.factories import make_assessment, make_diagnosis
from tests.enterprises.factories import make_enterprise, make_report
from zhizao.core.roles import Role
from zhizao.cultivation.models import ApplicationStatus
from zhizao.diagnosis.models import DiagnosisStatus
from zhizao.enterprises.models import ReportStatus

CATALOGUE = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES" / "django.po"
HAN = re.compile(r"[\u3400-\u9fff]")
# A run of Chinese text as a page shows it: Han characters with the punctuation between them.
HAN_RUN = re.compile(r"[\u3400-\u9fff][\u3400-\u9fff\u3000-\u303f\uff01-\uff5e·—…“”‘’]*")
EDGE_PUNCTUATION = "\u3000-\u303f\uff01-\uff5e·—…“”‘’ "
PLACEHOLDER = re.compile(r"%\([^)]*\)[sdf]|%[sd]|\{[^}]*\}")
# Links not to follow: other sites' machinery, downloads, state changes.
SKIP_LINK = re.compile(
    r"^/(admin|api|i18n|static|media)/|logout|format=|\.xlsx|\.pdf|/download|/export|/file"
)
PAGES_PER_ROLE = 45

TODAY = datetime.datetime(2026, 12, 8, 10, 0, tzinfo=datetime.UTC)


def test_templates_have_no_chinese_outside_translation_tags():
    # given every template of the platform
    # when it is scanned for Chinese text outside translate tags and comments
    findings = i18n_scan.template_findings()
    # then there is none
    assert findings == [], "\n".join(findings)


def test_user_facing_python_strings_go_through_gettext():
    # given every Python module except the allow-listed data
    # when its messages, errors, labels, help texts, choices and verbose names are scanned
    findings = i18n_scan.python_findings()
    # then every Chinese one is wrapped in gettext
    assert findings == [], "\n".join(findings)


def test_the_scan_finds_what_it_should(tmp_path):
    # given a template and a module with Chinese outside the translation machinery
    template = "{% load i18n %}<h1>{% translate '标题' %}</h1><p>未翻译</p>{# 注释 #}"
    stripped = i18n_scan.BLOCK_TRANSLATE.sub("", i18n_scan.TEMPLATE_COMMENT.sub("", template))
    stripped = i18n_scan.TRANSLATE_TAG.sub("", stripped)
    module = (
        "from django.contrib import messages\n"
        "from django.utils.translation import gettext as _\n"
        "def view(request):\n"
        "    messages.success(request, '已保存。')\n"
        "    messages.info(request, _('已提交。'))\n"
        "    raise ValueError(f'第 {1} 行有误')\n"
    )
    # when both are scanned
    found = [
        literal for literal, _why in i18n_scan._user_facing_literals(i18n_scan.ast.parse(module))
    ]
    # then the untranslated text is found and the translated is not
    assert HAN.findall(stripped) == list("未翻译")
    assert sorted(i18n_scan._literal_text(f) for f in found) == ["f'第 {1} 行有误'", "已保存。"]


def catalogue_entries(path: Path) -> dict[str, str]:
    """msgid → msgstr of a .po file (obsolete entries left out)."""
    entries = {}
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith("#")]
        fields, current = {}, None
        for line in lines:
            if match := re.match(r'(msgid|msgstr(?:\[0\])?|msgid_plural|msgctxt) (".*")$', line):
                current = match.group(1).replace("[0]", "")
                fields[current] = ast.literal_eval(match.group(2))
            elif line.startswith('"') and current:
                fields[current] += ast.literal_eval(line)
        if fields.get("msgid"):
            entries[fields["msgid"]] = fields.get("msgstr", "")
    return entries


def test_every_string_marked_for_translation_has_its_english(settings, tmp_path, monkeypatch):
    # given the strings marked for translation in the code, extracted afresh from a copy of it
    source = tmp_path / "source"
    for path in i18n_scan.PACKAGE.rglob("*"):
        if path.suffix in {".py", ".html", ".txt"} and "locale" not in path.parts:
            target = source / path.relative_to(i18n_scan.ROOT)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    monkeypatch.chdir(source)
    call_command("makemessages", locale=["en"], no_location=True, verbosity=0)
    extracted = catalogue_entries(tmp_path / "locale" / "en" / "LC_MESSAGES" / "django.po")
    # when they are looked up in the committed English catalogue
    committed = catalogue_entries(CATALOGUE)
    assert len(extracted) > 500
    missing = sorted(msgid for msgid in extracted if not committed.get(msgid))
    # then each has a translation (run makemessages -l en and translate what is new)
    assert missing == [], "\n".join(missing)


def interface_strings() -> set[str]:
    """Chinese msgids of the catalogue, and their placeholder-free parts of 4+ characters."""
    strings = set()
    for text in catalogue_entries(CATALOGUE):
        if not HAN.search(text):
            continue
        for part in PLACEHOLDER.split(text):
            part = re.sub(f"^[{EDGE_PUNCTUATION}]+|[{EDGE_PUNCTUATION}]+$", "", part)
            if part and (part == text.strip() or len(HAN.findall(part)) >= 4):
                strings.add(part)
    return strings


def data_strings() -> set[str]:
    """Names the platform shows as data: regions, clusters, plans, indicators, titles, people."""
    from zhizao.accounts.models import User
    from zhizao.core.models import IndustryCluster, Region
    from zhizao.cultivation.models import TitleType
    from zhizao.enterprises.models import Enterprise
    from zhizao.plans.models import Indicator, Plan

    names = set()
    for model, fields in [
        (Region, ["name"]),
        (IndustryCluster, ["name"]),
        (Plan, ["name", "indicator_table_title", "region_table_title"]),
        (Indicator, ["name", "category", "unit", "base_note", "target_note", "region_item"]),
        (TitleType, ["name"]),
        (Enterprise, ["name"]),
        (User, ["full_name"]),
    ]:
        for row in model.objects.values_list(*fields):
            for value in row:
                # a name and its Chinese runs (新建5G基站 shows 新建 as a run of its own)
                names.update([value, *HAN_RUN.findall(value or "")])
    # the diagnosis questionnaire is data (requirements, answers, capability domains)
    for path in (i18n_scan.PACKAGE / "diagnosis" / "data").glob("*.yaml"):
        names.update(HAN_RUN.findall(path.read_text(encoding="utf-8")))
    for entry in i18n_scan.load_allowlist():
        if entry.startswith("page:"):
            names.update(HAN_RUN.findall(entry))
    return names


def untranslated_on(html: str, interface: set[str], data: set[str]) -> set[str]:
    found = set()
    for run in HAN_RUN.findall(html):
        run = re.sub(f"[{EDGE_PUNCTUATION}]+$", "", run)
        if run in interface and run not in data:
            found.add(run)
    return found


def crawl_in_english(client: Client, start: str) -> tuple[int, dict[str, set[str]]]:
    """Breadth-first over same-site links from `start`: pages seen, untranslated strings of each."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    interface, data = interface_strings(), data_strings()
    seen, queue, problems, pages = set(), deque([start]), {}, 0
    while queue and len(seen) < PAGES_PER_ROLE:
        url = queue.popleft()
        parts = urlsplit(url)
        key = (parts.path, tuple(sorted(p.split("=")[0] for p in parts.query.split("&") if p)))
        if key in seen:
            continue
        seen.add(key)
        response = client.get(url)
        if response.status_code in (301, 302) and response["Location"].startswith("/"):
            queue.append(response["Location"])
            continue
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        assert '<html lang="en">' in html, url
        pages += 1
        if untranslated := untranslated_on(html, interface, data):
            problems[url] = untranslated
        for link in re.findall(r'href="(/[^"#]*)"', html):
            link = link.replace("&amp;", "&")
            if not SKIP_LINK.search(link):
                queue.append(link)
    return pages, problems


@pytest.fixture
def every_state(plan, city_admin, yuecheng_officer):
    """A little of everything, so each page has something to show."""
    with time_machine.travel(TODAY, tick=False):
        enterprise = make_enterprise(cluster=None)
        user = make_user(Role.ENTERPRISE, "越城区", username="en-enterprise")
        enterprise.members.add(user)
        make_report(enterprise, year=2025, status=ReportStatus.SUBMITTED)
        make_report(enterprise, year=2024, status=ReportStatus.CITY_APPROVED, above_scale=None)
        batch = make_batch(year=2026)
        make_application(enterprise, batch, status=ApplicationStatus.SUBMITTED)
        make_title("municipal-digital-workshop", enterprise=enterprise, year=2024)
        expert = make_expert()
        expert.username = "en-expert"
        expert.save()
        make_assessment(enterprise, 2025)
        make_diagnosis(enterprise, expert, status=DiagnosisStatus.ASSIGNED)
        provider = make_provider_user(username="en-provider")
        solution = make_solution(maintainers=[provider])
        make_match(make_need(enterprise), solution)
        return {
            "city": city_admin,
            "district": yuecheng_officer,
            "enterprise": user,
            "expert": expert,
            "provider": provider,
        }


@pytest.mark.parametrize("role", ["city", "district", "enterprise", "expert", "provider"])
def test_every_page_a_role_reaches_is_english(every_state, role):
    # given a user of the role who chose English
    client = Client()
    assert client.login(username=every_state[role].username, password=PASSWORD)
    # when it follows the links from its landing page
    with time_machine.travel(TODAY, tick=False):
        pages, problems = crawl_in_english(client, "/")
    # then no page shows an interface string left in Chinese
    assert pages >= 8
    assert problems == {}, "\n".join(f"{url}: {sorted(s)}" for url, s in problems.items())


def test_public_pages_are_english(every_state):
    # given a visitor who chose English and is not logged in
    client = Client()
    # when it follows the links of the public pages
    with time_machine.travel(TODAY, tick=False):
        pages, problems = crawl_in_english(client, "/accounts/login/")
    # then no page shows an interface string left in Chinese
    assert pages >= 3
    assert problems == {}, "\n".join(f"{url}: {sorted(s)}" for url, s in problems.items())
