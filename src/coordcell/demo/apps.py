from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo: ``coordcell demo`` and the loader of a scenario's fictional exercise data."""

    name = "coordcell.demo"
    label = "demo"
    verbose_name = _("Demo")

    def ready(self) -> None:
        from coordcell.demo import events  # noqa: F401 (registers the record event types)
