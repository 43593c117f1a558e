"""Query-string filters of the hiring API. They narrow querysets that are already
scoped to the viewer; they never widen them."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from config.api import IdFilter
from config.fields import IsoDateTimeFilter

from . import permissions
from .models import (
    Application,
    Candidate,
    Competency,
    Interview,
    InterviewKit,
    InterviewStage,
    Opening,
    Question,
    Scorecard,
)


class CompetencyFilter(django_filters.FilterSet):
    active = django_filters.BooleanFilter(field_name="is_active", label=_("Active"))

    class Meta:
        model = Competency
        fields = ["category", "active"]


class QuestionFilter(django_filters.FilterSet):
    """The question bank's filters, on its page and in the API alike."""

    STATUSES = [
        ("active", _("In use")),
        ("retired", _("Retired")),
        ("all", _("All")),
    ]

    competency = IdFilter(field_name="competency_id", label=_("Competency (id)"))
    active = django_filters.BooleanFilter(field_name="is_active", label=_("Active"))
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    status = django_filters.ChoiceFilter(
        method="filter_status", choices=STATUSES, label=_("Status")
    )

    class Meta:
        model = Question
        fields = ["competency", "kind", "active", "q", "status"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(text__icontains=value) | Q(text_en__icontains=value))

    def filter_status(self, queryset, name, value):
        if value == "active":
            return queryset.filter(is_active=True)
        if value == "retired":
            return queryset.filter(is_active=False)
        return queryset


class InterviewKitFilter(django_filters.FilterSet):
    opening = IdFilter(field_name="opening_id", label=_("Opening (id)"))
    stage = django_filters.ChoiceFilter(choices=InterviewStage.choices)

    class Meta:
        model = InterviewKit
        fields = ["opening", "stage"]


class OpeningFilter(django_filters.FilterSet):
    team = IdFilter(field_name="team_id", label=_("Team (id)"))
    profile = IdFilter(field_name="profile_id", label=_("Success profile (id)"))
    hiring_manager = IdFilter(
        field_name="hiring_manager_id", label=_("Hiring manager (id)")
    )

    class Meta:
        model = Opening
        fields = ["status", "team", "profile", "hiring_manager"]


class CandidateFilter(django_filters.FilterSet):
    """The candidate list's filters, on its page and in the API alike."""

    q = django_filters.CharFilter(
        method="filter_q", label=_("Name, reading or email contains")
    )
    opening = IdFilter(method="filter_opening", label=_("Applied to opening (id)"))
    stage = django_filters.ChoiceFilter(
        method="filter_stage",
        choices=Application.Stage.choices,
        label=_("Has an application at this stage"),
    )
    anonymised = django_filters.BooleanFilter(
        field_name="anonymised_at",
        lookup_expr="isnull",
        exclude=True,
        label=_("Personal data deleted"),
    )

    class Meta:
        model = Candidate
        fields = ["q", "source", "opening", "stage", "anonymised"]

    # Only through the applications the viewer sees: a candidate's application to
    # another team's opening (and how it ended) is not theirs to learn.
    def _applications(self):
        return permissions.visible_applications(self.request.user)

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value)
            | Q(name_reading__icontains=value)
            | Q(email__icontains=value)
        )

    def filter_opening(self, queryset, name, value):
        return queryset.filter(
            pk__in=self._applications().filter(opening_id=value).values("candidate_id")
        )

    def filter_stage(self, queryset, name, value):
        # By the stage as the viewer may see it (independence).
        seen = permissions.applications_as_seen(self.request.user)
        return queryset.filter(
            pk__in=seen.filter(shown_stage=value).values("candidate_id")
        )


class InterviewFilter(django_filters.FilterSet):
    application = IdFilter(field_name="application_id", label=_("Application (id)"))
    candidate = IdFilter(
        field_name="application__candidate_id", label=_("Candidate (id)")
    )
    opening = IdFilter(field_name="application__opening_id", label=_("Opening (id)"))
    interviewer = IdFilter(field_name="interviewer_id", label=_("Interviewer (id)"))
    scheduled_after = IsoDateTimeFilter(
        field_name="scheduled_at", lookup_expr="gte", label=_("Scheduled from")
    )
    scheduled_before = IsoDateTimeFilter(
        field_name="scheduled_at", lookup_expr="lt", label=_("Scheduled before")
    )

    class Meta:
        model = Interview
        fields = [
            "application",
            "candidate",
            "opening",
            "interviewer",
            "scheduled_after",
            "scheduled_before",
        ]


class ScorecardFilter(django_filters.FilterSet):
    interview = IdFilter(field_name="interview_id", label=_("Interview (id)"))
    candidate = IdFilter(
        field_name="interview__application__candidate_id", label=_("Candidate (id)")
    )
    opening = IdFilter(
        field_name="interview__application__opening_id", label=_("Opening (id)")
    )
    interviewer = IdFilter(
        field_name="interview__interviewer_id", label=_("Interviewer (id)")
    )
    submitted = django_filters.BooleanFilter(
        field_name="current", lookup_expr="isnull", exclude=True, label=_("Submitted")
    )

    class Meta:
        model = Scorecard
        fields = ["interview", "candidate", "opening", "interviewer", "submitted"]
