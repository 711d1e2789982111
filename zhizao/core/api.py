from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets

from zhizao.core.filters import RegionFilter
from zhizao.core.models import IndustryCluster, Region
from zhizao.core.scoping import scope_queryset


class ScopedQuerysetMixin:
    """Every API queryset goes through the one scoping function; objects outside it are 404."""

    queryset = None

    def get_queryset(self):
        return scope_queryset(self.request.user, self.queryset.all())


class ScopedReadOnlyViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class ScopedReadUpdateViewSet(
    ScopedQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Read for signed-in users (scoped), update for the city admin (the default permission)."""


class RegionSerializer(serializers.ModelSerializer):
    parent_code = serializers.CharField(source="parent.code", read_only=True, default=None)

    class Meta:
        model = Region
        fields = ["id", "code", "name", "level", "parent", "parent_code", "sort_order"]


class IndustryClusterSerializer(serializers.ModelSerializer):
    class Meta:
        model = IndustryCluster
        fields = ["id", "code", "name", "sort_order"]


@extend_schema_view(
    list=extend_schema(summary="行政区划列表", tags=["core"]),
    retrieve=extend_schema(summary="行政区划", tags=["core"]),
)
class RegionViewSet(ScopedReadOnlyViewSet):
    """Regions come from the plan file (`zhizao plan load`), so the API only reads them."""

    queryset = Region.objects.select_related("parent")
    serializer_class = RegionSerializer
    filterset_class = RegionFilter
    lookup_field = "code"


@extend_schema_view(
    list=extend_schema(summary="产业集群列表", tags=["core"]),
    retrieve=extend_schema(summary="产业集群", tags=["core"]),
)
class IndustryClusterViewSet(ScopedReadOnlyViewSet):
    queryset = IndustryCluster.objects.all()
    serializer_class = IndustryClusterSerializer
    lookup_field = "code"
