"""The success plans API (`/api/v1/success-plans/`): each account's plan with its
measures (their status, latest reading, shares of the way) and progress entries,
for the accounts the viewer sees; writes through `journeys.success_services`.

- GET lists and reads the plans (filters: `account`, `owner`, `team`,
  `at_risk`, shared with the at-risk page); POST writes an account's plan, PATCH
  changes its fields;
- POST `{id}/measures/` adds a measure, PATCH / DELETE
  `{id}/measures/{measure_id}/` changes or removes one;
- POST `{id}/measures/{measure_id}/progress/` records a reading.

Another team's plan answers 404; a role that does not work with customers 403;
bad input 400 on the field, nothing written.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from config.api import BoundedListField, parse_id

from . import permissions, success, success_services
from .api import CreateMixin, JourneysViewSet
from .filters import SuccessPlanFilter
from .models import OutcomeKind, Step, SuccessMeasure, SuccessPlan, SuccessProgress
from .serializers import IdField, PersonField, ReadableFieldsOnce

DECIMAL = {"max_digits": 18, "decimal_places": 4}
STATUSES = [
    (success.REACHED, _("Reached")),
    (success.BEHIND, _("Behind")),
    (success.ON_TRACK, _("On track")),
]
# A measure moves value points of one journey: a handful of its steps, and a
# journey has a few dozen steps at most.
MOST_VALUE_POINTS = 100


# --- Reading ---------------------------------------------------------------------


class SuccessProgressSerializer(ReadableFieldsOnce, serializers.ModelSerializer):
    recorded_by_name = PersonField(source="recorded_by", allow_null=True)

    class Meta:
        model = SuccessProgress
        fields = [
            "id",
            "measured_on",
            "value",
            "note",
            "recorded_by",
            "recorded_by_name",
            "recorded_at",
        ]
        read_only_fields = fields


class SuccessMeasureSerializer(ReadableFieldsOnce, serializers.ModelSerializer):
    value_points = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    reading = serializers.DecimalField(
        **DECIMAL,
        read_only=True,
        allow_null=True,
        help_text=_("The latest reading; null before the first."),
    )
    read_on = serializers.DateField(
        read_only=True, allow_null=True, help_text=_("The latest reading's day.")
    )
    done_share = serializers.FloatField(
        read_only=True,
        help_text=_("Share of the way from baseline to target done (1 = reached)."),
    )
    expected_share = serializers.FloatField(
        read_only=True, help_text=_("Share of the way expected by today (0 to 1).")
    )
    status = serializers.ChoiceField(choices=STATUSES, read_only=True)
    progress = SuccessProgressSerializer(
        many=True, read_only=True, help_text=_("Progress entries, newest first.")
    )

    class Meta:
        model = SuccessMeasure
        fields = [
            "id",
            "name",
            "unit",
            "baseline",
            "baseline_on",
            "target",
            "target_on",
            "value_points",
            "position",
            "reading",
            "read_on",
            "done_share",
            "expected_share",
            "status",
            "progress",
        ]
        read_only_fields = fields


class SuccessPlanSerializer(ReadableFieldsOnce, serializers.ModelSerializer):
    account_name = serializers.CharField(source="account.name", read_only=True)
    created_by_name = PersonField(source="created_by", allow_null=True)
    customer_owner_title = serializers.CharField(allow_blank=True, read_only=True)
    at_risk = serializers.BooleanField(
        read_only=True, help_text=_("A measure is behind its path.")
    )
    reached = serializers.BooleanField(
        read_only=True, help_text=_("Every measure is reached.")
    )
    measures = SuccessMeasureSerializer(many=True, read_only=True)

    class Meta:
        model = SuccessPlan
        fields = [
            "id",
            "account",
            "account_name",
            "outcome",
            "outcome_kind",
            "customer_owner",
            "customer_owner_title",
            "created_by",
            "created_by_name",
            "created_at",
            "updated_at",
            "at_risk",
            "reached",
            "measures",
        ]
        read_only_fields = fields


# --- Writing ---------------------------------------------------------------------


class SuccessPlanWriteSerializer(serializers.Serializer):
    """The plan's fields (PATCH: any of them)."""

    outcome = serializers.CharField(
        help_text=_("The business outcome, in the customer's words.")
    )
    outcome_kind = serializers.ChoiceField(choices=OutcomeKind.choices)
    customer_owner = serializers.CharField(max_length=200)
    customer_owner_title = serializers.CharField(
        max_length=200, allow_blank=True, required=False, default=""
    )


