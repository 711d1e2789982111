"""The cultivation API (梯度培育): title types, batches, applications and their review, titles and
the ladder. Serializers only parse and present; every change goes through the services in
`services.py` and `review.py`, which decide who may act. Objects are fetched through the scoping
function first, so one the caller may not see answers 404 before any rule is checked; a rule
that refuses a visible object answers 403, and any other refusal 400 with {"detail": message}."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from zhizao.core.api import ScopedQuerysetMixin, ScopedReadOnlyViewSet
from zhizao.core.models import IndustryCluster, Region
from zhizao.core.roles import Role, is_city_admin
from zhizao.core.scoping import get_scoped_object_or_404, scope_queryset
from zhizao.cultivation import review
from zhizao.cultivation.filters import ApplicationFilter, BatchFilter, TitleFilter
from zhizao.cultivation.ladder import ladder
from zhizao.cultivation.models import (
    Application,
    ApplicationStep,
    Attachment,
    Batch,
    ExpertReview,
    Title,
    TitleType,
)
from zhizao.cultivation.services import (
    CultivationError,
    CultivationForbidden,
    batch_is_open,
    create_application,
    open_batch,
    publish_titles,
    revoke_title,
    update_application,
)
from zhizao.enterprises.models import MONEY, Enterprise
from zhizao.plans.models import Plan

TAG = "cultivation"


def _raise_api_error(exc: CultivationError):
    """The services' refusals as API errors. The object was fetched through the scoping function,
    so it is visible: a rule refusing the caller is 403, anything else 400."""
    if isinstance(exc, CultivationForbidden):
        raise PermissionDenied(str(exc)) from None
    raise ValidationError({"detail": str(exc)}) from None


def _scoped(serializer: serializers.Serializer, name: str, queryset):
    """A related object chosen in a request body must be one the caller may see."""
    request = serializer.context.get("request")
    if request is not None:
        serializer.fields[name].queryset = scope_queryset(request.user, queryset)


# --- title types ----------------------------------------------------------------------------


class TitleTypeSerializer(serializers.ModelSerializer):
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    holder_display = serializers.CharField(source="get_holder_display", read_only=True)
    prerequisites = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = TitleType
        fields = [
            "id", "code", "name", "level", "level_display", "holder", "holder_display",
            "above_scale_only", "prerequisites", "expert_review", "indicator_number",
            "description", "sort_order",
        ]  # fmt: skip


@extend_schema_view(
    list=extend_schema(summary="称号类型列表", tags=[TAG]),
    retrieve=extend_schema(summary="称号类型", tags=[TAG]),
)
class TitleTypeViewSet(ScopedReadOnlyViewSet):
    """Title types come from the title-type file (`zhizao cultivation types load`)."""

    queryset = TitleType.objects.prefetch_related("prerequisites")
    serializer_class = TitleTypeSerializer
    lookup_field = "code"


# --- batches --------------------------------------------------------------------------------


class BatchSerializer(serializers.ModelSerializer):
    title_type = serializers.SlugRelatedField(slug_field="code", queryset=TitleType.objects.all())
    title_type_name = serializers.CharField(source="title_type.name", read_only=True)
    number = serializers.IntegerField(min_value=1, default=1)
    criteria = serializers.JSONField(
        default=list,
        help_text=_('评分细则：[{"name": "智能化水平", "max": 40, "note": ""}]，合计 100 分。'),
    )
    required_attachments = serializers.ListField(
        child=serializers.CharField(allow_blank=True), default=list
    )
    max_score = serializers.IntegerField(read_only=True)
    is_open = serializers.SerializerMethodField()

    class Meta:
        model = Batch
        fields = [
            "id", "title_type", "title_type_name", "year", "number", "opens_on", "closes_on",
            "criteria", "required_attachments", "notes", "max_score", "is_open", "created_at",
        ]  # fmt: skip
        read_only_fields = ["created_at"]
        validators = []  # the service says in words why a batch cannot be opened

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _scoped(self, "title_type", TitleType.objects.all())

    def get_is_open(self, batch) -> bool:
        return batch_is_open(batch)


@extend_schema_view(
    list=extend_schema(summary="申报批次列表", tags=[TAG]),
    retrieve=extend_schema(summary="申报批次", tags=[TAG]),
    create=extend_schema(summary="发布申报批次（市级管理员）", tags=[TAG]),
)
class BatchViewSet(
    ScopedQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Batch.objects.select_related("title_type")
    serializer_class = BatchSerializer
    filterset_class = BatchFilter
    permission_classes = [IsAuthenticated]

    def perform_create(self, serializer):
        data = serializer.validated_data
        try:
            serializer.instance = open_batch(
                data["title_type"],
                year=data["year"],
                number=data["number"],
                opens_on=data["opens_on"],
                closes_on=data["closes_on"],
                criteria=data["criteria"],
                required_attachments=data["required_attachments"],
                notes=data.get("notes", ""),
                user=self.request.user,
            )
        except CultivationError as exc:
            _raise_api_error(exc)


# --- applications ---------------------------------------------------------------------------


class StepSerializer(serializers.ModelSerializer):
    action_display = serializers.CharField(source="get_action_display", read_only=True)
    actor = serializers.CharField(source="actor.__str__", read_only=True, default=None)

    class Meta:
        model = ApplicationStep
        fields = [
            "id", "action", "action_display", "from_status", "to_status", "actor", "comment",
            "created_at",
        ]  # fmt: skip


class ExpertReviewSerializer(serializers.ModelSerializer):
    expert_name = serializers.CharField(source="expert.__str__", read_only=True)

    class Meta:
        model = ExpertReview
        fields = [
            "id", "expert", "expert_name", "assigned_at", "due_on", "scores", "total", "comment",
            "submitted_at",
        ]  # fmt: skip


class AttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attachment
        fields = ["id", "requirement", "original_name", "kind", "size", "uploaded_at"]


class ApplicationSerializer(serializers.ModelSerializer):
    batch_label = serializers.CharField(source="batch.__str__", read_only=True)
    title_type = serializers.CharField(source="title_type.code", read_only=True)
    title_type_name = serializers.CharField(source="title_type.name", read_only=True)
    enterprise = serializers.CharField(source="enterprise.uscc", read_only=True, default=None)
    region = serializers.CharField(source="region.code", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    cluster = serializers.CharField(source="cluster.code", read_only=True, default=None)
    holder_name = serializers.CharField(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    title = serializers.SerializerMethodField(help_text=_("认定后的称号编号。"))

    class Meta:
        model = Application
        fields = [
            "id", "batch", "batch_label", "title_type", "title_type_name", "enterprise",
            "region", "region_name", "cluster", "holder_name", "project_name", "status",
            "status_display", "scenes", "key_figures", "investment", "summary", "created_at",
            "submitted_at", "score", "score_spread", "title",
        ]  # fmt: skip
        read_only_fields = fields

    def get_title(self, application) -> int | None:
        title = getattr(application, "title", None)
        return title.pk if title is not None else None


class ApplicationDetailSerializer(ApplicationSerializer):
    steps = StepSerializer(many=True, read_only=True)
    expert_reviews = ExpertReviewSerializer(many=True, read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)
    next_actions = serializers.SerializerMethodField(
        help_text=_("当前用户现在可以进行的流程操作（ApplicationAction 的值）。")
    )

    class Meta(ApplicationSerializer.Meta):
        fields = [
            *ApplicationSerializer.Meta.fields,
            "steps",
            "expert_reviews",
            "attachments",
            "next_actions",
        ]
        read_only_fields = fields

    def get_next_actions(self, application) -> list[str]:
        request = self.context.get("request")
        if request is None:
            return []
        return [str(a) for a in review.next_actions(request.user, application)]


class ApplicationContentSerializer(serializers.Serializer):
    """What the applicant writes: the project, its scenes, key figures and investment."""

    project_name = serializers.CharField(allow_blank=True, max_length=200)
    summary = serializers.CharField(allow_blank=True, required=False)
    scenes = serializers.ListField(
        child=serializers.DictField(),
        required=False,
        help_text=_('建设场景：[{"name": "智能仓储", "description": "…"}]'),
    )
    key_figures = serializers.DictField(
        child=serializers.DictField(),
        required=False,
        help_text=_('改造前后关键指标：{"productivity": {"before": "120", "after": "150"}}'),
    )
    investment = serializers.DecimalField(required=False, allow_null=True, **MONEY)


class ApplicationCreateSerializer(ApplicationContentSerializer):
    batch = serializers.PrimaryKeyRelatedField(queryset=Batch.objects.all())
    enterprise = serializers.SlugRelatedField(
        slug_field="uscc",
        queryset=Enterprise.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("申报企业的统一社会信用代码（企业申报的称号）。"),
    )
    region = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Region.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("申报区县的区划代码（区域申报的称号，如示范集群）。"),
    )
    cluster = serializers.SlugRelatedField(
        slug_field="code", queryset=IndustryCluster.objects.all(), required=False, allow_null=True
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _scoped(self, "batch", Batch.objects.all())
        _scoped(self, "enterprise", Enterprise.objects.all())
        _scoped(self, "region", Region.objects.all())
        _scoped(self, "cluster", IndustryCluster.objects.all())


class ApplicationUpdateSerializer(ApplicationContentSerializer):
    pass


class CommentSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class DistrictPassSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    document_number = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=_("区县验收的文号（区县认定的称号）。"),
    )


class AssignSerializer(serializers.Serializer):
    experts = serializers.ListField(
        child=serializers.IntegerField(), help_text=_("专家的用户编号。")
    )
    due_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text=_("评审截止日期（默认 14 天后）。")
    )


class ScoreSerializer(serializers.Serializer):
    scores = serializers.ListField(
        child=serializers.CharField(allow_blank=True), help_text=_("按评分细则的顺序逐项打分。")
    )
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class RecogniseSerializer(serializers.Serializer):
    document_number = serializers.CharField(allow_blank=True)
    recognised_on = serializers.DateField(
        required=False, allow_null=True, help_text=_("默认今天。")
    )
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ExpertsById:
    """The experts named by id in a request, among the users the caller may see. Looked up when
    the service reads them, i.e. after it has checked that the caller may assign experts at all,
    so that a district officer is told it may not assign, not that it cannot see the experts."""

    def __init__(self, user, ids: list[int]):
        self.user, self.ids = user, ids

    def __iter__(self):
        users = get_user_model().objects.filter(pk__in=self.ids)
        found = {u.pk: u for u in scope_queryset(self.user, users)}
        missing = [str(i) for i in self.ids if i not in found]
        if missing:
            raise CultivationError(
                _("找不到编号为 %(value)s 的专家。") % {"value": "、".join(missing)}
            )
        return iter([found[i] for i in dict.fromkeys(self.ids)])


def _content(data: dict, application: Application) -> dict:
    """The applicant's fields for update_application, keeping what the request leaves out."""
    return {
        "project_name": data.get("project_name", application.project_name),
        "summary": data.get("summary", application.summary),
        "scenes": data.get("scenes", application.scenes),
        "key_figures": data.get("key_figures", application.key_figures),
        "investment": data.get("investment", application.investment),
    }


