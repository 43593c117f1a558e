"""API: promotion criteria (the steps up the career ladder) and a member's
readiness for the next level.

Criteria are read by admins, managers and members and written by admins (403 for
the others). Readiness is read for the members the viewer sees; any other id
answers 404. Thresholds on rates are fractions (0.6 = 60 %), as in every figure of
the API.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated
from rest_framework.response import Response

from config.api import ServiceViewSetMixin, WholeRowMixin, parse_id
from hiring.models import MOST_ACTIVE_COMPETENCIES, Competency
from journeys.models import TrainingModule
from journeys.serializers import ScopedRelatedField

from .. import metrics, permissions
from ..models import (
    CareerLevel,
    CareerTrack,
    Comparison,
    CompetencyCriterion,
    MetricCriterion,
    PromotionStep,
)
from ..selectors import promotion as selectors
from ..services import promotion as services
from .development import SeesManagement, StrictIntegerField

# A step up asks for a handful of training modules and metric thresholds; a
# hundred of either is no step but a catalogue, each entry a lookup.
MOST_REQUIRED_MODULES = 100
MOST_METRIC_CRITERIA = 100


class AdminsWrite(BasePermission):
    def has_permission(self, request, view):
        return request.method in SAFE_METHODS or permissions.manages_recognition(
            request.user
        )


def _levels(viewer):
    return CareerLevel.objects.all()


def _tracks(viewer):
    return CareerTrack.objects.filter(
        pk__in=[track.pk for track in selectors.visible_tracks(viewer)]
    )


def _modules(viewer):
    return TrainingModule.objects.filter(is_active=True)


def _competencies(viewer):
    return Competency.objects.filter(is_active=True)


class MetricCriterionSerializer(WholeRowMixin, serializers.ModelSerializer):
    metric = serializers.CharField(
        max_length=100, help_text=_("A metric key of /api/v1/metrics/.")
    )
    metric_label = serializers.SerializerMethodField()
    comparison = serializers.ChoiceField(choices=Comparison.choices)
    value = serializers.FloatField(
        help_text=_("For a rate, a fraction from 0 to 1 (0.6 = 60 %).")
    )
    months = StrictIntegerField(
        min_value=1, max_value=24, help_text=_("Over the last N complete months.")
    )

    class Meta:
        model = MetricCriterion
        fields = ["metric", "metric_label", "comparison", "value", "months"]

    def get_metric_label(self, criterion) -> str:
        labels = self.context.get("labels", {})
        return labels.get(criterion.metric, criterion.metric)

    def validate(self, data):
        services.check_metric_criterion(**data)
        return data


class CompetencyCriterionSerializer(WholeRowMixin, serializers.ModelSerializer):
    competency = ScopedRelatedField(
        scope=_competencies, help_text=_("An active competency (id).")
    )
    competency_name = serializers.CharField(source="competency", read_only=True)
    minimum_rating = StrictIntegerField(min_value=1, max_value=4)

    class Meta:
        model = CompetencyCriterion
        fields = ["competency", "competency_name", "minimum_rating"]


class PromotionCriteriaSerializer(serializers.ModelSerializer):
    track = ScopedRelatedField(
        scope=_tracks,
        required=False,
        help_text=_(
            "Career track (id): a team's or a journey's ladder; the default track "
            "when a new step gives none."
        ),
    )
    track_name = serializers.CharField(source="track.name", read_only=True)
    from_level = ScopedRelatedField(scope=_levels, help_text=_("Career level (id)."))
    from_level_name = serializers.CharField(source="from_level.name", read_only=True)
    to_level = ScopedRelatedField(scope=_levels, help_text=_("Career level (id)."))
    to_level_name = serializers.CharField(source="to_level.name", read_only=True)
    required_modules = ScopedRelatedField(
        scope=_modules,
        many=True,
        max_length=MOST_REQUIRED_MODULES,
        required=False,
        help_text=_("Training modules to pass (ids)."),
    )
    metric_criteria = MetricCriterionSerializer(
        many=True, max_length=MOST_METRIC_CRITERIA, required=False
    )
    competency_criteria = CompetencyCriterionSerializer(
        many=True, max_length=MOST_ACTIVE_COMPETENCIES, required=False
    )

    class Meta:
        model = PromotionStep
        fields = [
            "id",
            "track",
            "track_name",
            "from_level",
            "from_level_name",
            "to_level",
            "to_level_name",
            "required_modules",
            "metric_criteria",
            "competency_criteria",
        ]
        # One step per level: the service says so on the field.
        validators = []


class PromotionCriteriaViewSet(
    ServiceViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The steps up the career ladder with their criteria: metric thresholds over
    the last N complete months, minimum competency ratings (latest assessment) and
    training modules to pass. Admins write them; the criteria given replace the
    step's."""

    serializer_class = PromotionCriteriaSerializer
    permission_classes = [IsAuthenticated, SeesManagement, AdminsWrite]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    queryset = PromotionStep.objects.none()

    def get_queryset(self):
        # Another team's track (and its criteria) answers 404.
        tracks = [track.pk for track in selectors.visible_tracks(self.request.user)]
        return (
            PromotionStep.objects.filter(track_id__in=tracks)
            .select_related("track", "from_level", "to_level")
            .prefetch_related(
                "metric_criteria", "competency_criteria__competency", "required_modules"
            )
            .order_by("from_level__position", "pk")
        )

    def get_serializer_context(self):
        labels = {m.key: str(m.label) for m in metrics.catalogue(active_only=False)}
        return super().get_serializer_context() | {"labels": labels}

    def _save(self, step: PromotionStep, data: dict, *, partial: bool):
        def given(name, current):
            return data.get(name, current)

        services.step_save(
            step=step,
            by=self.request.user,
            track=given("track", step.track if step.track_id else None),
            from_level=given("from_level", getattr(step, "from_level", None)),
            to_level=given("to_level", getattr(step, "to_level", None)),
            required_modules=list(
                given(
                    "required_modules",
                    step.required_modules.all() if partial else [],
                )
            ),
            metric_criteria=[
                dict(entry)
                for entry in given(
                    "metric_criteria",
                    step.metric_criteria.values(
                        "metric", "comparison", "value", "months"
                    )
                    if partial
                    else [],
                )
            ],
            competency_criteria=[
                dict(entry)
                for entry in given(
                    "competency_criteria",
                    [
                        {"competency": c.competency, "minimum_rating": c.minimum_rating}
                        for c in step.competency_criteria.all()
                    ]
                    if partial
                    else [],
                )
            ],
        )
        return step

    def _respond(self, pk, status_code=status.HTTP_200_OK):
        return Response(self.get_serializer(self.read(pk)).data, status=status_code)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        step = self._save(PromotionStep(), serializer.validated_data, partial=False)
        return self._respond(step.pk, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        step = self.get_object()
        serializer = self.get_serializer(step, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        self._save(step, serializer.validated_data, partial=True)
        return self._respond(step.pk)

    def perform_destroy(self, instance):
        services.step_delete(step=instance, by=self.request.user)


# --- Readiness -----------------------------------------------------------------------


class LevelSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    name_en = serializers.CharField()
    position = serializers.IntegerField()


class MemberLevelSerializer(serializers.Serializer):
    level = LevelSerializer()
    since = serializers.DateField()
    decided_by = serializers.IntegerField(source="decided_by_id", allow_null=True)


class CriterionSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=[
            selectors.KIND_METRIC,
            selectors.KIND_COMPETENCY,
            selectors.KIND_TRAINING,
        ]
    )
    label = serializers.CharField()
    requirement = serializers.CharField()
    actual = serializers.CharField()
    met = serializers.BooleanField()
    no_data = serializers.BooleanField(
        help_text=_("No figure or rating to judge the criterion on (not met).")
    )
    value = serializers.FloatField(allow_null=True)
    threshold = serializers.FloatField(allow_null=True)


class ReadinessSerializer(serializers.Serializer):
    member = serializers.IntegerField(source="member.pk")
    member_name = serializers.CharField(source="member.display_name")
    current_level = MemberLevelSerializer(source="level", allow_null=True)
    next_level = LevelSerializer(allow_null=True)
    ready = serializers.BooleanField(
        help_text=_("There is a next level and every criterion is met.")
    )
    met = serializers.IntegerField(source="met_count")
    criteria = CriterionSerializer(many=True)
    computed_at = serializers.DateTimeField()


class ReadinessViewSet(ServiceViewSetMixin, viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated, SeesManagement]
    serializer_class = ReadinessSerializer
    queryset = PromotionStep.objects.none()

    @extend_schema(
        responses=ReadinessSerializer,
        description=(
            "The member's readiness for the next level: each criterion of the step "
            "up from their current level, met or not, with the actual value."
        ),
    )
    @action(detail=True, methods=["get"])
    def readiness(self, request, pk=None):
        member_id = parse_id(pk)
        member = (
            permissions.visible_members(request.user).filter(pk=member_id).first()
            if member_id is not None
            else None
        )
        if member is None:
            raise exceptions.NotFound()
        report = selectors.readiness_of(member)
        return Response(ReadinessSerializer(report).data)


def register(router) -> None:
    router.register(
        "promotion-criteria", PromotionCriteriaViewSet, basename="promotion-criterion"
    )
    router.register("members", ReadinessViewSet, basename="member")
