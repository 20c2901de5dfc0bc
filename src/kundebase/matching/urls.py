"""Web routes of the matching app."""

from django.urls import path

from kundebase.matching import views

app_name = "matching"
urlpatterns = [
    path("matching/review", views.review, name="review"),
    path("matching/review/<int:pair_id>/<str:action>", views.decide, name="decide"),
]
