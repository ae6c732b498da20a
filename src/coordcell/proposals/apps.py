from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProposalsConfig(AppConfig):
    name = "coordcell.proposals"
    label = "proposals"
    verbose_name = _("Proposals and commitments")

    def ready(self) -> None:
        from coordcell.proposals import events, jobs, scoring  # noqa: F401  (registers)
