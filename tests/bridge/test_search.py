"""新智造鹊桥 search: segmentation and synonyms, scoping inside the SQL, facets, snippets, ranking
and the index's upkeep. Every test runs the same on SQLite (FTS5) and PostgreSQL (tsvector):
`DATABASE_URL=postgres://… pytest tests/bridge/test_search.py`."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.utils import timezone

from tests.accounts.factories import make_user
from tests.bridge.factories import (
    make_case,
    make_equipment,
    make_expert_profile,
    make_financial_product,
    make_provider,
    make_provider_user,
    make_software,
    make_solution,
    make_standard,
)
from tests.cultivation.factories import make_title
from tests.enterprises.factories import make_enterprise
from zhizao.bridge.models import EntryStatus, Library, SearchDocument, SoftwareCategory
from zhizao.bridge.search import (
    index_entry,
    index_registries,
    index_title,
    rebuild_index,
    remove_entry,
    search,
)
from zhizao.bridge.search.backends import adjustment, scope_sql
from zhizao.bridge.search.segmentation import index_text, query_groups
from zhizao.bridge.search.snippets import highlight, snippet
from zhizao.core.roles import Role
from zhizao.core.scoping import scope_queryset
from zhizao.core.tasks import run_pending_tasks
from zhizao.cultivation.services import publish_titles, revoke_title

NOW = timezone.now()


def indexed(entry):
    index_entry(entry)
    return entry


def titles(results) -> list[str]:
    return [hit.title for hit in results.hits]


def set_document(entry, **fields):
    library = {
        "Standard": "standard",
        "Solution": "solution",
        "Case": "case",
        "Provider": "provider",
        "Software": "software",
    }[type(entry).__name__]
    SearchDocument.objects.filter(library=library, object_id=entry.pk).update(**fields)


@pytest.fixture
def filler(plan):
    """Entries that match none of the tests' words, so that every word is rare (bm25)."""
    for number in range(6):
        indexed(
            make_software(
                f"财务报表软件{number}",
                category=SoftwareCategory.OTHER,
                description="用于会计核算与报表编制。",
            )
        )


# --- segmentation ----------------------------------------------------------------------------


def test_query_is_cut_and_expanded_with_synonyms():
    assert query_groups("制造执行系统") == [(("制造执行系统",), ("mes",))]
    assert query_groups("印染") == [(("印染",), ("染整",))]
    assert query_groups("机器换人")[0] == (("机器换人",), ("工业机器人",))
    # AND across words, stopwords dropped, full-width and capitals normalised.
    assert query_groups("印染企业的ＭＥＳ") == [
        (("印染",), ("染整",)),
        (("企业",),),
        (("mes",), ("制造执行系统",)),
    ]
    assert query_groups("") == query_groups("的 了 和") == query_groups("!!! ***") == []


def test_indexed_text_keeps_the_parts_of_long_words():
    words = index_text("绍兴数字化车间建设，GB/T 39116-2020 智能制造能力成熟度模型").split()
    for word in ("数字化车间", "数字化", "车间", "gb", "39116", "2020", "智能制造", "成熟度"):
        assert word in words
    assert index_text("ＭＥＳ　系统") == index_text("mes 系统")


# --- search --------------------------------------------------------------------------------


def test_synonyms_find_the_abbreviation_and_back(filler):
    mes = indexed(make_software("某某MES", description="车间生产管理。"))
    full = indexed(make_software("智造云平台", description="内置制造执行系统模块。"))
    assert set(titles(search("制造执行系统"))) == {mes.name, full.name}
    assert set(titles(search("MES"))) == {mes.name, full.name}


def test_related_words_expand_both_ways(filler):
    dyeing = indexed(make_solution("染整车间能耗监测方案"))
    printing = indexed(make_solution("印染企业数字化转型"))
    assert set(titles(search("印染"))) == {dyeing.title, printing.title}
    assert set(titles(search("染整"))) == {dyeing.title, printing.title}
    robots = indexed(make_solution("工业机器人焊接工作站"))
    assert titles(search("机器换人")) == [robots.title]


