"""Web routes of the web app."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
