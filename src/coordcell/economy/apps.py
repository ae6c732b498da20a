from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EconomyConfig(AppConfig):
    name = "coordcell.economy"
    label = "economy"
    verbose_name = _("Economic zone")

    def ready(self) -> None:
        from coordcell.economy import events  # noqa: F401  (registers the record event types)
