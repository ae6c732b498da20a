from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PositionsConfig(AppConfig):
    name = "coordcell.positions"
    label = "positions"
    verbose_name = _("Positions")

    def ready(self) -> None:
        from coordcell.positions import events, jobs  # noqa: F401  (registers types and jobs)
