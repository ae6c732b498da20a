from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "coordcell.incidents"
    label = "incidents"
    verbose_name = _("Incidents")

    def ready(self) -> None:
        from coordcell.incidents import events, jobs  # noqa: F401  (registers types and jobs)
