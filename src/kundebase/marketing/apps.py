from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketingConfig(AppConfig):
    name = "kundebase.marketing"
    label = "marketing"
    verbose_name = _("Marketing")

    def ready(self) -> None:
        from kundebase.core import hooks
        from kundebase.marketing.merging import move_to_survivor
        from kundebase.web.navigation import NavItem, register

        if move_to_survivor not in hooks.after_merge:
            hooks.after_merge.append(move_to_survivor)

        register(NavItem(_("Segments"), "marketing:segments", "marketing.view_segment", order=50, group="marketing"))
        register(NavItem(_("Campaigns"), "marketing:campaigns", "marketing.view_campaign", order=51, group="marketing"))
