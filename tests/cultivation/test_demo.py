"""The cultivation demo (`zhizao demo`): titles consistent with the plan's 2020 bases, a plausible
flow for 2021–2024 with districts ahead and behind, applications waiting at every step, and rows
the services would have written."""

import datetime
import itertools
from collections import Counter, defaultdict
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count

from zhizao.accounts.models import User
from zhizao.core import demo_steps
from zhizao.core.scoping import scope_queryset
from zhizao.cultivation.attachments import attachment_path, check_attachment
from zhizao.cultivation.ladder import ladder
from zhizao.cultivation.models import (
    Application,
    ApplicationStatus,
    ApplicationStep,
    Attachment,
    Batch,
    ExpertReview,
    Title,
    TitleType,
)
from zhizao.cultivation.review import waiting_for
from zhizao.enterprises.models import ScaleStatus

SMALL = 600  # a tenth of the default: 450 above-scale enterprises, so titles at 10 %
BASES = {
    "provincial-smart-factory": 30,
    "municipal-smart-factory": 6,
    "municipal-digital-workshop": 36,
    "transformation-completed": 563,
}
OPEN = [s for s in ApplicationStatus if s not in ("recognised", "rejected")]
SMART_FACTORIES = ("municipal-smart-factory", "provincial-smart-factory")


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    # The demo accounts' passwords are hashed; the default hasher would dominate these tests.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def small_demo(plan) -> str:
    return run_demo("--enterprises", str(SMALL))


def base_counts() -> dict[str, int]:
    return dict(
        Title.objects.filter(year__lte=2020)
        .values_list("title_type__code")
        .annotate(n=Count("id"))
        .order_by()
    )


def completion(plan, code: str, year: int = 2024) -> dict[str, Decimal]:
    """Each district's plan-period additions of a type against its annex floor, as the ladder
    page shows them."""
    return {
        region_ladder.region.name: row.completion
        for region_ladder in ladder(plan, year)[1:]
        for row in region_ladder.rows
        if row.title_type.code == code
    }


def test_the_default_demo_has_the_plans_bases_and_districts_ahead_and_behind(plan):
    # given the full default demo: 6,000 enterprises, 4,500 of them above scale
    output = run_demo()
    # then the titles recognised in 2020 or before are the plan's 2020 bases, exactly
    bases = base_counts()
    assert {code: bases.get(code) for code in BASES} == BASES
    # with the one 未来工厂培育 enterprise of the plan's base note, and no flow titles
    assert bases.get("future-factory-candidate") == 1
    assert "demo-cluster" not in bases and "provincial-future-factory" not in bases
    assert "梯度培育：已生成认定称号" in output and "缩放" not in output
    # and by 2024 the districts stand against the schedule (780 of the 964 additions planned
    # for indicator 5 by then) as the enterprise demo tells it
    schedule = Decimal(780) / Decimal(964)
    for code in ("municipal-digital-workshop", "municipal-smart-factory"):
        done = completion(plan, code)
        assert done["柯桥区"] > schedule and done["诸暨市"] > schedule, (code, done)
        assert done["嵊州市"] < schedule * Decimal("0.9"), (code, done)
        assert done["新昌县"] < schedule * Decimal("0.9"), (code, done)
        for near in ("越城区", "上虞区"):
            assert abs(done[near] - schedule) < Decimal("0.1"), (code, near, done)
    transformed = completion(plan, "transformation-completed")
    assert transformed["柯桥区"] > schedule > transformed["嵊州市"]
    # and the city's additions follow the plan's yearly values (indicator 5: 200 a year)
    yearly = Counter(
        Title.objects.filter(
            title_type__code="municipal-digital-workshop", year__gt=2020
        ).values_list("year", flat=True)
    )
    assert all(180 <= yearly[year] <= 230 for year in range(2021, 2025)), yearly


def test_a_smaller_demo_scales_the_enterprise_titles_and_says_so(small_demo):
    # given the demo at a tenth of the default size (450 above-scale enterprises)
    # then the bases of the enterprise titles are a tenth of the plan's, rounded
    assert base_counts() == {
        "provincial-smart-factory": 3,
        "municipal-smart-factory": 1,
        "municipal-digital-workshop": 4,
        "transformation-completed": 56,
        "future-factory-candidate": 1,
    }
    assert "企业类称号按规上企业数缩放为方案数的 10%" in small_demo
    # while the flows of 示范集群 and 未来工厂 keep the plan's numbers (2 a year, 2021–2024)
    clusters = Title.objects.filter(title_type__code="demo-cluster")
    assert clusters.count() == 8 and not clusters.filter(year__lte=2020).exists()


