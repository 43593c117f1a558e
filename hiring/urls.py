"""Hiring pages. Each view module lists its own URL patterns."""

from .views import candidates, framework, openings, policy, scorecards

app_name = "hiring"

urlpatterns = (
    framework.urlpatterns
    + openings.urlpatterns
    + candidates.urlpatterns
    + scorecards.urlpatterns
    + policy.urlpatterns
)
