from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VerificationConfig(AppConfig):
    name = "coordcell.verification"
    label = "verification"
    verbose_name = _("Verification")

    def ready(self) -> None:
        from coordcell.verification import events, jobs  # noqa: F401  (registers types and jobs)
