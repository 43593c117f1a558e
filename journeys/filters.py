"""Query-string filters of the journeys API. They narrow querysets that are already
scoped to the viewer; they never widen them."""

import re
from datetime import date

import django_filters
from django import forms
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.constants import EMPTY_VALUES
from drf_spectacular.utils import extend_schema_field

from accounts.models import TeamMembership
from config.api import DjangoFilterBackend, IdFilter
from config.fields import IsoDateTimeFilter

from .models import (
    ARRMovement,
    ARRSnapshot,
    Coverage,
    CustomerAccount,
    HealthBand,
    Journey,
    Playbook,
    Pool,
    Step,
    StepEvent,
    SuccessPlan,
    TrainingAssignment,
    TrainingCompletion,
    TrainingModule,
)
from .success import plans_at_risk

BOOLEANS = DjangoFilterBackend.BOOLEANS | {""}


class StrictBooleanForm(forms.Form):
    """A FilterSet's form on which a yes/no filter takes only true or false, as
    the API's filter backend demands: anything else is an error on the field,
    never a filter silently dropped."""

    def clean(self):
        data = super().clean()
        for name, field in self.fields.items():
            value = self.data.get(self.add_prefix(name), "")
            if isinstance(field, forms.NullBooleanField) and value not in BOOLEANS:
                self.add_error(name, _("Use true or false."))
        return data


class JourneyFilter(django_filters.FilterSet):
    active = django_filters.BooleanFilter(field_name="is_active", label=_("Active"))

    class Meta:
        model = Journey
        fields = ["active"]
        form = StrictBooleanForm


class StepFilter(django_filters.FilterSet):
    journey = IdFilter(field_name="journey_id", label=_("Journey (id)"))
    retired = django_filters.BooleanFilter(
        field_name="retired_at", lookup_expr="isnull", exclude=True, label=_("Retired")
    )

    class Meta:
        model = Step
        fields = ["journey", "retired", "is_value_point"]


class PlaybookFilter(django_filters.FilterSet):
    journey = IdFilter(field_name="from_step__journey_id", label=_("Journey (id)"))
    from_step = IdFilter(field_name="from_step_id", label=_("From step (id)"))
    owner = IdFilter(field_name="owner_id", label=_("Owner (id)"))

    class Meta:
        model = Playbook
        fields = ["journey", "from_step", "owner"]


class TrainingModuleFilter(django_filters.FilterSet):
    journey = IdFilter(field_name="from_step__journey_id", label=_("Journey (id)"))
    from_step = IdFilter(field_name="from_step_id", label=_("From step (id)"))

    class Meta:
        model = TrainingModule
        fields = ["journey", "from_step", "is_required", "is_active"]


class TrainingAssignmentFilter(django_filters.FilterSet):
    module = IdFilter(field_name="module_id", label=_("Module (id)"))
    member = IdFilter(field_name="member_id", label=_("Member (id)"))
    team = IdFilter(field_name="team_id", label=_("Team (id)"))

    class Meta:
        model = TrainingAssignment
        fields = ["module", "member", "team"]


class TrainingCompletionFilter(django_filters.FilterSet):
    module = IdFilter(field_name="module_id", label=_("Module (id)"))
    member = IdFilter(field_name="member_id", label=_("Member (id)"))

    class Meta:
        model = TrainingCompletion
        fields = ["module", "member", "passed"]


class PoolFilter(django_filters.FilterSet):
    team = IdFilter(field_name="team_id", label=_("Team (id)"))

    class Meta:
        model = Pool
        fields = ["kind", "team"]


class NullsLastOrderingFilter(django_filters.OrderingFilter):
    """`ordering`: one of the offered fields, "-" first for descending; empty values
    sort last either way, and the id breaks ties so that pages never overlap."""

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        ordering = []
        for param in value:
            name = self.get_ordering_value(param)
            expression = F(name.lstrip("-"))
            ordering.append(
                expression.desc(nulls_last=True)
                if name.startswith("-")
                else expression.asc(nulls_last=True)
            )
        return qs.order_by(*ordering, "id")


def _open_coverage(**filters):
    return Coverage.objects.filter(ended_at__isnull=True, **filters).values(
        "account_id"
    )


