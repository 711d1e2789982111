"""The library entry services: who may create and edit which entries, the review from draft to
published (and back), the checks on values with their Chinese messages, history, notifications
and the search index kept in step."""

import re
from decimal import Decimal

import pytest

from tests.accounts.factories import make_city_admin, make_user
from tests.bridge.factories import (
    make_expert_user,
    make_provider,
    make_provider_user,
    make_solution,
    make_standard,
)
from zhizao.bridge.models import (
    EntryStatus,
    ExpertProfile,
    FinancialProduct,
    Provider,
    SearchDocument,
    Solution,
    Standard,
)
from zhizao.bridge.services import (
    BridgeError,
    BridgeForbidden,
    approve_entry,
    create_entry,
    next_actions,
    return_entry,
    submit_entry,
    unpublish_entry,
    update_entry,
)
from zhizao.core.models import IndustryCluster, Notification
from zhizao.core.roles import Role


@pytest.fixture
def provider_user(plan):
    return make_provider_user(username="provider-user")


@pytest.fixture
def provider(provider_user):
    return make_provider("绍兴智联科技有限公司", maintainers=[provider_user])


def exactly(message: str) -> str:
    return f"^{re.escape(message)}$"


def starts(message: str) -> str:
    return f"^{re.escape(message)}"


def document(entry) -> SearchDocument:
    return SearchDocument.objects.get(object_id=entry.pk, library=entry.__class__.__name__.lower())


def history_reasons(entry) -> list[str]:
    return [h.history_change_reason for h in entry.history.order_by("history_date", "history_id")]


# --- creating ---------------------------------------------------------------------------------


def test_provider_creates_a_draft_solution_of_its_own_provider(provider_user, provider):
    # given
    colleague = make_provider_user(username="colleague")
    provider.maintainers.add(colleague)
    textile = IndustryCluster.objects.get(name="现代纺织")
    # when
    solution = create_entry(
        "solution",
        provider_user,
        {"title": "  印染  数字化车间 方案 ", "clusters": [textile], "subdomains": ["po", "PS"]},
    )
    # then
    solution.refresh_from_db()
    assert solution.title == "印染数字化车间方案"
    assert solution.provider == provider
    assert solution.status == EntryStatus.DRAFT and not solution.is_published
    assert solution.subdomains == ["PO", "PS"]
    assert set(solution.maintainers.all()) == {provider_user, colleague}
    assert history_reasons(solution) == ["新建"]
    assert solution.history.first().history_user == provider_user
    assert document(solution).is_published is False


def test_an_enterprise_user_may_not_create_library_entries(enterprise_user):
    with pytest.raises(BridgeForbidden, match=exactly("企业用户不能新建解决方案条目。")):
        create_entry("solution", enterprise_user, {"title": "某方案"})


def test_a_provider_may_not_create_standards(provider_user):
    with pytest.raises(BridgeForbidden, match=exactly("服务商不能新建智造标准条目。")):
        create_entry("standard", provider_user, {"code": "GB/T 1-2020", "title": "某标准"})


def test_a_provider_maintains_one_provider_profile(provider_user, provider):
    with pytest.raises(
        BridgeError, match=exactly("您已维护服务商「绍兴智联科技有限公司」，不能再新建服务商。")
    ):
        create_entry("provider", provider_user, {"name": "另一家服务商"})


def test_a_provider_may_not_publish_under_another_providers_name(provider_user, provider):
    other = make_provider("别家服务商有限公司")
    with pytest.raises(
        BridgeForbidden, match=starts("您不是服务商「别家服务商有限公司」的维护人，")
    ):
        create_entry("case", provider_user, {"title": "某案例", "provider": other})


def test_an_expert_creates_its_own_profile_once(plan):
    # given
    expert = make_expert_user(username="expert-wang")
    # when
    profile = create_entry("expert", expert, {"name": "王工", "expertise": "印染智能化"})
    # then
    assert profile.user == expert
    assert list(profile.maintainers.all()) == [expert]
    with pytest.raises(BridgeError, match=exactly("您已有专家信息「王工」，请修改原有条目。")):
        create_entry("expert", expert, {"name": "王工二", "expertise": "MES"})


def test_city_admin_creates_and_publishes_any_library_at_once(city_admin):
    # when
    standard = create_entry(
        "standard",
        city_admin,
        {"code": "ＧＢ／Ｔ39116—2020", "title": "智能制造能力成熟度模型"},
        publish=True,
    )
    # then
    assert standard.code == "GB/T 39116-2020"
    assert standard.status == EntryStatus.PUBLISHED and standard.published_at is not None
    assert list(standard.maintainers.all()) == []
    assert document(standard).is_published is True


def test_only_the_city_admin_publishes_on_creation(provider_user, provider):
    with pytest.raises(BridgeForbidden, match=exactly("只有市级管理员可以直接发布条目。")):
        create_entry("solution", provider_user, {"title": "某方案"}, publish=True)


