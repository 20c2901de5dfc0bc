from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceConfig(AppConfig):
    name = "kundebase.service"
    label = "service"
    verbose_name = _("Customer service")

    def ready(self) -> None:
        from kundebase.privacy import access, erasure
        from kundebase.service import personal_data
        from kundebase.web.navigation import NavItem, register

        if personal_data.access_section not in access.access_sections:
            access.access_sections.append(personal_data.access_section)
        if personal_data.erase_mail not in erasure.on_erase:
            erasure.on_erase.append(personal_data.erase_mail)
        register(NavItem(_("Cases"), "service:cases", "service.view_case", order=15, group="service"))
