from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordConfig(AppConfig):
    name = "coordcell.record"
    label = "record"
    verbose_name = _("Record")

    def ready(self) -> None:
        from coordcell.record import event_types, jobs  # noqa: F401  (registers types and jobs)
