from . import permissions


def navigation(request):
    """What the navigation bar offers of the management pillar."""
    user = request.user
    return {
        "nav_management": permissions.sees_management_pages(user),
        "nav_management_admin": permissions.manages_recognition(user),
        "nav_organisation_plans": permissions.sees_organisation_plans(user),
        "nav_capacity_plans": permissions.sees_capacity_plans(user),
    }
