from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IngestConfig(AppConfig):
    name = "kundebase.ingest"
    label = "ingest"
    verbose_name = _("Ingest")

    def ready(self) -> None:
        from kundebase.web.navigation import NavItem, register

        register(NavItem(label=_("Import"), url_name="ingest:imports", permission="ingest.view_importjob",
                         order=70, group="admin"))
        register(NavItem(label=_("Sources"), url_name="ingest:import-sources", permission="ingest.view_source",
                         order=71, group="admin"))
