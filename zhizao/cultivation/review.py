"""The review of a submitted application: district review, expert scoring, the city's decision
and, for provincial titles, the recommendation and the province's result. Each step owns its
transaction, records who did what and notifies whoever the application now waits for."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from zhizao.core.deadlines import default_due_date
from zhizao.core.notifications import notify
from zhizao.core.roles import Role, is_city_admin
from zhizao.core.services import mark_change
from zhizao.cultivation.models import (
    Application,
    ApplicationAction,
    ApplicationStatus,
    ExpertReview,
    Title,
    TitleLevel,
)
from zhizao.cultivation.services import (
    CultivationError,
    CultivationForbidden,
    actor_or_none,
    applicants_of,
    application_url,
    batch_is_open,
    city_admins,
    district_officers,
    eligibility_problem,
    grant_title,
    is_officer_of,
    locked_application,
    may_edit,
    move_application,
    parse_decimal,
    record_step,
)


def missing_attachments(application: Application) -> list[str]:
    present = set(application.attachments.values_list("requirement", flat=True))
    return [name for name in application.batch.required_attachments if name not in present]


@transaction.atomic
def submit_application(application: Application, user, today=None) -> Application:
    application = locked_application(application)
    if not may_edit(user, application):
        raise CultivationForbidden(_("您不能提交该申报。"))
    if not application.is_editable:
        raise CultivationError(
            _("该申报%(value)s，不能重复提交。") % {"value": application.get_status_display()}
        )
    batch = application.batch
    if not batch_is_open(batch, today):
        raise CultivationError(
            _("%(batch)s已于 %(closes_on)s 截止（或尚未开始），不能提交。")
            % {"batch": batch, "closes_on": format(batch.closes_on, "%Y-%m-%d")}
        )
    if not application.scenes:
        raise CultivationError(_("请至少填写一个建设场景后再提交。"))
    missing = missing_attachments(application)
    if missing:
        raise CultivationError(_("还缺少附件：%(value)s。") % {"value": "、".join(missing)})
    if application.enterprise_id:
        problem = eligibility_problem(application.title_type, application.enterprise, batch.year)
        if problem:
            raise CultivationError(problem)
    application.submitted_at = timezone.now()
    move_application(application, ApplicationStatus.SUBMITTED, ApplicationAction.SUBMIT, user)
    notify(
        district_officers(application.region),
        f"{application.holder_name}提交了「{application.title_type.name}」申报，待区县审核。",
        application_url(application),
    )
    return application


@transaction.atomic
def pass_district_review(
    application: Application, user, comment: str = "", document_number: str = "", today=None
) -> Application:
    """The district's first review. A type the district itself recognises (智能化改造完成) is
    recognised here; the others go to the city, for experts or straight to its decision."""
    application = locked_application(application)
    if application.status != ApplicationStatus.SUBMITTED:
        raise CultivationError(
            _("该申报%(value)s，不能进行区县审核。") % {"value": application.get_status_display()}
        )
    if not (is_officer_of(user, application.region) or is_city_admin(user)):
        raise CultivationForbidden(_("只有申报所属区县的用户可以进行区县审核。"))
    title_type = application.title_type
    if title_type.level == TitleLevel.DISTRICT:
        move_application(
            application, ApplicationStatus.RECOGNISED, ApplicationAction.RECOGNISE, user, comment
        )
        grant_title(application, document_number, today or timezone.localdate(), user)
        notify(
            applicants_of(application),
            f"「{application.project_name}」已通过区县验收，认定为{title_type.name}。",
            application_url(application),
        )
        return application
    next_status = (
        ApplicationStatus.DISTRICT_PASSED if title_type.expert_review else ApplicationStatus.SCORED
    )
    move_application(application, next_status, ApplicationAction.DISTRICT_PASS, user, comment)
    wait = "待分配评审专家" if title_type.expert_review else "待市级认定"
    notify(
        city_admins(),
        f"{application.region.name}推荐了{application.holder_name}的「{title_type.name}」申报，{wait}。",
        application_url(application),
    )
    if application.enterprise_id:
        notify(
            applicants_of(application),
            f"「{application.project_name}」已通过区县审核，{wait}。",
            application_url(application),
        )
    return application


@transaction.atomic
def return_application(application: Application, user, reason: str) -> Application:
    """Back to the applicant to fix and resubmit: by the district at its review, or by the city
    before experts are assigned."""
    if not reason.strip():
        raise CultivationError(_("退回必须填写原因。"))
    application = locked_application(application)
    allowed = (
        application.status == ApplicationStatus.SUBMITTED
        and (is_officer_of(user, application.region) or is_city_admin(user))
    ) or (application.status == ApplicationStatus.DISTRICT_PASSED and is_city_admin(user))
    if not allowed:
        raise CultivationError(
            _("该申报%(value)s，您不能退回。") % {"value": application.get_status_display()}
        )
    move_application(
        application, ApplicationStatus.RETURNED, ApplicationAction.RETURN, user, reason
    )
    notify(
        applicants_of(application),
        f"「{application.project_name}」被退回修改：{reason}",
        application_url(application),
    )
    return application


def conflicted_experts(application: Application) -> set[int]:
    if not application.enterprise_id:
        return set()
    return set(application.enterprise.linked_experts.values_list("pk", flat=True))


@transaction.atomic
def assign_experts(
    application: Application, experts, user, due_on: datetime.date | None = None, today=None
) -> list[ExpertReview]:
    """The city assigns experts to score an application by `due_on` (by default
    ZHIZAO_EXPERT_DUE_DAYS days from today); each is told, with the due date."""
    application = locked_application(application)
    if not is_city_admin(user):
        raise CultivationForbidden(_("只有市级管理员可以分配评审专家。"))
    if application.status not in (
        ApplicationStatus.DISTRICT_PASSED,
        ApplicationStatus.EXPERT_REVIEW,
    ):
        raise CultivationError(
            _("该申报%(value)s，不能分配专家。") % {"value": application.get_status_display()}
        )
    experts = list({expert.pk: expert for expert in experts}.values())
    if not experts:
        raise CultivationError(_("请至少选择一位专家。"))
    conflicted = conflicted_experts(application)
    already = set(application.expert_reviews.values_list("expert_id", flat=True))
    for expert in experts:
        if expert.role != Role.EXPERT or not expert.is_active:
            raise CultivationError(_("「%(expert)s」不是在册专家，不能分配。") % {"expert": expert})
        if expert.pk in conflicted:
            raise CultivationError(
                _("专家「%(expert)s」已声明与%(holder_name)s存在关联，须回避，不能分配。")
                % {"expert": expert, "holder_name": application.holder_name}
            )
        if expert.pk in already:
            raise CultivationError(_("专家「%(expert)s」已分配评审该申报。") % {"expert": expert})
    today = today or timezone.localdate()
    due_on = due_on or default_due_date(today)
    if due_on < today:
        raise CultivationError(
            _("评审截止日期 %(date)s 早于今天。") % {"date": f"{due_on:%Y-%m-%d}"}
        )
    reviews = [
        ExpertReview.objects.create(
            application=application, expert=e, assigned_by=actor_or_none(user), due_on=due_on
        )
        for e in experts
    ]
    names = "、".join(str(e) for e in experts)
    move_application(
        application, ApplicationStatus.EXPERT_REVIEW, ApplicationAction.ASSIGN, user, names
    )
    notify(
        experts,
        f"请于 {due_on:%Y-%m-%d} 前评审{application.holder_name}的「{application.title_type.name}」申报。",
        application_url(application),
    )
    return reviews


@transaction.atomic
def score_application(review: ExpertReview, user, scores: list, comment: str) -> ExpertReview:
    """An assigned expert scores each criterion; when the last one has scored, the application's
    score is the mean of the totals, with the spread (max − min) beside it."""
    review = ExpertReview.objects.select_for_update().get(pk=review.pk)
    application = locked_application(review.application)
    if review.expert_id != getattr(user, "pk", None):
        raise CultivationForbidden(_("只有被分配的专家本人可以评分。"))
    if application.status != ApplicationStatus.EXPERT_REVIEW:
        raise CultivationError(
            _("该申报%(value)s，不能评分。") % {"value": application.get_status_display()}
        )
    if review.submitted_at is not None:
        raise CultivationError(_("您已提交过评分，不能重复提交。"))
    criteria = application.batch.criteria
    if len(scores) != len(criteria):
        raise CultivationError(
            _("应对 %(criteria)s 项评分细则逐项打分，实际 %(scores)s 项。")
            % {"criteria": len(criteria), "scores": len(scores)}
        )
    points = []
    for item, raw in zip(criteria, scores, strict=True):
        value = parse_decimal(raw)
        if value is None:
            raise CultivationError(
                _("「%(value)s」的得分「%(raw)s」不是数字。") % {"value": item["name"], "raw": raw}
            )
        if not Decimal(0) <= value <= Decimal(item["max"]):
            raise CultivationError(
                _("「%(value)s」的得分 %(raw)s 超出范围，应在 0 到 %(value2)s 之间。")
                % {"value": item["name"], "raw": raw, "value2": item["max"]}
            )
        points.append(value)
    if not comment.strip():
        raise CultivationError(_("请填写评审意见。"))
    review.scores = [str(p) for p in points]
    review.total = sum(points, Decimal(0))
    review.comment = comment.strip()
    review.submitted_at = timezone.now()
    mark_change(review, "专家评分")
    review.save()
    record_step(
        application, ApplicationAction.SCORE, application.status, user, f"{review.total} 分"
    )
    totals = list(
        application.expert_reviews.filter(submitted_at__isnull=False).values_list(
            "total", flat=True
        )
    )
    if len(totals) == application.expert_reviews.count():
        application.score = (sum(totals, Decimal(0)) / len(totals)).quantize(Decimal("0.01"))
        application.score_spread = max(totals) - min(totals)
        move_application(
            application, ApplicationStatus.SCORED, ApplicationAction.SCORE, user, "专家评审完成"
        )
        notify(
            city_admins(),
            f"{application.holder_name}的「{application.title_type.name}」专家评审完成（均分 {application.score}），待市级认定。",
            application_url(application),
        )
    return review


@transaction.atomic
def recognise_application(
    application: Application,
    user,
    *,
    document_number: str,
    recognised_on: datetime.date | None = None,
    comment: str = "",
) -> Title:
    """The city recognises a city-level title; for a provincial one this records the
    province's recognition after the city's recommendation."""
    application = locked_application(application)
    if not is_city_admin(user):
        raise CultivationForbidden(_("只有市级管理员可以认定称号。"))
    level = application.title_type.level
    expected = (
        ApplicationStatus.RECOMMENDED if level == TitleLevel.PROVINCE else ApplicationStatus.SCORED
    )
    if application.status != expected:
        raise CultivationError(
            _("该申报%(value)s，不能认定。") % {"value": application.get_status_display()}
        )
    if not document_number.strip():
        raise CultivationError(_("请填写认定文号。"))
    action = (
        ApplicationAction.PROVINCE_RESULT
        if level == TitleLevel.PROVINCE
        else ApplicationAction.RECOGNISE
    )
    move_application(application, ApplicationStatus.RECOGNISED, action, user, comment)
    title = grant_title(application, document_number, recognised_on or timezone.localdate(), user)
    notify(
        applicants_of(application),
        f"祝贺！{application.holder_name}被认定为{application.title_type.name}（{document_number}）。",
        application_url(application),
    )
    return title


@transaction.atomic
def recommend_to_province(application: Application, user, comment: str = "") -> Application:
    application = locked_application(application)
    if not is_city_admin(user):
        raise CultivationForbidden(_("只有市级管理员可以推荐省级。"))
    if application.title_type.level != TitleLevel.PROVINCE:
        raise CultivationError(
            _("「%(name)s」由市级认定，无需推荐省级。") % {"name": application.title_type.name}
        )
    if application.status != ApplicationStatus.SCORED:
        raise CultivationError(
            _("该申报%(value)s，不能推荐省级。") % {"value": application.get_status_display()}
        )
    move_application(
        application, ApplicationStatus.RECOMMENDED, ApplicationAction.RECOMMEND, user, comment
    )
    notify(
        applicants_of(application),
        f"「{application.project_name}」已由市级推荐申报{application.title_type.name}，待省级认定。",
        application_url(application),
    )
    return application


@transaction.atomic
def reject_application(application: Application, user, reason: str) -> Application:
    """The city declines (or records the province declining) an application under its review."""
    if not reason.strip():
        raise CultivationError(_("不予认定必须填写原因。"))
    application = locked_application(application)
    if not is_city_admin(user):
        raise CultivationForbidden(_("只有市级管理员可以作出认定决定。"))
    if application.status not in (
        ApplicationStatus.DISTRICT_PASSED,
        ApplicationStatus.EXPERT_REVIEW,
        ApplicationStatus.SCORED,
        ApplicationStatus.RECOMMENDED,
    ):
        raise CultivationError(
            _("该申报%(value)s，不能作出决定。") % {"value": application.get_status_display()}
        )
    action = (
        ApplicationAction.PROVINCE_RESULT
        if application.status == ApplicationStatus.RECOMMENDED
        else ApplicationAction.REJECT
    )
    move_application(application, ApplicationStatus.REJECTED, action, user, reason)
    notify(
        applicants_of(application),
        f"「{application.project_name}」未获认定：{reason}",
        application_url(application),
    )
    return application


def next_actions(user, application: Application) -> list[str]:
    """The workflow actions `user` may take on `application` now (the page's buttons)."""
    status, actions = application.status, []
    city = is_city_admin(user)
    if application.is_editable and may_edit(user, application):
        actions.append(ApplicationAction.SUBMIT)
    if status == ApplicationStatus.SUBMITTED and (city or is_officer_of(user, application.region)):
        actions += [ApplicationAction.DISTRICT_PASS, ApplicationAction.RETURN]
    if city:
        if status in (ApplicationStatus.DISTRICT_PASSED, ApplicationStatus.EXPERT_REVIEW):
            actions.append(ApplicationAction.ASSIGN)
        if status == ApplicationStatus.DISTRICT_PASSED:
            actions.append(ApplicationAction.RETURN)
        if status == ApplicationStatus.SCORED:
            province = application.title_type.level == TitleLevel.PROVINCE
            actions.append(ApplicationAction.RECOMMEND if province else ApplicationAction.RECOGNISE)
        if status == ApplicationStatus.RECOMMENDED:
            actions.append(ApplicationAction.PROVINCE_RESULT)
        if status in (
            ApplicationStatus.DISTRICT_PASSED,
            ApplicationStatus.EXPERT_REVIEW,
            ApplicationStatus.SCORED,
            ApplicationStatus.RECOMMENDED,
        ):
            actions.append(ApplicationAction.REJECT)
    if (
        status == ApplicationStatus.EXPERT_REVIEW
        and getattr(user, "role", None) == Role.EXPERT
        and application.expert_reviews.filter(expert=user, submitted_at__isnull=True).exists()
    ):
        actions.append(ApplicationAction.SCORE)
    return actions


def waiting_for(user):
    """The applications that wait for `user` to act (the 待办 queue), before scoping."""
    if is_city_admin(user):
        return Application.objects.filter(
            status__in=(
                ApplicationStatus.DISTRICT_PASSED,
                ApplicationStatus.SCORED,
                ApplicationStatus.RECOMMENDED,
            )
        )
    role = getattr(user, "role", None)
    if role == Role.DISTRICT:
        # Its review of what enterprises submitted, and the drafts of its own (a cluster's).
        return Application.objects.filter(
            Q(status=ApplicationStatus.SUBMITTED)
            | Q(
                enterprise__isnull=True,
                status__in=(ApplicationStatus.DRAFT, ApplicationStatus.RETURNED),
            )
        )
    if role == Role.EXPERT:
        return Application.objects.filter(
            status=ApplicationStatus.EXPERT_REVIEW,
            expert_reviews__expert=user,
            expert_reviews__submitted_at__isnull=True,
        )
    if role == Role.ENTERPRISE:
        return Application.objects.filter(
            status__in=(ApplicationStatus.DRAFT, ApplicationStatus.RETURNED)
        )
    return Application.objects.none()
