"""Hiring pages: scorecards."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.urls import path


@login_required
def scorecard(request, pk: int):
    raise Http404  # written with the scorecard pages


urlpatterns = [
    path("interviews/<int:pk>/scorecard/", scorecard, name="scorecard"),
]