def _action_docs(summary: str, request=None):
    return extend_schema(
        summary=summary, tags=[TAG], request=request, responses=ApplicationDetailSerializer
    )


@extend_schema_view(
    list=extend_schema(summary="称号申报列表", tags=[TAG]),
    retrieve=extend_schema(summary="称号申报（含流程记录、专家评审、附件）", tags=[TAG]),
    create=extend_schema(
        summary="创建申报（草稿）",
        tags=[TAG],
        request=ApplicationCreateSerializer,
        responses={201: ApplicationDetailSerializer},
    ),
    update=extend_schema(
        summary="修改申报（草稿或退回）",
        tags=[TAG],
        request=ApplicationUpdateSerializer,
        responses=ApplicationDetailSerializer,
    ),
    partial_update=extend_schema(
        summary="修改申报（部分字段）",
        tags=[TAG],
        request=ApplicationUpdateSerializer,
        responses=ApplicationDetailSerializer,
    ),
)
class ApplicationViewSet(
    ScopedQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Application.objects.select_related(
        "batch__title_type", "title_type", "enterprise", "region", "cluster", "title"
    )
    serializer_class = ApplicationSerializer
    filterset_class = ApplicationFilter
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "list":
            return queryset
        # The nested records go through the scoping function too: an enterprise sees no
        # expert's scores, an expert only its own.
        user = self.request.user
        return queryset.prefetch_related(
            Prefetch(
                "steps",
                queryset=scope_queryset(user, ApplicationStep.objects.select_related("actor")),
            ),
            Prefetch(
                "expert_reviews",
                queryset=scope_queryset(user, ExpertReview.objects.select_related("expert")),
            ),
            Prefetch("attachments", queryset=scope_queryset(user, Attachment.objects.all())),
        )

    def get_serializer_class(self):
        return ApplicationSerializer if self.action == "list" else ApplicationDetailSerializer

    def _parsed(self, serializer_class, partial: bool = False) -> dict:
        serializer = serializer_class(
            data=self.request.data, partial=partial, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _detail(self, application: Application, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=application.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    def create(self, request, *args, **kwargs):
        data = self._parsed(ApplicationCreateSerializer)
        try:
            # The draft and its content are one change: a refused figure leaves no draft behind.
            with transaction.atomic():
                application = create_application(
                    data["batch"],
                    request.user,
                    project_name=data["project_name"],
                    enterprise=data.get("enterprise"),
                    region=data.get("region"),
                    cluster=data.get("cluster"),
                )
                content = {"summary", "scenes", "key_figures", "investment"}
                if content & data.keys():
                    application = update_application(
                        application, request.user, **_content(data, application)
                    )
        except CultivationError as exc:
            _raise_api_error(exc)
        return self._detail(application, status.HTTP_201_CREATED)

    def update(self, request, *args, partial: bool = False, **kwargs):
        application = self.get_object()
        data = self._parsed(ApplicationUpdateSerializer, partial=partial)
        try:
            application = update_application(
                application, request.user, **_content(data, application)
            )
        except CultivationError as exc:
            _raise_api_error(exc)
        return self._detail(application)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    def _act(self, handler, serializer_class=None) -> Response:
        """Run a workflow service on the application and answer with its new state. The
        application is fetched (scoped: 404 outside) before the request body is read."""
        application = self.get_object()
        data = self._parsed(serializer_class) if serializer_class else {}
        try:
            handler(application, data)
        except CultivationError as exc:
            _raise_api_error(exc)
        return self._detail(application)

    @_action_docs("提交申报")
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._act(lambda a, data: review.submit_application(a, request.user))

    @_action_docs("区县审核通过（区县认定的称号即认定）", DistrictPassSerializer)
    @action(detail=True, methods=["post"], url_path="district-pass")
    def district_pass(self, request, pk=None):
        return self._act(
            lambda a, data: review.pass_district_review(
                a, request.user, data["comment"], document_number=data["document_number"]
            ),
            DistrictPassSerializer,
        )

    @_action_docs("退回修改（须填原因）", ReasonSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        return self._act(
            lambda a, data: review.return_application(a, request.user, data["reason"]),
            ReasonSerializer,
        )

    @_action_docs("分配评审专家（市级管理员）", AssignSerializer)
    @action(detail=True, methods=["post"], url_path="assign-experts")
    def assign_experts(self, request, pk=None):
        return self._act(
            lambda a, data: review.assign_experts(
                a, ExpertsById(request.user, data["experts"]), request.user, due_on=data["due_on"]
            ),
            AssignSerializer,
        )

    @_action_docs("专家评分（被分配的专家本人）", ScoreSerializer)
    @action(detail=True, methods=["post"])
    def score(self, request, pk=None):
        def score_own_review(application, data):
            own = scope_queryset(
                request.user,
                ExpertReview.objects.filter(application=application, expert=request.user),
            ).first()
            if own is None:
                raise CultivationForbidden(_("只有被分配的专家本人可以评分。"))
            review.score_application(own, request.user, data["scores"], data["comment"])

        return self._act(score_own_review, ScoreSerializer)

    @_action_docs("推荐省级（省级称号，市级管理员）", CommentSerializer)
    @action(detail=True, methods=["post"])
    def recommend(self, request, pk=None):
        return self._act(
            lambda a, data: review.recommend_to_province(a, request.user, data["comment"]),
            CommentSerializer,
        )

    @_action_docs("认定（市级称号）或录入省级认定结果", RecogniseSerializer)
    @action(detail=True, methods=["post"])
    def recognise(self, request, pk=None):
        return self._act(
            lambda a, data: review.recognise_application(
                a,
                request.user,
                document_number=data["document_number"],
                recognised_on=data.get("recognised_on"),
                comment=data["comment"],
            ),
            RecogniseSerializer,
        )

    @_action_docs("不予认定（须填原因）", ReasonSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._act(
            lambda a, data: review.reject_application(a, request.user, data["reason"]),
            ReasonSerializer,
        )


# --- titles ---------------------------------------------------------------------------------


class TitleSerializer(serializers.ModelSerializer):
    title_type = serializers.CharField(source="title_type.code", read_only=True)
    title_type_name = serializers.CharField(source="title_type.name", read_only=True)
    level = serializers.CharField(source="title_type.level", read_only=True)
    enterprise = serializers.CharField(source="enterprise.uscc", read_only=True, default=None)
    region = serializers.CharField(source="region.code", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    cluster = serializers.CharField(source="cluster.code", read_only=True, default=None)
    is_revoked = serializers.BooleanField(read_only=True)

    class Meta:
        model = Title
        fields = [
            "id", "title_type", "title_type_name", "level", "enterprise", "region",
            "region_name", "cluster", "holder_name", "project_name", "year", "batch",
            "batch_label", "document_number", "recognised_on", "application", "is_revoked",
            "revoked_on", "revoke_reason", "published",
        ]  # fmt: skip
        read_only_fields = fields


class RevokeSerializer(serializers.Serializer):
    revoked_on = serializers.DateField(required=False, allow_null=True, help_text=_("默认今天。"))
    reason = serializers.CharField(allow_blank=True)


class PublishSerializer(serializers.Serializer):
    year = serializers.IntegerField(help_text=_("认定年度。"))
    title_type = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=_("称号类型代码；不填则公开全部类型。"),
    )


@extend_schema_view(
    list=extend_schema(summary="认定称号列表", tags=[TAG]),
    retrieve=extend_schema(summary="认定称号", tags=[TAG]),
)
class TitleViewSet(ScopedReadOnlyViewSet):
    queryset = Title.objects.select_related("title_type", "enterprise", "region", "cluster")
    serializer_class = TitleSerializer
    filterset_class = TitleFilter
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="摘牌（市级管理员，须填原因）",
        tags=[TAG],
        request=RevokeSerializer,
        responses=TitleSerializer,
    )
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        title = self.get_object()
        serializer = RevokeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            title = revoke_title(
                title,
                request.user,
                revoked_on=data.get("revoked_on") or timezone.localdate(),
                reason=data["reason"],
            )
        except CultivationError as exc:
            _raise_api_error(exc)
        return Response(self.get_serializer(self.get_queryset().get(pk=title.pk)).data)

    @extend_schema(
        summary="公开某年的认定名单（市级管理员）",
        tags=[TAG],
        request=PublishSerializer,
        responses=inline_serializer("PublishResult", {"published": serializers.IntegerField()}),
    )
    @action(detail=False, methods=["post"])
    def publish(self, request):
        serializer = PublishSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        title_type = None
        if data["title_type"]:
            title_type = scope_queryset(
                request.user, TitleType.objects.filter(code=data["title_type"])
            ).first()
            if title_type is None:
                raise ValidationError(
                    {
                        "detail": _("找不到代码为「%(value)s」的称号类型。")
                        % {"value": data["title_type"]}
                    }
                )
        try:
            count = publish_titles(request.user, year=data["year"], title_type=title_type)
        except CultivationError as exc:
            _raise_api_error(exc)
        return Response({"published": count})


# --- the ladder -----------------------------------------------------------------------------


class LadderRowSerializer(serializers.Serializer):
    """Documentation of one title type's line (RungRow.as_json)."""

    code = serializers.CharField()
    name = serializers.CharField()
    indicator = serializers.IntegerField(allow_null=True)
    recognised_by_year = serializers.DictField(child=serializers.IntegerField())
    revoked_by_year = serializers.DictField(child=serializers.IntegerField())
    cumulative = serializers.IntegerField(help_text=_("截至该年末仍有效的称号数（含基年及以前）。"))
    plan_additions = serializers.IntegerField(help_text=_("规划期（基年之后）新增，扣除摘牌。"))
    target_floor = serializers.FloatField(allow_null=True)
    target_stretch = serializers.FloatField(allow_null=True)
    completion = serializers.FloatField(allow_null=True, help_text=_("规划期新增 / 保底目标。"))
    stretch_completion = serializers.FloatField(allow_null=True)
    pipeline = serializers.DictField(
        child=serializers.IntegerField(), help_text=_("各环节的申报数。")
    )


class LadderRegionSerializer(serializers.Serializer):
    region = serializers.CharField()
    code = serializers.CharField()
    types = LadderRowSerializer(many=True)


def default_year(plan: Plan) -> int:
    """This year, or the plan's last year once the plan period is over."""
    return min(timezone.localdate().year, plan.last_year)


class LadderViewSet(viewsets.ViewSet):
    """培育梯队: the city admin sees the city and every district, a district officer its own."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="培育梯队（市级管理员与区县用户）",
        tags=[TAG],
        parameters=[
            OpenApiParameter(
                "year",
                OpenApiTypes.INT,
                description=_("截至年份；默认今年（不晚于方案终止年份）。"),
            ),
            OpenApiParameter(
                "plan", OpenApiTypes.STR, description=_("方案代码；默认平台的默认方案。")
            ),
            OpenApiParameter("region", OpenApiTypes.STR, description=_("区划代码；只看该地区。")),
        ],
        responses=LadderRegionSerializer(many=True),
    )
    def list(self, request):
        user = request.user
        role = getattr(user, "role", None)
        if not (is_city_admin(user) or role == Role.DISTRICT):
            raise PermissionDenied(_("只有市级管理员和区县用户可以查看培育梯队。"))
        params = request.query_params
        code = params.get("plan") or settings.ZHIZAO_DEFAULT_PLAN
        plan = get_scoped_object_or_404(user, Plan.objects.select_related("region"), code=code)
        year = default_year(plan)
        if params.get("year"):
            try:
                year = int(params["year"])
            except ValueError:
                raise ValidationError(
                    {"detail": _("年份「%(value)s」不是整数。") % {"value": params["year"]}}
                ) from None
        regions = None
        if params.get("region"):
            regions = [get_scoped_object_or_404(user, Region.objects.all(), code=params["region"])]
        if not is_city_admin(user):
            if user.region is None:
                raise Http404
            own = [user.region]
            if regions is not None and regions != own:
                raise Http404
            regions = own
        return Response([r.as_json() for r in ladder(plan, year, regions)])
