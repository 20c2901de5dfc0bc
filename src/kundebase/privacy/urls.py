"""Web routes of the privacy app."""

from django.urls import path

from kundebase.privacy import views, views_erasure

app_name = "privacy"

urlpatterns = [
    path("privacy/", views.home, name="home"),
    path("privacy/persons/<int:party_id>/", views.person, name="person"),
    path("privacy/persons/<int:party_id>/erase/", views_erasure.erase, name="erase"),
    path("privacy/quarantine/", views.quarantine_list, name="quarantine"),
]
