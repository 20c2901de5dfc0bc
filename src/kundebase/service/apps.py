from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceConfig(AppConfig):
    name = "kundebase.service"
    label = "service"
    verbose_name = _("Customer service")

    def ready(self) -> None:
        from kundebase.core import periodic
        from kundebase.privacy import retention as privacy_retention
        from kundebase.service import personal_data, retention, tasks
        from kundebase.web.navigation import NavItem, register

        personal_data.register()
        if not any(e.name == "e-mail bodies" for e in privacy_retention.expiries):
            privacy_retention.expiries.append(privacy_retention.Expiry(
                name="e-mail bodies", count=retention.count_expired, remove=retention.remove_expired))
        periodic.register(tasks.fetch_mail, every=tasks.fetch_every)
        periodic.register(tasks.escalate_cases, every=tasks.escalate_every)
        register(NavItem(_("Cases"), "service:cases", "service.view_case", order=15, group="service"))
