from . import permissions


def navigation(request):
    """Whether the navigation bar offers enablement to the current user, and
    whether the pages offer the admins' actions (journeys/views/manage.py)."""
    return {
        "nav_journeys": permissions.uses_enablement(request.user),
        "nav_manages_journeys": permissions.manages_journeys(request.user),
    }
