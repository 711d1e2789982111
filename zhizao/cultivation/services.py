"""cultivation services: batches, who may apply, drafting an application, and recognised titles
and their revocation; the review steps after submission are in `review.py`.

Each function that changes a record owns its transaction, writes the step or history entry that
goes with it and notifies the people the work now waits for; views, API, commands and the demo
only parse input and call these. Who may act is decided here, not in the views."""

import datetime
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhizao.core.models import IndustryCluster, Region
from zhizao.core.notifications import city_admins, district_officers  # noqa: F401
from zhizao.core.roles import Role, is_city_admin
from zhizao.core.services import mark_change
from zhizao.core.tasks import enqueue
from zhizao.cultivation.attachments import (
    AttachmentRefused,
    check_attachment,
    delete_attachment,
    store_attachment,
)
from zhizao.cultivation.models import (
    Application,
    ApplicationAction,
    ApplicationStatus,
    ApplicationStep,
    Attachment,
    Batch,
    Holder,
    Title,
    TitleType,
)
from zhizao.enterprises.models import Enterprise, ReportStatus, ScaleStatus, YearlyReport

# Registered by the monitoring app (monitoring/tasks.py): recounts the registry indicators.
RECOMPUTE_TASK = "monitoring.recompute"
# Registered by the bridge app (bridge/tasks.py): the search documents of titled enterprises and
# completed transformations follow their titles.
INDEX_TITLES_TASK = "bridge.index_titles"


class CultivationError(Exception):
    """An action that is not allowed now; the message says why, in Chinese."""


class CultivationForbidden(CultivationError):
    """The user may not take this action at all."""


@dataclass(frozen=True)
class KeyFigure:
    key: str
    label: str
    unit: str


# The figures an application states before and after its project (改造前后关键指标).
KEY_FIGURES = (
    KeyFigure("productivity", gettext_lazy("劳动生产率"), gettext_lazy("万元/人")),
    KeyFigure("defect_rate", gettext_lazy("产品不良品率"), "%"),
    KeyFigure("energy_per_unit", gettext_lazy("单位产值综合能耗"), gettext_lazy("吨标准煤/万元")),
    KeyFigure("lead_time", gettext_lazy("产品研制周期"), gettext_lazy("天")),
    KeyFigure("cnc_rate", gettext_lazy("关键工序数控化率"), "%"),
    KeyFigure("networking_rate", gettext_lazy("设备联网率"), "%"),
)
KEY_FIGURE_KEYS = {figure.key for figure in KEY_FIGURES}


def actor_or_none(user):
    return user if getattr(user, "is_authenticated", False) else None


def application_url(application: Application) -> str:
    return reverse("cultivation:application", args=[application.pk])


# --- batches ---------------------------------------------------------------------------


def check_criteria(criteria) -> list[dict]:
    """The scoring sheet as stored: named items with positive points adding up to 100."""
    if not isinstance(criteria, list) or not criteria:
        raise CultivationError(_("评分细则至少应有一项。"))
    items = []
    for position, raw in enumerate(criteria, start=1):
        name = str((raw or {}).get("name", "")).strip() if isinstance(raw, dict) else ""
        if not name:
            raise CultivationError(
                _("评分细则第 %(position)s 项缺少名称。") % {"position": position}
            )
        points = parse_decimal(raw.get("max", ""))
        if points is None or points <= 0 or points != points.to_integral_value():
            raise CultivationError(
                _("评分细则「%(name)s」的分值「%(value)s」应为正整数。")
                % {"name": name, "value": raw.get("max")}
            )
        items.append({"name": name, "max": int(points), "note": str(raw.get("note", "")).strip()})
    total = sum(item["max"] for item in items)
    if total != 100:
        raise CultivationError(
            _("评分细则各项分值合计应为 100，实际为 %(total)s。") % {"total": total}
        )
    return items


