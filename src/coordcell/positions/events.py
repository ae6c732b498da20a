"""Record event types of the positions app (registered when the app is ready).

Entries about a party's positions are read by that party and the mediator only; the
commitments (roots), disputes and reveals by the parties and the mediator."""

from django.utils.translation import gettext_lazy as _

from coordcell.record.events import register

DECLARED = register(
    "positions.declared",
    _("Position declared"),
    "A party declared one of its positions to the cell (read by the party and the mediator).",
)
CHANGED = register(
    "positions.changed",
    _("Position change declared"),
    "A party declared a change of one of its positions: a move, its holdings, or its "
    "vacating (read by the party and the mediator).",
)
IMPORTED = register(
    "positions.imported",
    _("Positions imported"),
    "A party imported positions from a GeoJSON file, every feature checked before any "
    "was stored (read by the party and the mediator).",
)
SEALED = register(
    "positions.sealed",
    _("Positions sealed"),
    "A party committed its positions (the baseline at the freeze date, or a batch of later "
    "changes) as one Merkle root over salted leaves padded with random ones: the record "
    "holds the root and the padded size, the content stays with the party and the mediator.",
)
DISPUTE_OPENED = register(
    "positions.dispute_opened",
    _("Position dispute opened"),
    "A party or the mediator disputed a party's positions (e.g. a post set up after the freeze).",
)
CONSENTED = register(
    "positions.reveal_consented",
    _("Consent to a reveal"),
    "A party consented to the mediator revealing a committed item in a dispute.",
)
REVEALED = register(
    "positions.revealed",
    _("Committed position revealed"),
    "One committed item revealed in a dispute with its salt and inclusion proof: anyone "
    "checks it against the commitment's root with `coordcell verify`.",
)
AGREED = register(
    "positions.change_agreed",
    _("Position change agreed"),
    "The mediator recorded that both parties consented to a change of positions.",
)
