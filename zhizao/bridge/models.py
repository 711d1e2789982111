"""新智造鹊桥: the plan's resource libraries (standards, equipment, software, solutions,
providers, experts, financial products, cases; enterprises and projects are the platform's own
registries, shown through the search index), needs posted by manufacturers and their matches."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from zhizao.core.models import IndustryCluster, Region
from zhizao.core.scoping import Scope
from zhizao.enterprises.models import MONEY, Enterprise


class EntryStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PENDING = "pending", _("待审核")
    PUBLISHED = "published", _("已发布")
    UNPUBLISHED = "unpublished", _("已下架")


class Library(models.TextChoices):
    """The ten libraries of the plan (四（三）), by the code used in URLs and the search index."""

    STANDARD = "standard", _("智造标准")
    EQUIPMENT = "equipment", _("智能装备")
    SOFTWARE = "software", _("软件系统")
    SOLUTION = "solution", _("解决方案")
    PROVIDER = "provider", _("信息工程服务商")
    EXPERT = "expert", _("专家人才")
    FINANCE = "finance", _("金融产品")
    ENTERPRISE = "enterprise", _("智能化改造企业")
    PROJECT = "project", _("智能化改造项目")
    CASE = "case", _("典型案例")


# Entries are seen by everybody once published, and by their maintainers before.
ENTRY_SCOPE = Scope(published_field="is_published", maintainer_field="maintainers")


class LibraryEntry(models.Model):
    """An entry of one of the maintained libraries: who maintains it and where its review is."""

    status = models.CharField(
        _("状态"), max_length=12, choices=EntryStatus.choices, default=EntryStatus.DRAFT
    )
    # Kept with status so that the scoping rule is one indexed boolean.
    is_published = models.BooleanField(_("已公开"), default=False, db_index=True, editable=False)
    maintainers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("维护人"), blank=True, related_name="+"
    )
    clusters = models.ManyToManyField(
        IndustryCluster, verbose_name=_("适用产业集群"), blank=True, related_name="+"
    )
    # GB/T 4754 divisions, e.g. ["17", "28"], and maturity-model sub-domain codes, e.g. ["PO"].
    divisions = models.JSONField(_("适用行业大类"), default=list, blank=True)
    subdomains = models.JSONField(_("能力子域"), default=list, blank=True)
    description = models.TextField(_("简介"), blank=True)
    unpublish_reason = models.CharField(_("下架原因"), max_length=300, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    scope = ENTRY_SCOPE

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.is_published = self.status == EntryStatus.PUBLISHED
        super().save(*args, **kwargs)


class StandardStatus(models.TextChoices):
    CURRENT = "current", _("现行")
    REPEALED = "repealed", _("废止")
    UPCOMING = "upcoming", _("即将实施")


class Standard(LibraryEntry):
    """智造标准: a national, industry or group standard relevant to smart manufacturing."""

    code = models.CharField(_("标准号"), max_length=60, unique=True)
    title = models.CharField(_("标准名称"), max_length=200)
    standard_status = models.CharField(
        _("标准状态"), max_length=10, choices=StandardStatus.choices, default=StandardStatus.CURRENT
    )
    issued_on = models.DateField(_("发布日期"), null=True, blank=True)
    effective_on = models.DateField(_("实施日期"), null=True, blank=True)
    scope_text = models.TextField(_("适用范围"), blank=True)
    history = HistoricalRecords(m2m_fields=[])

    class Meta:
        verbose_name = _("智造标准")
        verbose_name_plural = _("智造标准")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Equipment(LibraryEntry):
    """智能装备: a piece of smart equipment, with its maker and key specifications."""

    name = models.CharField(_("装备名称"), max_length=200)
    maker = models.CharField(_("生产企业"), max_length=200)
    category = models.CharField(_("装备类别"), max_length=60)
    specifications = models.TextField(_("主要技术参数"), blank=True)
    first_of_kind = models.BooleanField(_("首台（套）"), default=False)
    history = HistoricalRecords(m2m_fields=[])

    class Meta:
        verbose_name = _("智能装备")
        verbose_name_plural = _("智能装备")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SoftwareCategory(models.TextChoices):
    ERP = "ERP", _("ERP 企业资源计划")
    MES = "MES", _("MES 制造执行系统")
    PLM = "PLM", _("PLM 产品生命周期管理")
    SCM = "SCM", _("SCM 供应链管理")
    WMS = "WMS", _("WMS 仓储管理")
    APS = "APS", _("APS 高级计划排程")
    QMS = "QMS", _("QMS 质量管理")
    EMS = "EMS", _("EMS 能源管理")
    IIP = "IIP", _("工业互联网平台")
    OTHER = "other", _("其他")


class Deployment(models.TextChoices):
    ON_PREMISES = "on_premises", _("本地部署")
    CLOUD = "cloud", _("云服务")
    HYBRID = "hybrid", _("混合部署")


class Software(LibraryEntry):
    """软件系统: an industrial software product (ERP, MES…) and its vendor."""

    name = models.CharField(_("软件名称"), max_length=200)
    category = models.CharField(_("类别"), max_length=10, choices=SoftwareCategory.choices)
    vendor = models.CharField(_("开发商"), max_length=200)
    deployment = models.CharField(
        _("部署方式"), max_length=12, choices=Deployment.choices, default=Deployment.ON_PREMISES
    )
    history = HistoricalRecords(m2m_fields=[])

    class Meta:
        verbose_name = _("软件系统")
        verbose_name_plural = _("软件系统")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Provider(LibraryEntry):
    """信息工程服务商: a smart-manufacturing engineering service provider."""

    name = models.CharField(_("服务商名称"), max_length=200, unique=True)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    qualifications = models.TextField(_("资质"), blank=True)
    regions_served = models.ManyToManyField(
        Region, verbose_name=_("服务区县"), blank=True, related_name="providers_serving"
    )
    staff = models.PositiveIntegerField(_("技术人员数"), null=True, blank=True)
    delivered_projects = models.PositiveIntegerField(_("已交付项目数"), default=0)
    rating = models.DecimalField(
        _("评分（5分制）"), max_digits=3, decimal_places=2, null=True, blank=True
    )
    contact = models.CharField(_("联系方式"), max_length=100, blank=True)
    history = HistoricalRecords(m2m_fields=[])

    class Meta:
        verbose_name = _("信息工程服务商")
        verbose_name_plural = _("信息工程服务商")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Solution(LibraryEntry):
    """解决方案: a provider's solution for an industry and capability domains."""

    title = models.CharField(_("方案名称"), max_length=200)
    provider = models.ForeignKey(
        Provider,
        verbose_name=_("服务商"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="solutions",
    )
    investment_min = models.DecimalField(_("典型投资下限（万元）"), null=True, blank=True, **MONEY)
    investment_max = models.DecimalField(_("典型投资上限（万元）"), null=True, blank=True, **MONEY)
    history = HistoricalRecords(m2m_fields=[])

    class Meta:
        verbose_name = _("解决方案")
        verbose_name_plural = _("解决方案")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class ExpertProfile(LibraryEntry):
    """专家人才: a member of the expert pool, with fields, title and affiliation."""

    name = models.CharField(_("姓名"), max_length=50)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("平台账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="expert_profile",
    )
    expertise = models.CharField(_("专业领域"), max_length=200)
    professional_title = models.CharField(_("职称"), max_length=60, blank=True)
    affiliation = models.CharField(_("工作单位"), max_length=200, blank=True)
    history = HistoricalRecords(m2m_fields=[])

    class Meta:
        verbose_name = _("专家人才")
        verbose_name_plural = _("专家人才")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class FinanceType(models.TextChoices):
    LOAN = "loan", _("贷款")
    LEASE = "lease", _("融资租赁")
    INSURANCE = "insurance", _("保险")
    GUARANTEE = "guarantee", _("担保")


class FinancialProduct(LibraryEntry):
    """金融产品: a loan, lease, insurance or guarantee for transformation projects."""

    name = models.CharField(_("产品名称"), max_length=200)
    institution = models.CharField(_("金融机构"), max_length=200)
    product_type = models.CharField(_("产品类型"), max_length=10, choices=FinanceType.choices)
    rate_min = models.DecimalField(
        _("利率/费率下限（%）"), max_digits=6, decimal_places=3, null=True, blank=True
    )
    rate_max = models.DecimalField(
        _("利率/费率上限（%）"), max_digits=6, decimal_places=3, null=True, blank=True
    )
    limit = models.DecimalField(_("额度上限（万元）"), null=True, blank=True, **MONEY)
    eligibility = models.TextField(_("申请条件"), blank=True)
    history = HistoricalRecords(m2m_fields=[])

    class Meta:
        verbose_name = _("金融产品")
        verbose_name_plural = _("金融产品")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Case(LibraryEntry):
    """典型案例: a transformation done, with its problem, solution, investment and results."""

    title = models.CharField(_("案例名称"), max_length=200)
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("实施企业"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
    )
    enterprise_name = models.CharField(_("实施企业名称"), max_length=200, blank=True)
    provider = models.ForeignKey(
        Provider,
        verbose_name=_("服务商"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
    )
    solution = models.ForeignKey(
        Solution,
        verbose_name=_("所用方案"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
    )
    problem = models.TextField(_("面临问题"), blank=True)
    approach = models.TextField(_("解决方案"), blank=True)
    investment = models.DecimalField(_("投资额（万元）"), null=True, blank=True, **MONEY)
    # [{"name": "劳动生产率", "unit": "万元/人", "before": "120", "after": "150"}]
    results = models.JSONField(_("实施成效（改造前后）"), default=list, blank=True)
    history = HistoricalRecords(m2m_fields=[])

    class Meta:
        verbose_name = _("典型案例")
        verbose_name_plural = _("典型案例")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class SearchDocument(models.Model):
    """检索文档: one searchable entry of any library, its text segmented into words (jieba) so
    that SQLite FTS5 and PostgreSQL full-text search both index it the same way."""

    library = models.CharField(_("资源库"), max_length=12, choices=Library.choices)
    object_id = models.PositiveBigIntegerField(_("条目编号"))
    title = models.CharField(_("标题"), max_length=300)
    body = models.TextField(_("正文"), blank=True)
    title_words = models.TextField(_("标题分词"), blank=True)
    body_words = models.TextField(_("正文分词"), blank=True)
    # Space-separated codes for the facets: clusters, sub-domains, districts.
    cluster_codes = models.CharField(_("产业集群"), max_length=400, blank=True)
    subdomain_codes = models.CharField(_("能力子域"), max_length=200, blank=True)
    region_codes = models.CharField(_("区县"), max_length=200, blank=True)
    is_published = models.BooleanField(_("已公开"), default=False, db_index=True)
    rating = models.DecimalField(_("评分"), max_digits=3, decimal_places=2, null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"))
    maintainers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("维护人"), blank=True, related_name="+"
    )

    scope = Scope(published_field="is_published", maintainer_field="maintainers")

    class Meta:
        verbose_name = _("检索文档")
        verbose_name_plural = _("检索文档")
        ordering = ["library", "object_id"]
        constraints = [
            models.UniqueConstraint(fields=["library", "object_id"], name="search_document_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_library_display()}：{self.title}"


class NeedStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    OPEN = "open", _("对接中")
    CLOSED = "closed", _("已关闭")


class Need(models.Model):
    """需求: a manufacturer's posted need, matched to the libraries' entries."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("发布企业"), on_delete=models.PROTECT, related_name="needs"
    )
    region = models.ForeignKey(
        Region, verbose_name=_("所属区县"), on_delete=models.PROTECT, related_name="needs"
    )
    title = models.CharField(_("需求标题"), max_length=200)
    description = models.TextField(_("需求描述"))
    cluster = models.ForeignKey(
        IndustryCluster,
        verbose_name=_("产业集群"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="needs",
    )
    subdomains = models.JSONField(_("能力子域"), default=list, blank=True)
    budget_min = models.DecimalField(_("预算下限（万元）"), null=True, blank=True, **MONEY)
    budget_max = models.DecimalField(_("预算上限（万元）"), null=True, blank=True, **MONEY)
    deadline = models.DateField(_("期望完成日期"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=NeedStatus.choices, default=NeedStatus.OPEN
    )
    # The diagnosis gap it was made from, if any (a requirement id of the questionnaire).
    source_requirement = models.CharField(_("来源诊断差距"), max_length=30, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("发布时间"), auto_now_add=True)
    # The background task of its last matching (queued, running or finished): bookkeeping for
    # the need's page, which shows its progress, so not part of the need's history.
    matching_task = models.ForeignKey(
        "core.Task",
        verbose_name=_("匹配任务"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    history = HistoricalRecords(excluded_fields=["matching_task"])

    scope = Scope(
        region_field="region",
        enterprise_field="enterprise",
        expert_field="matches__responders",
    )

    class Meta:
        verbose_name = _("需求")
        verbose_name_plural = _("需求")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class MatchStatus(models.TextChoices):
    RECOMMENDED = "recommended", _("已推荐")
    CONTACTED = "contacted", _("已联系")
    NEGOTIATING = "negotiating", _("洽谈中")
    SIGNED = "signed", _("已签约")
    DELIVERED = "delivered", _("已交付")
    CLOSED = "closed", _("已关闭")


class Match(models.Model):
    """供需对接: one entry recommended for a need, and how far their contact has got."""

    need = models.ForeignKey(
        Need, verbose_name=_("需求"), on_delete=models.CASCADE, related_name="matches"
    )
    library = models.CharField(_("资源库"), max_length=12, choices=Library.choices)
    object_id = models.PositiveBigIntegerField(_("条目编号"))
    title = models.CharField(_("条目名称"), max_length=300)
    score = models.DecimalField(_("匹配分"), max_digits=7, decimal_places=4)
    reasons = models.JSONField(_("匹配理由"), default=list, blank=True)
    # Its place in the need's latest matching (1 first: the matcher puts the need's industry
    # and a mix of kinds before the bare score); none once a later matching left it out.
    rank = models.PositiveSmallIntegerField(_("推荐顺序"), null=True, blank=True, editable=False)
    status = models.CharField(
        _("对接状态"), max_length=12, choices=MatchStatus.choices, default=MatchStatus.RECOMMENDED
    )
    # The provider's (or expert's) users who may respond to the need through this match.
    responders = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("响应人"),
        blank=True,
        related_name="bridge_matches",
    )
    contract_value = models.DecimalField(_("签约金额（万元）"), null=True, blank=True, **MONEY)
    close_reason = models.CharField(_("关闭原因"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("推荐时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords(m2m_fields=[], excluded_fields=["rank"])

    scope = Scope(
        region_field="need__region", enterprise_field="need__enterprise", expert_field="responders"
    )

    class Meta:
        verbose_name = _("供需对接")
        verbose_name_plural = _("供需对接")
        ordering = ["need", models.F("rank").asc(nulls_last=True), "-score", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["need", "library", "object_id"], name="match_unique_entry"
            )
        ]

    def __str__(self) -> str:
        return f"{self.need} ↔ {self.title}"


class MatchStep(models.Model):
    """对接记录: one step of a match, with who, when and what was said."""

    match = models.ForeignKey(
        Match, verbose_name=_("对接"), on_delete=models.CASCADE, related_name="steps"
    )
    from_status = models.CharField(
        _("原状态"), max_length=12, choices=MatchStatus.choices, blank=True
    )
    to_status = models.CharField(_("新状态"), max_length=12, choices=MatchStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    comment = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    scope = Scope(
        region_field="match__need__region",
        enterprise_field="match__need__enterprise",
        expert_field="match__responders",
    )

    class Meta:
        verbose_name = _("对接记录")
        verbose_name_plural = _("对接记录")
        ordering = ["match", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.match} {self.get_to_status_display()}"
