from . import permissions


def navigation(request):
    """What the navigation bar offers the current user."""
    user = request.user
    return {
        "nav": {
            "is_staff": user.is_authenticated and user.is_staff,
            "teams": permissions.uses_team_pages(user),
        },
    }
