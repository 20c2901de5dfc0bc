"""Web routes of the orders app."""

from django.urls import path

from kundebase.orders import views

app_name = "orders"

urlpatterns = [
    path("orders/new/", views.order_new, name="order-new"),
]
