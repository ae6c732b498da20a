from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeconflictionConfig(AppConfig):
    name = "coordcell.deconfliction"
    label = "deconfliction"
    verbose_name = _("Advance notification")

    def ready(self) -> None:
        from coordcell.deconfliction import events, jobs  # noqa: F401  (registers types and jobs)