class SuccessPlanCreateSerializer(SuccessPlanWriteSerializer):
    account = IdField(help_text=_("The account's id (one plan per account)."))

    def validate_account(self, value):
        account = (
            permissions.visible_accounts(self.context["request"].user)
            .select_related("journey")
            .filter(pk=value)
            .first()
        )
        if account is None:
            raise serializers.ValidationError(_("There is no such customer account."))
        if SuccessPlan.objects.filter(account=account).exists():
            raise serializers.ValidationError(
                _("This account has a success plan already: change it with PATCH.")
            )
        return account


class SuccessPlanUpdateSerializer(SuccessPlanWriteSerializer):
    outcome = serializers.CharField(required=False)
    outcome_kind = serializers.ChoiceField(choices=OutcomeKind.choices, required=False)
    customer_owner = serializers.CharField(max_length=200, required=False)
    customer_owner_title = serializers.CharField(
        max_length=200, allow_blank=True, required=False
    )


class SuccessMeasureWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    unit = serializers.CharField(
        max_length=50, allow_blank=True, required=False, default=""
    )
    baseline = serializers.DecimalField(**DECIMAL)
    baseline_on = serializers.DateField()
    target = serializers.DecimalField(
        **DECIMAL, help_text=_("Must differ from the baseline.")
    )
    target_on = serializers.DateField(help_text=_("After the baseline's day."))
    value_points = BoundedListField(
        child=IdField(),
        max_length=MOST_VALUE_POINTS,
        required=False,
        default=list,
        help_text=_("Ids of value points of the account's journey."),
    )

    def validate_value_points(self, ids):
        steps = list(Step.objects.filter(pk__in=ids))
        if len(steps) != len(set(ids)):
            raise serializers.ValidationError(_("There is no such step."))
        return steps


class SuccessMeasureUpdateSerializer(SuccessMeasureWriteSerializer):
    name = serializers.CharField(max_length=200, required=False)
    unit = serializers.CharField(max_length=50, allow_blank=True, required=False)
    baseline = serializers.DecimalField(**DECIMAL, required=False)
    baseline_on = serializers.DateField(required=False)
    target = serializers.DecimalField(**DECIMAL, required=False)
    target_on = serializers.DateField(required=False)
    value_points = BoundedListField(
        child=IdField(), max_length=MOST_VALUE_POINTS, required=False
    )


class SuccessProgressWriteSerializer(serializers.Serializer):
    measured_on = serializers.DateField(
        help_text=_("Not in the future, not before the baseline's day.")
    )
    value = serializers.DecimalField(**DECIMAL)
    note = serializers.CharField(allow_blank=True, required=False, default="")


MEASURE_ID = OpenApiParameter(
    "measure_id", OpenApiTypes.INT64, OpenApiParameter.PATH, description="Measure id"
)
MEASURE_PATH = r"measures/(?P<measure_id>[0-9]{1,18})"


