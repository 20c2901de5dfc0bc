"""Web routes of the analytics app."""

from django.urls import path

from kundebase.analytics import views

app_name = "analytics"
urlpatterns = [
    path("analytics/", views.dashboard_view, name="dashboard"),
    path("analytics/reports/", views.reports_view, name="reports"),
    path("analytics/reports/<slug:key>/", views.report_view, name="report"),
    path("analytics/text/", views.text_view, name="text"),
    path("analytics/text/suggest/", views.text_suggest, name="text_suggest"),
    path("analytics/suggestions/<int:interest_id>/<slug:action>/", views.suggestion_action, name="suggestion"),
    path("analytics/customers/<int:party_id>/key-figures/", views.key_figures_view, name="key_figures"),
]
