from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HumanitarianConfig(AppConfig):
    name = "coordcell.humanitarian"
    label = "humanitarian"
    verbose_name = _("Detainees and missing persons")

    def ready(self) -> None:
        from coordcell.humanitarian import events, jobs  # noqa: F401  (registers types and jobs)
