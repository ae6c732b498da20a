"""Importing a STIX 2.1 bundle: one service, every object checked before anything is written.

The bundle is read by ``coordcell.interop.stix.read_bundle`` (the validator's reasons
refuse it whole), each report, grouping, note or incident becomes the fields of one new
item of the importer's party, every one of them is checked by ``sharing.services``
exactly as a typed-in item is, and only when all pass are they created, in one
transaction, each with its record entry (``sharing.services.create_item``). An object
already imported by the importer's party (same STIX id) is skipped, not duplicated.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from coordcell.core.actor import Actor
from coordcell.core.errors import PermissionDenied, ValidationFailed
from coordcell.interop import stix
from coordcell.sharing import selectors as sel
from coordcell.sharing import services
from coordcell.sharing.choices import TlpChoices

if TYPE_CHECKING:
    from coordcell.sharing.models import Item

__all__ = ["ImportResult", "import_bundle"]


@dataclass
class ImportResult:
    created: list[Item] = field(default_factory=list)
    #: STIX ids already imported by the importer's party (nothing new made of them).
    skipped: list[str] = field(default_factory=list)


def _input(
    found: stix.ImportedItem,
    *,
    tier: str,
    tlp: str,
    counterpart: str,
    releasability: Sequence[str],
) -> services.ItemInput:
    geometry = None
    if found.lat is not None and found.lon is not None:
        geometry = {"type": "Point", "coordinates": [found.lon, found.lat]}
    return services.ItemInput(
        title=found.title,
        tier=tier,
        tlp=found.tlp or tlp,
        body=found.body,
        geometry=geometry,
        observed_at=found.observed_at,
        source_reliability=found.source_reliability,
        information_credibility=found.information_credibility,
        counterpart=counterpart,
        releasability=releasability,
        external_id=found.external_id,
    )


@transaction.atomic
def import_bundle(
    *,
    actor: Actor,
    document: bytes | str | Mapping[str, Any],
    tier: str,
    tlp: str = "",
    counterpart: str = "",
    releasability: Sequence[str] = (),
) -> ImportResult:
    """Share every item of a STIX 2.1 bundle for ``tier`` (and ``counterpart``, ``releasability``).

    ``tlp`` is the marking of objects that carry no TLP marking (TLP 2.0 or 1.0); an
    object without one is refused when none is given. All or nothing:
    ``ValidationFailed`` names each problem (``bundle`` for the validator's reasons, the
    object's STIX id for a field of it) and nothing is written."""
    if actor.party_id is None or actor.system:
        raise PermissionDenied()
    services._require_originating_member(actor)  # donors and observers originate nothing
    try:
        found = stix.read_bundle(document)
    except stix.StixRefused as exc:
        raise ValidationFailed({"bundle": exc.reasons}) from None
    default_tlp = str(tlp or "").strip().lower()
    if default_tlp and default_tlp not in TlpChoices.values():
        raise ValidationFailed({"tlp": [_("Choose a TLP marking.")]})
    known = set(
        sel.items_visible_to(actor)
        .filter(originator_id=actor.party_id, external_id__in=[f.external_id for f in found])
        .values_list("external_id", flat=True)
    )
    errors: dict[str, list[str]] = {}
    inputs: list[services.ItemInput] = []
    result = ImportResult()
    for each in found:
        if each.external_id in known:
            result.skipped.append(each.external_id)
            continue
        if not each.tlp and not default_tlp:
            errors[each.external_id] = [
                _("It carries no TLP marking: choose the TLP of unmarked objects.")
            ]
            continue
        data = _input(
            each, tier=tier, tlp=default_tlp, counterpart=counterpart, releasability=releasability
        )
        try:
            services.check_item(actor, data)
        except ValidationFailed as exc:
            errors[each.external_id] = [
                f"{key}: {message}" if key else message
                for key, messages in exc.fields.items()
                for message in messages
            ]
            continue
        inputs.append(data)
    if errors:
        raise ValidationFailed(errors)
    for data in inputs:
        result.created.append(services.create_item(actor=actor, data=data))
    return result
