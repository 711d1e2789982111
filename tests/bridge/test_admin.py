"""新智造鹊桥 in the admin: every model's pages open, the city admin corrects an entry with the
library's own checks (history and search index follow), approves pending entries in bulk; the
index, needs and matches are read-only."""

from tests.bridge.factories import (
    make_case,
    make_equipment,
    make_expert_profile,
    make_financial_product,
    make_match,
    make_provider,
    make_provider_user,
    make_software,
    make_solution,
    make_standard,
)
from zhizao.bridge.models import (
    EntryStatus,
    FinancialProduct,
    Match,
    MatchStep,
    SearchDocument,
    Standard,
)
from zhizao.bridge.search.indexing import index_entry
from zhizao.core.admin_site import BOOKKEEPING


def every_bridge_model():
    from django.apps import apps

    return [
        m for m in apps.get_app_config("bridge").get_models() if not m.__name__.startswith("Hist")
    ]


def test_every_bridge_model_has_working_admin_pages(admin_client_):
    # given a row of every model
    provider = make_provider(maintainers=[make_provider_user()])
    solution = make_solution(provider=provider)
    make_case(provider=provider, solution=solution)
    for make in (make_standard, make_equipment, make_software, make_expert_profile):
        index_entry(make())
    index_entry(make_financial_product())
    match = make_match(entry=solution)
    MatchStep.objects.create(match=match, to_status=match.status, comment="推荐")
    # then
    for model in every_bridge_model():
        meta = model._meta
        base = f"/admin/{meta.app_label}/{meta.model_name}/"
        if meta.label_lower in BOOKKEEPING:  # the search's own: for superusers only
            assert admin_client_.get(base).status_code == 403, base
            continue
        assert admin_client_.get(base).status_code == 200, base
        obj = model.objects.first()
        assert obj is not None, model
        assert admin_client_.get(f"{base}{obj.pk}/change/").status_code == 200, base
        assert admin_client_.get(f"{base}{obj.pk}/history/").status_code == 200, base


def financial_form(product, **changes) -> dict:
    data = {
        "name": product.name,
        "institution": product.institution,
        "product_type": product.product_type,
        "rate_min": str(product.rate_min),
        "rate_max": str(product.rate_max),
        "limit": "",
        "eligibility": "",
        "divisions": "[]",
        "subdomains": "[]",
        "description": "",
    }
    data.update(changes)
    return data


def test_the_city_admin_corrects_an_entry_with_the_librarys_checks(admin_client_, city_admin):
    # given
    product = make_financial_product("智改贷")
    url = f"/admin/bridge/financialproduct/{product.pk}/change/"
    # when a change breaks the rate range
    refused = admin_client_.post(url, financial_form(product, rate_min="6"))
    # then it is refused with the services' words
    assert refused.status_code == 200
    assert "利率下限（6%）大于上限（4.5%）。" in refused.content.decode()
    # when a good change is saved
    saved = admin_client_.post(
        url, financial_form(product, description="首年贴息", subdomains='["po"]')
    )
    # then history and the search index follow
    assert saved.status_code == 302, saved.content.decode()[:2000]
    product = FinancialProduct.objects.get(pk=product.pk)
    assert (product.description, product.subdomains) == ("首年贴息", ["PO"])
    assert product.history.first().history_change_reason == "管理后台修改"
    assert product.history.first().history_user == city_admin
    document = SearchDocument.objects.get(library="finance", object_id=product.pk)
    assert "首年贴息" in document.body


def test_the_city_admin_approves_pending_entries_in_bulk(admin_client_):
    pending = make_standard("GB/T 39116-2020", status=EntryStatus.PENDING)
    draft = make_standard("GB/T 39117-2020", status=EntryStatus.DRAFT)
    response = admin_client_.post(
        "/admin/bridge/standard/",
        {"action": "approve_selected", "_selected_action": [pending.pk, draft.pk]},
        follow=True,
    )
    page = response.content.decode()
    assert "已发布 1 个条目。" in page
    assert "该条目当前为「草稿」，只有待审核的条目可以发布。" in page
    assert Standard.objects.get(pk=pending.pk).status == EntryStatus.PUBLISHED
    assert Standard.objects.get(pk=draft.pk).status == EntryStatus.DRAFT


def test_the_index_and_matches_are_read_only(admin_client_):
    match = make_match()
    assert admin_client_.get("/admin/bridge/searchdocument/add/").status_code == 403
    assert admin_client_.get("/admin/bridge/match/add/").status_code == 403
    page = admin_client_.get(f"/admin/bridge/match/{match.pk}/change/").content.decode()
    assert 'name="_save"' not in page
    assert Match.objects.count() == 1
