from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from zhizao.core.models import IndustryCluster, Region
from zhizao.core.scoping import Scope

MONEY = {"max_digits": 16, "decimal_places": 2}


class Enterprise(models.Model):
    """企业: a manufacturer in the registry, keyed by its 统一社会信用代码."""

    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    name = models.CharField(_("企业名称"), max_length=200, db_index=True)
    region = models.ForeignKey(
        Region, verbose_name=_("所属区县"), on_delete=models.PROTECT, related_name="enterprises"
    )
    town = models.CharField(_("乡镇（街道）"), max_length=50, blank=True)
    cluster = models.ForeignKey(
        IndustryCluster,
        verbose_name=_("产业集群"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enterprises",
    )
    # GB/T 4754 行业代码: a manufacturing division (13–43) and optionally its group and class.
    industry_code = models.CharField(_("国民经济行业代码"), max_length=4)
    industry_division = models.CharField(_("行业大类"), max_length=2, db_index=True, editable=False)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("企业用户"),
        blank=True,
        related_name="enterprises",
    )
    # Experts the enterprise declares a tie with (employment, consulting, kinship): they may not
    # be assigned to score its applications or diagnoses.
    linked_experts = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("关联专家（评审回避）"),
        blank=True,
        related_name="linked_enterprises",
        limit_choices_to={"role": "expert"},
    )
    history = HistoricalRecords(m2m_fields=[])

    scope = Scope(region_field="region", enterprise_field="")

    class Meta:
        verbose_name = _("企业")
        verbose_name_plural = _("企业")
        ordering = ["region__sort_order", "name"]
        indexes = [models.Index(fields=["region", "name"])]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.industry_division = self.industry_code[:2]
        super().save(*args, **kwargs)


