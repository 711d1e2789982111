from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from zhizao.core.deadlines import is_overdue
from zhizao.core.models import IndustryCluster, Region
from zhizao.core.scoping import Scope
from zhizao.enterprises.models import MONEY, Enterprise


class TitleLevel(models.TextChoices):
    DISTRICT = "district", _("区县")
    CITY = "city", _("市级")
    PROVINCE = "province", _("省级")


class Holder(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业")
    REGION = "region", _("区域（产业集群）")


class TitleType(models.Model):
    """称号类型: a rung of the ladder (数字化车间, 智能工厂, 未来工厂…), loaded from a data file."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=60, unique=True)
    level = models.CharField(_("认定层级"), max_length=10, choices=TitleLevel.choices)
    holder = models.CharField(_("申报主体"), max_length=12, choices=Holder.choices)
    above_scale_only = models.BooleanField(_("仅限规上企业"), default=False)
    prerequisites = models.ManyToManyField(
        "self",
        verbose_name=_("前置称号（须持有其一）"),
        symmetrical=False,
        blank=True,
        related_name="leads_to",
    )
    expert_review = models.BooleanField(_("须专家评审"), default=True)
    # The 序号 of the default plan's indicator this title counts towards (None: counts nowhere,
    # e.g. 未来工厂培育 candidates).
    indicator_number = models.PositiveSmallIntegerField(_("计入指标序号"), null=True, blank=True)
    description = models.TextField(_("说明"), blank=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    history = HistoricalRecords(m2m_fields=[])

    scope = Scope(others_see_all=True, public=True)

    class Meta:
        verbose_name = _("称号类型")
        verbose_name_plural = _("称号类型")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def held_by_region(self) -> bool:
        return self.holder == Holder.REGION


class Batch(models.Model):
    """申报批次: a call for applications for one title type, open between two dates."""

    title_type = models.ForeignKey(
        TitleType, verbose_name=_("称号类型"), on_delete=models.PROTECT, related_name="batches"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    number = models.PositiveSmallIntegerField(_("批次"), default=1)
    opens_on = models.DateField(_("开始申报日期"))
    closes_on = models.DateField(_("截止申报日期"))
    # [{"name": "智能化水平", "max": 30, "note": "…"}]: the scoring sheet, points adding up to 100.
    criteria = models.JSONField(_("评分细则"), default=list)
    # ["申报书", "财务审计报告"]: one file at least for each before an application may be submitted.
    required_attachments = models.JSONField(_("必备附件"), default=list, blank=True)
    notes = models.TextField(_("申报说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    history = HistoricalRecords()

    scope = Scope(others_see_all=True)

    class Meta:
        verbose_name = _("申报批次")
        verbose_name_plural = _("申报批次")
        ordering = ["-year", "-number", "title_type__sort_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["title_type", "year", "number"], name="batch_unique_number"
            ),
            models.CheckConstraint(
                condition=models.Q(closes_on__gte=models.F("opens_on")),
                name="batch_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return _("%(year)s年第%(number)s批%(name)s") % {
            "year": self.year,
            "number": self.number,
            "name": self.title_type.name,
        }

    @property
    def max_score(self) -> int:
        return sum(int(item.get("max", 0)) for item in self.criteria)


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交，待区县审核")
    RETURNED = "returned", _("已退回，待修改")
    DISTRICT_PASSED = "district_passed", _("区县已推荐，待分配专家")
    EXPERT_REVIEW = "expert_review", _("专家评审中")
    SCORED = "scored", _("评审完成，待市级认定")
    RECOMMENDED = "recommended", _("已推荐省级，待省级结果")
    RECOGNISED = "recognised", _("已认定")
    REJECTED = "rejected", _("未通过")


CLOSED_STATUSES = (ApplicationStatus.RECOGNISED, ApplicationStatus.REJECTED)
EDITABLE_STATUSES = (ApplicationStatus.DRAFT, ApplicationStatus.RETURNED)

# Who may look at an application: its district, its enterprise, and the experts assigned to it.
APPLICATION_SCOPE = Scope(
    region_field="region", enterprise_field="enterprise", expert_field="expert_reviews__expert"
)


class Application(models.Model):
    """称号申报: an enterprise's (or a region's) application for a title in one batch."""

    batch = models.ForeignKey(
        Batch, verbose_name=_("申报批次"), on_delete=models.PROTECT, related_name="applications"
    )
    title_type = models.ForeignKey(
        TitleType, verbose_name=_("称号类型"), on_delete=models.PROTECT, related_name="applications"
    )
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("申报企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
    )
    # The district the application belongs to: the enterprise's, or the applying region.
    region = models.ForeignKey(
        Region, verbose_name=_("所属区县"), on_delete=models.PROTECT, related_name="applications"
    )
    cluster = models.ForeignKey(
        IndustryCluster,
        verbose_name=_("产业集群"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
    )
    project_name = models.CharField(_("项目名称"), max_length=200)
    status = models.CharField(
        _("状态"), max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT
    )
    # [{"name": "智能仓储", "description": "…"}]: the scenes built (场景).
    scenes = models.JSONField(_("建设场景"), default=list, blank=True)
    # {"productivity": {"before": "120", "after": "150"}, …}: see services.KEY_FIGURES.
    key_figures = models.JSONField(_("关键指标（改造前后）"), default=dict, blank=True)
    investment = models.DecimalField(_("项目投资（万元）"), null=True, blank=True, **MONEY)
    summary = models.TextField(_("建设内容简介"), blank=True)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申报人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    score = models.DecimalField(
        _("专家评分（均分）"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    score_spread = models.DecimalField(
        _("评分极差"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    history = HistoricalRecords()

    scope = APPLICATION_SCOPE

    class Meta:
        verbose_name = _("称号申报")
        verbose_name_plural = _("称号申报")
        ordering = ["-created_at", "-id"]
        constraints = [
            # One open application per enterprise and title type; the service says so in words.
            models.UniqueConstraint(
                fields=["enterprise", "title_type"],
                condition=~models.Q(status__in=["recognised", "rejected"]),
                name="application_one_open_per_type",
            )
        ]
        indexes = [models.Index(fields=["status", "region"])]

    def __str__(self) -> str:
        return f"{self.holder_name}：{self.title_type.name}"

    @property
    def holder_name(self) -> str:
        if self.enterprise_id:
            return self.enterprise.name
        return f"{self.region.name}{self.cluster.name if self.cluster_id else ''}"

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES


class ApplicationAction(models.TextChoices):
    CREATE = "create", _("创建申报")
    SUBMIT = "submit", _("提交")
    DISTRICT_PASS = "district_pass", _("区县审核通过")
    RETURN = "return", _("退回修改")
    ASSIGN = "assign", _("分配专家")
    SCORE = "score", _("专家评分")
    RECOGNISE = "recognise", _("认定")
    REJECT = "reject", _("不予认定")
    RECOMMEND = "recommend", _("推荐省级")
    PROVINCE_RESULT = "province_result", _("录入省级结果")


class ApplicationStep(models.Model):
    """申报流程记录: one step of an application, with who, when and what was said."""

    application = models.ForeignKey(
        Application, verbose_name=_("申报"), on_delete=models.CASCADE, related_name="steps"
    )
    action = models.CharField(_("操作"), max_length=20, choices=ApplicationAction.choices)
    from_status = models.CharField(
        _("原状态"), max_length=20, choices=ApplicationStatus.choices, blank=True
    )
    to_status = models.CharField(_("新状态"), max_length=20, choices=ApplicationStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    comment = models.TextField(_("意见"), blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    scope = Scope(
        region_field="application__region",
        enterprise_field="application__enterprise",
        expert_field="application__expert_reviews__expert",
    )

    class Meta:
        verbose_name = _("申报流程记录")
        verbose_name_plural = _("申报流程记录")
        ordering = ["application", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.application} {self.get_action_display()}"


class ExpertReview(models.Model):
    """专家评审: one assigned expert's scores of an application against the batch's criteria."""

    application = models.ForeignKey(
        Application, verbose_name=_("申报"), on_delete=models.CASCADE, related_name="expert_reviews"
    )
    expert = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("专家"),
        on_delete=models.PROTECT,
        related_name="expert_reviews",
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("分配人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    assigned_at = models.DateTimeField(_("分配时间"), auto_now_add=True)
    due_on = models.DateField(_("评审截止日期"), null=True, blank=True)
    # The points given to each criterion, in the batch's order.
    scores = models.JSONField(_("各项得分"), default=list, blank=True)
    total = models.DecimalField(_("总分"), max_digits=6, decimal_places=2, null=True, blank=True)
    comment = models.TextField(_("评审意见"), blank=True)
    submitted_at = models.DateTimeField(_("评分时间"), null=True, blank=True)
    history = HistoricalRecords()

    scope = Scope(
        region_field="application__region",
        enterprise_field=None,
        expert_field="expert",
    )

    class Meta:
        verbose_name = _("专家评审")
        verbose_name_plural = _("专家评审")
        ordering = ["application", "assigned_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "expert"], name="expert_review_unique_expert"
            )
        ]

    def __str__(self) -> str:
        return f"{self.application} · {self.expert}"

    @property
    def is_overdue(self) -> bool:
        return is_overdue(self.due_on, self.submitted_at)


class Attachment(models.Model):
    """申报附件: a file attached to an application, checked by content and stored privately."""

    application = models.ForeignKey(
        Application, verbose_name=_("申报"), on_delete=models.CASCADE, related_name="attachments"
    )
    requirement = models.CharField(_("材料类别"), max_length=60, blank=True)
    original_name = models.CharField(_("原文件名"), max_length=255)
    stored_name = models.CharField(_("存储名"), max_length=80, unique=True, editable=False)
    kind = models.CharField(_("类型"), max_length=12)
    content_type = models.CharField(_("MIME 类型"), max_length=120)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    scope = Scope(
        region_field="application__region",
        enterprise_field="application__enterprise",
        expert_field="application__expert_reviews__expert",
    )

    class Meta:
        verbose_name = _("申报附件")
        verbose_name_plural = _("申报附件")
        ordering = ["application", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class Title(models.Model):
    """认定称号: a recognised title held by an enterprise or a region, until revoked (摘牌)."""

    title_type = models.ForeignKey(
        TitleType, verbose_name=_("称号类型"), on_delete=models.PROTECT, related_name="titles"
    )
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="titles",
    )
    # The district the title counts for (the enterprise's, or the region holding it).
    region = models.ForeignKey(
        Region, verbose_name=_("所属区县"), on_delete=models.PROTECT, related_name="titles"
    )
    cluster = models.ForeignKey(
        IndustryCluster,
        verbose_name=_("产业集群"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="titles",
    )
    holder_name = models.CharField(_("称号持有者"), max_length=200)
    project_name = models.CharField(_("项目名称"), max_length=200, blank=True)
    year = models.PositiveSmallIntegerField(_("认定年度"), db_index=True)
    batch = models.ForeignKey(
        Batch,
        verbose_name=_("申报批次"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="titles",
    )
    batch_label = models.CharField(_("批次"), max_length=40, blank=True)
    document_number = models.CharField(_("认定文号"), max_length=100, blank=True)
    recognised_on = models.DateField(_("认定日期"))
    application = models.OneToOneField(
        Application,
        verbose_name=_("申报"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="title",
    )
    revoked_on = models.DateField(_("摘牌日期"), null=True, blank=True)
    revoke_reason = models.CharField(_("摘牌原因"), max_length=300, blank=True)
    published = models.BooleanField(_("已公开"), default=False)
    history = HistoricalRecords()

    # Anonymous visitors see the published record only, through services.public_titles().
    scope = Scope(region_field="region", enterprise_field="enterprise", others_see_all=True)

    class Meta:
        verbose_name = _("认定称号")
        verbose_name_plural = _("认定称号")
        ordering = ["-year", "title_type__sort_order", "holder_name"]
        indexes = [
            models.Index(fields=["title_type", "year"]),
            models.Index(fields=["region", "title_type"]),
        ]

    def __str__(self) -> str:
        return _("%(holder_name)s：%(name)s（%(year)s年）") % {
            "holder_name": self.holder_name,
            "name": self.title_type.name,
            "year": self.year,
        }

    @property
    def is_revoked(self) -> bool:
        return self.revoked_on is not None