def test_partial_words_and_full_width_input(filler):
    workshop = indexed(make_solution("纺织数字化车间整体方案"))
    standard = indexed(make_standard("GB/T 39116-2020", title="智能制造能力成熟度模型"))
    assert titles(search("车间")) == [workshop.title]
    assert titles(search("智能制造")) == [str(standard)]
    assert titles(search("ＧＢ／Ｔ　３９１１６")) == [str(standard)]
    assert titles(search("数字化车间")) == titles(search("数字化车间"))
    assert search("ｍｅｓ").total == search("MES").total


def test_a_title_match_ranks_above_a_body_only_match(filler):
    body = indexed(make_solution("生产管理系统", description="适用于染整企业的生产管理。"))
    title = indexed(make_solution("染整企业生产管理系统", description="适用于中小企业。"))
    results = search("染整")
    assert titles(results) == [title.title, body.title]
    assert results.hits[0].score > results.hits[1].score
    # the title hit is the most relevant (1), indexed just now (freshness 1), unrated (3/5):
    # 0.70 + 0.20 × 1 + 0.10 × 0.6 = 0.96
    assert results.hits[0].score == pytest.approx(0.96, abs=0.001)


def test_fresh_and_well_rated_entries_rank_first(filler):
    old = indexed(make_solution("化纤纺丝MES方案甲"))
    new = indexed(make_solution("化纤纺丝MES方案乙"))
    set_document(old, updated_at=NOW - datetime.timedelta(days=730))
    set_document(new, updated_at=NOW - datetime.timedelta(days=10))
    assert titles(search("化纤纺丝", now=NOW)) == [new.title, old.title]
    set_document(old, updated_at=NOW, rating=Decimal("4.80"))
    set_document(new, updated_at=NOW, rating=Decimal("2.00"))
    assert titles(search("化纤纺丝", now=NOW)) == [old.title, new.title]


def test_the_ranking_formula_is_the_same_on_both_backends(filler):
    entry = indexed(make_solution("黄酒酿造数字化方案"))
    updated = NOW - datetime.timedelta(days=200)
    set_document(entry, updated_at=updated, rating=Decimal("4.20"))
    (hit,) = search("黄酒", now=NOW).hits
    # The only hit has relevance 1: its score is the recency and rating factor alone, by hand:
    # freshness 1 / (1 + 200 / 365) = 365 / 565 = 0.646018, quality 4.20 / 5 = 0.84,
    # 0.70 + 0.20 × 0.646018 + 0.10 × 0.84 = 0.913204
    assert hit.score == pytest.approx(0.913204, abs=1e-5)
    assert adjustment(NOW, 5, NOW) == pytest.approx(1.0)
    assert adjustment(NOW - datetime.timedelta(days=365), None, NOW) == pytest.approx(0.86)


def test_every_word_must_match_unless_none_has_them_all(filler):
    both = indexed(make_solution("印染MES系统"))
    one = indexed(make_solution("印染污水处理"))
    results = search("印染 MES")
    assert titles(results) == [both.title] and not results.relaxed
    relaxed = search("印染 珍珠饰品")
    assert relaxed.relaxed and set(titles(relaxed)) == {both.title, one.title}
    # Words that match, filtered away: the filters are what to change, nothing is relaxed.
    filtered = search("印染 MES", libraries=["expert"])
    assert filtered.total == 0 and not filtered.relaxed


def test_anonymous_finds_published_entries_only(filler):
    published = indexed(make_solution("集成电路封装测试MES"))
    indexed(make_solution("集成电路晶圆厂方案", status=EntryStatus.DRAFT))
    indexed(make_solution("集成电路设计平台", status=EntryStatus.PENDING))
    for user in (None, AnonymousUser()):
        results = search("集成电路", user=user)
        assert titles(results) == [published.title]
        assert results.total == 1 and results.facets["library"] == {"solution": 1}


