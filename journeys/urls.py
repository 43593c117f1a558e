"""Enablement pages. Each view module lists its own URL patterns."""

from .views import accounts, journeys, manage, success, training

app_name = "journeys"

urlpatterns = (
    journeys.urlpatterns
    + accounts.urlpatterns
    + success.urlpatterns
    + training.urlpatterns
    + manage.urlpatterns
)
