from django.db import models
from simple_history.models import HistoricalRecords

from zhizao.core.scoping import Scope


class RegionLevel(models.TextChoices):
    CITY = "city", "市"
    COUNTY = "county", "区、县（市）"
    TOWN = "town", "镇街"


class Region(models.Model):
    """行政区划: a node of the city's administrative tree (city → districts → towns)."""

    code = models.CharField("行政区划代码", max_length=12, unique=True)
    name = models.CharField("名称", max_length=50)
    level = models.CharField("层级", max_length=10, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Codes from the root down, e.g. "/330600/330602/": a subtree is one indexed prefix match.
    path = models.CharField("路径", max_length=255, db_index=True, editable=False)
    sort_order = models.PositiveIntegerField("排序", default=0)
    history = HistoricalRecords()

    scope = Scope(region_field="", sees_ancestors=True, others_see_all=True, public=True)

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def ancestor_codes(self) -> list[str]:
        return [code for code in self.path.strip("/").split("/") if code and code != self.code]


class IndustryCluster(models.Model):
    """产业集群: one of the plan's industry clusters (e.g. 现代纺织)."""

    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=50, unique=True)
    sort_order = models.PositiveIntegerField("排序", default=0)
    history = HistoricalRecords()

    scope = Scope(others_see_all=True, public=True)

    class Meta:
        verbose_name = "产业集群"
        verbose_name_plural = "产业集群"
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name
