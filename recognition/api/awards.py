"""API: award programs, the metric of each period and leaderboards.

- `/api/v1/awards/`: the programs the viewer sees (members of the taking-part
  teams, their leaders, admins); admins create, change and delete them.
- `/api/v1/awards/{id}/periods/`: the periods with their metric, its change history
  and the recorded winners; admins set a period's metric (POST) or change it
  (PATCH `/periods/{period}/`), with a reason once the period has started.
- `/api/v1/awards/{id}/leaderboard/?period=`: the ranking of a period
  (`shared/METRICS.md`): names, ranks and values of the eligible members; counts
  only of the members whose figures the viewer may see.

Admins, managers and members use these endpoints (403 for other roles); a program
the viewer does not see answers 404. Writes go through `services.awards`; a refused
rule answers 400 on its field, a wrong query parameter 400 on the parameter.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated
from rest_framework.response import Response

from accounts.models import Team
from config.api import IdRelatedField, ServiceViewSetMixin, parse_id

from ..models import AwardMetricChange, AwardPeriod, AwardProgram, AwardWinner
from ..permissions import (
    manages_recognition,
    sees_management_pages,
    visible_award_programs,
)
from ..selectors import awards as selectors
from ..services import awards as services
from .metrics import AWARD_PERIOD_SCHEMA

# The teams taking part in one program: a few, at most every team of a customer
# success organisation, which has a few dozen; each is a lookup.
MOST_AWARD_TEAMS = 200


class SeesAwards(BasePermission):
    """Awards are for admins, managers and members."""

    def has_permission(self, request, view):
        return sees_management_pages(request.user)


class AdminsChange(BasePermission):
    """Only admins create and change programs and metrics."""

    def has_permission(self, request, view):
        return request.method in SAFE_METHODS or manages_recognition(request.user)


# --- Serializers ----------------------------------------------------------------------


class AwardProgramSerializer(serializers.ModelSerializer):
    teams = IdRelatedField(
        many=True,
        max_length=MOST_AWARD_TEAMS,
        queryset=Team.objects.all(),
        help_text=_("Ids of the teams taking part."),
    )

    class Meta:
        model = AwardProgram
        fields = [
            "id",
            "name",
            "description",
            "cadence",
            "winners",
            "minimum_denominator",
            "larger_denominator_breaks_ties",
            "teams",
            "is_active",
            "created_at",
        ]
        read_only_fields = ["created_at"]


class CountsMixin:
    """Numerator and denominator only of the members whose figures the viewer sees
    (`context["counts_shown"]`: a set of member ids, None for all)."""

    def hide_counts(self, data, member_id):
        shown = self.context.get("counts_shown")
        if shown is not None and member_id not in shown:
            data["numerator"] = None
            data["denominator"] = None
        return data


class WinnerSerializer(CountsMixin, serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.display_name")

    class Meta:
        model = AwardWinner
        fields = ["rank", "member", "member_name", "value", "numerator", "denominator"]

    def to_representation(self, winner):
        return self.hide_counts(super().to_representation(winner), winner.member_id)


class MetricChangeSerializer(serializers.ModelSerializer):
    changed_by_name = serializers.CharField(source="changed_by.display_name")

    class Meta:
        model = AwardMetricChange
        fields = [
            "old_metric",
            "new_metric",
            "reason",
            "changed_by",
            "changed_by_name",
            "changed_at",
        ]


# A plain string: "status" enums of other components would collide in the schema.
STATUS_HELP = _("upcoming, running, ended (not closed yet) or closed.")


@extend_schema_field(AWARD_PERIOD_SCHEMA)
class AwardPeriodField(serializers.CharField):
    """A period's key: 2026-04 (a month) or FY2026-Q1 (a fiscal quarter)."""


