"""Journeys pages: training."""

urlpatterns = []
