"""The matrix's world: one user of each role, and records that belong to none of them: a
manufacturer of 柯桥区 with its report, application, attachment, title, self-assessment, diagnosis,
need and match, a draft entry of another provider, a task and a notification of another user.

The district officer is 越城区's, the enterprise user a member of a 越城区 manufacturer, the
provider and the expert are assigned to nothing of 柯桥区's."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from tests.accounts.factories import make_city_admin, make_district_officer, make_user
from tests.bridge.factories import (
    make_expert_user,
    make_match,
    make_need,
    make_provider,
    make_provider_user,
    make_solution,
)
from tests.cultivation.factories import make_application, make_batch, make_expert, make_title
from tests.diagnosis.factories import make_assessment, make_diagnosis
from tests.enterprises.factories import make_enterprise, make_report
from tests.plans.factories import load_default_plan
from zhizao.bridge.models import EntryStatus
from zhizao.core.models import Notification, Region, Task
from zhizao.core.roles import Role
from zhizao.cultivation.models import ApplicationStatus, Attachment, ExpertReview
from zhizao.diagnosis.models import AssessmentStatus, DiagnosisStatus
from zhizao.enterprises.models import ReportStatus
from zhizao.monitoring.models import IndicatorValue, ValueSource
from zhizao.plans.models import RegionTarget


@dataclass
class World:
    users: dict  # role → user (None for anonymous)
    objects: dict  # what the other side owns, by name


def build_world() -> World:
    plan = load_default_plan()
    keqiao = Region.objects.get(name="柯桥区")

    # The roles that try
    own = make_enterprise("越城自有企业有限公司", region="越城区")
    enterprise_user = make_user(Role.ENTERPRISE, "越城区", username="m-enterprise")
    own.members.add(enterprise_user)
    provider_user = make_provider_user(username="m-provider")
    expert_user = make_expert_user(username="m-expert")
    users = {
        "district": make_district_officer("越城区", username="m-district"),
        "enterprise": enterprise_user,
        "provider": provider_user,
        "expert": expert_user,
        "anonymous": None,
    }
    city_admin = make_city_admin(username="m-city")

    # What the other side owns
    other_officer = make_district_officer("柯桥区", username="m-keqiao")
    other_member = make_user(Role.ENTERPRISE, "柯桥区", username="m-other-member")
    firm = make_enterprise("柯桥他人企业有限公司", region="柯桥区")
    firm.members.add(other_member)
    report = make_report(firm, year=2025, status=ReportStatus.SUBMITTED)
    batch = make_batch("municipal-digital-workshop", year=2026)
    application = make_application(firm, batch, status=ApplicationStatus.EXPERT_REVIEW)
    ExpertReview.objects.create(application=application, expert=make_expert("他人专家"))
    attachment = Attachment.objects.create(
        application=application,
        original_name="申报书.pdf",
        stored_name="zz/zz" + "0" * 30 + ".pdf",
        kind="pdf",
        content_type="application/pdf",
        size=10,
        sha256="0" * 64,
        uploaded_by=other_member,
    )
    title = make_title("municipal-digital-workshop", enterprise=firm, year=2024)
    assessment = make_assessment(firm, 2025, status=AssessmentStatus.DRAFT)
    diagnosis = make_diagnosis(
        firm,
        make_user(Role.EXPERT, username="m-other-expert"),
        status=DiagnosisStatus.SUBMITTED,
        visit_date=datetime.date(2026, 5, 1),
    )
    other_provider = make_provider_user(username="m-other-provider")
    provider_entry = make_provider("他人服务商有限公司", maintainers=[other_provider])
    draft = make_solution(
        "他人草稿方案", provider=provider_entry, status=EntryStatus.DRAFT, published_at=None
    )
    need = make_need(firm)
    match = make_match(need, make_solution("他人已发布方案", provider=provider_entry))
    value = IndicatorValue.objects.create(
        indicator=plan.indicators.get(number=1),
        region=keqiao,
        year=2024,
        value=Decimal("1"),
        source=ValueSource.ENTERPRISE,
    )
    objects = {
        "city_admin": city_admin,
        "plan": plan,
        "keqiao": keqiao,
        "indicator": plan.indicators.get(number=1),
        "year_target": plan.indicators.get(number=1).year_targets.first(),
        "region_target": RegionTarget.objects.filter(region=keqiao).first(),
        "enterprise": firm,
        "report": report,
        "batch": batch,
        "application": application,
        "attachment": attachment,
        "title": title,
        "assessment": assessment,
        "diagnosis": diagnosis,
        "draft_entry": draft,
        "need": need,
        "match": match,
        "indicator_value": value,
        "task": Task.objects.create(name="import", created_by=other_officer),
        "notification": Notification.objects.create(user=other_officer, text="他人的通知"),
    }
    return World(users=users, objects=objects)