@transaction.atomic
def open_batch(
    title_type: TitleType,
    *,
    year: int,
    number: int,
    opens_on: datetime.date,
    closes_on: datetime.date,
    criteria: list,
    required_attachments: list[str],
    user,
    notes: str = "",
) -> Batch:
    if not is_city_admin(user):
        raise CultivationForbidden(_("只有市级管理员可以发布申报批次。"))
    if closes_on < opens_on:
        raise CultivationError(
            _("截止日期 %(closes_on)s 早于开始日期 %(opens_on)s。")
            % {"closes_on": format(closes_on, "%Y-%m-%d"), "opens_on": format(opens_on, "%Y-%m-%d")}
        )
    if Batch.objects.filter(title_type=title_type, year=year, number=number).exists():
        raise CultivationError(
            _("%(year)s年第%(number)s批%(name)s已存在。")
            % {"year": year, "number": number, "name": title_type.name}
        )
    batch = Batch(
        title_type=title_type,
        year=year,
        number=number,
        opens_on=opens_on,
        closes_on=closes_on,
        criteria=check_criteria(criteria) if title_type.expert_review else [],
        required_attachments=[a.strip() for a in required_attachments if a.strip()],
        notes=notes,
        created_by=actor_or_none(user),
    )
    mark_change(batch, "发布申报批次")
    batch.save()
    return batch


def batch_is_open(batch: Batch, today: datetime.date | None = None) -> bool:
    today = today or timezone.localdate()
    return batch.opens_on <= today <= batch.closes_on


# --- who may apply ---------------------------------------------------------------------


def held_titles(enterprise: Enterprise, on: datetime.date | None = None):
    """The enterprise's titles in force on a date (today by default)."""
    on = on or timezone.localdate()
    return Title.objects.filter(enterprise=enterprise, recognised_on__lte=on).filter(
        Q(revoked_on__isnull=True) | Q(revoked_on__gt=on)
    )


def eligibility_problem(title_type: TitleType, enterprise: Enterprise, year: int) -> str | None:
    """Why the enterprise may not apply for the type, or None when it may."""
    if title_type.held_by_region:
        return _("「%(name)s」由区、县（市）申报，企业不能申报。") % {"name": title_type.name}
    if title_type.above_scale_only:
        above = ScaleStatus.objects.filter(
            enterprise=enterprise, year__in=(year - 1, year), above_scale=True
        ).exists()
        if not above:
            return _(
                "「%(name)s」仅限规上企业申报，%(name2)s在%(value)s—%(year)s年不是规上企业。"
            ) % {"name": title_type.name, "name2": enterprise.name, "value": year - 1, "year": year}
    prerequisites = list(title_type.prerequisites.all())
    if prerequisites:
        held = held_titles(enterprise).filter(title_type__in=prerequisites).exists()
        if not held:
            names = _("或").join(f"「{t.name}」" for t in prerequisites)
            return _("申报「%(name)s」须已获得%(names)s称号，%(name2)s尚未获得。") % {
                "name": title_type.name,
                "names": names,
                "name2": enterprise.name,
            }
    return None


def may_edit(user, application: Application) -> bool:
    """The applicant's side edits a draft: the enterprise's members, or the district's officers
    for a region's application; the city admin may correct any."""
    if is_city_admin(user):
        return True
    if application.enterprise_id:
        return (
            user.role == Role.ENTERPRISE
            and application.enterprise.members.filter(pk=user.pk).exists()
        )
    return is_officer_of(user, application.region)


def is_officer_of(user, region: Region) -> bool:
    return (
        getattr(user, "role", None) == Role.DISTRICT
        and user.region_id is not None
        and region.path.startswith(user.region.path)
    )


def _open_application_of(title_type, enterprise=None, region=None, cluster=None):
    found = Application.objects.filter(title_type=title_type).exclude(
        status__in=(ApplicationStatus.RECOGNISED, ApplicationStatus.REJECTED)
    )
    if enterprise is not None:
        return found.filter(enterprise=enterprise).first()
    return found.filter(enterprise=None, region=region, cluster=cluster).first()


