from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HumanitarianConfig(AppConfig):
    name = "coordcell.humanitarian"
    label = "humanitarian"
    verbose_name = _("Detainees and missing persons")

    def ready(self) -> None:
        from coordcell.humanitarian import agenda, events, jobs  # noqa: F401  (registers types and jobs)

        agenda.register()  # the talks' automatic agenda items: files with a missed request
