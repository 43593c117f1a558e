"""API: the metric catalogue and the monthly figures of members and teams.

Read-only. Members read their own figures, leaders those of the members they coach
and of the teams they see, admins everything (`recognition.permissions`); other roles
get 403. Filters are checked before any lookup: a wrong value answers 400 on its
parameter, never a 500.
"""

from functools import cached_property

import django_filters
from django import forms
from django.db.models import IntegerField, Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.permissions import BasePermission, IsAuthenticated

from accounts.models import Team, User, display_name
from accounts.permissions import is_admin, visible_teams
from config.api import DjangoFilterBackend, IdFilter
from config.pagination import (
    MemberFigureCursorPagination,
    TeamFigureCursorPagination,
)
from config.queries import Unindexed
from config.rows import RowsWriter

from .. import metrics
from ..models import MemberFigure, TeamFigure
from ..permissions import (
    members_ever,
    revenue_teams,
    sees_management_pages,
    visible_members,
)
from ..selectors.awards import metric_label

# Periods as the API writes them: a month, or a fiscal quarter (awards).
MONTH_PATTERN = r"2[0-9]{3}-(0[1-9]|1[0-2])"
QUARTER_PATTERN = r"FY2[0-9]{3}-Q[1-4]"
MONTH_SCHEMA = {"type": "string", "pattern": f"^{MONTH_PATTERN}$", "example": "2026-04"}
AWARD_PERIOD_SCHEMA = {
    "type": "string",
    "pattern": f"^({MONTH_PATTERN}|{QUARTER_PATTERN})$",
    "example": "2026-04",
}


@extend_schema_field(MONTH_SCHEMA)
class MonthOutputField(serializers.DateField):
    """A figure's month (the first day in the database) as `YYYY-MM`."""

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m", **kwargs)


class SeesFigures(BasePermission):
    """Figures are for admins, managers and members."""

    def has_permission(self, request, view):
        return sees_management_pages(request.user)


# --- Catalogue ------------------------------------------------------------------------


UNITS = [
    metrics.Unit.PERCENT,
    metrics.Unit.DAYS,
    metrics.Unit.COUNT,
    metrics.Unit.YEN,
    metrics.Unit.RATIO,
]


class MetricSerializer(serializers.Serializer):
    key = serializers.CharField(help_text=_("Use it in the metric filters."))
    family = serializers.CharField()
    label = serializers.CharField()
    unit = serializers.ChoiceField(
        choices=UNITS,
        help_text=_("percent values are fractions: 0.667 is 66.7 %."),
    )
    direction = serializers.ChoiceField(
        choices=[metrics.HIGHER, metrics.LOWER],
        help_text=_("Whether a higher or a lower value is better."),
    )
    has_denominator = serializers.BooleanField(
        help_text=_("Only a metric with a denominator can be an award metric.")
    )
    denominator = serializers.CharField(allow_null=True)
    journey = serializers.IntegerField(source="journey_id", allow_null=True)
    step = serializers.IntegerField(
        source="step_id",
        allow_null=True,
        help_text=_("For a transition: the step it leaves."),
    )
    window_days = serializers.IntegerField(
        allow_null=True,
        help_text=_(
            "When a period's figure becomes final: at the latest this many days "
            "after the period ends (a cohort metric's window); null: when the "
            "period ends (flow metrics, training completion, events recorded)."
        ),
    )


class CatalogueQuery(serializers.Serializer):
    journey = serializers.IntegerField(required=False, min_value=0, max_value=2**63 - 1)
    family = serializers.ChoiceField(
        required=False,
        choices=[
            metrics.Family.STEP_CONVERSION,
            metrics.Family.JOURNEY_CONVERSION,
            metrics.Family.DAYS_TO_CONVERT,
            metrics.Family.VALUE_POINTS_ON_TIME,
            metrics.Family.TRAINING_COMPLETION,
            metrics.Family.STEP_EVENTS_RECORDED,
            metrics.Family.CONVERSIONS_COMPLETED,
            metrics.Family.VALUE_POINTS_REACHED,
            *metrics.REVENUE_FAMILIES,
        ],
    )