class AwardPeriodSerializer(serializers.ModelSerializer):
    period = serializers.SerializerMethodField(
        help_text=_("2026-04 for a month, FY2026-Q1 for a fiscal quarter.")
    )
    label = serializers.SerializerMethodField()
    metric_label = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField(help_text=STATUS_HELP)
    set_by_name = serializers.CharField(source="set_by.display_name")
    changes = MetricChangeSerializer(
        source="metric_changes",
        many=True,
        help_text=_("Changes of the metric after the period started."),
    )
    winners = WinnerSerializer(
        many=True, help_text=_("Recorded when the period closed.")
    )

    class Meta:
        model = AwardPeriod
        fields = [
            "id",
            "period",
            "label",
            "start",
            "end",
            "metric",
            "metric_label",
            "status",
            "set_by",
            "set_by_name",
            "set_at",
            "closed_at",
            "changes",
            "winners",
        ]

    @extend_schema_field(AWARD_PERIOD_SCHEMA)
    def get_period(self, period) -> str:
        return selectors.span_of(period).key

    @extend_schema_field(OpenApiTypes.STR)
    def get_label(self, period) -> str:
        return selectors.span_of(period).label

    @extend_schema_field(OpenApiTypes.STR)
    def get_metric_label(self, period) -> str:
        return selectors.metric_label(period.metric, self.context["catalogue"])

    @extend_schema_field(OpenApiTypes.STR)
    def get_status(self, period) -> str:
        return selectors.period_status(period, now=self.context["now"])


class MetricSetSerializer(serializers.Serializer):
    period = serializers.CharField(
        max_length=20,
        help_text=_("2026-04 for a monthly award, FY2026-Q1 for a quarterly one."),
    )
    metric = serializers.CharField(
        max_length=100,
        help_text=_("A metric key with a denominator (see /api/v1/metrics/)."),
    )
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text=_("Required once the period has started; recorded."),
    )


class MetricChangeInputSerializer(serializers.Serializer):
    metric = serializers.CharField(
        max_length=100,
        help_text=_("A metric key with a denominator (see /api/v1/metrics/)."),
    )
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text=_("Required once the period has started; recorded."),
    )


class StandingSerializer(serializers.Serializer):
    rank = serializers.IntegerField(
        allow_null=True, help_text=_("null below the minimum denominator.")
    )
    member = serializers.IntegerField(source="member.pk")
    member_name = serializers.CharField(source="member.display_name")
    value = serializers.FloatField(
        allow_null=True, help_text=_("percent values are fractions: 0.667 is 66.7 %.")
    )
    display = serializers.CharField(source="text")
    numerator = serializers.IntegerField(
        allow_null=True,
        help_text=_("null for members whose figures you may not see."),
    )
    denominator = serializers.IntegerField(
        allow_null=True,
        help_text=_("null for members whose figures you may not see."),
    )
    winner = serializers.BooleanField(source="is_winner")
    to_qualify = serializers.IntegerField(
        allow_null=True,
        help_text=_(
            "Accounts still missing from the denominator to reach the minimum; 0 "
            "once ranked."
        ),
    )
    above_rank = serializers.IntegerField(
        allow_null=True, help_text=_("The nearest better rank; null for rank 1.")
    )
    gap = serializers.FloatField(
        allow_null=True,
        help_text=_(
            "The distance in value to the nearest better rank (a fraction for a "
            "percentage: 0.05 is 5 points); 0 when only the larger denominator "
            "puts it above."
        ),
    )


