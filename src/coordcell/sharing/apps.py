from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SharingConfig(AppConfig):
    name = "coordcell.sharing"
    label = "sharing"
    verbose_name = _("Information sharing")

    def ready(self) -> None:
        from coordcell.sharing import events  # noqa: F401  (registers the record's event types)
