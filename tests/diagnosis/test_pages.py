"""The self-assessment pages as each role sees them: starting, filling in over several sittings
(an answer saved as it is clicked), submitting with refusals that name what is missing, the
report, and 404 for whatever a user may not see. The questionnaire is the shipped one."""

import json
import re

import pytest

from tests.accounts.factories import make_user
from tests.conftest import signed_in
from tests.diagnosis.factories import make_assessment, make_diagnosis
from tests.enterprises.factories import make_enterprise
from zhizao.core.roles import Role
from zhizao.diagnosis.models import (
    AssessmentStatus,
    DiagnosisStatus,
    IndustryType,
    SelfAssessment,
)
from zhizao.diagnosis.questionnaire import load_questionnaire
from zhizao.diagnosis.services import save_answers, start_assessment, submit_assessment

HX = {"HTTP_HX_REQUEST": "true"}


def html_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def chart_data(page: str, name: str = "diagnosis-charts") -> dict:
    found = re.search(rf'<script id="{name}" type="application/json">(.*?)</script>', page, re.S)
    return json.loads(found[1])


def answers_up_to(level: int) -> dict[str, str]:
    """全部满足 up to `level`, 不满足 above: level scores 1 … 1, 0 → S = level (二级 at 2)."""
    q = load_questionnaire()
    return {r.id: "全部满足" if r.level <= level else "不满足" for r in q.requirements}


@pytest.fixture
def firm(enterprise_user):
    # 1711 (cotton spinning) is a discrete division; 2614 (chemicals) a process one.
    enterprise = make_enterprise("越城智造有限公司", region="越城区", cluster="现代纺织")
    enterprise.members.add(enterprise_user)
    return enterprise


@pytest.fixture
def keqiao_firm(plan):
    enterprise = make_enterprise("柯桥印染有限公司", region="柯桥区", cluster="现代纺织")
    enterprise.members.add(make_user(Role.ENTERPRISE, "柯桥区", username="keqiao-member"))
    return enterprise


@pytest.fixture
def draft(firm, enterprise_user):
    return start_assessment(firm, enterprise_user, "离散型", 2024)


@pytest.fixture
def submitted(firm, enterprise_user):
    assessment = start_assessment(firm, enterprise_user, "离散型", 2025)
    save_answers(assessment, enterprise_user, answers_up_to(2))
    return submit_assessment(assessment, enterprise_user)


# --- starting -------------------------------------------------------------------------------


def test_the_enterprise_starts_with_the_type_suggested_by_its_industry(plan, enterprise_user):
    # given a chemicals maker (division 26: a process industry)
    chemicals = make_enterprise("越城化工有限公司", region="越城区", industry_code="2614")
    chemicals.members.add(enterprise_user)
    client = signed_in(enterprise_user)

    # when it opens the start page
    page = html_of(client.get(f"/diagnosis/enterprises/{chemicals.pk}/start/"))

    # then 流程型 is preselected and marked as the suggestion
    assert re.search(r'value="process"[^>]*checked', page)
    assert "按行业代码建议" in page

    # when it starts this year's assessment as 流程型
    response = client.post(
        f"/diagnosis/enterprises/{chemicals.pk}/start/",
        {"industry_type": "process", "year": "2025"},
    )

    # then a draft exists and the filling page opens
    assessment = SelfAssessment.objects.get(enterprise=chemicals)
    assert (assessment.year, assessment.industry_type) == (2025, IndustryType.PROCESS)
    assert response.url == f"/diagnosis/assessments/{assessment.pk}/fill/"


def test_starting_again_continues_the_draft(draft, enterprise_user):
    client = signed_in(enterprise_user)
    response = client.get(f"/diagnosis/enterprises/{draft.enterprise_id}/start/")
    assert response.url == f"/diagnosis/assessments/{draft.pk}/fill/"


def test_the_home_page_offers_what_waits_for_the_enterprise(draft, enterprise_user):
    save_answers(draft, enterprise_user, {"OS-1-01": "全部满足", "SK-1-01": "部分满足"})
    page = html_of(signed_in(enterprise_user).get("/diagnosis/"))
    assert "2024年自评估填写中：已答 2/151" in page
    assert f"/diagnosis/assessments/{draft.pk}/fill/" in page


# --- filling in -----------------------------------------------------------------------------