def test_every_title_belongs_to_its_holders_district_and_keeps_the_types_rules(small_demo):
    # given the demo's titles
    titles = list(Title.objects.select_related("title_type", "enterprise", "cluster"))
    above = set(ScaleStatus.objects.filter(above_scale=True).values_list("enterprise_id", "year"))
    held = defaultdict(list)
    for title in titles:
        if title.enterprise_id:
            held[title.enterprise_id].append(title)
    for title in titles:
        if title.title_type.held_by_region:
            # then a cluster's title is held by its district, named after the cluster
            assert title.enterprise_id is None and title.cluster_id is not None
            assert title.holder_name == f"{title.region.name}{title.cluster.name}智能制造示范集群"
            continue
        # an enterprise's title counts in the enterprise's district
        assert title.enterprise.region_id == title.region_id, title
        assert title.holder_name == title.enterprise.name
        if title.title_type.above_scale_only:
            # a completed transformation is an above-scale enterprise's
            years = (2020,) if title.year <= 2020 else (title.year - 1, title.year)
            assert any((title.enterprise_id, y) in above for y in years), title
        if title.title_type.code in ("provincial-future-factory", "future-factory-candidate"):
            # a future factory (or candidate) held a smart-factory title before the year began
            assert any(
                t.title_type.code in SMART_FACTORIES
                and t.year < title.year
                and (t.revoked_on is None or t.revoked_on > title.recognised_on)
                for t in held[title.enterprise_id]
            ), title
    # and an enterprise holds each type once
    pairs = Counter((t.enterprise_id, t.title_type_id) for t in titles if t.enterprise_id)
    assert max(pairs.values()) == 1
    # titles before the platform have no application; every later one has its own
    assert all((t.application_id is None) == (t.year <= 2020) for t in titles)
    assert Title.objects.filter(year=2024, title_type__code="provincial-future-factory").exists()


def test_every_application_went_the_way_the_services_take_it(small_demo):
    # given every application with its steps, reviews and title
    steps = defaultdict(list)
    for step in ApplicationStep.objects.order_by("application_id", "created_at", "id"):
        steps[step.application_id].append(step)
    reviews = defaultdict(list)
    for review in ExpertReview.objects.all():
        reviews[review.application_id].append(review)
    titles = dict(
        Title.objects.filter(application__isnull=False).values_list("application_id", "year")
    )
    applications = Application.objects.select_related("batch", "title_type")
    assert applications.count() > 500
    for application in applications:
        chain = steps[application.pk]
        # then the steps start with its creation and each starts where the one before ended
        assert (chain[0].action, chain[0].from_status, chain[0].to_status) == (
            "create",
            "",
            "draft",
        )
        for before, step in itertools.pairwise(chain):
            assert step.from_status == before.to_status, (application, step)
            assert step.created_at >= before.created_at
        # and the status is the last step's
        assert chain[-1].to_status == application.status, application
        # every submission lies within its batch's dates
        batch = application.batch
        submissions = [s for s in chain if s.action == "submit"]
        for step in submissions:
            assert batch.opens_on <= step.created_at.date() <= batch.closes_on, application
        if submissions:
            assert application.submitted_at == submissions[-1].created_at
        # a recognised application has its title of the batch's year, the others none
        if application.status == ApplicationStatus.RECOGNISED:
            assert titles[application.pk] == batch.year
        else:
            assert application.pk not in titles
        # a provincial title is recommended by the city and decided by the province
        actions = [s.action for s in chain]
        if application.title_type.level == "province" and application.status == "recognised":
            assert actions[-2:] == ["recommend", "province_result"]
        # the score is the mean of the experts' totals, with their spread
        done = [r for r in reviews[application.pk] if r.submitted_at]
        for review in done:
            assert review.total == sum(Decimal(p) for p in review.scores)
            assert all(
                0 <= Decimal(p) <= item["max"]
                for p, item in zip(review.scores, batch.criteria, strict=True)
            )
        if application.score is not None:
            totals = [r.total for r in reviews[application.pk]]
            assert len(done) == len(totals) == 2
            assert application.score == (sum(totals) / 2).quantize(Decimal("0.01"))
            assert application.score_spread == max(totals) - min(totals)
            assert actions.count("score") == 3
        if not application.title_type.expert_review:
            assert not reviews[application.pk]
    # and the batches' scoring sheets add up to 100 with the 申报书 required
    for batch in Batch.objects.select_related("title_type"):
        assert batch.required_attachments == ["申报书"]
        if batch.title_type.expert_review:
            assert sum(item["max"] for item in batch.criteria) == 100


