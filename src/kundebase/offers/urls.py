"""Web routes of the offers app: the offer list and the create/edit form, for marketing and administrators."""

from django.urls import path

from kundebase.offers import views

app_name = "offers"

urlpatterns = [
    path("marketing/offers/", views.offer_list, name="list"),
    path("marketing/offers/new", views.offer_new, name="new"),
    path("marketing/offers/<int:offer_id>/", views.offer_edit, name="edit"),
]
