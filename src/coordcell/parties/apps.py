from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartiesConfig(AppConfig):
    name = "coordcell.parties"
    label = "parties"
    verbose_name = _("Parties")

    def ready(self) -> None:
        from coordcell.core.actor import register_resolver
        from coordcell.parties import events  # noqa: F401  (registers event types)
        from coordcell.parties.selectors import actor_for_user

        register_resolver(actor_for_user)
