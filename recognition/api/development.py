"""API: competency assessments and development plans.

Read by admins, managers and members (403 for the other roles), scoped to the
members the viewer sees (`permissions.visible_members`): anything else answers 404.
Writes go through `recognition.services.development`: coaches (the member's leaders
and admins) assess and write plans; a member writes check-ins on their own plan.
Rates are fractions here (0.75 = 75 %), as in every figure of the API.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from accounts.models import Role
from accounts.permissions import has_role, is_admin
from config.api import ServiceViewSetMixin, WholeRowMixin
from hiring.models import MOST_ACTIVE_COMPETENCIES, Competency
from journeys.serializers import PersonField, ScopedRelatedField

from .. import permissions
from ..filters import MemberFilter, PlanFilter
from ..models import (
    CompetencyAssessment,
    CompetencyRating,
    DevelopmentPlan,
    PlanAction,
    PlanCheckIn,
    PlanStatus,
)
from ..selectors import development as selectors
from ..services import development as services

RATING_ERROR = _("A rating is a whole number from 1 to 4.")


class SeesManagement(BasePermission):
    """Admins, managers and members; other roles get 403."""

    def has_permission(self, request, view):
        return permissions.sees_management_pages(request.user)


def coaches_anyone(user) -> bool:
    """Who may assess or start a plan at all (whom they coach is the scope)."""
    return is_admin(user) or has_role(user, Role.MANAGER)


class CoachesToCreate(BasePermission):
    def has_permission(self, request, view):
        return view.action != "create" or coaches_anyone(request.user)


class StrictIntegerField(serializers.IntegerField):
    """An integer, never a boolean (True is not a rating)."""

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("invalid")
        return super().to_internal_value(data)


def _active_competencies(viewer):
    return Competency.objects.filter(is_active=True)


def _competencies(viewer):
    return Competency.objects.all()


# --- Assessments ---------------------------------------------------------------------


class RatingSerializer(WholeRowMixin, serializers.ModelSerializer):
    competency = ScopedRelatedField(
        scope=_active_competencies, help_text=_("An active competency (id).")
    )
    competency_name = serializers.CharField(source="competency", read_only=True)
    rating = StrictIntegerField(
        min_value=1,
        max_value=4,
        error_messages={
            "min_value": RATING_ERROR,
            "max_value": RATING_ERROR,
            "invalid": RATING_ERROR,
        },
        help_text=_("1 not yet, 2 developing, 3 proficient, 4 role model."),
    )
    evidence = serializers.CharField(
        max_length=5000, help_text=_("What the member was seen doing.")
    )

    class Meta:
        model = CompetencyRating
        fields = ["competency", "competency_name", "rating", "evidence"]


class AssessmentSerializer(serializers.ModelSerializer):
    member = ScopedRelatedField(
        scope=permissions.coached_members,
        help_text=_("A member you coach (id)."),
    )
    member_name = PersonField(source="member")
    assessed_by_name = PersonField(source="assessed_by")
    ratings = RatingSerializer(
        many=True,
        allow_empty=False,
        max_length=MOST_ACTIVE_COMPETENCIES,
        help_text=_("One rating per active competency."),
    )
    is_latest = serializers.SerializerMethodField(
        help_text=_("The member's current assessment.")
    )

    class Meta:
        model = CompetencyAssessment
        fields = [
            "id",
            "member",
            "member_name",
            "assessed_by",
            "assessed_by_name",
            "assessed_at",
            "is_latest",
            "note",
            "ratings",
        ]
        read_only_fields = ["assessed_by", "assessed_at"]

    @extend_schema_field(serializers.BooleanField())
    def get_is_latest(self, assessment) -> bool:
        latest = self.context.get("latest_ids", {})
        return latest.get(assessment.member_id) == assessment.pk


class AssessmentViewSet(
    ServiceViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Assessments of the members the viewer sees, newest first; the latest one of
    each member is their current rating. Coaches create them, rating every active
    competency from 1 to 4 with its evidence."""

    serializer_class = AssessmentSerializer
    permission_classes = [IsAuthenticated, SeesManagement, CoachesToCreate]
    filterset_class = MemberFilter
    ordering_fields = ["assessed_at", "id"]
    queryset = CompetencyAssessment.objects.none()

    def get_queryset(self):
        return (
            selectors.visible_assessments(self.request.user)
            .select_related("member", "assessed_by")
            .prefetch_related("ratings__competency")
            .order_by("-assessed_at", "-id")
        )

    def _respond(self, assessments, *, many):
        items = assessments if many else [assessments]
        context = self.get_serializer_context() | {
            "latest_ids": selectors.latest_assessment_ids(
                {item.member_id for item in items}
            )
        }
        return AssessmentSerializer(assessments, many=many, context=context).data

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self._respond(list(page), many=True))

    def retrieve(self, request, *args, **kwargs):
        return Response(self._respond(self.get_object(), many=False))

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        assessment = services.assessment_create(
            member=data["member"],
            by=request.user,
            ratings=[dict(entry) for entry in data["ratings"]],
            note=data.get("note", ""),
        )
        return Response(
            self._respond(self.read(assessment.pk), many=False),
            status=status.HTTP_201_CREATED,
        )


