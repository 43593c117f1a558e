"""Hiring pages: the hiring home, openings and their pipeline."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path

from .. import permissions, selectors


@login_required
def home(request):
    """Where interviewers start: their interviews, upcoming, due and submitted."""
    return render(
        request,
        "hiring/home.html",
        {
            "interviews": selectors.interviewer_home(viewer=request.user),
            "runs_hiring": permissions.runs_hiring(request.user),
        },
    )


urlpatterns = [
    path("", home, name="home"),
]
