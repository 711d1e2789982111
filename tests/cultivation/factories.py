"""Small factories for the cultivation registry: title types from the default file, batches,
applications at any step and titles."""

import datetime
import itertools

from tests.accounts.factories import make_user
from zhizao.core.models import Region
from zhizao.core.roles import Role
from zhizao.cultivation.models import (
    Application,
    ApplicationStatus,
    Batch,
    Title,
    TitleType,
)
from zhizao.cultivation.typefile import ensure_title_types

_serial = itertools.count(1)

CRITERIA = [
    {"name": "智能化水平", "max": 40},
    {"name": "建设成效", "max": 40},
    {"name": "示范推广价值", "max": 20},
]
TODAY = datetime.date(2026, 11, 26)


def title_type(code: str) -> TitleType:
    ensure_title_types()
    return TitleType.objects.get(code=code)


def make_batch(
    code: str = "municipal-digital-workshop",
    year: int = 2026,
    opens_on: datetime.date | None = None,
    closes_on: datetime.date | None = None,
    required_attachments: list[str] | None = None,
    **fields,
) -> Batch:
    kind = title_type(code)
    return Batch.objects.create(
        title_type=kind,
        year=year,
        number=fields.pop("number", next(_serial)),
        opens_on=opens_on or datetime.date(2000, 1, 1),
        closes_on=closes_on or datetime.date(2099, 12, 31),
        criteria=CRITERIA if kind.expert_review else [],
        required_attachments=["申报书"] if required_attachments is None else required_attachments,
        **fields,
    )


def make_application(
    enterprise, batch: Batch | None = None, status: str = ApplicationStatus.DRAFT, **fields
) -> Application:
    batch = batch or make_batch()
    return Application.objects.create(
        batch=batch,
        title_type=batch.title_type,
        enterprise=enterprise,
        region=enterprise.region,
        project_name=fields.pop("project_name", f"{enterprise.name}智能化项目"),
        status=status,
        scenes=fields.pop("scenes", [{"name": "智能仓储", "description": "立体库"}]),
        **fields,
    )


def make_title(
    code: str,
    region: str = "越城区",
    year: int = 2022,
    enterprise=None,
    revoked_on: datetime.date | None = None,
    **fields,
) -> Title:
    place = enterprise.region if enterprise else Region.objects.get(name=region)
    return Title.objects.create(
        title_type=title_type(code),
        enterprise=enterprise,
        region=place,
        holder_name=fields.pop(
            "holder_name", enterprise.name if enterprise else f"持有者{next(_serial)}"
        ),
        year=year,
        recognised_on=fields.pop("recognised_on", datetime.date(year, 6, 30)),
        revoked_on=revoked_on,
        **fields,
    )


def make_expert(name: str = "专家"):
    return make_user(Role.EXPERT, full_name=f"{name}{next(_serial)}")
