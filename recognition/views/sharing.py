"""The monthly success-sharing meeting page: each team's customer outcomes and
value points reached in a month, ready to present (and to print). Admins see
every team, leaders theirs, members their own (read-only)."""

from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _

from accounts.permissions import visible_teams
from config.api import parse_id
from journeys import revenue, success

from .. import permissions
from ..sharing import sharing_meeting

# The months the page shows (Python's dates run from the year 1 to 9999).
FIRST_MONTH, LAST_MONTH = date(1, 2, 1), date(9999, 11, 1)


def _month_text(month: date) -> str:
    """YYYY-MM, the year in four digits (`strftime` writes the year 1 as "1")."""
    return f"{month.year:04d}-{month.month:02d}"


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
    if not FIRST_MONTH <= month <= LAST_MONTH:
        # The page links the months before and after, and bounds its own in the
        # organisation's time zone: the years' very first and last months have
        # none or cannot be bounded.
        month_error = _("Choose a month from %(first)s to %(last)s.") % {
            "first": _month_text(FIRST_MONTH),
            "last": _month_text(LAST_MONTH),
        }
        month = default
    teams = visible_teams(viewer)
    chosen_team = parse_id(request.GET.get("team", ""))
    shown = teams.filter(pk=chosen_team) if chosen_team else teams
    meeting = sharing_meeting(teams=shown, month=month, viewer=viewer)
    return render(
        request,
        "recognition/sharing_meeting.html",
        {
            "meeting": meeting,
            "month_value": _month_text(month),
            "month_error": month_error,
            "previous_month": _month_text(revenue.add_months(month, -1)),
            "next_month": _month_text(revenue.add_months(month, 1)),
            "teams": list(teams.order_by("name")),
            "chosen_team": chosen_team,
        },
    )


urlpatterns = [
    path("sharing/", sharing_meeting_page, name="sharing_meeting"),
]
