from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "kundebase.sales"
    label = "sales"
    verbose_name = _("Sales")

    def ready(self) -> None:
        from kundebase.core import hooks
        from kundebase.sales import signals  # noqa: F401  (follow-ups become tasks)
        from kundebase.sales.credit import order_check
        from kundebase.sales.merging import move_to_survivor
        from kundebase.sales.views_dashboard import register_customer_panel, register_panel
        from kundebase.web.navigation import NavItem, register

        if order_check not in hooks.new_business:
            hooks.new_business.append(order_check)
        if move_to_survivor not in hooks.after_merge:
            hooks.after_merge.append(move_to_survivor)
        register(NavItem(_("Deals"), "sales:board", "sales.view_deal", order=40, group="sales"))
        register(NavItem(_("Tasks"), "sales:tasks", "sales.view_task", order=41, group="sales"))
        register(NavItem(_("Sales reports"), "sales:reports", "sales.view_deal", order=42, group="sales"))
        register(NavItem(_("Sales teams"), "sales:teams", "sales.change_teammembership", order=84, group="admin"))
        register(NavItem(_("Ledger"), "sales:ledger", "sales.add_invoice", order=85, group="admin"))
        register(NavItem(_("Credit settings"), "sales:credit-settings", "sales.change_dunningrule", order=86,
                         group="admin"))
        register_panel()
        register_customer_panel()
