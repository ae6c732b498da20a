from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EconomyConfig(AppConfig):
    name = "coordcell.economy"
    label = "economy"
    verbose_name = _("Economic zone")

    def ready(self) -> None:
        from coordcell.economy import conditions, events  # noqa: F401  (registers types and jobs)
