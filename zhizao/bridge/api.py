"""The bridge API (新智造鹊桥) for the maintained libraries: one endpoint per library
(/api/bridge-standards/ …), read by anyone, the public included, through the scoping function
(published entries, and besides them the ones the caller maintains; the city admin sees all), and
written by maintainers and the city admin through the services, which decide who may act: create,
update, and the review actions submit / approve / return / unpublish.

An entry the caller may not see answers 404 before any rule is checked; a rule that refuses a
visible entry answers 403, and any other refusal 400 with {"detail": message}."""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response

from zhizao.bridge.filters import filter_for
from zhizao.bridge.libraries import LIBRARIES, LIST_KINDS, LibrarySpec
from zhizao.bridge.models import (
    Case,
    Equipment,
    ExpertProfile,
    FinancialProduct,
    Provider,
    Software,
    Solution,
    Standard,
)
from zhizao.bridge.services import (
    BridgeError,
    BridgeForbidden,
    approve_entry,
    create_entry,
    next_actions,
    return_entry,
    submit_entry,
    unpublish_entry,
    update_entry,
)
from zhizao.core.api import ScopedQuerysetMixin
from zhizao.core.models import IndustryCluster, Region
from zhizao.core.scoping import scope_queryset
from zhizao.enterprises.models import Enterprise

TAG = "bridge"


class ReadPublicWriteSignedIn(BasePermission):
    """Published entries are public by design: anyone reads (the queryset is scoped); writes
    need a signed-in user, and the services decide whether that user may make them."""

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return bool(request.user and request.user.is_authenticated)


def _raise_api_error(exc: BridgeError):
    if isinstance(exc, BridgeForbidden):
        raise PermissionDenied(str(exc)) from None
    raise ValidationError({"detail": str(exc)}) from None


# --- serializers ----------------------------------------------------------------------------

ENTRY_FIELDS = [
    "id", "library", "status", "status_display", "published_at", "unpublish_reason",
    "created_at", "updated_at", "next_actions",
]  # fmt: skip
RELATIONS = {"provider", "solution", "enterprise", "user", "clusters", "regions_served"}


