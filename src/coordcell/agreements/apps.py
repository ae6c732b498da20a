from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    name = "coordcell.agreements"
    label = "agreements"
    verbose_name = _("Agreements")

    def ready(self) -> None:
        from coordcell.agreements import events  # noqa: F401  (registers event types)
