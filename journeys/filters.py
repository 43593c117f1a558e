"""Query-string filters of the journeys API. They narrow querysets that are already
scoped to the viewer; they never widen them."""

import django_filters
from django.utils.translation import gettext_lazy as _

from config.api import IdFilter
from config.fields import IsoDateTimeFilter

from .models import (
    CustomerAccount,
    Journey,
    Playbook,
    Pool,
    Step,
    StepEvent,
    TrainingAssignment,
    TrainingCompletion,
    TrainingModule,
)


class JourneyFilter(django_filters.FilterSet):
    active = django_filters.BooleanFilter(field_name="is_active", label=_("Active"))

    class Meta:
        model = Journey
        fields = ["active"]


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


class CustomerFilter(django_filters.FilterSet):
    """Owner, pool and current step go to `selectors.account_list` (see the view);
    these narrow its result further."""

    external_id = django_filters.CharFilter(label=_("External id (the CRM's id)"))
    journey = IdFilter(field_name="journey_id", label=_("Journey (id)"))
    segment = django_filters.CharFilter(label=_("Segment"))
    active = django_filters.BooleanFilter(field_name="is_active", label=_("Active"))
    owner = IdFilter(method="by_selector", label=_("Current owner (id)"))
    pool = IdFilter(method="by_selector", label=_("Current pool (id)"))
    current_step = IdFilter(method="by_selector", label=_("Current step (id)"))
    overdue = django_filters.BooleanFilter(
        method="by_selector", label=_("A value point is overdue")
    )

    class Meta:
        model = CustomerAccount
        fields = ["external_id", "journey", "segment", "active"]

    def by_selector(self, queryset, name, value):
        # Applied by the view through `selectors.account_list`.
        return queryset


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