def test_the_filling_page_groups_requirements_by_element_domain_and_sub_domain(
    draft, enterprise_user
):
    client = signed_in(enterprise_user)

    # when the enterprise opens 生产 (the 9th domain: 人员 2, 技术 3, 资源 2, 设计, 生产)
    page = html_of(client.get(f"/diagnosis/assessments/{draft.pk}/fill/?section=9"))

    # then it sees the element, the domain, its seven sub-domains and their requirements
    assert "制造 › " in page and '<span class="text-body fs-5">生产</span>' in page
    for name in ["采购", "计划与调度", "生产作业", "设备管理", "仓储配送", "安全环保", "能源管理"]:
        assert f">{name} <span" in page
    q = load_questionnaire()
    ps_1 = q.by_id["PS-1-01"]
    assert ps_1.text in page and f"证据：{ps_1.evidence}" in page
    assert '已答 <strong data-testid="answered">0</strong>/151' in page

    # and 不适用 is offered exactly where the questionnaire allows it
    asked = [r for r in q.requirements if q.subdomains[r.subdomain].domain == "生产"]
    offered = set(re.findall(r'name="([A-Z]{2}-\d-\d\d)"[^>]*value="不适用"', page))
    assert offered == {r.id for r in asked if r.not_applicable_allowed}
    assert offered, "生产 has requirements that allow 不适用"
    # and a yes-or-no requirement offers only its two answers
    narrow = next(r for r in q.requirements if r.answers != tuple(q.scale))
    section = next(
        i for i, name in enumerate(q.domains, 1) if name == q.subdomains[narrow.subdomain].domain
    )
    page = html_of(client.get(f"/diagnosis/assessments/{draft.pk}/fill/?section={section}"))
    assert set(re.findall(rf'name="{narrow.id}"[^>]*value="([^"]+)"', page)) == set(narrow.answers)


def test_each_answer_is_saved_as_it_is_clicked(draft, enterprise_user):
    client = signed_in(enterprise_user)
    url = f"/diagnosis/assessments/{draft.pk}/answer/"

    # when the enterprise clicks two answers (htmx posts each one alone)
    html_of(client.post(url, {"OS-1-01": "全部满足", "section": "1"}, **HX))
    page = html_of(client.post(url, {"OS-2-01": "部分满足", "section": "1"}, **HX))

    # then both are saved and the progress bar and the section count follow
    draft.refresh_from_db()
    assert draft.answers == {"OS-1-01": "全部满足", "OS-2-01": "部分满足"}
    assert "✓ 已保存" in page
    assert 'id="progress"' in page and 'hx-swap-oob="true"' in page
    assert '<strong data-testid="answered">2</strong>/151' in page
    assert re.search(r'id="nav-count-1"[^>]*>2/\d+<', page)

    # and a later sitting finds them checked
    page = html_of(client.get(f"/diagnosis/assessments/{draft.pk}/fill/?section=1"))
    assert re.search(r'name="OS-1-01"[^>]*value="全部满足"[^>]*checked', page)
    assert re.search(r'name="OS-2-01"[^>]*value="部分满足"[^>]*checked', page)


def test_an_answer_outside_the_scale_is_refused_with_the_services_message(draft, enterprise_user):
    client = signed_in(enterprise_user)
    page = html_of(
        client.post(
            f"/diagnosis/assessments/{draft.pk}/answer/",
            {"OS-1-01": "不适用", "section": "1"},
            **HX,
        )
    )
    assert "未保存：要求「OS-1-01」不允许回答「不适用」。" in page
    draft.refresh_from_db()
    assert draft.answers == {}


def test_a_section_posted_without_script_is_saved_and_the_next_one_opens(draft, enterprise_user):
    client = signed_in(enterprise_user)
    q = load_questionnaire()
    first = [r.id for r in q.requirements if r.subdomain == "OS"]
    response = client.post(
        f"/diagnosis/assessments/{draft.pk}/answer/",
        {**dict.fromkeys(first, "全部满足"), "section": "1", "go": "2"},
    )
    assert response.url == f"/diagnosis/assessments/{draft.pk}/fill/?section=2"
    draft.refresh_from_db()
    assert draft.answers == dict.fromkeys(first, "全部满足")


def test_the_industry_type_can_be_changed_while_filling_in(draft, enterprise_user):
    client = signed_in(enterprise_user)
    client.post(f"/diagnosis/assessments/{draft.pk}/answer/", {"industry_type": "process"}, **HX)
    draft.refresh_from_db()
    assert draft.industry_type == IndustryType.PROCESS


def test_submitting_an_incomplete_assessment_names_what_is_missing(draft, enterprise_user):
    # given everything answered but two requirements of 数据
    answers = answers_up_to(2)
    del answers["DA-2-01"], answers["DA-3-01"]
    save_answers(draft, enterprise_user, answers)
    client = signed_in(enterprise_user)

    # when the enterprise submits
    response = client.post(f"/diagnosis/assessments/{draft.pk}/submit/", follow=True)

    # then it is back on the 数据 section, told which requirements are missing
    page = html_of(response)
    assert response.redirect_chain[-1][0].endswith("?section=3&check=1")
    assert "未能提交：以下 2 条要求尚未作答：DA-2-01、DA-3-01。" in page
    assert "技术 · 数据</a>：2 条（DA-2-01、DA-3-01）" in page
    draft.refresh_from_db()
    assert draft.status == AssessmentStatus.DRAFT


