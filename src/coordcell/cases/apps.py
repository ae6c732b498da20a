from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "coordcell.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from coordcell.cases import agenda, events, jobs  # noqa: F401  (registers types and jobs)

        agenda.register()  # the talks' automatic agenda items: open cases past a deadline
