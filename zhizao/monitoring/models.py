from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from zhizao.core.models import Region
from zhizao.core.scoping import Scope
from zhizao.plans.models import PLAN_DECIMAL, Indicator, Plan


class ValueSource(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业数据")
    REGISTRY = "registry", _("平台登记")
    REPORTED = "reported", _("上报值")


class IndicatorValue(models.Model):
    """指标实际值: an indicator's computed value for one region and year, with what it came from."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指标"), on_delete=models.CASCADE, related_name="values"
    )
    region = models.ForeignKey(
        Region, verbose_name=_("地区"), on_delete=models.CASCADE, related_name="indicator_values"
    )
    year = models.PositiveSmallIntegerField(_("年份"))
    value = models.DecimalField(_("实际值"), null=True, blank=True, **PLAN_DECIMAL)
    source = models.CharField(_("来源"), max_length=12, choices=ValueSource.choices)
    # The aggregates the value was computed from (e.g. Σ robots, Σ employees), so that the city's
    # value is recomputed from its districts' parts and every figure can be traced.
    components = models.JSONField(_("计算分量"), default=dict, blank=True)
    reporters = models.PositiveIntegerField(_("报送企业数"), null=True, blank=True)
    population = models.PositiveIntegerField(_("应报企业数"), null=True, blank=True)
    # 0: the value is the whole year's. 1–4: no whole-year figure is approved yet and the value is
    # the latest quarter-cumulative one (January to the end of that quarter), which stands as the
    # year's actual so far; pages label it 1–N季度累计.
    quarter = models.PositiveSmallIntegerField(
        _("季度累计"), default=0, help_text=_("0：全年；1–4：尚无全年数，为当年 1 至该季度累计。")
    )
    computed_at = models.DateTimeField(_("计算时间"), auto_now=True)
    # Enterprise-sourced values only (ADR 0004, "One approval, one delta"): a fingerprint of the
    # source the parts were computed with (formula, scale, divisions), so parts from before a plan
    # change are never added to; and, on a district's row, the highest background-task id that
    # existed when its parts were last aggregated: a report's change queued after it is not in
    # them (unless applied since as a delta, see AppliedChange), one queued up to it may be.
    basis = models.CharField(_("计算口径"), max_length=16, blank=True, default="", editable=False)
    aggregated_through = models.PositiveBigIntegerField(
        _("汇总截至任务"), null=True, blank=True, editable=False
    )

    scope = Scope(region_field="region", others_see_all=False)

    class Meta:
        verbose_name = _("指标实际值")
        verbose_name_plural = _("指标实际值")
        ordering = ["indicator", "region__sort_order", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "region", "year"], name="indicator_value_unique"
            )
        ]

    def __str__(self) -> str:
        return _("%(name)s %(name2)s %(year)s年") % {
            "name": self.indicator.name,
            "name2": self.region.name,
            "year": self.year,
        }


class ReportedStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待市级审核")
    APPROVED = "approved", _("已审核")


class ReportedValue(models.Model):
    """上报值: a figure from outside (operators, the statistics bureau) entered by a district or
    the city for a region and year, counted once the city approves it."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指标"), on_delete=models.CASCADE, related_name="reported_values"
    )
    region = models.ForeignKey(
        Region, verbose_name=_("地区"), on_delete=models.PROTECT, related_name="reported_values"
    )
    year = models.PositiveSmallIntegerField(_("年份"))
    # 0 is the whole year; 1–4 the cumulative figure from January to the end of that quarter.
    quarter = models.PositiveSmallIntegerField(
        _("季度"), default=0, help_text=_("0：全年；1–4：当年 1 至该季度累计。")
    )
    value = models.DecimalField(_("数值"), **PLAN_DECIMAL)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=ReportedStatus.choices, default=ReportedStatus.SUBMITTED
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("填报人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    history = HistoricalRecords()

    scope = Scope(region_field="region")

    class Meta:
        verbose_name = _("上报值")
        verbose_name_plural = _("上报值")
        ordering = ["indicator", "region__sort_order", "year", "quarter"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "region", "year", "quarter"],
                name="reported_value_unique",
            )
        ]

    def __str__(self) -> str:
        period = _("%(year)s年") % {"year": self.year} + (
            _("1—%(quarter)s季度") % {"quarter": self.quarter} if self.quarter else ""
        )
        return f"{self.indicator.name} {self.region.name} {period}"


class PublishedYearQuerySet(models.QuerySet):
    def public(self):
        """The years whose figures are published now (not withdrawn)."""
        return self.filter(withdrawn_at__isnull=True)


class PublishedYear(models.Model):
    """已发布年度: a plan year's figures as the city admin published them, frozen at that moment."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("方案"), on_delete=models.PROTECT, related_name="published_years"
    )
    year = models.PositiveSmallIntegerField(_("年份"))
    # The progress rows of the city and each district as they stood when published: the public
    # dashboard reads only this, so a later recompute cannot silently change what the public saw.
    # A re-publication replaces it; the history keeps every version.
    snapshot = models.JSONField(_("发布数据"), default=dict)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_at = models.DateTimeField(_("发布时间"))
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("撤回人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    history = HistoricalRecords()

    objects = PublishedYearQuerySet.as_manager()

    # Published figures are public by definition; withdrawn ones are narrowed out by `public()`.
    scope = Scope(others_see_all=True, public=True)

    class Meta:
        verbose_name = _("已发布年度")
        verbose_name_plural = _("已发布年度")
        ordering = ["plan", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "year"], name="published_year_unique")
        ]

    def __str__(self) -> str:
        return _("%(name)s %(year)s年（%(value)s）") % {
            "name": self.plan.name,
            "year": self.year,
            "value": "已发布" if self.is_public else "已撤回",
        }

    @property
    def is_public(self) -> bool:
        return self.withdrawn_at is None


class ValuesLock(models.Model):
    """One row per plan, locked (SELECT … FOR UPDATE) by every writer of the plan's
    enterprise-sourced parts before it reads them: an aggregation and a report's delta never
    interleave (ADR 0004, "One approval, one delta")."""

    plan = models.OneToOneField(
        Plan, verbose_name=_("方案"), on_delete=models.CASCADE, primary_key=True, related_name="+"
    )

    scope = Scope()

    class Meta:
        verbose_name = _("指标计算锁")
        verbose_name_plural = _("指标计算锁")

    def __str__(self) -> str:
        return _("%(plan)s 指标计算锁") % {"plan": self.plan}


class AppliedChange(models.Model):
    """A report's approval or return, added to or taken from a district's stored parts as a
    delta by its background task: a retried task finds it here and changes nothing. A full
    recompute makes the markers it covers redundant and deletes them."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("方案"), on_delete=models.CASCADE, related_name="+"
    )
    task = models.ForeignKey(
        "core.Task", verbose_name=_("后台任务"), on_delete=models.CASCADE, related_name="+"
    )
    region = models.ForeignKey(
        Region, verbose_name=_("地区"), on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年份"))
    applied_at = models.DateTimeField(_("应用时间"), auto_now_add=True)

    scope = Scope()

    class Meta:
        verbose_name = _("已计入的报表变动")
        verbose_name_plural = _("已计入的报表变动")
        constraints = [
            models.UniqueConstraint(fields=["plan", "task"], name="applied_change_unique")
        ]

    def __str__(self) -> str:
        return _("%(plan)s 任务 #%(task_id)s") % {"plan": self.plan, "task_id": self.task_id}