def test_applications_wait_at_every_step_and_each_demo_login_finds_work(small_demo):
    # given the open batches of 2026
    waiting = Application.objects.exclude(status__in=("recognised", "rejected"))
    assert set(waiting.values_list("status", flat=True)) == set(OPEN)
    assert {(b.opens_on, b.closes_on) for b in Batch.objects.filter(year=2026)} == {
        (datetime.date(2026, 9, 1), datetime.date(2026, 12, 31))
    }
    assert set(waiting.values_list("batch__year", flat=True)) == {2026}
    assert Batch.objects.filter(year=2026).count() == TitleType.objects.count()
    # in expert review, one of the two assigned experts has scored
    for application in waiting.filter(status="expert_review"):
        scored = [r.submitted_at is not None for r in application.expert_reviews.all()]
        assert sorted(scored) == [False, True]
    # then every demo login has something waiting in its queue, inside its scope
    for username in ("admin", "yuecheng", "keqiao", "enterprise", "expert"):
        user = User.objects.get(username=username)
        assert scope_queryset(user, waiting_for(user)).exists(), username
    # the enterprise user's are its own enterprise's, a draft and a returned one
    user = User.objects.get(username="enterprise")
    mine = scope_queryset(user, waiting_for(user))
    assert sorted(mine.values_list("status", flat=True)) == ["draft", "returned"]
    assert set(mine.values_list("enterprise__members", flat=True)) == {user.pk}
    # and the 越城区 officer's are submissions from 越城区
    officer = User.objects.get(username="yuecheng")
    assert set(
        scope_queryset(officer, waiting_for(officer)).values_list("region__name", flat=True)
    ) == {"越城区"}
    # every waiting application past its draft has its 申报书, a PDF in private storage
    submitted = waiting.exclude(status="draft")
    attachments = Attachment.objects.filter(application__in=submitted)
    assert attachments.count() == submitted.count()
    for attachment in attachments:
        content = attachment_path(attachment.stored_name).read_bytes()
        assert check_attachment(content, attachment.original_name).kind == "pdf"
    assert not Attachment.objects.filter(application__batch__year__lt=2026).exists()


def test_keqiao_completes_more_of_its_workshop_floor_than_shengzhou(small_demo, plan):
    # given the demo; when the ladder of 2024 is read
    done = completion(plan, "municipal-digital-workshop")
    # then 柯桥区 and 诸暨市 have completed more of their annex floor than 嵊州市 and 新昌县
    assert done["柯桥区"] > done["嵊州市"] and done["诸暨市"] > done["新昌县"]


def test_titles_up_to_2023_are_published_and_two_are_revoked_in_2023(small_demo):
    # then 2023 and earlier are on the public list, 2024 is not yet
    assert not Title.objects.filter(year__lte=2023, published=False).exists()
    assert not Title.objects.filter(year=2024, published=True).exists()
    # and one or two titles were revoked in 2023, with a reason, kept in their history
    revoked = list(Title.objects.filter(revoked_on__isnull=False))
    assert 1 <= len(revoked) <= 2
    for title in revoked:
        assert title.revoked_on.year == 2023 and title.revoke_reason
        assert title.recognised_on < title.revoked_on
        history = list(title.history.order_by("history_date", "history_id"))
        assert [h.revoked_on for h in history] == [None, title.revoked_on]
        assert history[-1].history_change_reason == f"摘牌：{title.revoke_reason}"
        assert history[-1].history_user.username == "admin"


def test_every_record_has_its_creation_history_entry(small_demo):
    # given the demo's records of the models that keep history
    for model in (Batch, Application, ExpertReview, Title):
        entries = model.history.filter(history_type="+")
        # then each has one creation entry, written by the demo, with the row's values
        assert entries.count() == model.objects.count(), model
        assert set(entries.values_list("history_change_reason", flat=True)) == {"生成演示数据"}
    application = Application.objects.filter(status="scored").first()
    entry = application.history.get(history_type="+")
    assert (entry.status, entry.score, entry.scenes) == (
        application.status,
        application.score,
        application.scenes,
    )


