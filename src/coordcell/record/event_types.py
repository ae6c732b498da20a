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
EXERCISE_DECLARED = register(
    "record.exercise_declared",
    _("Exercise cell declared"),
    "Before its first entry, this cell was declared an exercise (the demo, a training "
    "cell): its log is signed with an exercise key and origin and can never be taken for a "
    "live cell's, and its worker may be run at another time for drills.",
)
EXERCISE_COPY_ADOPTED = register(
    "record.exercise_copy_adopted",
    _("Exercise copy begun"),
    "This cell is an exercise copy of another cell's database, taken at the entry and root "
    "the data names. From here on its log is signed with an exercise key and origin, its "
    "webhooks are paused, and nothing it does reaches the cell it was copied from.",
)
