from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketingConfig(AppConfig):
    name = "kundebase.marketing"
    label = "marketing"
    verbose_name = _("Marketing")

    def ready(self) -> None:
        from kundebase.web.navigation import NavItem, register

        register(NavItem(_("Segments"), "marketing:segments", "marketing.view_segment", order=50))
        register(NavItem(_("Campaigns"), "marketing:campaigns", "marketing.view_campaign", order=51))
