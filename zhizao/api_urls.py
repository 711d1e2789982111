"""The REST API's router: one entry per app's viewsets."""

from rest_framework.routers import DefaultRouter

from zhizao.bridge.api import VIEWSETS as BRIDGE_VIEWSETS
from zhizao.core.api import IndustryClusterViewSet, RegionViewSet
from zhizao.cultivation.api import (
    ApplicationViewSet,
    BatchViewSet,
    LadderViewSet,
    TitleTypeViewSet,
    TitleViewSet,
)
from zhizao.diagnosis.api import (
    CoverageViewSet,
    ExpertDiagnosisViewSet,
    QuestionnaireViewSet,
    SelfAssessmentViewSet,
)
from zhizao.enterprises.api import EnterpriseViewSet, YearLockViewSet, YearlyReportViewSet
from zhizao.monitoring.api import IndicatorValueViewSet, ProgressViewSet, RankingViewSet
from zhizao.plans.api import IndicatorViewSet, PlanViewSet, RegionTargetViewSet, YearTargetViewSet

router = DefaultRouter()
router.register("regions", RegionViewSet)
router.register("clusters", IndustryClusterViewSet)
router.register("plans", PlanViewSet)
router.register("indicators", IndicatorViewSet)
router.register("year-targets", YearTargetViewSet)
router.register("region-targets", RegionTargetViewSet)
router.register("enterprises", EnterpriseViewSet)
router.register("reports", YearlyReportViewSet)
router.register("year-locks", YearLockViewSet)
router.register("title-types", TitleTypeViewSet)
router.register("batches", BatchViewSet)
router.register("applications", ApplicationViewSet)
router.register("titles", TitleViewSet)
router.register("ladder", LadderViewSet, basename="ladder")
for prefix, viewset in BRIDGE_VIEWSETS:
    router.register(prefix, viewset, basename=prefix)
router.register("monitoring/values", IndicatorValueViewSet)
router.register("monitoring/progress", ProgressViewSet, basename="monitoring-progress")
router.register("monitoring/ranking", RankingViewSet, basename="monitoring-ranking")
router.register("diagnosis/self-assessments", SelfAssessmentViewSet)
router.register("diagnosis/expert-diagnoses", ExpertDiagnosisViewSet)
router.register("diagnosis/questionnaire", QuestionnaireViewSet, basename="diagnosis-questionnaire")
router.register("diagnosis/coverage", CoverageViewSet, basename="diagnosis-coverage")