@extend_schema(
    parameters=[
        OpenApiParameter(
            "journey",
            OpenApiTypes.INT64,
            description=_("Metrics of this journey (id)."),
        ),
        OpenApiParameter(
            "family",
            OpenApiTypes.STR,
            enum=list(CatalogueQuery().fields["family"].choices),
            description=_("Metrics of this kind."),
        ),
    ]
)
class MetricViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The metric catalogue: every number of the management pillar, its unit,
    direction and denominator (the active journeys' metrics and the members')."""

    serializer_class = MetricSerializer
    permission_classes = [IsAuthenticated, SeesFigures]
    filter_backends = []

    def get_queryset(self):
        query = CatalogueQuery(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        found = metrics.catalogue()
        journey = query.validated_data.get("journey")
        family = query.validated_data.get("family")
        if journey is not None:
            found = [metric for metric in found if metric.journey_id == journey]
        if family:
            found = [metric for metric in found if metric.family == family]
        return found


# --- Figures --------------------------------------------------------------------------


class MetricKeyField(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        if value and metrics.metric_by_key(value) is None:
            raise forms.ValidationError(
                _("Unknown metric “%(key)s”: the keys are listed at /api/v1/metrics/."),
                params={"key": value},
            )
        return value


class MonthField(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        try:
            period = metrics.parse_period(value)
        except ValueError:
            period = None
        if period is None or period.kind != metrics.PERIOD_MONTH:
            raise forms.ValidationError(_("Use a month: YYYY-MM, for example 2026-04."))
        return period.first_month


@extend_schema_field(OpenApiTypes.STR)
class MetricFilter(django_filters.CharFilter):
    field_class = MetricKeyField


@extend_schema_field(MONTH_SCHEMA)
class MonthFilter(django_filters.Filter):
    field_class = MonthField


class FigureFilter(django_filters.FilterSet):
    metric = MetricFilter(
        field_name="metric", label=_("Metric key (see /api/v1/metrics/)")
    )
    period = MonthFilter(field_name="month", label=_("Month, YYYY-MM"))


class MemberFigureFilter(FigureFilter):
    member = IdFilter(field_name="member_id", label=_("Member (id)"))

    class Meta:
        model = MemberFigure
        fields = ["member", "metric", "period", "provisional"]


class TeamFigureFilter(FigureFilter):
    team = IdFilter(field_name="team_id", label=_("Team (id)"))

    class Meta:
        model = TeamFigure
        fields = ["team", "metric", "period", "provisional"]


# What a figure's row shows besides its member or team.
FIGURE_FIELDS = (
    "id",
    "metric",
    "month",
    "value",
    "numerator",
    "denominator",
    "provisional",
    "final_at",
    "computed_at",
)


class FigureSerializer(serializers.ModelSerializer):
    period = MonthOutputField(source="month", help_text=_("The month, YYYY-MM."))
    label = serializers.SerializerMethodField(
        help_text=_(
            "The metric's name; for a metric no longer in the catalogue (its step "
            "was retired), its key and a note saying so."
        )
    )
    unit = serializers.SerializerMethodField(
        help_text=_("null for a metric no longer in the catalogue.")
    )

    class Meta:
        fields = [
            "metric",
            "label",
            "unit",
            "period",
            "value",
            "numerator",
            "denominator",
            "provisional",
            "final_at",
            "computed_at",
        ]
        extra_kwargs = {
            "final_at": {
                "help_text": _(
                    "While the figure is provisional, when it becomes final; once "
                    "final, since when (its last account's conversion or window "
                    "end; a flow metric's period end)."
                )
            },
            "computed_at": {
                "help_text": _(
                    "When a rollup last wrote this figure; a run that finds it "
                    "unchanged leaves it as it was."
                )
            },
        }

    @cached_property
    def _readable_fields(self):
        # Listed once for the page, not once per row (DRF's generator).
        return [field for field in self.fields.values() if not field.write_only]

    def _metric(self, figure):
        return self.context["catalogue"].get(figure.metric)

    @extend_schema_field(serializers.CharField())
    def get_label(self, figure):
        return metric_label(figure.metric, self.context["catalogue"])

    @extend_schema_field(serializers.ChoiceField(choices=UNITS, allow_null=True))
    def get_unit(self, figure):
        metric = self._metric(figure)
        return metric.unit if metric else None


class MemberFigureSerializer(FigureSerializer):
    member = serializers.IntegerField(source="member_id")
    member_name = serializers.CharField(source="member.display_name")

    class Meta(FigureSerializer.Meta):
        model = MemberFigure
        fields = ["id", "member", "member_name", *FigureSerializer.Meta.fields]


class TeamFigureSerializer(FigureSerializer):
    team = serializers.IntegerField(source="team_id")
    team_name = serializers.CharField(source="team.name")

    class Meta(FigureSerializer.Meta):
        model = TeamFigure
        fields = ["id", "team", "team_name", *FigureSerializer.Meta.fields]


def _label(row, context) -> str:
    labels = context["labels"]
    key = row["metric"]
    if key not in labels:
        labels[key] = metric_label(key, context["catalogue"])
    return labels[key]


def _unit(row, context):
    metric = context["catalogue"].get(row["metric"])
    return metric.unit if metric else None


def _owner_name(row, context) -> str:
    return context["names"][row[context["owner"]]]


# The lists read rows, not figures (config.rows): each field's column.
_FIGURE_SOURCES = {
    "metric": "metric",
    "label": _label,
    "unit": _unit,
    "period": "month",
    **{name: name for name in FIGURE_FIELDS if name not in {"id", "metric", "month"}},
}
MEMBER_FIGURE_ROWS = RowsWriter(
    MemberFigureSerializer,
    {"id": "id", "member": "member_id", "member_name": _owner_name, **_FIGURE_SOURCES},
)
TEAM_FIGURE_ROWS = RowsWriter(
    TeamFigureSerializer,
    {"id": "id", "team": "team_id", "team_name": _owner_name, **_FIGURE_SOURCES},
)


class FigureViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Figures are paged by cursor, newest month first: `next` and `previous`
    links, no total (an organisation has hundreds of thousands of figures).
    `ordering` takes the orders the pagination offers
    (config.pagination.FigureCursorPagination)."""

    permission_classes = [IsAuthenticated, SeesFigures]
    # The pagination orders the list: no OrderingFilter.
    filter_backends = [DjangoFilterBackend]

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["catalogue"] = {
            metric.key: metric for metric in metrics.catalogue(active_only=False)
        }
        return context

    def list(self, request, *args, **kwargs):
        # Rows, not figures (config.rows): the same JSON at a fraction of the time.
        # The names of the page's members or teams come in a query of their own: a
        # join lets SQLite read the figures through the member or team and sort
        # them all, rather than read them in the list's order.
        figures = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(figures.values(*FIGURE_FIELDS, self.owner))
        names = self.names({row[self.owner] for row in page})
        catalogue = self.get_serializer_context()["catalogue"]
        return self.get_paginated_response(
            self.rows.rows(
                page, catalogue=catalogue, labels={}, owner=self.owner, names=names
            )
        )