def prefilled_key_figures(enterprise: Enterprise) -> dict:
    """The 'before' side from the enterprise's latest city-approved yearly report."""
    report = (
        YearlyReport.objects.filter(enterprise=enterprise, status=ReportStatus.CITY_APPROVED)
        .order_by("-year")
        .first()
    )
    if report is None:
        return {}

    def ratio(part, whole, scale=Decimal(1)):
        return str(round(Decimal(part) / Decimal(whole) * scale, 2)) if whole else ""

    before = {
        "productivity": ratio(report.industrial_output, report.employees),
        "energy_per_unit": ratio(report.energy_use, report.industrial_output),
        "cnc_rate": ratio(report.cnc_key_processes, report.key_processes, Decimal(100)),
        "networking_rate": ratio(
            report.networked_equipment, report.networkable_equipment, Decimal(100)
        ),
    }
    return {key: {"before": value, "after": ""} for key, value in before.items() if value}


def parse_decimal(text: str) -> Decimal | None:
    """A finite number from what a person typed (full-width digits, thousands separators and
    stray spaces allowed), or None."""
    text = unicodedata.normalize("NFKC", str(text)).strip().replace(",", "")
    try:
        value = Decimal(text)
    except ArithmeticError:
        return None
    return value if value.is_finite() else None


def clean_key_figures(raw) -> dict:
    """Numbers as text without stray spaces; a value that is not a number is refused."""
    if not isinstance(raw, dict):
        raw = {}
    figures = {}
    labels = {f.key: f.label for f in KEY_FIGURES}
    for key, sides in raw.items():
        if key not in KEY_FIGURE_KEYS:
            continue
        sides = sides if isinstance(sides, dict) else {}
        cleaned = {}
        for side in ("before", "after"):
            text = str(sides.get(side, "") or "").strip()
            if text:
                value = parse_decimal(text)
                if value is None:
                    label = _("改造前") if side == "before" else _("改造后")
                    raise CultivationError(
                        _("关键指标「%(value)s」的%(label)s值「%(text)s」不是数字。")
                        % {"value": labels[key], "label": label, "text": text}
                    )
                text = format(value, "f")
            cleaned[side] = text
        if cleaned.get("before") or cleaned.get("after"):
            figures[key] = cleaned
    return figures


def clean_scenes(raw) -> list[dict]:
    scenes = []
    for scene in raw if isinstance(raw, list) else []:
        if not isinstance(scene, dict):
            continue
        name = str(scene.get("name", "")).strip()
        if name:
            scenes.append({"name": name, "description": str(scene.get("description", "")).strip()})
    return scenes


# --- drafting --------------------------------------------------------------------------


@transaction.atomic
def create_application(
    batch: Batch,
    user,
    *,
    project_name: str,
    enterprise: Enterprise | None = None,
    region: Region | None = None,
    cluster: IndustryCluster | None = None,
    today: datetime.date | None = None,
) -> Application:
    title_type = batch.title_type
    if not batch_is_open(batch, today):
        raise CultivationError(
            _("%(batch)s的申报时间为 %(opens_on)s 至 %(closes_on)s，当前不在申报期内。")
            % {
                "batch": batch,
                "opens_on": format(batch.opens_on, "%Y-%m-%d"),
                "closes_on": format(batch.closes_on, "%Y-%m-%d"),
            }
        )
    if not project_name.strip():
        raise CultivationError(_("请填写项目名称。"))
    if title_type.holder == Holder.ENTERPRISE:
        if enterprise is None:
            raise CultivationError(
                _("「%(name)s」须由企业申报，请选择企业。") % {"name": title_type.name}
            )
        region = enterprise.region
        cluster = enterprise.cluster
        allowed = is_city_admin(user) or (
            user.role == Role.ENTERPRISE and enterprise.members.filter(pk=user.pk).exists()
        )
        if not allowed:
            raise CultivationForbidden(_("您不能以该企业的名义申报。"))
        problem = eligibility_problem(title_type, enterprise, batch.year)
        if problem:
            raise CultivationError(problem)
    else:
        if region is None:
            raise CultivationError(
                _("「%(name)s」须由区、县（市）申报，请选择区县。") % {"name": title_type.name}
            )
        if not (is_city_admin(user) or is_officer_of(user, region)):
            raise CultivationForbidden(_("您不能以该区县的名义申报。"))
        enterprise = None
    existing = _open_application_of(title_type, enterprise, region, cluster)
    if existing is not None:
        holder = enterprise.name if enterprise else existing.holder_name
        raise CultivationError(
            _("%(holder)s已有一份未办结的「%(name)s」申报（%(value)s），不能重复申报。")
            % {"holder": holder, "name": title_type.name, "value": existing.get_status_display()}
        )
    application = Application(
        batch=batch,
        title_type=title_type,
        enterprise=enterprise,
        region=region,
        cluster=cluster,
        project_name=project_name.strip(),
        key_figures=prefilled_key_figures(enterprise) if enterprise else {},
        applicant=actor_or_none(user),
    )
    mark_change(application, "创建申报")
    application.save()
    record_step(application, ApplicationAction.CREATE, "", user)
    return application