def cultivation_rows() -> dict[str, int]:
    models = (Batch, Application, ApplicationStep, ExpertReview, Title, Attachment, User)
    counts = {model.__name__: model.objects.count() for model in models}
    for model in (Batch, Application, ExpertReview, Title):
        counts[f"history of {model.__name__}"] = model.history.count()
    return counts


def test_a_second_run_keeps_the_cultivation_data(small_demo):
    # given the demo; when `zhizao demo` runs again
    before = cultivation_rows()
    output = run_demo("--enterprises", str(SMALL))
    # then it changes nothing and says so
    assert cultivation_rows() == before
    assert "梯度培育：库中已有" in output and "保留现有数据，不再生成" in output


def clear_cultivation() -> None:
    for model in (Attachment, ExpertReview, ApplicationStep, Title, Application, Batch):
        model.objects.all().delete()


def signature() -> list[tuple]:
    return list(
        Title.objects.order_by(
            "title_type__code", "enterprise_id", "region_id", "cluster_id"
        ).values_list("title_type__code", "enterprise_id", "region_id", "cluster_id", "year")
    )


def test_the_same_seed_gives_the_same_titles_and_another_seed_others(plan):
    # given the demo enterprises and the cultivation demo made with the default seed
    run_demo("--enterprises", "200", "--years", "2020-2022")
    first = signature()
    # when the registry is emptied and the demo runs again over the same enterprises
    clear_cultivation()
    output = run_demo("--enterprises", "200", "--years", "2020-2022")
    # then the same seed gives the same titles, and expert2, expert3 are not made twice
    assert signature() == first and "新建评审专家账号" not in output
    assert User.objects.filter(username__in=["expert2", "expert3"]).count() == 2
    clear_cultivation()
    run_demo("--enterprises", "200", "--seed", "7")
    # (whatever the years asked, the flow runs only through the years with reports)
    assert signature() != first
    assert Title.objects.filter(year__gt=2022).count() == 0


def test_a_demo_of_a_few_years_has_titles_for_those_years_only(plan):
    # given a demo of 200 enterprises with reports for 2020–2022 only
    output = run_demo("--enterprises", "200", "--years", "2020-2022")
    # then the flow runs 2021–2022 (2022 not yet published) and applications wait in 2026
    assert "2021—2022 年新增" in output
    assert set(Title.objects.filter(year__gt=2020).values_list("year", flat=True)) == {2021, 2022}
    assert not Title.objects.filter(year=2022, published=True).exists()
    assert Application.objects.filter(status="submitted").exists()


def test_demo_steps_run_in_order_and_return_their_summaries(monkeypatch):
    # given two steps registered out of order
    monkeypatch.setattr(demo_steps, "REGISTRY", {})
    calls = []

    @demo_steps.register_demo_step("later", order=30)
    def later(*, seed, years, stdout):
        calls.append(("later", seed, years))
        return "后一步"

    @demo_steps.register_demo_step("earlier", order=10)
    def earlier(*, seed, years, stdout):
        calls.append(("earlier", seed, years))
        return None

    # when the steps run; then in their order, with the seed and years, returning the lines
    assert demo_steps.run_demo_steps(seed=5, years=range(2020, 2022)) == ["后一步"]
    assert calls == [("earlier", 5, range(2020, 2022)), ("later", 5, range(2020, 2022))]


def test_the_cultivation_step_is_registered_by_the_app():
    assert "cultivation" in demo_steps.REGISTRY
    assert [s.name for s in demo_steps.registered_steps()].count("cultivation") == 1


def test_records_can_be_added_after_the_bulk_insert(small_demo):
    # given the demo, written with explicit ids; when records are added the ordinary way
    batch = Batch.objects.filter(year=2026).first()
    application = Application.objects.create(
        batch=batch,
        title_type=batch.title_type,
        region=Application.objects.first().region,
        project_name="新建申报",
    )
    step = ApplicationStep.objects.create(
        application=application, action="create", to_status="draft"
    )
    # then they get fresh ids
    assert application.pk > Application.objects.exclude(pk=application.pk).latest("pk").pk
    assert step.pk > ApplicationStep.objects.exclude(pk=step.pk).latest("pk").pk
