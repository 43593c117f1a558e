"""The monthly success-sharing meeting page: each team's customer outcomes and
value points reached in a month, ready to present (and to print). Admins see
every team, leaders theirs, members their own (read-only)."""

from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import path

from accounts.permissions import visible_teams
from config.api import parse_id
from journeys import revenue, success

from .. import permissions
from ..sharing import sharing_meeting


def _neighbour(month: date, step: int) -> str | None:
    """The month before or after (YYYY-MM) if the page shows it, else None."""
    other = revenue.add_months(month, step)
    return None if revenue.month_problem(other) else f"{other:%Y-%m}"


@login_required
def sharing_meeting_page(request):
    viewer = request.user
    if not permissions.sees_management_pages(viewer):
        raise PermissionDenied
    default = success.last_complete_month()
    month_error = ""
    try:
        month = (
            revenue.parse_month(request.GET["month"])
            if request.GET.get("month")
            else default
        )
    except ValueError as error:
        month, month_error = default, str(error)
    # The months ARR can be recorded for (`revenue.month_problem`): from 2000 to
    # the running month; the years' very first and last months, which have no
    # month before or after, never reach the page.
    problem = revenue.month_problem(month)
    if problem:
        month, month_error = default, problem
    teams = visible_teams(viewer)
    chosen_team = parse_id(request.GET.get("team", ""))
    shown = teams.filter(pk=chosen_team) if chosen_team else teams
    meeting = sharing_meeting(teams=shown, month=month, viewer=viewer)
    return render(
        request,
        "recognition/sharing_meeting.html",
        {
            "meeting": meeting,
            "month_value": f"{month:%Y-%m}",
            "month_error": month_error,
            "previous_month": _neighbour(month, -1),
            "next_month": _neighbour(month, 1),
            "teams": list(teams.order_by("name")),
            "chosen_team": chosen_team,
        },
    )


urlpatterns = [
    path("sharing/", sharing_meeting_page, name="sharing_meeting"),
]