# --- checks on values ---------------------------------------------------------------------------


def test_a_standard_code_is_unique_whatever_its_spelling(city_admin):
    make_standard("GB/T 39116-2020")
    with pytest.raises(BridgeError, match=exactly("标准号「GB/T 39116-2020」已存在。")):
        create_entry("standard", city_admin, {"code": "gb/t 39116-2020", "title": "重复"})


def test_required_fields_are_named(city_admin):
    with pytest.raises(BridgeError, match=exactly("请填写标准号。请填写标准名称。")):
        create_entry("standard", city_admin, {"code": " ", "title": ""})


def test_rate_range_and_codes_are_checked(city_admin):
    values = {
        "name": "智改贷",
        "institution": "某银行",
        "product_type": "loan",
        "rate_min": Decimal("4.5"),
        "rate_max": Decimal("3.2"),
        "subdomains": ["XX"],
        "divisions": ["99"],
    }
    with pytest.raises(BridgeError) as refused:
        create_entry("finance", city_admin, values)
    assert str(refused.value) == (
        "未知的行业大类「99」：应为 13—43 的两位制造业大类代码。"
        "未知的能力子域代码「XX」。"
        "利率下限（4.5%）大于上限（3.2%）。"
    )
    assert not FinancialProduct.objects.exists()


def test_investment_range_is_checked(provider_user, provider):
    with pytest.raises(
        BridgeError, match=exactly("典型投资下限（800 万元）大于上限（200 万元）。")
    ):
        create_entry(
            "solution",
            provider_user,
            {"title": "某方案", "investment_min": Decimal(800), "investment_max": Decimal(200)},
        )


def test_a_solution_of_a_case_must_be_its_providers(city_admin, provider):
    other = make_solution("别家的方案", provider=make_provider("别家服务商有限公司"))
    with pytest.raises(
        BridgeError, match=exactly("方案「别家的方案」不属于服务商「绍兴智联科技有限公司」。")
    ):
        create_entry("case", city_admin, {"title": "案例", "provider": provider, "solution": other})


# --- the review -------------------------------------------------------------------------------


def test_the_review_from_draft_to_published(provider_user, provider, city_admin):
    # given
    solution = create_entry("solution", provider_user, {"title": "印染MES方案"})
    # when submitted
    solution = submit_entry(solution, provider_user)
    # then the city admins are told
    assert solution.status == EntryStatus.PENDING
    assert (
        Notification.objects.get(user=city_admin).text
        == "解决方案「印染MES方案」已提交，等待审核。"
    )
    assert next_actions(solution, city_admin) == ["edit", "approve", "return"]
    # when approved
    approve_entry(solution, city_admin)
    # then it is public and its maintainer is told
    solution.refresh_from_db()
    assert solution.status == EntryStatus.PUBLISHED and solution.is_published
    assert solution.published_at is not None
    assert Notification.objects.get(user=provider_user).text == (
        "您维护的解决方案「印染MES方案」已审核通过并发布。"
    )
    assert document(solution).is_published is True
    assert history_reasons(solution) == ["新建", "提交审核", "审核通过并发布"]
    assert solution.history.first().history_user == city_admin


def test_submitting_twice_and_approving_a_draft_are_refused(provider_user, provider, city_admin):
    solution = create_entry("solution", provider_user, {"title": "方案"})
    with pytest.raises(
        BridgeError, match=exactly("该条目当前为「草稿」，只有待审核的条目可以发布。")
    ):
        approve_entry(solution, city_admin)
    submit_entry(solution, provider_user)
    with pytest.raises(BridgeError, match=exactly("该条目已提交，正在等待审核。")):
        submit_entry(solution, provider_user)


def test_only_the_city_admin_reviews(provider_user, provider):
    solution = make_solution(provider=provider, status=EntryStatus.PENDING)
    with pytest.raises(BridgeForbidden, match=exactly("只有市级管理员可以审核发布资源库条目。")):
        approve_entry(solution, provider_user)
    with pytest.raises(BridgeForbidden, match=exactly("只有市级管理员可以退回资源库条目。")):
        return_entry(solution, provider_user, "不全")
    with pytest.raises(BridgeForbidden, match=exactly("只有市级管理员可以下架资源库条目。")):
        unpublish_entry(solution, provider_user, "过时")


def test_returning_needs_a_reason_and_tells_the_maintainers(provider_user, provider, city_admin):
    solution = make_solution("方案甲", provider=provider, status=EntryStatus.PENDING)
    with pytest.raises(BridgeError, match=exactly("退回必须填写原因。")):
        return_entry(solution, city_admin, "  ")
    return_entry(solution, city_admin, "请补充典型投资范围")
    solution.refresh_from_db()
    assert solution.status == EntryStatus.DRAFT
    assert Notification.objects.get(user=provider_user).text == (
        "您维护的解决方案「方案甲」被退回修改：请补充典型投资范围"
    )
    assert solution.history.first().history_change_reason == "退回修改：请补充典型投资范围"


