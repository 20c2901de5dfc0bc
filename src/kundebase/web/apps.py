from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "kundebase.web"
    label = "web"
    verbose_name = _("Web")

    def ready(self) -> None:
        from kundebase.web.navigation import NavItem, register

        register(NavItem(_("Home"), "dashboard", order=0))
        register(NavItem(_("Customers"), "customer-list", "parties.view_contactpoint", order=10, group="customers"))
