from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from zhizao.core.api import ScopedQuerysetMixin, ScopedReadOnlyViewSet
from zhizao.core.scoping import scope_queryset
from zhizao.enterprises.fields import REPORT_FIELDS
from zhizao.enterprises.filters import EnterpriseFilter, YearlyReportFilter
from zhizao.enterprises.models import Enterprise, YearLock, YearlyReport
from zhizao.enterprises.services import (
    ReportError,
    ReportForbidden,
    ReportInvalid,
    approve_report,
    lock_year,
    return_report,
    save_report,
    submit_report,
    unlock_year,
    withdraw_report,
)


def _raise_api_error(exc: ReportError):
    if isinstance(exc, ReportForbidden):
        raise PermissionDenied(str(exc)) from None
    if isinstance(exc, ReportInvalid):
        raise ValidationError(exc.check.errors) from None
    raise ValidationError({"detail": str(exc)}) from None


class EnterpriseSerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region.code", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    cluster = serializers.CharField(source="cluster.code", read_only=True, default=None)

    class Meta:
        model = Enterprise
        fields = [
            "id", "uscc", "name", "region", "region_name", "town", "cluster", "industry_code",
            "industry_division", "address", "contact_name", "contact_phone",
        ]  # fmt: skip


@extend_schema_view(
    list=extend_schema(summary="企业列表", tags=["enterprises"]),
    retrieve=extend_schema(summary="企业", tags=["enterprises"]),
)
class EnterpriseViewSet(ScopedReadOnlyViewSet):
    queryset = Enterprise.objects.select_related("region", "cluster").order_by("name", "pk")
    serializer_class = EnterpriseSerializer
    filterset_class = EnterpriseFilter
    permission_classes = [IsAuthenticated]


class YearlyReportSerializer(serializers.ModelSerializer):
    enterprise = serializers.SlugRelatedField(slug_field="uscc", queryset=Enterprise.objects.all())
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = YearlyReport
        fields = [
            "id", "enterprise", "year", "status", "status_display",
            *(f.name for f in REPORT_FIELDS), "comment", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["status", "updated_at"]
        validators = []  # uniqueness is the service's: a second save updates the draft

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            # An enterprise chosen by code must be one the caller may see.
            self.fields["enterprise"].queryset = scope_queryset(
                request.user, Enterprise.objects.all()
            )


ReviewComment = inline_serializer(
    "ReviewComment", {"comment": serializers.CharField(required=False)}
)


@extend_schema_view(
    list=extend_schema(summary="年度智能制造数据列表", tags=["enterprises"]),
    retrieve=extend_schema(summary="年度智能制造数据", tags=["enterprises"]),
    create=extend_schema(summary="填报（保存草稿）", tags=["enterprises"]),
    update=extend_schema(summary="修改草稿", tags=["enterprises"]),
    partial_update=extend_schema(summary="修改草稿（部分字段）", tags=["enterprises"]),
)
class YearlyReportViewSet(
    ScopedQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Reports are written through the report services, which check the figures and the role."""

    queryset = YearlyReport.objects.select_related("enterprise").order_by(
        "enterprise__name", "year"
    )
    serializer_class = YearlyReportSerializer
    filterset_class = YearlyReportFilter
    permission_classes = [IsAuthenticated]

    def _save(self, serializer, instance=None):
        data = serializer.validated_data
        enterprise = data.get("enterprise") or instance.enterprise
        year = data.get("year") or instance.year
        values = {f.name: data.get(f.name, getattr(instance, f.name, None)) for f in REPORT_FIELDS}
        comment = data.get("comment", getattr(instance, "comment", ""))
        try:
            serializer.instance = save_report(enterprise, year, values, self.request.user, comment)
        except ReportError as exc:
            _raise_api_error(exc)

    def perform_create(self, serializer):
        self._save(serializer)

    def perform_update(self, serializer):
        self._save(serializer, serializer.instance)

    def _act(self, request, handler):
        report = self.get_object()
        try:
            report = handler(report, request.data.get("comment", ""))
        except ReportError as exc:
            _raise_api_error(exc)
        return Response(self.get_serializer(report).data, status=status.HTTP_200_OK)

    @extend_schema(summary="提交", tags=["enterprises"], request=None)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._act(request, lambda report, comment: submit_report(report, request.user))

    @extend_schema(
        summary="撤回（区县审核前，企业可撤回后修改再提交）",
        tags=["enterprises"],
        request=ReviewComment,
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._act(
            request, lambda report, comment: withdraw_report(report, request.user, comment)
        )

    @extend_schema(summary="审核通过（区县或市级）", tags=["enterprises"], request=ReviewComment)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._act(
            request, lambda report, comment: approve_report(report, request.user, comment)
        )

    @extend_schema(summary="退回（须填原因）", tags=["enterprises"], request=ReviewComment)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        return self._act(
            request, lambda report, comment: return_report(report, request.user, comment)
        )


class YearLockSerializer(serializers.ModelSerializer):
    class Meta:
        model = YearLock
        fields = ["year", "locked", "reason", "changed_at"]


@extend_schema_view(
    list=extend_schema(summary="年度锁定列表", tags=["enterprises"]),
    retrieve=extend_schema(summary="年度锁定", tags=["enterprises"]),
)
class YearLockViewSet(ScopedReadOnlyViewSet):
    queryset = YearLock.objects.all()
    serializer_class = YearLockSerializer
    lookup_field = "year"
    permission_classes = [IsAuthenticated]

    def _set(self, request, year, locked: bool):
        reason = request.data.get("reason", "")
        try:
            lock = (lock_year if locked else unlock_year)(int(year), request.user, reason)
        except ReportError as exc:
            _raise_api_error(exc)
        return Response(YearLockSerializer(lock).data)

    @extend_schema(
        summary="锁定年度（市级管理员）",
        tags=["enterprises"],
        request=inline_serializer("LockReason", {"reason": serializers.CharField(required=False)}),
    )
    @action(detail=False, methods=["post"], url_path=r"(?P<year>\d{4})/lock")
    def lock(self, request, year=None):
        return self._set(request, year, True)

    @extend_schema(
        summary="解锁年度（市级管理员，须填原因）",
        tags=["enterprises"],
        request=inline_serializer("UnlockReason", {"reason": serializers.CharField()}),
    )
    @action(detail=False, methods=["post"], url_path=r"(?P<year>\d{4})/unlock")
    def unlock(self, request, year=None):
        return self._set(request, year, False)