def test_submitting_a_complete_assessment_opens_its_report(draft, enterprise_user):
    save_answers(draft, enterprise_user, answers_up_to(2))
    client = signed_in(enterprise_user)
    response = client.post(f"/diagnosis/assessments/{draft.pk}/submit/", follow=True)
    page = html_of(response)
    assert response.redirect_chain[-1][0] == f"/diagnosis/assessments/{draft.pk}/"
    assert "2.00 · 二级 规范级" in page
    # a submitted assessment is no longer filled in
    assert client.get(f"/diagnosis/assessments/{draft.pk}/fill/").url == (
        f"/diagnosis/assessments/{draft.pk}/"
    )


def test_the_city_admin_fills_in_on_the_enterprises_behalf(firm, city_admin):
    client = signed_in(city_admin)
    client.post(
        f"/diagnosis/enterprises/{firm.pk}/start/", {"industry_type": "discrete", "year": "2025"}
    )
    assessment = SelfAssessment.objects.get(enterprise=firm)
    client.post(f"/diagnosis/assessments/{assessment.pk}/answer/", {"OS-1-01": "全部满足"}, **HX)
    assessment.refresh_from_db()
    assert assessment.answers == {"OS-1-01": "全部满足"}
    assert assessment.created_by == city_admin


def test_a_district_officer_follows_a_draft_but_cannot_answer_it(draft, yuecheng_officer):
    client = signed_in(yuecheng_officer)
    page = html_of(client.get(f"/diagnosis/assessments/{draft.pk}/fill/"))
    assert "您可以查看填写进度，但不能代为作答。" in page
    assert 'data-testid="submit"' not in page
    url = f"/diagnosis/assessments/{draft.pk}/"
    assert client.post(url + "answer/", {"OS-1-01": "全部满足"}).status_code == 404
    assert client.post(url + "submit/").status_code == 404
    assert client.get(f"/diagnosis/enterprises/{draft.enterprise_id}/start/").status_code == 404


# --- the report -----------------------------------------------------------------------------


def test_the_report_shows_score_level_charts_with_tables_gaps_history_and_medians(
    submitted, firm, enterprise_user
):
    # given an earlier assessment and two peers in the district and the cluster
    make_assessment(firm, 2023, total="1.2000", level=1)
    peer = make_enterprise("越城纺织二厂", region="越城区", cluster="现代纺织")
    make_assessment(peer, 2025, total="3.0000", level=3)
    other = make_enterprise("柯桥纺织三厂", region="柯桥区", cluster="现代纺织")
    make_assessment(other, 2024, total="0.5000", level=0)

    page = html_of(signed_in(enterprise_user).get(f"/diagnosis/assessments/{submitted.pk}/"))

    # then S and level
    assert (
        '<div class="display-6 text-primary" data-testid="score-level">2.00 · 二级 规范级</div>'
        in page
    )
    # the radar and the level bars, each with its table
    assert 'id="radar-chart"' in page and 'id="levels-chart"' in page
    assert 'data-testid="domain-scores"' in page and 'data-testid="level-scores"' in page
    charts = chart_data(page)
    assert charts["domains"][0] == {"name": "组织战略", "value": 2.0}
    assert [lv["value"] for lv in charts["levels"]] == [1.0, 1.0, 0.0, 0.0, 0.0]
    # the gaps are the level-3 requirements, heaviest sub-domain (PO 0.08 for 离散型) first
    gaps = page.split('data-testid="gaps"')[1]
    assert gaps.index("PO-3-01") < gaps.index("OS-3-01")
    assert "下一级（三级 集成级）" in page
    # history in year order, this one highlighted
    history = page.split('data-testid="history"')[1].split("</table>")[0]
    assert history.index("2023年") < history.index("2025年")
    # medians: district 越城区 (2.00, 3.00 → 2.50, two enterprises), cluster 现代纺织 (0.5, 2, 3)
    comparison = page.split('data-testid="comparison"')[1].split("</table>")[0]
    assert re.search(
        r"越城区中位数</td><td class=\"num\">2.50</td><td class=\"num\">2<", comparison
    )
    assert re.search(
        r"现代纺织集群中位数</td><td class=\"num\">2.00</td><td class=\"num\">3<", comparison
    )
    # each gap links to the bridge's solutions, providers and cases of its sub-domain
    po_gap = gaps.split("PO-3-01")[1].split("</tr>")[0]
    assert '<a href="/bridge/solution/?subdomain=PO">方案</a>' in po_gap
    assert '<a href="/bridge/case/?subdomain=PO">案例</a>' in po_gap
    # and the enterprise can turn its gaps into needs
    assert f'href="/bridge/needs/from-gaps/?assessment={submitted.pk}"' in page


