"""Hiring pages: framework."""

urlpatterns = []
