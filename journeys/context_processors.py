from . import permissions


def navigation(request):
    """Whether the navigation bar offers enablement to the current user."""
    return {"nav_journeys": permissions.uses_enablement(request.user)}