class ScaleStatus(models.Model):
    """规上状态: whether an enterprise counted as above-scale (规模以上) in a year."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.CASCADE, related_name="scale_statuses"
    )
    year = models.PositiveSmallIntegerField(_("年份"))
    above_scale = models.BooleanField(_("规上企业"), default=True)
    history = HistoricalRecords()

    scope = Scope(region_field="enterprise__region", enterprise_field="enterprise")

    class Meta:
        verbose_name = _("规上状态")
        verbose_name_plural = _("规上状态")
        ordering = ["enterprise", "year"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "year"], name="scale_status_unique_year")
        ]
        indexes = [models.Index(fields=["year", "above_scale"])]

    def __str__(self) -> str:
        return _("%(enterprise)s %(year)s年 %(value)s") % {
            "enterprise": self.enterprise,
            "year": self.year,
            "value": "规上" if self.above_scale else "规下",
        }


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交，待区县审核")
    DISTRICT_APPROVED = "district_approved", _("区县已审核，待市级审核")
    CITY_APPROVED = "city_approved", _("市级已审核")
    RETURNED = "returned", _("已退回")


EDITABLE_STATUSES = (ReportStatus.DRAFT, ReportStatus.RETURNED)


class YearlyReport(models.Model):
    """年度智能制造数据: one enterprise's smart-manufacturing figures for one year."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.PROTECT, related_name="reports"
    )
    year = models.PositiveSmallIntegerField(_("年份"))
    status = models.CharField(
        _("状态"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    # The figures may be left empty in a draft; submitting requires every one of them (checks.py).
    employees = models.PositiveIntegerField(_("从业人员（人）"), null=True, blank=True)
    industrial_robots = models.PositiveIntegerField(
        _("在役工业机器人（台）"), null=True, blank=True
    )
    key_processes = models.PositiveIntegerField(_("关键工序数（个）"), null=True, blank=True)
    cnc_key_processes = models.PositiveIntegerField(
        _("其中数控化关键工序数（个）"), null=True, blank=True
    )
    networkable_equipment = models.PositiveIntegerField(
        _("可联网设备数（台）"), null=True, blank=True
    )
    networked_equipment = models.PositiveIntegerField(
        _("其中已联网设备数（台）"), null=True, blank=True
    )
    uses_erp = models.BooleanField(_("使用 ERP（企业资源计划）"), default=False)
    uses_mes = models.BooleanField(_("使用 MES（制造执行系统）"), default=False)
    uses_plm = models.BooleanField(_("使用 PLM/PDM（产品生命周期/数据管理）"), default=False)
    uses_scm = models.BooleanField(_("使用 SCM（供应链管理）"), default=False)
    uses_wms = models.BooleanField(_("使用 WMS（仓储管理）"), default=False)
    uses_aps = models.BooleanField(_("使用 APS（高级计划排程）"), default=False)
    uses_qms = models.BooleanField(_("使用 QMS（质量管理）"), default=False)
    uses_ems = models.BooleanField(_("使用 EMS（能源管理）"), default=False)
    industrial_output = models.DecimalField(_("工业总产值（万元）"), null=True, blank=True, **MONEY)
    revenue = models.DecimalField(_("营业收入（万元）"), null=True, blank=True, **MONEY)
    value_added = models.DecimalField(_("工业增加值（万元）"), null=True, blank=True, **MONEY)
    land_area = models.DecimalField(
        _("用地面积（亩）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    energy_use = models.DecimalField(
        _("综合能耗（吨标准煤）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    rd_spending = models.DecimalField(_("研发经费支出（万元）"), null=True, blank=True, **MONEY)
    transformation_investment = models.DecimalField(
        _("当年智能化改造投资（万元）"), null=True, blank=True, **MONEY
    )
    comment = models.TextField(_("说明"), blank=True, help_text=_("同比变化异常时须说明原因。"))
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords()

    scope = Scope(region_field="enterprise__region", enterprise_field="enterprise")

    class Meta:
        verbose_name = _("年度智能制造数据")
        verbose_name_plural = _("年度智能制造数据")
        ordering = ["enterprise", "year"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "year"], name="report_unique_year"),
            models.CheckConstraint(
                condition=models.Q(cnc_key_processes__lte=models.F("key_processes")),
                name="report_cnc_within_key_processes",
            ),
            models.CheckConstraint(
                condition=models.Q(networked_equipment__lte=models.F("networkable_equipment")),
                name="report_networked_within_networkable",
            ),
        ]
        indexes = [models.Index(fields=["year", "status"])]

    def __str__(self) -> str:
        return _("%(enterprise)s %(year)s年") % {"enterprise": self.enterprise, "year": self.year}

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES


class ReviewAction(models.TextChoices):
    CREATE = "create", _("填报")
    IMPORT = "import", _("导入")
    SUBMIT = "submit", _("提交")
    DISTRICT_APPROVE = "district_approve", _("区县审核通过")
    CITY_APPROVE = "city_approve", _("市级审核通过")
    RETURN = "return", _("退回")
    WITHDRAW = "withdraw", _("撤回")
    SCALE = "scale", _("规上状态")


class ReviewStep(models.Model):
    """审核记录: one step of a report's review, with who, when and what was said."""

    report = models.ForeignKey(
        YearlyReport, verbose_name=_("报表"), on_delete=models.CASCADE, related_name="steps"
    )
    action = models.CharField(_("操作"), max_length=20, choices=ReviewAction.choices)
    from_status = models.CharField(
        _("原状态"), max_length=20, choices=ReportStatus.choices, blank=True
    )
    to_status = models.CharField(_("新状态"), max_length=20, choices=ReportStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    comment = models.TextField(_("意见"), blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    scope = Scope(region_field="report__enterprise__region", enterprise_field="report__enterprise")

    class Meta:
        verbose_name = _("审核记录")
        verbose_name_plural = _("审核记录")
        ordering = ["report", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.report} {self.get_action_display()}"


class YearLock(models.Model):
    """年度锁定: a year whose reports the city admin has closed to edits and imports."""

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    locked = models.BooleanField(_("已锁定"), default=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.CharField(_("说明"), max_length=200, blank=True)
    changed_at = models.DateTimeField(_("时间"), auto_now=True)
    history = HistoricalRecords()

    scope = Scope(others_see_all=True)

    class Meta:
        verbose_name = _("年度锁定")
        verbose_name_plural = _("年度锁定")
        ordering = ["year"]

    def __str__(self) -> str:
        return _("%(year)s年（%(value)s）") % {
            "year": self.year,
            "value": "已锁定" if self.locked else "未锁定",
        }
