"""Hiring pages: candidates."""

urlpatterns = []
