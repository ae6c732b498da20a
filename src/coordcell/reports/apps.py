from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "coordcell.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        # Registers the event types, the worker's jobs and the built-in report sections.
        from coordcell.reports import (  # noqa: F401
            builtin_sections,
            events,
            humanitarian_sections,
            jobs,
        )