class LeaderboardSerializer(serializers.Serializer):
    award = serializers.IntegerField(source="period.program_id")
    period = AwardPeriodField(source="span.key")
    label = serializers.CharField(source="span.label")
    start = serializers.DateField(source="period.start")
    end = serializers.DateField(source="period.end")
    metric = serializers.CharField(source="period.metric")
    metric_label = serializers.CharField()
    unit = serializers.CharField(source="metric.unit", allow_null=True)
    direction = serializers.CharField(source="metric.direction", allow_null=True)
    status = serializers.CharField(help_text=STATUS_HELP)
    provisional = serializers.BooleanField(
        help_text=_("True until the period is closed.")
    )
    final_at = serializers.DateTimeField(
        allow_null=True,
        help_text=_("When the last provisional cohort becomes final, if known."),
    )
    closed_at = serializers.DateTimeField(source="period.closed_at", allow_null=True)
    minimum_denominator = serializers.IntegerField(
        source="period.program.minimum_denominator"
    )
    larger_denominator_breaks_ties = serializers.BooleanField(
        source="period.program.larger_denominator_breaks_ties"
    )
    winners = serializers.IntegerField(source="period.program.winners")
    participants = serializers.IntegerField()
    standings = StandingSerializer(
        many=True, help_text=_("The eligible members, ranked.")
    )
    not_eligible = StandingSerializer(
        many=True,
        help_text=_("Below the minimum: only the members whose figures you see."),
    )
    recorded_winners = StandingSerializer(
        many=True, help_text=_("The winners recorded when the period closed.")
    )
    changed_since_close = serializers.BooleanField(
        help_text=_("Today's figures would rank differently; the winners stay.")
    )


class LeaderboardQuery(serializers.Serializer):
    period = serializers.CharField(required=False, max_length=20)


# --- Programs -------------------------------------------------------------------------


