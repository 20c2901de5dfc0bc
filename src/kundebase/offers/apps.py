from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OffersConfig(AppConfig):
    """Real-time customer profiles and next-best offers: one bounded context, read by the web shop and the
    call centre while a customer is present."""

    name = "kundebase.offers"
    label = "offers"
    verbose_name = _("Profiles and offers")

    def ready(self) -> None:
        from kundebase.core import hooks, periodic
        from kundebase.offers import freshness, ranking, tasks
        from kundebase.web.navigation import NavItem, register

        freshness.connect()
        if freshness.parties_saved not in hooks.party_saved:
            hooks.party_saved.append(freshness.parties_saved)
        if ranking.sync_tracked not in hooks.events_processed:
            hooks.events_processed.append(ranking.sync_tracked)
        periodic.register(tasks.put_shown_on_timeline, every=tasks.sweep_every)
        register(NavItem(_("Offers"), "offers:list", "offers.add_offer", order=52, group="marketing"))
