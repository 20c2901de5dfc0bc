from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "kundebase.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import pre_save

        from kundebase.core import permission_cache, roles  # noqa: F401  (roles connects post_migrate)
        from kundebase.core.usernames import normalise_on_save

        permission_cache.connect()
        pre_save.connect(normalise_on_save, sender=get_user_model(), dispatch_uid="kundebase-canonical-username")