class AwardProgramViewSet(
    ServiceViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Award programs: everyone who takes part reads them; admins create, change
    (PATCH) and delete them (a program with winners is deactivated instead)."""

    serializer_class = AwardProgramSerializer
    permission_classes = [IsAuthenticated, SeesAwards, AdminsChange]
    queryset = AwardProgram.objects.none()
    filterset_fields = ["cadence", "is_active"]
    search_fields = ["name"]
    ordering_fields = ["name", "id", "created_at"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return (
            visible_award_programs(self.request.user)
            .prefetch_related("teams")
            .order_by("name", "pk")
        )

    def _respond(self, program, status_code=status.HTTP_200_OK):
        data = self.get_serializer(self.read(program.pk)).data
        return Response(data, status=status_code)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        program = services.award_program_create(
            by=request.user, **serializer.validated_data
        )
        return self._respond(program, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        program = self.get_object()
        serializer = self.get_serializer(program, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.award_program_update(
            program=program, by=request.user, **serializer.validated_data
        )
        return self._respond(program)

    @extend_schema(
        responses={
            204: OpenApiResponse(description=_("Deleted.")),
            400: OpenApiResponse(
                description=_("The program has winners: deactivate it instead.")
            ),
        }
    )
    def destroy(self, request, *args, **kwargs):
        program = self.get_object()
        services.award_program_delete(program=program, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "period",
                OpenApiTypes.STR,
                description=_(
                    "2026-04 for a monthly award, FY2026-Q1 for a quarterly one; "
                    "by default the current period (or the latest one with a "
                    "metric)."
                ),
            )
        ],
        responses={200: LeaderboardSerializer},
        description=_(
            "The ranking of a period (METRICS.md): eligible members by value, "
            "compared as exact fractions; ties share a rank. Provisional until the "
            "period is closed."
        ),
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def leaderboard(self, request, pk=None):
        program = self.get_object()
        query = LeaderboardQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        key = query.validated_data.get("period")
        if key:
            try:
                span = selectors.parse_award_period(program.cadence, key)
            except ValueError as error:
                raise ValidationError({"period": [str(error)]}) from None
            period = (
                program.periods.select_related("program")
                .filter(start=span.first_month)
                .first()
            )
            if period is None:
                raise ValidationError(
                    {
                        "period": [
                            _("No metric is set for %(period)s.")
                            % {"period": span.label}
                        ]
                    }
                )
        else:
            period = selectors.default_period(program=program)
            if period is None:
                raise ValidationError(
                    {"period": [_("No period of this award has a metric yet.")]}
                )
        board = selectors.leaderboard(period=period, viewer=request.user)
        return Response(LeaderboardSerializer(board).data)


# --- Periods --------------------------------------------------------------------------

AWARD_ID = OpenApiParameter(
    "id",
    OpenApiTypes.INT64,
    OpenApiParameter.PATH,
    description=_("The award program's id."),
)
PERIOD_KEY = OpenApiParameter(
    "period",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    pattern=AWARD_PERIOD_SCHEMA["pattern"],
    description=_("2026-04 for a monthly award, FY2026-Q1 for a quarterly one."),
)


@extend_schema_view(
    list=extend_schema(parameters=[AWARD_ID]),
    retrieve=extend_schema(parameters=[AWARD_ID, PERIOD_KEY]),
)
class AwardPeriodViewSet(
    ServiceViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """The periods of an award, latest first: the metric of each, its changes after
    the period started, and the winners recorded when it closed."""

    serializer_class = AwardPeriodSerializer
    permission_classes = [IsAuthenticated, SeesAwards, AdminsChange]
    queryset = AwardPeriod.objects.none()
    filter_backends = []
    lookup_field = "period"
    lookup_value_regex = "[^/]+"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def program(self) -> AwardProgram:
        if not hasattr(self, "_program"):
            pk = parse_id(self.kwargs.get("id"))
            if pk is None:
                raise Http404
            self._program = get_object_or_404(
                visible_award_programs(self.request.user), pk=pk
            )
        return self._program

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return AwardPeriod.objects.none()
        return selectors.program_periods(program=self.program())

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if getattr(self, "swagger_fake_view", False):
            return context
        context["catalogue"] = selectors.catalogue_by_key()
        context["now"] = timezone.now()
        context["counts_shown"] = selectors.counts_shown_to(self.request.user)
        return context

    def get_object(self):
        program = self.program()
        try:
            span = selectors.parse_award_period(program.cadence, self.kwargs["period"])
        except ValueError:
            raise NotFound() from None
        period = get_object_or_404(self.get_queryset(), start=span.first_month)
        self.check_object_permissions(self.request, period)
        return period

    def _respond(self, period, status_code=status.HTTP_200_OK):
        data = self.get_serializer(self.get_queryset().get(pk=period.pk)).data
        return Response(data, status=status_code)

    @extend_schema(
        parameters=[AWARD_ID],
        request=MetricSetSerializer,
        responses={
            201: AwardPeriodSerializer,
            200: OpenApiResponse(
                AwardPeriodSerializer,
                description=_("The period already had a metric: it was changed."),
            ),
        },
        description=_(
            "Set the metric of a period (or change it). Once the period has "
            "started a reason is required and the change is recorded; a closed "
            "period is locked."
        ),
    )
    def create(self, request, *args, **kwargs):
        program = self.program()
        serializer = MetricSetSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        existed = program.periods.filter(
            start=self._start(program, data["period"])
        ).exists()
        period = services.award_period_set_metric(
            program=program,
            by=request.user,
            period=data["period"],
            metric=data["metric"],
            reason=data.get("reason", ""),
        )
        return self._respond(
            period, status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        )

    @staticmethod
    def _start(program, key):
        try:
            return selectors.parse_award_period(program.cadence, key).first_month
        except ValueError:
            return None  # the service says what is wrong with it

    @extend_schema(
        parameters=[AWARD_ID, PERIOD_KEY],
        request=MetricChangeInputSerializer,
        responses={200: AwardPeriodSerializer},
        description=_(
            "Change the metric of a period: freely before it starts, with a "
            "recorded reason once it has started; never once it is closed."
        ),
    )
    def partial_update(self, request, *args, **kwargs):
        period = self.get_object()
        serializer = MetricChangeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        period = services.award_period_set_metric(
            program=self.program(),
            by=request.user,
            period=selectors.span_of(period).key,
            metric=data["metric"],
            reason=data.get("reason", ""),
        )
        return self._respond(period)


def register(router) -> None:
    router.register("awards", AwardProgramViewSet, basename="award")
    router.register(
        r"awards/(?P<id>[0-9]+)/periods", AwardPeriodViewSet, basename="award-period"
    )
