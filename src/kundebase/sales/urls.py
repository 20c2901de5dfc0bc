"""Web routes of the sales app: deals (board, list, page, actions), tasks and the calendar feed."""

from django.urls import path

from kundebase.sales import (
    views,
    views_credit,
    views_deal_lines,
    views_deal_views,
    views_ledger,
    views_reports,
    views_tasks,
    views_teams,
)

app_name = "sales"

urlpatterns = [
    path("sales/", views.board_default, name="board"),
    path("sales/pipelines/<int:pipeline_id>/", views.board, name="pipeline-board"),
    path("sales/deals/", views.deal_list, name="deals"),
    path("sales/deals/new/", views.deal_new, name="deal-new"),
    path("sales/deals/views/", views_deal_views.view_save, name="deal-view-save"),
    path("sales/deals/views/<int:view_id>/delete/", views_deal_views.view_delete, name="deal-view-delete"),
    path("sales/deals/<int:deal_id>/", views.deal_page, name="deal"),
    path("sales/deals/<int:deal_id>/move/", views.deal_move, name="deal-move"),
    path("sales/deals/<int:deal_id>/win/", views.deal_win, name="deal-win"),
    path("sales/deals/<int:deal_id>/lose/", views.deal_lose, name="deal-lose"),
    path("sales/deals/<int:deal_id>/lines/", views_deal_lines.line_add, name="deal-line-add"),
    path("sales/deals/<int:deal_id>/lines/<int:line_id>/remove/", views_deal_lines.line_remove,
         name="deal-line-remove"),
    path("sales/teams/", views_teams.sales_teams, name="teams"),
    path("sales/reports/", views_reports.sales_reports, name="reports"),
    path("sales/ledger/", views_ledger.ledger_upload, name="ledger"),
    path("sales/credit/", views_credit.credit_settings, name="credit-settings"),
    path("sales/credit/rules/<str:country>/delete/", views_credit.dunning_rule_delete, name="dunning-rule-delete"),
    path("sales/tasks/", views_tasks.tasks, name="tasks"),
    path("sales/tasks/<int:task_id>/done/", views_tasks.task_done, name="task-done"),
    path("sales/calendar/rotate/", views_tasks.calendar_rotate, name="calendar-rotate"),
    path("sales/calendar/<str:secret>.ics", views_tasks.calendar_feed, name="calendar-feed"),
]
