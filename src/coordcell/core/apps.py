from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "coordcell.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from coordcell.core import idempotency  # noqa: F401  (registers its worker job)
