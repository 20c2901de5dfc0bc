"""Web routes of customer service."""

from django.urls import path

from kundebase.service import views

app_name = "service"
urlpatterns = [
    path("service/cases/", views.case_list_view, name="cases"),
    path("service/cases/<int:case_id>/", views.case_view, name="case"),
    path("service/cases/<int:case_id>/reply", views.case_reply, name="reply"),
    path("service/cases/<int:case_id>/update", views.case_update, name="update"),
    path("service/customers/<int:party_id>/compose/", views.compose_view, name="compose"),
    path("service/leads/<int:proposal_id>/<str:action>", views.lead_action, name="lead"),
]
