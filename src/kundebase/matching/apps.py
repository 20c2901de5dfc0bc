from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "kundebase.matching"
    label = "matching"
    verbose_name = _("Matching")

    def ready(self) -> None:
        from kundebase.core import hooks
        from kundebase.matching import store
        from kundebase.web.navigation import NavItem, register

        if store.on_parties_saved not in hooks.party_saved:
            hooks.party_saved.append(store.on_parties_saved)
        register(NavItem(_("Duplicates"), "matching:review", "matching.view_reviewpair", order=12,
                         group="customers"))
