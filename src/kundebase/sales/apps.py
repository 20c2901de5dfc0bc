from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "kundebase.sales"
    label = "sales"
    verbose_name = _("Sales")

    def ready(self) -> None:
        from kundebase.sales import signals  # noqa: F401  (follow-ups become tasks)
        from kundebase.sales.views_dashboard import register_panel
        from kundebase.web.navigation import NavItem, register

        register(NavItem(_("Deals"), "sales:board", "sales.view_deal", order=40))
        register(NavItem(_("Tasks"), "sales:tasks", "sales.view_task", order=41))
        register_panel()