def test_a_provider_finds_its_own_draft_but_not_anothers(filler):
    mine, theirs = make_provider_user(), make_provider_user()
    own = indexed(make_solution("电机绕线智能产线", maintainers=[mine], status=EntryStatus.DRAFT))
    indexed(make_solution("电机装配智能产线", maintainers=[theirs], status=EntryStatus.DRAFT))
    published = indexed(make_solution("电机测试智能产线"))
    assert set(titles(search("电机", user=mine))) == {own.title, published.title}
    assert search("电机", user=mine).total == 2
    assert titles(search("电机")) == [published.title]
    admin = make_user(Role.CITY_ADMIN)
    assert search("电机", user=admin).total == 3


def test_the_scope_in_sql_is_the_scoping_rule(plan):
    provider, other = make_provider_user(), make_provider_user()
    indexed(make_solution("甲方案"))
    indexed(make_solution("乙方案", maintainers=[provider], status=EntryStatus.DRAFT))
    indexed(make_solution("丙方案", maintainers=[other], status=EntryStatus.PENDING))
    indexed(make_solution("丁方案", maintainers=[provider, other], status=EntryStatus.UNPUBLISHED))
    indexed(make_solution("戊方案", status=EntryStatus.DRAFT))
    users = [
        None,
        AnonymousUser(),
        provider,
        other,
        make_user(Role.CITY_ADMIN),
        make_user(Role.ENTERPRISE, "越城区", is_superuser=True),
        make_user(Role.DISTRICT, "柯桥区"),
        make_user(Role.ENTERPRISE, "越城区"),
        make_user(Role.EXPERT),
    ]
    for user in users:
        expected = set(
            scope_queryset(user, SearchDocument.objects.all()).values_list("pk", flat=True)
        )
        condition, params = scope_sql(user)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT d.id FROM bridge_searchdocument AS d WHERE {condition}", params)
            assert {pk for (pk,) in cursor.fetchall()} == expected, user
    assert len(set(scope_queryset(provider, SearchDocument.objects.all()))) == 3


@pytest.fixture
def faceted(filler):
    keqiao = make_provider(regions=["柯桥区"])
    yuecheng = make_provider(regions=["越城区"])
    indexed(
        make_solution(
            "印染MES解决方案", provider=yuecheng, clusters=["现代纺织"], subdomains=["PO"]
        )
    )
    indexed(
        make_solution(
            "印染数字化车间方案",
            provider=keqiao,
            clusters=["现代纺织", "绿色化工"],
            subdomains=["PO", "EN"],
        )
    )
    indexed(make_case("印染企业MES应用案例", clusters=["现代纺织"]))
    indexed(make_standard(title="印染行业智能工厂建设指南"))
    indexed(make_solution("印染草稿方案", clusters=["现代纺织"], status=EntryStatus.DRAFT))


def test_facets_count_the_matched_set_exactly(faceted):
    results = search("印染")
    assert results.total == 4
    assert results.facets == {
        "library": {"solution": 2, "case": 1, "standard": 1},
        "cluster": {"textile": 3, "green-chemical": 1},
        "subdomain": {"PO": 2, "EN": 1},
        "region": {"330602": 1, "330603": 1},
    }


def test_each_facet_counts_under_the_other_facets_filters(faceted):
    solutions = search("印染", libraries=["solution"])
    assert solutions.total == 2 and len(solutions.hits) == 2
    assert solutions.facets["library"] == {"solution": 2, "case": 1, "standard": 1}
    assert solutions.facets["cluster"] == {"textile": 2, "green-chemical": 1}
    chemical = search("印染", clusters=["green-chemical"])
    assert chemical.total == 1 and titles(chemical) == ["印染数字化车间方案"]
    assert chemical.facets["cluster"] == {"textile": 3, "green-chemical": 1}
    assert chemical.facets["library"] == {"solution": 1}
    either = search("印染", regions=["330602", "330603"], subdomains=["PO"])
    assert either.total == 2
    assert search("印染", libraries=["expert"]).total == 0


