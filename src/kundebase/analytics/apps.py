from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "kundebase.analytics"
    label = "analytics"
    verbose_name = _("Analytics")

    def ready(self) -> None:
        from kundebase.analytics import signals, tasks
        from kundebase.core import periodic
        from kundebase.web.navigation import NavItem, register

        signals.connect()
        periodic.register(tasks.refit_lifetime_model, every=tasks.refit_every)
        register(NavItem(_("Overview"), "analytics:dashboard", "analytics.view_reports", order=20, group="analysis"))
        register(NavItem(_("Reports"), "analytics:reports", "analytics.view_reports", order=21, group="analysis"))
        register(NavItem(_("Customer intelligence"), "analytics:text", "analytics.view_reports", order=22,
                         group="analysis"))
