import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.api import IdFilter

from .models import Role, Team, TeamMembership, User


class UserFilter(django_filters.FilterSet):
    team = IdFilter(method="filter_team", label=_("Current member of team (id)"))
    role = django_filters.ChoiceFilter(
        field_name="groups__name", choices=Role.choices, label=_("Role")
    )

    class Meta:
        model = User
        fields = ["team", "role", "is_active"]

    def filter_team(self, queryset, name, value):
        members = (
            TeamMembership.objects.active_on(timezone.localdate())
            .filter(team_id=value)
            .values("user_id")
        )
        return queryset.filter(pk__in=members)


class TeamFilter(django_filters.FilterSet):
    parent = IdFilter(field_name="parent_id", label=_("Parent team (id)"))
    leader = IdFilter(field_name="leader_id", label=_("Leader (id)"))
    top_level = django_filters.BooleanFilter(
        method="filter_top_level", label=_("Only teams without a parent")
    )

    class Meta:
        model = Team
        fields = ["parent", "leader", "top_level"]

    def filter_top_level(self, queryset, name, value):
        return queryset.filter(Q(parent__isnull=value))
