from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "kundebase.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from kundebase.core import roles  # noqa: F401  (connects post_migrate)