@transaction.atomic
def update_application(
    application: Application,
    user,
    *,
    project_name: str,
    summary: str = "",
    scenes=None,
    key_figures=None,
    investment: Decimal | None = None,
) -> Application:
    application = locked_application(application)
    if not may_edit(user, application):
        raise CultivationForbidden(_("您不能修改该申报。"))
    if not application.is_editable:
        raise CultivationError(
            _("该申报%(value)s，不能再修改。") % {"value": application.get_status_display()}
        )
    if not project_name.strip():
        raise CultivationError(_("请填写项目名称。"))
    if investment is not None and investment < 0:
        raise CultivationError(
            _("项目投资「%(investment)s」不能为负数。") % {"investment": investment}
        )
    application.project_name = project_name.strip()
    application.summary = summary.strip()
    application.scenes = clean_scenes(scenes)
    application.key_figures = clean_key_figures(key_figures)
    application.investment = investment
    mark_change(application, "修改申报")
    application.save()
    return application


@transaction.atomic
def add_attachment(application: Application, user, uploaded, requirement: str = "") -> Attachment:
    application = locked_application(application)
    if not may_edit(user, application):
        raise CultivationForbidden(_("您不能为该申报上传附件。"))
    if not application.is_editable:
        raise CultivationError(
            _("该申报%(value)s，不能再上传附件。") % {"value": application.get_status_display()}
        )
    try:
        checked = check_attachment(uploaded)
    except AttachmentRefused as exc:
        raise CultivationError(str(exc)) from None
    stored_name = store_attachment(uploaded, checked)
    # The file is on disk before the row is written; a failed write must not leave it behind.
    try:
        return Attachment.objects.create(
            application=application,
            requirement=requirement.strip(),
            original_name=(getattr(uploaded, "name", "") or _("附件"))[-255:],
            stored_name=stored_name,
            kind=checked.kind,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            uploaded_by=actor_or_none(user),
        )
    except Exception:
        delete_attachment(stored_name)
        raise


@transaction.atomic
def remove_attachment(attachment: Attachment, user) -> None:
    application = locked_application(attachment.application)
    if not may_edit(user, application):
        raise CultivationForbidden(_("您不能删除该申报的附件。"))
    if not application.is_editable:
        raise CultivationError(
            _("该申报%(value)s，附件不能删除。") % {"value": application.get_status_display()}
        )
    stored_name = attachment.stored_name
    attachment.delete()
    transaction.on_commit(lambda: delete_attachment(stored_name))


# --- workflow helpers ----------------------------------------------------------------------


def locked_application(application: Application) -> Application:
    # Lock the application's row only: PostgreSQL cannot lock the nullable side of the outer join
    # to a region-held application's (absent) enterprise.
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("batch", "title_type", "enterprise", "region")
        .get(pk=application.pk)
    )


def record_step(application, action, from_status, user, comment: str = "") -> None:
    ApplicationStep.objects.create(
        application=application,
        action=action,
        from_status=from_status,
        to_status=application.status,
        actor=actor_or_none(user),
        comment=comment,
    )


