"""Enablement pages. Each view module lists its own URL patterns."""

from .views import accounts, health, journeys, manage, stories, success, training

app_name = "journeys"

urlpatterns = (
    journeys.urlpatterns
    + accounts.urlpatterns
    + success.urlpatterns
    + stories.urlpatterns
    + health.urlpatterns
    + training.urlpatterns
    + manage.urlpatterns
)
