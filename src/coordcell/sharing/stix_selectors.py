"""What a reader may take away as STIX 2.1: the export bundle and the TAXII collections.

Everything starts from ``sharing.selectors.items_visible_to``: an item outside the
reader's audience is not in a bundle, not in a collection, and nothing refers to it (a
tearline part or a redacted version names its source only when the reader reads the
source as well, and in the same bundle). A redacted item's left-out fields are absent
from its row already; they are written as absent. One TAXII collection per audience the
reader belongs to; its id is a keyed hash of the audience (no count, no party codes, the
same for everyone who may see it), and an id the reader has no collection for is the
same 404 as an id that names nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from coordcell.core import audience as audiences
from coordcell.core.actor import Actor
from coordcell.core.errors import NotFound, ValidationFailed
from coordcell.interop import stix
from coordcell.parties import selectors as parties
from coordcell.sharing import selectors as sel
from coordcell.sharing.choices import TierChoices, TlpChoices

if TYPE_CHECKING:
    from coordcell.sharing.models import Item

__all__ = [
    "Collection",
    "collection_id",
    "collection_items",
    "collections_of",
    "export_document",
    "export_items",
    "get_collection",
    "object_ids",
    "party_names",
    "to_export",
]


def export_items(
    actor: Actor,
    *,
    since: dt.datetime | None = None,
    tlp: Sequence[str] = (),
    tier: Sequence[str] = (),
) -> QuerySet[Item]:
    """The items the actor may read, oldest first, optionally filtered."""
    qs = sel.items_visible_to(actor)
    bad = {}
    if any(t not in TlpChoices.values() for t in tlp):
        bad["tlp"] = [_("Choose among: %(values)s.") % {"values": ", ".join(TlpChoices.values())}]
    if any(t not in TierChoices.values() for t in tier):
        bad["tier"] = [_("Choose among: %(values)s.") % {"values": ", ".join(TierChoices.values())}]
    if bad:
        raise ValidationFailed(bad)
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    if tlp:
        qs = qs.filter(tlp__in=list(tlp))
    if tier:
        qs = qs.filter(tier__in=list(tier))
    return qs.select_related("originator").order_by("created_at", "pk")


def _export_item(item: Item, sources: dict[int, str]) -> stix.ExportItem:
    redacted = set(item.redacted_fields or ())
    source_pk = item.tearline_of_id or item.redaction_of_id
    place = "place" not in redacted and item.lat is not None and item.lon is not None
    return stix.ExportItem(
        public_id=str(item.public_id),
        reference=item.reference,
        originator=item.originator.code,
        title=item.title,
        tlp=item.tlp,
        created_at=item.created_at,
        updated_at=item.updated_at,
        body="" if "body" in redacted else item.body,
        lon=item.lon if place else None,
        lat=item.lat if place else None,
        observed_at=None if "time" in redacted else item.observed_at,
        source_reliability="" if "grades" in redacted else item.source_reliability,
        information_credibility="" if "grades" in redacted else item.information_credibility,
        source=sources.get(source_pk) if source_pk else None,
    )


def to_export(actor: Actor, items: Iterable[Item]) -> list[stix.ExportItem]:
    """The rows :func:`coordcell.interop.stix.export_bundle` writes, for this reader: a
    source is named only when the reader may read it (the converter drops it again when
    it is not in the same bundle)."""
    rows = list(items)
    wanted = {pk for it in rows for pk in (it.tearline_of_id, it.redaction_of_id) if pk}
    readable = {
        pk: str(public_id)
        for pk, public_id in sel.items_visible_to(actor)
        .filter(pk__in=wanted)
        .values_list("pk", "public_id")
    }
    return [_export_item(item, readable) for item in rows]


def _parties(items: Iterable[Item]) -> dict[str, stix.ExportParty]:
    return {
        item.originator.code: stix.ExportParty(item.originator.code, str(item.originator))
        for item in items
    }


def export_document(actor: Actor, items: Sequence[Item]) -> dict[str, Any]:
    """The STIX 2.1 bundle of ``items`` (already the actor's readable ones)."""
    return stix.export_bundle(to_export(actor, items), _parties(items))


# --- TAXII collections -------------------------------------------------------------------------


@dataclass(frozen=True)
class Collection:
    """One TAXII collection: the items of one audience the reader belongs to."""

    id: str
    audience: str
    codes: tuple[str, ...]


def collection_id(audience: str) -> str:
    """A collection's id: a keyed hash of its audience (no count, no codes in it)."""
    key = hashlib.sha256(("taxii-collection\x1f" + settings.SECRET_KEY).encode()).digest()
    digest = hmac.new(key, audience.encode(), hashlib.sha256).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


def collections_of(actor: Actor) -> list[Collection]:
    """The reader's collections: its own party's, and one per audience of an item it reads."""
    found = set(
        sel.items_visible_to(actor).order_by().values_list("audience", flat=True).distinct()
    )
    if actor.party_code:
        found.add(audiences.encode([actor.party_code]))
    result = [Collection(collection_id(aud), aud, tuple(audiences.decode(aud))) for aud in found]
    return sorted(result, key=lambda c: (len(c.codes), c.codes))


def get_collection(actor: Actor, collection_id: str) -> Collection:
    """One of the reader's collections; ``NotFound`` for any other id (hidden or none)."""
    for collection in collections_of(actor):
        if hmac.compare_digest(collection.id, str(collection_id)):
            return collection
    raise NotFound()


def collection_items(actor: Actor, collection: Collection) -> QuerySet[Item]:
    """The items of a collection the reader may read, oldest first."""
    return (
        sel.items_visible_to(actor)
        .filter(audience=collection.audience)
        .select_related("originator")
        .order_by("created_at", "pk")
    )


def object_ids(item: Item) -> list[str]:
    """The STIX ids an item is written as (whether or not each object is written)."""
    return stix.item_object_ids(str(item.public_id))


def party_names(actor: Actor, codes: Iterable[str]) -> dict[str, str]:
    """Code -> name of the parties among ``codes`` the actor may see."""
    return {
        party.code: str(party) for party in parties.list_parties(actor).filter(code__in=list(codes))
    }