class CustomerFilter(django_filters.FilterSet):
    """The account list's filters, for the page and the API alike. The queryset is
    `selectors.account_list(viewer=…)`: current step and overdue read its
    annotations, owner and pool the open coverage period."""

    search = django_filters.CharFilter(
        method="by_search", label=_("Name or external id contains")
    )
    external_id = django_filters.CharFilter(label=_("External id (the CRM's id)"))
    journey = IdFilter(field_name="journey_id", label=_("Journey (id)"))
    segment = django_filters.CharFilter(label=_("Segment"))
    active = django_filters.BooleanFilter(field_name="is_active", label=_("Active"))
    owner = IdFilter(method="by_owner", label=_("Current owner (id)"))
    pool = IdFilter(method="by_pool", label=_("Current pool (id)"))
    current_step = IdFilter(field_name="current_step_id", label=_("Current step (id)"))
    overdue = django_filters.BooleanFilter(
        field_name="value_point_overdue", label=_("A value point is overdue")
    )
    health = django_filters.ChoiceFilter(
        field_name="health_band", choices=HealthBand.choices, label=_("Health")
    )
    ordering = NullsLastOrderingFilter(
        fields=(
            ("name", "name"),
            ("external_id", "external_id"),
            ("segment", "segment"),
            ("arr", "arr"),
            ("journey__name", "journey"),
            # The stored step's position by a join (journeys.progress): a sort of
            # every account by a lookup per account would be slower.
            ("progress_step__position", "current_step"),
            ("current_step_since", "current_step_since"),
            ("health_score", "health_score"),
            ("created_at", "created_at"),
            ("id", "id"),
        ),
        label=_("Order by"),
    )

    class Meta:
        model = CustomerAccount
        fields = ["external_id", "journey", "segment", "active"]
        form = StrictBooleanForm

    def by_search(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value) | Q(external_id__icontains=value)
        )

    def by_owner(self, queryset, name, value):
        return queryset.filter(pk__in=_open_coverage(owner_id=value))

    def by_pool(self, queryset, name, value):
        return queryset.filter(pk__in=_open_coverage(pool_id=value))


class StepEventFilter(django_filters.FilterSet):
    account = IdFilter(field_name="account_id", label=_("Account (id)"))
    external_id = django_filters.CharFilter(
        field_name="account__external_id", label=_("Account's external id")
    )
    step = IdFilter(field_name="step_id", label=_("Step (id)"))
    journey = IdFilter(field_name="step__journey_id", label=_("Journey (id)"))
    source = django_filters.ChoiceFilter(choices=StepEvent.Source.choices)
    void = django_filters.BooleanFilter(
        field_name="voided_at", lookup_expr="isnull", exclude=True, label=_("Void")
    )
    reached_after = IsoDateTimeFilter(
        field_name="reached_at", lookup_expr="gte", label=_("Reached at or after")
    )
    reached_before = IsoDateTimeFilter(
        field_name="reached_at", lookup_expr="lt", label=_("Reached before")
    )

    class Meta:
        model = StepEvent
        fields = ["account", "external_id", "step", "journey", "source", "void"]
        form = StrictBooleanForm


# --- ARR snapshots -------------------------------------------------------------------

MONTH_PATTERN = r"[0-9]{4}-(0[1-9]|1[0-2])"
# A month as the API writes and reads it.
MONTH_SCHEMA = {"type": "string", "pattern": f"^{MONTH_PATTERN}$", "example": "2026-04"}


class MonthFormField(forms.CharField):
    """A month, YYYY-MM, as its first day."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        try:
            if not re.fullmatch(MONTH_PATTERN, value):
                raise ValueError(value)
            return date(int(value[:4]), int(value[5:7]), 1)
        except ValueError:  # no month, or the year 0000
            raise forms.ValidationError(
                _("Use a month: YYYY-MM, for example 2026-04.")
            ) from None


@extend_schema_field(MONTH_SCHEMA)
class MonthFilter(django_filters.Filter):
    field_class = MonthFormField


class ARRSnapshotFilter(django_filters.FilterSet):
    account = IdFilter(field_name="account_id", label=_("Account (id)"))
    external_id = django_filters.CharFilter(
        field_name="account__external_id", label=_("Account's external id")
    )
    month_from = MonthFilter(
        field_name="month", lookup_expr="gte", label=_("From this month, YYYY-MM")
    )
    month_to = MonthFilter(
        field_name="month", lookup_expr="lte", label=_("Up to this month, YYYY-MM")
    )
    movement = django_filters.ChoiceFilter(
        choices=ARRMovement.choices, label=_("Movement")
    )

    class Meta:
        model = ARRSnapshot
        fields = ["account", "external_id", "month_from", "month_to", "movement"]


class SuccessPlanFilter(django_filters.FilterSet):
    """Success plans' filters, for the at-risk page and the API alike: the account,
    its current owner or team (members of the team owning it, or the team's pool),
    and whether the outcome is at risk today (`journeys.success`)."""

    account = IdFilter(field_name="account_id", label=_("Account (id)"))
    owner = IdFilter(method="by_owner", label=_("Current owner (id)"))
    team = IdFilter(method="by_team", label=_("Team (id)"))
    at_risk = django_filters.BooleanFilter(
        method="by_at_risk", label=_("The outcome is at risk")
    )

    class Meta:
        model = SuccessPlan
        fields = ["account", "owner", "team", "at_risk"]
        form = StrictBooleanForm

    def by_owner(self, queryset, name, value):
        return queryset.filter(account_id__in=_open_coverage(owner_id=value))

    def by_team(self, queryset, name, value):
        members = (
            TeamMembership.objects.active_on(timezone.localdate())
            .filter(team_id=value)
            .values("user_id")
        )
        return queryset.filter(
            Q(account_id__in=_open_coverage(owner_id__in=members))
            | Q(account_id__in=_open_coverage(pool__team_id=value))
        )

    def by_at_risk(self, queryset, name, value):
        at_risk = plans_at_risk().values("pk")
        return (
            queryset.filter(pk__in=at_risk)
            if value
            else queryset.exclude(pk__in=at_risk)
        )
