from . import permissions


def navigation(request):
    """Whether the navigation bar offers hiring to the current user."""
    return {"nav_hiring": permissions.uses_hiring(request.user)}
