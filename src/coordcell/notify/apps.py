from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "coordcell.notify"
    label = "notify"
    verbose_name = _("Webhooks")

    def ready(self) -> None:
        from coordcell.notify import events, jobs  # noqa: F401  (registers types and jobs)