def test_pages(faceted):
    first = search("印染", limit=2)
    second = search("印染", limit=2, offset=2)
    assert len(first.hits) == len(second.hits) == 2 and first.total == second.total == 4
    assert not {h.object_id for h in first.hits} & {h.object_id for h in second.hits} or (
        {h.library for h in first.hits} != {h.library for h in second.hits}
    )
    assert search("印染", offset=10).hits == []


def test_a_search_is_one_statement(faceted, django_assert_num_queries):
    with django_assert_num_queries(1):
        results = search("印染 MES", libraries=["solution"], clusters=["textile"])
    assert results.total == 1 and len(results.hits) == 1
    with django_assert_num_queries(2):  # no entry has both words: again with either
        assert search("印染 黄酒").relaxed
    with django_assert_num_queries(0):
        search("的")


def test_snippets_are_highlighted_and_escaped(filler):
    entry = indexed(
        make_solution(
            "<b>印染</b>方案",
            description="前言" * 80 + "本方案<script>alert(1)</script>面向染整企业建设MES，times。",
        )
    )
    (hit,) = search("印染 MES").hits
    assert hit.object_id == entry.pk
    assert "<script>" not in hit.snippet_html and "&lt;script&gt;" in hit.snippet_html
    assert "<mark>染整</mark>" in hit.snippet_html and "<mark>MES</mark>" in hit.snippet_html
    assert hit.snippet_html.startswith("…")
    assert "times" in hit.snippet_html and "<mark>times" not in hit.snippet_html
    assert hit.title_html == "&lt;b&gt;<mark>印染</mark>&lt;/b&gt;方案"
    assert highlight("ＭＥＳ系统", ["mes"]) == "<mark>ＭＥＳ</mark>系统"
    assert snippet("", ["mes"]) == ""


NASTY_QUERIES = [
    '"',
    "'",
    "*",
    "-",
    "OR",
    "NEAR",
    ":",
    "&",
    "|",
    "!",
    '"印染',
    "印染*",
    "-印染",
    "印染 OR MES",
    "NEAR(印染 MES, 2)",
    "title_words:印染",
    "印染 & MES | !ERP",
    "印染 <-> MES",
    "'); DROP TABLE bridge_searchdocument; --",
    "印染\x00MES",
    "\\ % _ ( ) ^ { } [ ] ~ @ # $",
    "印染" * 500,
    "🏭 印染 ✓",
    "AND",
    "NOT 印染",
]


def test_special_characters_are_safe(faceted):
    for query in NASTY_QUERIES:
        assert search(query, clusters=["x' OR 1=1 --"], regions=["%"]).total == 0, query
        results = search(query)
        if "印染" in query:
            assert results.total >= 1, query


def test_library_entries_rank_above_registry_records(filler):
    # given a software and an equipment entry that mention 数字孪生 in their text only, and
    # three completed transformation projects named after it (title matches, more relevant)
    software = indexed(make_software("车间可视化平台", description="基于数字孪生的产线三维监控。"))
    equipment = indexed(
        make_equipment("智能检测工作站", description="配套数字孪生调试，缩短交付周期。")
    )
    for number, district in enumerate(["越城区", "柯桥区", "上虞区"]):
        firm = make_enterprise(f"绍兴孪生示范{number}有限公司", region=district)
        make_title(
            "transformation-completed",
            enterprise=firm,
            published=True,
            project_name=f"数字孪生车间改造{number}",
        )
    index_registries()

    # when anyone searches for 数字孪生
    results = search("数字孪生", now=NOW)

    # then the two maintained entries come first, the registry records after them (the three
    # projects, and their enterprises, whose records name the projects), though each project's
    # title match scores higher than either entry; the library facet still counts them all
    libraries = [hit.library for hit in results.hits]
    assert set(libraries[:2]) == {"software", "equipment"}
    assert {hit.title for hit in results.hits[:2]} == {software.name, equipment.name}
    assert set(libraries[2:]) <= {"project", "enterprise"} and libraries.count("project") == 3
    best_project = max(hit.score for hit in results.hits if hit.library == "project")
    assert best_project > max(hit.score for hit in results.hits[:2])
    assert results.facets["library"]["project"] == 3
    assert results.total == len(libraries)


