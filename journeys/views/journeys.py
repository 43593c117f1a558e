"""Journeys pages: journeys."""

urlpatterns = []
