from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartiesConfig(AppConfig):
    name = "coordcell.parties"
    label = "parties"
    verbose_name = _("Parties")

    def ready(self) -> None:
        from coordcell.parties import events  # noqa: F401  (registers event types)