def test_registries_index_recognised_enterprises_and_completed_projects(plan):
    enterprise = make_enterprise("绍兴恒达印染有限公司", region="柯桥区", cluster="现代纺织")
    hidden = make_enterprise("绍兴未公开印染有限公司")
    revoked = make_enterprise("绍兴已摘牌印染有限公司")
    make_title("municipal-digital-workshop", enterprise=enterprise, published=True)
    project = make_title(
        "transformation-completed",
        enterprise=enterprise,
        published=True,
        project_name="恒达印染定型机联网改造",
    )
    make_title("municipal-smart-factory", enterprise=hidden, published=False)
    make_title(
        "municipal-digital-workshop",
        enterprise=revoked,
        published=True,
        revoked_on=datetime.date(2024, 1, 1),
    )
    assert index_registries() == {"enterprise": 1, "project": 1}
    results = search("印染")
    assert {(h.library, h.object_id) for h in results.hits} == {
        ("enterprise", enterprise.pk),
        ("project", project.pk),
    }
    assert results.facets["region"] == {"330603": 2}
    assert results.facets["cluster"] == {"textile": 2}
    assert search("数字化车间").hits[0].title == "绍兴恒达印染有限公司"
    # One title changes: its enterprise's and project's documents follow.
    project.revoked_on = datetime.date(2025, 1, 1)
    project.save()
    index_title(project)
    assert [(h.library, h.title) for h in search("印染").hits] == [
        ("enterprise", "绍兴恒达印染有限公司")
    ]
    first = make_title("municipal-smart-factory", enterprise=hidden, published=True)
    index_title(first)
    assert search("未公开").total == 1


@pytest.mark.parametrize(
    ("make", "library", "query"),
    [
        (
            lambda: make_standard("GB/T 39116-2020", title="智能制造能力成熟度模型"),
            "standard",
            "39116",
        ),
        (lambda: make_equipment("五轴数控机床", maker="新昌精机有限公司"), "equipment", "新昌精机"),
        (lambda: make_software("云MES", vendor="越城软件有限公司"), "software", "越城软件"),
        (lambda: make_expert_profile("王工", expertise="印染工艺数字化"), "expert", "染整"),
        (lambda: make_financial_product("智改贷", institution="绍兴银行"), "finance", "绍兴银行"),
        (
            lambda: make_case(
                "珍珠分拣视觉检测",
                problem="人工分拣效率低",
                results=[{"name": "分拣效率", "unit": "颗/分", "before": "30", "after": "120"}],
            ),
            "case",
            "分拣效率",
        ),
        (lambda: make_provider("柯桥智联科技有限公司", regions=["柯桥区"]), "provider", "柯桥区"),
    ],
)
def test_each_library_is_indexed(filler, make, library, query):
    entry = indexed(make())
    (hit,) = search(query).hits
    assert (hit.library, hit.object_id) == (library, entry.pk)


def test_a_solution_is_found_by_its_provider_and_serves_its_districts(filler):
    provider = make_provider("诸暨袜业智造服务有限公司", regions=["诸暨市"], rating=Decimal("4.5"))
    solution = indexed(make_solution("袜机联网方案", provider=provider, clusters=["现代纺织"]))
    document = SearchDocument.objects.get(library=Library.SOLUTION, object_id=solution.pk)
    assert document.region_codes == "330681" and document.cluster_codes == "textile"
    assert document.rating == Decimal("4.50")
    assert titles(search("诸暨袜业")) == ["袜机联网方案"]
    assert titles(search("现代纺织")) == ["袜机联网方案"]