def test_unpublishing_needs_a_reason_and_hides_the_entry(provider_user, provider, city_admin):
    solution = make_solution("方案乙", provider=provider)
    with pytest.raises(BridgeError, match=exactly("下架必须填写原因。")):
        unpublish_entry(solution, city_admin, "")
    unpublish_entry(solution, city_admin, "服务商资质过期")
    solution.refresh_from_db()
    assert (solution.status, solution.is_published) == (EntryStatus.UNPUBLISHED, False)
    assert solution.unpublish_reason == "服务商资质过期"
    assert document(solution).is_published is False
    assert Notification.objects.get(user=provider_user).text == (
        "您维护的解决方案「方案乙」已被下架：服务商资质过期"
    )
    # and the maintainer may fix it and submit it again
    solution = submit_entry(solution, provider_user)
    assert solution.status == EntryStatus.PENDING


def test_a_maintainers_edit_of_a_published_entry_goes_back_to_review(
    provider_user, provider, city_admin
):
    # given
    solution = make_solution("方案丙", provider=provider)
    # when
    update_entry(solution, provider_user, {"description": "新增了能耗管理模块。"})
    # then
    solution.refresh_from_db()
    assert solution.status == EntryStatus.PENDING and not solution.is_published
    assert solution.description == "新增了能耗管理模块。"
    assert (
        Notification.objects.get(user=city_admin).text == "解决方案「方案丙」已修改，等待重新审核。"
    )
    assert solution.history.first().history_change_reason == "修改后重新提交审核"


def test_the_city_admins_edit_keeps_the_entry_published(city_admin, provider):
    solution = make_solution("方案丁", provider=provider)
    update_entry(solution, city_admin, {"description": "勘误"})
    solution.refresh_from_db()
    assert solution.status == EntryStatus.PUBLISHED
    assert solution.description == "勘误"


def test_an_edit_that_changes_nothing_writes_no_history(provider_user, provider):
    solution = make_solution("方案戊", provider=provider)
    before = solution.history.count()
    update_entry(solution, provider_user, {"title": " 方案戊 "})
    solution.refresh_from_db()
    assert solution.history.count() == before
    assert solution.status == EntryStatus.PUBLISHED


def test_only_maintainers_edit_an_entry(provider, plan):
    stranger = make_provider_user(username="stranger")
    solution = make_solution(provider=provider)
    with pytest.raises(BridgeForbidden, match=exactly("您不是该条目的维护人，不能修改。")):
        update_entry(solution, stranger, {"description": "改"})
    with pytest.raises(BridgeForbidden, match=exactly("您不是该条目的维护人，不能提交审核。")):
        submit_entry(solution, stranger)


def test_maintainers_and_the_expert_account_are_the_city_admins_to_set(plan):
    expert = make_expert_user(username="expert-li")
    profile = create_entry("expert", expert, {"name": "李工", "expertise": "MES"})
    with pytest.raises(BridgeForbidden, match=exactly("只有市级管理员可以指定维护人。")):
        update_entry(profile, expert, {"maintainers": [make_user(Role.EXPERT)]})
    with pytest.raises(BridgeForbidden, match=exactly("只有市级管理员可以修改专家的平台账号。")):
        update_entry(profile, expert, {"user": make_expert_user(username="other")})
    admin = make_city_admin()
    not_an_expert = make_provider_user(username="not-an-expert")
    with pytest.raises(BridgeError, match=exactly("账号「not-an-expert」不是专家账号。")):
        update_entry(profile, admin, {"user": not_an_expert})


def test_the_city_admin_names_a_providers_maintainers(city_admin, plan):
    # given an entry the city created
    provider = create_entry("provider", city_admin, {"name": "绍兴新服务商有限公司"})
    account = make_provider_user(username="new-provider")
    # when
    update_entry(provider, city_admin, {"maintainers": [account]})
    # then the provider's account maintains it and its new solutions
    assert list(Provider.objects.get(pk=provider.pk).maintainers.all()) == [account]
    solution = create_entry("solution", account, {"title": "新方案"})
    assert Solution.objects.get(pk=solution.pk).provider == provider
    assert ExpertProfile.objects.count() == 0 and Standard.objects.count() == 0


def test_a_providers_new_rating_reaches_its_solutions_in_the_index(city_admin, provider):
    # given
    solution = create_entry("solution", city_admin, {"title": "方案己", "provider": provider})
    # when
    update_entry(provider, city_admin, {"rating": Decimal("4.8")})
    # then
    assert document(solution).rating == Decimal("4.80")
