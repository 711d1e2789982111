"""The cultivation registry in the admin: every record opens with its history, and nothing is
changed there, since changes go through the services."""

import datetime

import pytest

from tests.cultivation.factories import make_application, make_batch, make_expert, make_title
from tests.reports.conftest import new_enterprise
from zhizao.cultivation.models import (
    Application,
    ApplicationAction,
    ApplicationStatus,
    ApplicationStep,
    Attachment,
    Batch,
    ExpertReview,
    Title,
    TitleType,
)
from zhizao.cultivation.services import revoke_title

MODELS = [TitleType, Batch, Application, ApplicationStep, ExpertReview, Attachment, Title]


@pytest.fixture
def registry(plan, city_admin):
    """One record of each cultivation model."""
    enterprise = new_enterprise("越城区", 1, name="越城智造示范有限公司")
    batch = make_batch(required_attachments=[])
    application = make_application(enterprise, batch, status=ApplicationStatus.EXPERT_REVIEW)
    ApplicationStep.objects.create(
        application=application,
        action=ApplicationAction.SUBMIT,
        from_status=ApplicationStatus.DRAFT,
        to_status=ApplicationStatus.SUBMITTED,
        actor=city_admin,
        comment="请审核数字化车间申报",
    )
    ExpertReview.objects.create(application=application, expert=make_expert("王"))
    Attachment.objects.create(
        application=application,
        requirement="申报书",
        original_name="申报书.pdf",
        stored_name="0123456789abcdef.pdf",
        kind="pdf",
        content_type="application/pdf",
        size=1024,
        sha256="0" * 64,
    )
    title = make_title("municipal-digital-workshop", enterprise=enterprise, year=2022)
    revoke_title(title, city_admin, revoked_on=datetime.date(2023, 3, 1), reason="不再符合条件")
    return application


@pytest.mark.parametrize("model", MODELS, ids=[m.__name__ for m in MODELS])
def test_list_change_and_history_pages_open_for_the_city_admin(admin_client_, registry, model):
    base = f"/admin/cultivation/{model._meta.model_name}/"
    obj = model.objects.first()
    assert admin_client_.get(base).status_code == 200
    assert admin_client_.get(f"{base}{obj.pk}/change/").status_code == 200
    assert admin_client_.get(f"{base}{obj.pk}/history/").status_code == 200


@pytest.mark.parametrize("model", MODELS, ids=[m.__name__ for m in MODELS])
def test_records_are_not_added_changed_or_deleted_in_the_admin(admin_client_, registry, model):
    base = f"/admin/cultivation/{model._meta.model_name}/"
    obj = model.objects.first()
    assert admin_client_.get(f"{base}add/").status_code == 403
    assert admin_client_.post(f"{base}{obj.pk}/change/", {}).status_code == 403
    assert admin_client_.post(f"{base}{obj.pk}/delete/", {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=obj.pk).exists()


def test_application_page_shows_its_steps_reviews_and_attachments(admin_client_, registry):
    page = admin_client_.get(f"/admin/cultivation/application/{registry.pk}/change/")
    html = page.content.decode()
    assert "请审核数字化车间申报" in html
    assert "申报流程记录" in html and "专家评审" in html
    assert "申报书.pdf" in html
    assert "0123456789abcdef" not in html  # the stored name stays private
    attachment = Attachment.objects.get()
    own_page = admin_client_.get(f"/admin/cultivation/attachment/{attachment.pk}/change/")
    assert "0123456789abcdef" not in own_page.content.decode()


def test_title_history_shows_the_revocation(admin_client_, registry):
    title = Title.objects.get()
    html = admin_client_.get(f"/admin/cultivation/title/{title.pk}/history/").content.decode()
    assert "摘牌：不再符合条件" in html


def test_district_officer_cannot_open_the_cultivation_admin(yuecheng_client, registry):
    response = yuecheng_client.get("/admin/cultivation/application/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
