"""Filters of the management lists, one FilterSet per list: the API parses it, and
the page listing the same things reads its parameters through it too."""

import django_filters
from django.utils.translation import gettext_lazy as _

from config.api import IdFilter

from .models import DevelopmentPlan, PlanStatus

# The status filter's value for members without a plan: the page lists them
# (selectors.development.plan_overview); every plan the API lists has a status.
NO_PLAN = "none"


class MemberFilter(django_filters.FilterSet):
    member = IdFilter(field_name="member_id", label=_("Member (id)"))


class PlanFilter(MemberFilter):
    """Development plans: the API's list, and the page's overview of the members'
    plans (`status` only)."""

    status = django_filters.ChoiceFilter(
        choices=PlanStatus.choices,
        null_value=NO_PLAN,
        null_label=_("No plan"),
        label=_("Status"),
    )

    class Meta:
        model = DevelopmentPlan
        fields = ["member", "status"]


def plan_status(query) -> str:
    """The page's status filter (a plan status, NO_PLAN, or "" for all), read as
    the API reads it: anything else is no filter."""
    filterset = PlanFilter({"status": query.get("status", "")})
    if not filterset.is_valid():
        return ""
    return filterset.form.cleaned_data["status"] or ""
