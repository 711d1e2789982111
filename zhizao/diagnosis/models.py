from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from zhizao.core.deadlines import is_overdue
from zhizao.core.scoping import Scope
from zhizao.enterprises.models import MONEY, Enterprise

SCORE = {"max_digits": 6, "decimal_places": 4}


class IndustryType(models.TextChoices):
    """The questionnaire's industry types; `key` is the name the file's weights use."""

    DISCRETE = "discrete", _("离散型")
    PROCESS = "process", _("流程型")

    @property
    def key(self) -> str:
        """离散型 or 流程型 whatever the interface language: the questionnaire's data key."""
        return INDUSTRY_TYPE_KEYS[self.value]


INDUSTRY_TYPE_KEYS = {"discrete": "离散型", "process": "流程型"}


class ScoredAnswers(models.Model):
    """评估答案与得分: answers to the maturity questionnaire and the scores computed from them.

    `answers` is {requirement id: answer label} as given; the scores are stored (level_scores
    and domain_scores as {key: "0.9500"}) so that a report shows what was computed at the time,
    whatever later versions of the questionnaire say."""

    questionnaire_version = models.CharField(_("问卷版本"), max_length=20)
    industry_type = models.CharField(
        _("行业类型"), max_length=10, choices=IndustryType.choices, blank=True
    )
    answers = models.JSONField(_("答案"), default=dict, blank=True)
    total = models.DecimalField(_("总分 S"), null=True, blank=True, **SCORE)
    level = models.PositiveSmallIntegerField(_("成熟度等级"), null=True, blank=True)
    level_scores = models.JSONField(_("各等级得分"), default=dict, blank=True)
    domain_scores = models.JSONField(_("各能力域得分"), default=dict, blank=True)

    class Meta:
        abstract = True

    @property
    def industry_type_name(self) -> str:
        """离散型 or 流程型: the key of the questionnaire's weights."""
        return IndustryType(self.industry_type).key if self.industry_type else ""


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("填写中")
    SUBMITTED = "submitted", _("已提交")


class SelfAssessment(ScoredAnswers):
    """自评估: an enterprise's self-assessment against the maturity model for one year."""

    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("企业"),
        on_delete=models.PROTECT,
        related_name="self_assessments",
    )
    year = models.PositiveSmallIntegerField(_("评估年度"))
    status = models.CharField(
        _("状态"), max_length=10, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("填写人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    started_at = models.DateTimeField(_("开始时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    history = HistoricalRecords()

    scope = Scope(region_field="enterprise__region", enterprise_field="enterprise")

    class Meta:
        verbose_name = _("自评估")
        verbose_name_plural = _("自评估")
        ordering = ["-year", "enterprise"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "year"], name="self_assessment_one_a_year"
            )
        ]
        indexes = [models.Index(fields=["status", "year"])]

    def __str__(self) -> str:
        return _("%(enterprise)s %(year)s年自评估") % {
            "enterprise": self.enterprise,
            "year": self.year,
        }

    @property
    def is_submitted(self) -> bool:
        return self.status == AssessmentStatus.SUBMITTED


class DiagnosisStatus(models.TextChoices):
    ASSIGNED = "assigned", _("已分配，待诊断")
    SUBMITTED = "submitted", _("已提交，待企业确认")
    ACKNOWLEDGED = "acknowledged", _("企业已确认")


# A diagnosis counts towards coverage once submitted.
COUNTED_DIAGNOSIS_STATUSES = (DiagnosisStatus.SUBMITTED, DiagnosisStatus.ACKNOWLEDGED)


class ExpertDiagnosis(ScoredAnswers):
    """现场诊断: an on-site diagnosis of an enterprise by an assigned expert or provider."""

    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("企业"),
        on_delete=models.PROTECT,
        related_name="expert_diagnoses",
    )
    diagnostician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("诊断专家（服务商）"),
        on_delete=models.PROTECT,
        related_name="diagnoses",
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("分配人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    assigned_at = models.DateTimeField(_("分配时间"), auto_now_add=True)
    due_on = models.DateField(_("诊断截止日期"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=DiagnosisStatus.choices, default=DiagnosisStatus.ASSIGNED
    )
    visit_date = models.DateField(_("诊断日期"), null=True, blank=True)
    # {domain name: what was found}, for the domains the diagnostician wrote about.
    findings = models.JSONField(_("各能力域诊断发现"), default=dict, blank=True)
    measures = models.TextField(_("改造方案：主要措施"), blank=True)
    estimated_investment = models.DecimalField(
        _("改造方案：预计投资（万元）"), null=True, blank=True, **MONEY
    )
    expected_effect = models.TextField(_("改造方案：预期成效"), blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("企业确认人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(_("企业确认时间"), null=True, blank=True)
    history = HistoricalRecords()

    # Providers are assigned too, but core scoping narrows only the expert role by
    # expert_field: see docs/diagnosis.md ("Who sees what").
    scope = Scope(
        region_field="enterprise__region",
        enterprise_field="enterprise",
        expert_field="diagnostician",
    )

    class Meta:
        verbose_name = _("现场诊断")
        verbose_name_plural = _("现场诊断")
        ordering = ["-assigned_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "diagnostician"],
                condition=models.Q(status="assigned"),
                name="diagnosis_one_open_per_diagnostician",
            ),
            models.CheckConstraint(
                condition=models.Q(estimated_investment__gte=0)
                | models.Q(estimated_investment__isnull=True),
                name="diagnosis_investment_not_negative",
            ),
        ]
        indexes = [models.Index(fields=["status", "visit_date"])]

    def __str__(self) -> str:
        return _("%(enterprise)s 现场诊断（%(diagnostician)s）") % {
            "enterprise": self.enterprise,
            "diagnostician": self.diagnostician,
        }

    @property
    def is_overdue(self) -> bool:
        return is_overdue(self.due_on, self.submitted_at)
