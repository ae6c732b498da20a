from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "coordcell.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        # Registers the event types, the worker's jobs and the built-in report sections.
        from coordcell.reports import builtin_sections, events, jobs  # noqa: F401
