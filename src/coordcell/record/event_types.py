"""Record event types of the record itself (who witnesses it)."""

from django.utils.translation import gettext_lazy as _

from coordcell.record.events import register

WITNESS_REGISTERED = register(
    "record.witness_registered",
    _("Witness registered"),
    "A party registered the public key of a witness that cosigns the record's checkpoints.",
)
WITNESS_RETIRED = register(
    "record.witness_retired",
    _("Witness retired"),
    "A party retired one of its witness keys; its earlier cosignatures remain.",
)