class EntrySerializer(serializers.ModelSerializer):
    """The fields every library shares; each library's serializer adds its own (its spec's
    columns). Fields are optional here: the services say in words what is missing."""

    spec: LibrarySpec
    library = serializers.SerializerMethodField()
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    clusters = serializers.SlugRelatedField(
        slug_field="code",
        many=True,
        required=False,
        queryset=IndustryCluster.objects.all(),
        help_text=_("产业集群代码。"),
    )
    divisions = serializers.ListField(
        child=serializers.CharField(), required=False, help_text=_("GB/T 4754 制造业大类代码。")
    )
    subdomains = serializers.ListField(
        child=serializers.CharField(), required=False, help_text=_("能力成熟度模型的能力子域代码。")
    )
    next_actions = serializers.SerializerMethodField(
        help_text=_("当前用户现在可以进行的操作：edit、submit、approve、return、unpublish。")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is None:
            return
        # A related object chosen in a request body must be one the caller may see.
        for name, field in self.fields.items():
            child = getattr(field, "child_relation", field)
            queryset = getattr(child, "queryset", None)
            if name in RELATIONS and queryset is not None:
                child.queryset = scope_queryset(request.user, queryset)

    def get_library(self, entry) -> str:
        return self.spec.library

    def get_next_actions(self, entry) -> list[str]:
        request = self.context.get("request")
        return next_actions(entry, request.user) if request is not None else []


def _meta(spec: LibrarySpec):
    own = [c.field for c in spec.columns]
    extra = {}
    for column in spec.columns:
        if column.kind in LIST_KINDS or column.field in RELATIONS:
            continue
        model_field = spec.model._meta.get_field(column.field)
        options = {"required": False, "validators": []}
        if model_field.get_internal_type() in ("CharField", "TextField"):
            options["allow_blank"] = True
        extra[column.field] = options

    class Meta:
        model = spec.model
        fields = [*ENTRY_FIELDS, *own]
        read_only_fields = [
            "status",
            "published_at",
            "unpublish_reason",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = extra

    return Meta


def _provider_field():
    return serializers.PrimaryKeyRelatedField(
        queryset=Provider.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("服务商编号。"),
    )


class StandardSerializer(EntrySerializer):
    spec = LIBRARIES["standard"]
    Meta = _meta(spec)


class EquipmentSerializer(EntrySerializer):
    spec = LIBRARIES["equipment"]
    Meta = _meta(spec)


class SoftwareSerializer(EntrySerializer):
    spec = LIBRARIES["software"]
    Meta = _meta(spec)


class ProviderSerializer(EntrySerializer):
    spec = LIBRARIES["provider"]
    regions_served = serializers.SlugRelatedField(
        slug_field="code",
        many=True,
        required=False,
        queryset=Region.objects.all(),
        help_text=_("服务区县的区划代码。"),
    )
    Meta = _meta(spec)


class SolutionSerializer(EntrySerializer):
    spec = LIBRARIES["solution"]
    provider = _provider_field()
    provider_name = serializers.CharField(source="provider.name", read_only=True, default=None)
    Meta = _meta(spec)
    Meta.fields = [*Meta.fields, "provider_name"]


class ExpertSerializer(EntrySerializer):
    spec = LIBRARIES["expert"]
    user = serializers.SlugRelatedField(
        slug_field="username",
        queryset=get_user_model().objects.all(),
        required=False,
        allow_null=True,
        write_only=True,
        help_text=_("专家的平台用户名（仅市级管理员可以指定）。"),
    )
    Meta = _meta(spec)


class FinancialProductSerializer(EntrySerializer):
    spec = LIBRARIES["finance"]
    Meta = _meta(spec)


class CaseSerializer(EntrySerializer):
    spec = LIBRARIES["case"]
    provider = _provider_field()
    provider_name = serializers.CharField(source="provider.name", read_only=True, default=None)
    solution = serializers.PrimaryKeyRelatedField(
        queryset=Solution.objects.all(), required=False, allow_null=True, help_text=_("方案编号。")
    )
    enterprise = serializers.SlugRelatedField(
        slug_field="uscc",
        queryset=Enterprise.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("实施企业的统一社会信用代码。"),
    )
    results = serializers.JSONField(
        required=False,
        help_text=_(
            '实施成效：[{"name": "劳动生产率", "unit": "万元/人", "before": "120", "after": "150"}]'
        ),
    )
    Meta = _meta(spec)
    Meta.fields = [*Meta.fields, "provider_name"]


class EntryReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


# --- viewsets -------------------------------------------------------------------------------


class EntryViewSet(
    ScopedQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """One library's entries; a subclass names the spec, queryset and serializer."""

    spec: LibrarySpec
    permission_classes = [ReadPublicWriteSignedIn]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    prefetch = ("clusters", "maintainers")

    def get_queryset(self):
        return super().get_queryset().prefetch_related(*self.prefetch)

    def _parsed(self, entry=None, partial: bool = False) -> dict:
        serializer = self.get_serializer(entry, data=self.request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def _detail(self, entry, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().filter(pk=entry.pk).first() or entry
        return Response(self.get_serializer(fresh).data, status=code)

    def create(self, request, *args, **kwargs):
        values = self._parsed()
        try:
            entry = create_entry(self.spec.library, request.user, values)
        except BridgeError as exc:
            _raise_api_error(exc)
        return self._detail(entry, status.HTTP_201_CREATED)

    def update(self, request, *args, partial: bool = False, **kwargs):
        entry = self.get_object()
        values = self._parsed(entry, partial=partial)
        try:
            entry = update_entry(entry, request.user, values)
        except BridgeError as exc:
            _raise_api_error(exc)
        return self._detail(entry)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    def _act(self, handler, with_reason: bool = False) -> Response:
        """Run a review service on the entry (fetched scoped: 404 outside) and answer with it."""
        entry = self.get_object()
        reason = ""
        if with_reason:
            parsed = EntryReasonSerializer(data=self.request.data)
            parsed.is_valid(raise_exception=True)
            reason = parsed.validated_data["reason"]
        try:
            entry = handler(entry, reason)
        except BridgeError as exc:
            _raise_api_error(exc)
        return self._detail(entry)

    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._act(lambda entry, reason: submit_entry(entry, request.user))

    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._act(lambda entry, reason: approve_entry(entry, request.user))

    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        return self._act(lambda entry, reason: return_entry(entry, request.user, reason), True)

    @action(detail=True, methods=["post"])
    def unpublish(self, request, pk=None):
        return self._act(lambda entry, reason: unpublish_entry(entry, request.user, reason), True)


def _viewset(name: str, spec: LibrarySpec, serializer, queryset, prefetch=()) -> type:
    label = spec.label
    docs = {
        "list": extend_schema(summary=f"{label}列表", tags=[TAG]),
        "retrieve": extend_schema(summary=label, tags=[TAG]),
        "create": extend_schema(summary=f"新建{label}（草稿）", tags=[TAG]),
        "update": extend_schema(summary=f"修改{label}", tags=[TAG]),
        "partial_update": extend_schema(summary=f"修改{label}（部分字段）", tags=[TAG]),
        "submit": extend_schema(summary=f"提交{label}审核", tags=[TAG], request=None),
        "approve": extend_schema(
            summary=f"审核通过并发布{label}（市级管理员）", tags=[TAG], request=None
        ),
        "return_": extend_schema(
            summary=f"退回{label}修改（市级管理员，须填原因）",
            tags=[TAG],
            request=EntryReasonSerializer,
        ),
        "unpublish": extend_schema(
            summary=f"下架{label}（市级管理员，须填原因）",
            tags=[TAG],
            request=EntryReasonSerializer,
        ),
    }
    attrs = {
        "__doc__": f"{label}：已发布的条目公开，维护人还能看到自己维护的条目。",
        "__module__": __name__,
        "spec": spec,
        "queryset": queryset,
        "serializer_class": serializer,
        "filterset_class": filter_for(spec.library),
        "prefetch": (*EntryViewSet.prefetch, *prefetch),
    }
    return extend_schema_view(**docs)(type(name, (EntryViewSet,), attrs))


StandardViewSet = _viewset(
    "StandardViewSet", LIBRARIES["standard"], StandardSerializer, Standard.objects.all()
)
EquipmentViewSet = _viewset(
    "EquipmentViewSet", LIBRARIES["equipment"], EquipmentSerializer, Equipment.objects.all()
)
SoftwareViewSet = _viewset(
    "SoftwareViewSet", LIBRARIES["software"], SoftwareSerializer, Software.objects.all()
)
ProviderViewSet = _viewset(
    "ProviderViewSet",
    LIBRARIES["provider"],
    ProviderSerializer,
    Provider.objects.all(),
    ("regions_served",),
)
SolutionViewSet = _viewset(
    "SolutionViewSet",
    LIBRARIES["solution"],
    SolutionSerializer,
    Solution.objects.select_related("provider"),
)
ExpertViewSet = _viewset(
    "ExpertViewSet", LIBRARIES["expert"], ExpertSerializer, ExpertProfile.objects.all()
)
FinancialProductViewSet = _viewset(
    "FinancialProductViewSet",
    LIBRARIES["finance"],
    FinancialProductSerializer,
    FinancialProduct.objects.all(),
)
CaseViewSet = _viewset(
    "CaseViewSet",
    LIBRARIES["case"],
    CaseSerializer,
    Case.objects.select_related("provider", "solution", "enterprise"),
)

# The router's prefix for each viewset (zhizao/api_urls.py registers them).
VIEWSETS = [
    (viewset.spec.api_prefix, viewset)
    for viewset in (
        StandardViewSet,
        EquipmentViewSet,
        SoftwareViewSet,
        SolutionViewSet,
        ProviderViewSet,
        ExpertViewSet,
        FinancialProductViewSet,
        CaseViewSet,
    )
]