def test_a_draft_has_no_report_yet(draft, enterprise_user):
    client = signed_in(enterprise_user)
    assert client.get(f"/diagnosis/assessments/{draft.pk}/").url.endswith("/fill/")
    assert client.get(f"/diagnosis/assessments/{draft.pk}/report.pdf").status_code == 404


# --- scoping: another district's or enterprise's id is 404 ----------------------------------


def test_a_keqiao_officer_gets_404_on_a_yuecheng_enterprises_pages(
    submitted, draft, firm, keqiao_officer, yuecheng_officer
):
    diagnosis = make_diagnosis(firm, status=DiagnosisStatus.ASSIGNED)
    keqiao = signed_in(keqiao_officer)
    for url in [
        f"/diagnosis/assessments/{submitted.pk}/",
        f"/diagnosis/assessments/{submitted.pk}/report.pdf",
        f"/diagnosis/diagnoses/{diagnosis.pk}/",
        f"/diagnosis/assessments/{submitted.pk}/fill/",
        f"/diagnosis/enterprises/{firm.pk}/",
        f"/diagnosis/enterprises/{firm.pk}/start/",
        f"/diagnosis/enterprises/{firm.pk}/assign/",
    ]:
        assert keqiao.get(url).status_code == 404, url
    assert keqiao.post(f"/diagnosis/assessments/{submitted.pk}/submit/").status_code == 404
    # while the 越城区 officer sees them
    yuecheng = signed_in(yuecheng_officer)
    assert yuecheng.get(f"/diagnosis/assessments/{submitted.pk}/").status_code == 200
    assert yuecheng.get(f"/diagnosis/assessments/{submitted.pk}/report.pdf").status_code == 200
    assert yuecheng.get(f"/diagnosis/diagnoses/{diagnosis.pk}/").status_code == 200


def test_another_enterprises_user_gets_404(submitted, draft, keqiao_firm):
    other = signed_in(keqiao_firm.members.get())
    for url in [
        f"/diagnosis/assessments/{submitted.pk}/",
        f"/diagnosis/assessments/{submitted.pk}/report.pdf",
        f"/diagnosis/assessments/{draft.pk}/fill/",
        f"/diagnosis/enterprises/{submitted.enterprise_id}/",
    ]:
        assert other.get(url).status_code == 404, url
    response = other.post(f"/diagnosis/assessments/{draft.pk}/answer/", {"OS-1-01": "全部满足"})
    assert response.status_code == 404


def test_lists_show_only_what_the_user_may_see(submitted, keqiao_firm, keqiao_officer, city_admin):
    make_assessment(keqiao_firm, 2025, total="1.5000", level=1)
    assert "越城智造有限公司" not in html_of(
        signed_in(keqiao_officer).get("/diagnosis/assessments/")
    )
    page = html_of(signed_in(city_admin).get("/diagnosis/assessments/"))
    assert "越城智造有限公司" in page and "柯桥印染有限公司" in page


# --- bounded queries ------------------------------------------------------------------------


def test_the_pages_run_a_bounded_number_of_queries(
    submitted, firm, enterprise_user, django_assert_max_num_queries
):
    client = signed_in(enterprise_user)
    draft = start_assessment(firm, enterprise_user, "离散型", 2024)
    save_answers(draft, enterprise_user, answers_up_to(1))  # a draft: no report yet
    urls = {
        f"/diagnosis/assessments/{submitted.pk}/": 9,
        f"/diagnosis/assessments/{draft.pk}/fill/?section=9": 8,
        "/diagnosis/": 10,
        "/diagnosis/assessments/": 10,
        f"/diagnosis/enterprises/{firm.pk}/": 10,
    }
    for url in urls:
        client.get(url)  # warm the session
    counts = {}
    for url, most in urls.items():
        with django_assert_max_num_queries(most) as captured:
            html_of(client.get(url))
        counts[url] = len(captured.captured_queries)
    # given many more assessments of the enterprise and its peers
    for year in range(2015, 2023):
        make_assessment(firm, year, total="1.0000", level=1)
    for _serial in range(10):
        peer = make_enterprise(region="越城区", cluster="现代纺织")
        make_assessment(peer, 2025, total="2.0000", level=2)
    for url, count in counts.items():
        with django_assert_max_num_queries(count):
            html_of(client.get(url))
