from django.conf import settings

from . import permissions


def navigation(request):
    """What the navigation bar offers the current user."""
    user = request.user
    return {
        "nav": {
            "is_admin": permissions.is_admin(user),
            "roles": permissions.roles_of(user),
            "is_staff": user.is_authenticated and user.is_staff,
            "teams": permissions.uses_team_pages(user),
        },
        "LANGUAGES": settings.LANGUAGES,
    }
