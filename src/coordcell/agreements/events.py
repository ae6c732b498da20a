"""Record event types of the agreements app."""

from django.utils.translation import gettext_lazy as _

from coordcell.record.events import register

VERSION_LOADED = register(
    "agreements.version_loaded",
    _("Arrangement version loaded"),
    "A new version of an arrangement was loaded from its scenario files.",
)
