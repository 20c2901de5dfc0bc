"""Web routes of the privacy app."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