# --- Plans ---------------------------------------------------------------------------


class FigureSerializer(serializers.Serializer):
    value = serializers.FloatField(allow_null=True)
    numerator = serializers.IntegerField(allow_null=True)
    denominator = serializers.IntegerField(allow_null=True)
    provisional = serializers.BooleanField()
    final_at = serializers.DateTimeField(allow_null=True)


class TargetSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="target.pk")
    metric = serializers.CharField(source="target.metric")
    metric_label = serializers.CharField(source="label")
    target_value = serializers.FloatField(source="target.target_value")
    by_date = serializers.DateField(source="target.by_date")
    set_at = serializers.DateTimeField(source="target.set_at")
    set_by = serializers.IntegerField(source="target.set_by_id")
    baseline = FigureSerializer(
        help_text=_("Over the 3 complete months before the target was set.")
    )
    current = FigureSerializer(
        allow_null=True, help_text=_("Over the last 3 complete months.")
    )
    after = FigureSerializer(
        allow_null=True,
        help_text=_("Over the complete months since the target was set."),
    )
    after_months = serializers.CharField(source="after_months_label")
    reached = serializers.BooleanField(allow_null=True)


class ActionSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlanAction
        fields = ["id", "text", "due_date", "done_at", "training_assignment"]
        read_only_fields = ["done_at", "training_assignment"]


class CheckInSerializer(serializers.ModelSerializer):
    author_name = PersonField(source="author")
    status = serializers.ChoiceField(choices=PlanStatus.choices)

    class Meta:
        model = PlanCheckIn
        fields = ["id", "author", "author_name", "held_on", "text", "status"]
        read_only_fields = ["author"]


class PlanSerializer(serializers.ModelSerializer):
    member = ScopedRelatedField(
        scope=permissions.coached_members, help_text=_("A member you coach (id).")
    )
    member_name = PersonField(source="member")
    focus_competencies = ScopedRelatedField(
        scope=_active_competencies,
        many=True,
        max_length=MOST_ACTIVE_COMPETENCIES,
        required=False,
    )
    targets = serializers.SerializerMethodField()
    actions = ActionSerializer(many=True, read_only=True)
    check_ins = CheckInSerializer(many=True, read_only=True)

    class Meta:
        model = DevelopmentPlan
        fields = [
            "id",
            "member",
            "member_name",
            "status",
            "summary",
            "focus_competencies",
            "targets",
            "actions",
            "check_ins",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_by", "created_at", "updated_at"]

    @extend_schema_field(TargetSerializer(many=True))
    def get_targets(self, plan):
        rows = self.context.get("targets", {}).get(plan.pk, [])
        return TargetSerializer(rows, many=True).data


class PlanUpdateSerializer(serializers.Serializer):
    summary = serializers.CharField(max_length=5000, allow_blank=True, required=False)
    status = serializers.ChoiceField(choices=PlanStatus.choices, required=False)
    focus_competencies = ScopedRelatedField(
        scope=_competencies,
        many=True,
        max_length=MOST_ACTIVE_COMPETENCIES,
        required=False,
    )


class TargetInputSerializer(serializers.Serializer):
    metric = serializers.CharField(
        max_length=100, help_text=_("A metric key of /api/v1/metrics/.")
    )
    target_value = serializers.FloatField(
        help_text=_("For a rate, a fraction from 0 to 1 (0.75 = 75 %).")
    )
    by_date = serializers.DateField()


class ActionInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=500)
    due_date = serializers.DateField(required=False, allow_null=True)


class CheckInInputSerializer(serializers.Serializer):
    held_on = serializers.DateField()
    text = serializers.CharField(max_length=5000)
    status = serializers.ChoiceField(choices=PlanStatus.choices)


