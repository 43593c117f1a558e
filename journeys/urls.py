"""Enablement pages. Each view module lists its own URL patterns."""

from .views import accounts, health, journeys, manage, success, training

app_name = "journeys"

urlpatterns = (
    journeys.urlpatterns
    + accounts.urlpatterns
    + success.urlpatterns
    + health.urlpatterns
    + training.urlpatterns
    + manage.urlpatterns
)
