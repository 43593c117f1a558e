from . import permissions
from .notifications import NoticeBadge


def navigation(request):
    """What the navigation bar offers the current user."""
    user = request.user
    return {
        "nav": {
            "is_staff": user.is_authenticated and user.is_staff,
            "teams": permissions.uses_team_pages(user),
            "api": permissions.uses_api(user),
        },
        # The unread notices' count, read (and cached) only when a page shows it.
        "notices": NoticeBadge(user),
    }
