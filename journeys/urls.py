"""Enablement pages. Each view module lists its own URL patterns."""

from .views import accounts, journeys, manage, training

app_name = "journeys"

urlpatterns = (
    journeys.urlpatterns
    + accounts.urlpatterns
    + training.urlpatterns
    + manage.urlpatterns
)
