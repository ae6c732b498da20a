from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TalksConfig(AppConfig):
    name = "coordcell.talks"
    label = "talks"
    verbose_name = _("Talks")

    def ready(self) -> None:
        from coordcell.talks import events, jobs  # noqa: F401  (registers types and jobs)