class SuccessPlanViewSet(CreateMixin, JourneysViewSet):
    """Success plans of the accounts the viewer sees. Those who work with an
    account (its owner, its pool's members, its team's leaders, admins) write
    its plan, measures and progress."""

    serializer_class = SuccessPlanSerializer
    create_serializer_class = SuccessPlanCreateSerializer
    filterset_class = SuccessPlanFilter
    ordering_fields = ["id", "updated_at"]
    queryset = SuccessPlan.objects.none()
    write_rule = staticmethod(permissions.records_events)
    change_rule = staticmethod(
        lambda user, plan: permissions.can_edit_success_plan(user, plan.account)
    )

    def get_queryset(self):
        plans = success.plans_with_status(
            permissions.visible_success_plans(self.request.user)
        )
        return (
            success.with_status_prefetched(plans)
            .select_related("account", "created_by")
            .order_by("account__name", "id")
        )

    @extend_schema(
        request=SuccessPlanCreateSerializer,
        responses={201: SuccessPlanSerializer},
        description=(
            "Write an account's success plan. An account the viewer does not see, "
            "or one with a plan already, answers 400 on `account`."
        ),
    )
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    def perform_create(self, data):
        return success_services.success_plan_save(by=self.request.user, **data)

    @extend_schema(
        request=SuccessPlanUpdateSerializer,
        responses={200: SuccessPlanSerializer},
        description="Change the plan's outcome, kind or customer-side owner.",
    )
    def partial_update(self, request, *args, **kwargs):
        plan = self.get_object()
        data = self.validated(SuccessPlanUpdateSerializer)
        success_services.success_plan_update(plan=plan, by=request.user, **data)
        return self.respond(plan)

    def _measure(self, plan: SuccessPlan) -> SuccessMeasure:
        measure_id = parse_id(self.kwargs.get("measure_id"))
        measure = plan.measures.filter(pk=measure_id).first() if measure_id else None
        if measure is None:
            raise NotFound()
        measure.plan = plan
        return measure

    @extend_schema(
        request=SuccessMeasureWriteSerializer,
        responses={201: SuccessPlanSerializer},
        description=(
            "Add a measure to the plan. A target equal to the baseline, a target "
            "date not after the baseline's, or a step that is not a value point "
            "of the account's journey answer 400 on that field."
        ),
    )
    @action(detail=True, methods=["post"], url_path="measures")
    def add_measure(self, request, pk=None):
        plan = self.get_object()
        data = self.validated(SuccessMeasureWriteSerializer)
        success_services.success_measure_save(plan=plan, by=request.user, **data)
        return self.respond(plan, status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[MEASURE_ID],
        request=SuccessMeasureUpdateSerializer,
        responses={200: SuccessPlanSerializer},
        description="Change a measure (the same rules as adding one).",
        methods=["PATCH"],
    )
    @extend_schema(
        parameters=[MEASURE_ID],
        request=None,
        responses={204: OpenApiResponse(description="Removed, with its progress.")},
        description="Remove a measure and its progress entries.",
        methods=["DELETE"],
    )
    @action(detail=True, methods=["patch", "delete"], url_path=MEASURE_PATH)
    def measure(self, request, pk=None, measure_id=None):
        plan = self.get_object()
        measure = self._measure(plan)
        if request.method == "DELETE":
            success_services.success_measure_remove(measure=measure, by=request.user)
            return Response(status=status.HTTP_204_NO_CONTENT)
        data = self.validated(SuccessMeasureUpdateSerializer)
        fields = {
            "name": measure.name,
            "unit": measure.unit,
            "baseline": measure.baseline,
            "baseline_on": measure.baseline_on,
            "target": measure.target,
            "target_on": measure.target_on,
        } | data
        if "value_points" not in data:
            fields["value_points"] = list(measure.value_points.all())
        success_services.success_measure_save(
            plan=plan, by=request.user, measure=measure, **fields
        )
        return self.respond(plan)

    @extend_schema(
        parameters=[MEASURE_ID],
        request=SuccessProgressWriteSerializer,
        responses={201: SuccessPlanSerializer},
        description=(
            "Record a reading of the measure. A date in the future or before the "
            "baseline's day answers 400 on `measured_on`. Entries are never "
            "changed: a correction is a later entry for the same day."
        ),
    )
    @action(detail=True, methods=["post"], url_path=f"{MEASURE_PATH}/progress")
    def progress(self, request, pk=None, measure_id=None):
        plan = self.get_object()
        measure = self._measure(plan)
        data = self.validated(SuccessProgressWriteSerializer)
        success_services.success_progress_record(
            measure=measure, by=request.user, **data
        )
        return self.respond(plan, status.HTTP_201_CREATED)