class PlanViewSet(
    ServiceViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Development plans of the members the viewer sees, with each target's value
    before (when set), now (last 3 complete months) and after (complete months
    since it was set). Coaches create and change plans, targets and actions; the
    member and their coaches add check-ins."""

    serializer_class = PlanSerializer
    permission_classes = [IsAuthenticated, SeesManagement, CoachesToCreate]
    filterset_class = PlanFilter
    http_method_names = ["get", "post", "patch", "head", "options"]
    queryset = DevelopmentPlan.objects.none()

    def get_queryset(self):
        return (
            DevelopmentPlan.objects.filter(
                member__in=permissions.visible_members(self.request.user).values("pk")
            )
            .select_related("member")
            .prefetch_related(
                "focus_competencies",
                "targets",
                "actions",
                "check_ins__author",
            )
            .order_by("member__family_name_reading", "member__given_name_reading", "pk")
        )

    def _data(self, plans, *, many):
        items = plans if many else [plans]
        targets = [target for plan in items for target in plan.targets.all()]
        rows = selectors.target_rows(
            targets,
            member_ids_by_plan={plan.pk: plan.member_id for plan in items},
            today=timezone.localdate(),
        )
        by_plan: dict[int, list] = {}
        for row in rows:
            by_plan.setdefault(row.target.plan_id, []).append(row)
        context = self.get_serializer_context() | {"targets": by_plan}
        return PlanSerializer(plans, many=many, context=context).data

    def _plan_response(self, pk, status_code=status.HTTP_200_OK):
        return Response(self._data(self.read(pk), many=False), status=status_code)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self._data(list(page), many=True))

    def retrieve(self, request, *args, **kwargs):
        return Response(self._data(self.get_object(), many=False))

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        member = data["member"]
        if DevelopmentPlan.objects.filter(member=member).exists():
            raise serializers.ValidationError(
                {"member": [_("This member already has a plan: change it instead.")]}
            )
        plan = services.plan_update(
            member=member,
            by=request.user,
            summary=data.get("summary", ""),
            status=data.get("status", PlanStatus.ON_TRACK),
            focus_competencies=list(data.get("focus_competencies", [])),
        )
        return self._plan_response(plan.pk, status.HTTP_201_CREATED)

    @extend_schema(request=PlanUpdateSerializer, responses=PlanSerializer)
    def partial_update(self, request, *args, **kwargs):
        plan = self.get_object()
        serializer = PlanUpdateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.plan_update(
            member=plan.member,
            by=request.user,
            summary=data.get("summary", plan.summary),
            status=data.get("status", plan.status),
            focus_competencies=list(
                data.get("focus_competencies", plan.focus_competencies.all())
            ),
        )
        return self._plan_response(plan.pk)

    @extend_schema(
        request=TargetInputSerializer,
        responses={201: PlanSerializer},
        description=(
            "Add a target metric (or change the value and date of the plan's target "
            "on that metric). The member's value over the last 3 complete months is "
            "kept as the baseline."
        ),
    )
    @action(detail=True, methods=["post"])
    def targets(self, request, pk=None):
        plan = self.get_object()
        data = _validated(TargetInputSerializer, request)
        services.target_set(member=plan.member, by=request.user, **data)
        return self._plan_response(plan.pk, status.HTTP_201_CREATED)

    @extend_schema(request=ActionInputSerializer, responses={201: PlanSerializer})
    @action(detail=True, methods=["post"])
    def actions(self, request, pk=None):
        plan = self.get_object()
        data = _validated(ActionInputSerializer, request)
        services.action_add(member=plan.member, by=request.user, **data)
        return self._plan_response(plan.pk, status.HTTP_201_CREATED)

    @extend_schema(
        request=CheckInInputSerializer,
        responses={201: PlanSerializer},
        description=(
            "A dated check-in by the member or a coach; the plan takes the status "
            "of its latest check-in."
        ),
    )
    @action(detail=True, methods=["post"], url_path="check-ins")
    def check_ins(self, request, pk=None):
        plan = self.get_object()
        data = _validated(CheckInInputSerializer, request)
        services.check_in_add(member=plan.member, by=request.user, **data)
        return self._plan_response(plan.pk, status.HTTP_201_CREATED)


def _validated(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def register(router) -> None:
    router.register(
        "competency-assessments", AssessmentViewSet, basename="competency-assessment"
    )
    router.register("development-plans", PlanViewSet, basename="development-plan")