def move_application(
    application: Application, to_status: str, action: str, user, comment: str = ""
):
    from_status = application.status
    application.status = to_status
    mark_change(application, str(ApplicationAction(action).label))
    application.save()
    record_step(application, action, from_status, user, comment)
    return application


def applicants_of(application: Application):
    if application.enterprise_id:
        return application.enterprise.members.filter(is_active=True)
    return district_officers(application.region)


# --- titles ----------------------------------------------------------------------------


def grant_title(application: Application, document_number: str, recognised_on, user) -> Title:
    batch = application.batch
    title = Title(
        title_type=application.title_type,
        enterprise=application.enterprise,
        region=application.region,
        cluster=application.cluster,
        holder_name=application.holder_name,
        project_name=application.project_name,
        year=batch.year,
        batch=batch,
        batch_label=_("第%(number)s批") % {"number": batch.number},
        document_number=document_number.strip(),
        recognised_on=recognised_on,
        application=application,
    )
    mark_change(title, _("认定"))
    title.save()
    queue_recount(title.year, user)
    queue_title_indexing([title], user)
    return title


def queue_title_indexing(titles, user) -> None:
    """Queue the search index's update for the titles changed (in the same transaction)."""
    refs = [{"title": t.pk, "enterprise": t.enterprise_id} for t in titles]
    if refs:
        enqueue(INDEX_TITLES_TASK, {"titles": refs, "title": "更新检索索引"}, actor_or_none(user))


def queue_recount(year: int, user) -> None:
    """The registry indicators count titles: queue their recount with the change (in the same
    transaction, so it runs only if the change is kept). The engine registers the task."""
    enqueue(
        RECOMPUTE_TASK,
        {"registry": True, "year": year, "title": "重算称号类指标"},
        actor_or_none(user),
    )


@transaction.atomic
def revoke_title(title: Title, user, *, revoked_on: datetime.date, reason: str) -> Title:
    """摘牌: the title stops counting from `revoked_on`; the record and its history stay."""
    if not is_city_admin(user):
        raise CultivationForbidden(_("只有市级管理员可以摘牌。"))
    title = Title.objects.select_for_update().get(pk=title.pk)
    if title.revoked_on is not None:
        raise CultivationError(
            _("该称号已于 %(revoked_on)s 摘牌。")
            % {"revoked_on": format(title.revoked_on, "%Y-%m-%d")}
        )
    if not reason.strip():
        raise CultivationError(_("摘牌必须填写原因。"))
    if revoked_on < title.recognised_on:
        raise CultivationError(
            _("摘牌日期 %(revoked_on)s 早于认定日期 %(recognised_on)s。")
            % {
                "revoked_on": format(revoked_on, "%Y-%m-%d"),
                "recognised_on": format(title.recognised_on, "%Y-%m-%d"),
            }
        )
    title.revoked_on, title.revoke_reason = revoked_on, reason.strip()
    mark_change(title, f"摘牌：{reason.strip()}")
    title.save()
    queue_recount(revoked_on.year, user)
    queue_title_indexing([title], user)
    return title


@transaction.atomic
def publish_titles(user, *, year: int, title_type: TitleType | None = None) -> int:
    """Make the year's recognised titles (of one type, or all) visible on the public list."""
    if not is_city_admin(user):
        raise CultivationForbidden(_("只有市级管理员可以公开认定名单。"))
    titles = Title.objects.filter(year=year, published=False)
    if title_type is not None:
        titles = titles.filter(title_type=title_type)
    published = []
    for title in titles.select_for_update():
        title.published = True
        title._history_user = user  # also when called outside a request (publish_year)
        mark_change(title, "公开认定名单")
        title.save(update_fields=["published"])
        published.append(title)
    queue_title_indexing(published, user)
    return len(published)


def public_titles():
    """The titles anyone may see, logged in or not: the published record (published and not
    revoked), which is not anybody's scoped view of the registry."""
    return Title.objects.filter(published=True, revoked_on__isnull=True)
