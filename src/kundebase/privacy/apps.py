from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "kundebase.privacy"
    label = "privacy"
    verbose_name = _("Privacy")

    def ready(self) -> None:
        """Join the other apps' hook lists and the main menu (each registration is idempotent)."""
        from kundebase.core import custom_fields, hooks
        from kundebase.core import services as core_services
        from kundebase.interactions import services as interaction_services
        from kundebase.privacy import guards, panel, registers, suppression
        from kundebase.web.navigation import NavItem, register

        def add(target: list, fn: object) -> None:
            if fn not in target:
                target.append(fn)

        add(core_services.special_category_guard, guards.custom_field_guard)
        add(interaction_services.text_screens, guards.interaction_text_screen)
        add(custom_fields.text_screens, guards.interaction_text_screen)
        add(hooks.identity_blocked, suppression.identities_blocked)
        add(hooks.party_saved, guards.refuse_restricted)
        add(hooks.party_saved, registers.refresh_on_save)
        register(NavItem(_("Privacy"), "privacy:home", "privacy.view_datasubjectrequest", order=80))
        register(NavItem(_("Quarantine"), "privacy:quarantine", "privacy.view_quarantine", order=81))
        panel.register()