def test_the_index_follows_changes_and_removals(filler):
    entry = indexed(make_solution("轴承磨床联网方案"))
    entry.title = "电机定子自动化产线"
    entry.save()
    indexed(entry)
    assert search("轴承").total == 0 and search("定子").total == 1
    entry.status = EntryStatus.UNPUBLISHED
    entry.save()
    indexed(entry)
    assert search("定子").total == 0
    remove_entry(Library.SOLUTION, entry.pk)
    admin = make_user(Role.CITY_ADMIN)
    assert search("定子", user=admin).total == 0
    assert search("财务报表", user=admin).total == 6
    SearchDocument.objects.all().delete()
    assert search("财务报表", user=admin).total == 0


@pytest.mark.parametrize("workers", [1, 2])
def test_rebuild_index_replaces_everything(plan, workers):
    provider_user = make_provider_user()
    make_solution("厨电集成灶装配线", maintainers=[provider_user], status=EntryStatus.DRAFT)
    make_standard("GB/T 40000-2021", title="智能工厂通用技术要求")
    enterprise = make_enterprise("新昌轴承股份有限公司", region="新昌县")
    make_title("municipal-smart-factory", enterprise=enterprise, published=True)
    SearchDocument.objects.create(
        library="solution", object_id=999999, title="陈旧", updated_at=NOW
    )
    counts = rebuild_index(workers=workers)
    assert counts == {"solution": 1, "standard": 1, "enterprise": 1}
    assert SearchDocument.objects.count() == 3
    assert search("陈旧").total == 0
    assert search("集成灶").total == 0
    assert titles(search("集成灶", user=provider_user)) == ["厨电集成灶装配线"]
    assert search("智能工厂").total == 2  # the standard, and the enterprise by its title
    # The triggers are back: later single updates are searchable.
    indexed(make_solution("黄酒灌装机器人"))
    assert search("黄酒").total == 1


def test_remembered_blocks_cut_as_the_whole_text_would():
    from zhizao.bridge.search import segmentation

    text = (
        "Café：柯桥恒达印染ＭＥＳ系统、ｔｉｍｅｓ 数字化车间改造。カタカナ 2024年，效率提升23.5%！"
    )
    expected = []
    for piece in segmentation.tokenizer().cut_for_search(segmentation.normalize(text)):
        for word in segmentation.split_words(piece):
            if word not in segmentation.stopwords():
                expected.extend(
                    segmentation._long_inner_words(segmentation.tokenizer().FREQ, word)
                    if len(word) > 4
                    else []
                )
                expected.append(word)
    assert segmentation.index_words(text) == expected
    assert segmentation.index_words(text) == expected  # from the remembered blocks


def test_the_search_command(faceted):
    import json
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command(
        "bridge", "search", "印染", "--library", "solution", "--format", "json", stdout=out
    )
    payload = json.loads(out.getvalue())
    assert payload["total"] == 2 and [h["library"] for h in payload["hits"]] == ["solution"] * 2
    assert payload["hits"][0]["score"] >= payload["hits"][1]["score"] > 0
    out = StringIO()
    call_command("bridge", "search", "印染", "--limit", "1", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "「印染」共 4 条" and lines[1].startswith("排名") and len(lines) == 3
    out = StringIO()
    call_command("bridge", "reindex", stdout=out)
    assert "检索索引已重建：共 13 条（case 1，provider 2，software 6" in out.getvalue()
    assert search("印染").total == 4


def test_titles_reach_the_index_through_the_task_their_services_queue(plan, city_admin):
    enterprise = make_enterprise("嵊州厨电智造有限公司", region="嵊州市")
    title = make_title("transformation-completed", enterprise=enterprise, year=2024)
    assert search("嵊州厨电").total == 0

    publish_titles(city_admin, year=2024)
    run_pending_tasks()
    assert {h.library for h in search("嵊州厨电").hits} == {"enterprise", "project"}

    revoke_title(title, city_admin, revoked_on=datetime.date(2025, 3, 1), reason="撤销")
    run_pending_tasks()
    assert search("嵊州厨电").total == 0
