from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "coordcell.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from coordcell.cases import events, jobs  # noqa: F401  (registers types and jobs)