class MemberFigureViewSet(FigureViewSet):
    """Monthly figures of members: members see their own, leaders those of the
    members they coach, admins everyone's. Filter by `member`, `metric` and
    `period` (a month). Paged by cursor, newest month first, then by member (id,
    descending) and metric: `next` and `previous` links, no total."""

    serializer_class = MemberFigureSerializer
    rows = MEMBER_FIGURE_ROWS
    owner = "member_id"
    filterset_class = MemberFigureFilter
    pagination_class = MemberFigureCursorPagination
    queryset = MemberFigure.objects.none()

    def get_queryset(self):
        viewer = self.request.user
        if not is_admin(viewer):
            members = visible_members(viewer).values("pk")
            return MemberFigure.objects.filter(member__in=members)
        # Everyone who holds or held the Member role: a member promoted since keeps
        # the figures of their past accounts (METRICS.md). Nearly every figure:
        # read in the list's order (the index on month, member, metric), each
        # tested, rather than all through the member.
        return MemberFigure.objects.alias(
            by_member=Unindexed("member_id", output_field=IntegerField())
        ).filter(by_member__in=members_ever().values("pk"))

    @staticmethod
    def names(member_ids) -> dict[int, str]:
        people = User.objects.filter(pk__in=member_ids).order_by()
        return {
            pk: display_name(family_name, given_name, username)
            for pk, family_name, given_name, username in people.values_list(
                "pk", "family_name", "given_name", "username"
            )
        }


class TeamFigureViewSet(FigureViewSet):
    """Monthly figures of teams: the teams the viewer sees (members their own teams,
    leaders the teams they lead, admins all). Filter by `team`, `metric` and
    `period` (a month). These are "team incl. pools" figures: the accounts of the
    team's pools count too, where the pages' team rate counts its members'
    accounts only. Paged by cursor, newest month first, then by team (id,
    descending) and metric: `next` and `previous` links, no total."""

    serializer_class = TeamFigureSerializer
    rows = TEAM_FIGURE_ROWS
    owner = "team_id"
    filterset_class = TeamFigureFilter
    pagination_class = TeamFigureCursorPagination
    queryset = TeamFigure.objects.none()

    def get_queryset(self):
        viewer = self.request.user
        if is_admin(viewer):
            # Every team's: no condition that would keep the database from reading
            # them in the list's order (the index on month, team, metric).
            return TeamFigure.objects.all()
        # A team's revenue KPIs are its leaders' (README, Revenue KPIs): the
        # members of a team read its journey figures, not its ARR.
        return TeamFigure.objects.filter(
            team__in=visible_teams(viewer).values("pk")
        ).filter(
            Q(team__in=revenue_teams(viewer).values("pk"))
            | ~Q(metric__in=[str(family) for family in metrics.REVENUE_FAMILIES])
        )

    @staticmethod
    def names(team_ids) -> dict[int, str]:
        teams = Team.objects.filter(pk__in=team_ids).order_by()
        return dict(teams.values_list("pk", "name"))


def register(router) -> None:
    router.register("metrics", MetricViewSet, basename="metric")
    router.register("member-metrics", MemberFigureViewSet, basename="member-metric")
    router.register("team-metrics", TeamFigureViewSet, basename="team-metric")
