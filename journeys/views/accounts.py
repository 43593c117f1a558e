"""Journeys pages: accounts."""

urlpatterns = []
