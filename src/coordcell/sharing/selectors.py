"""Reads of shared items, restricted to the caller: hidden and missing look the same.

Every read starts from ``Item.objects.restrict(actor)`` (the item's audience), and
everything hanging off an item is read through it. One query decides whether an item
exists for the reader, so a hidden item costs the same as a missing one.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from coordcell.agreements import selectors as agreements
from coordcell.cases import selectors as cases
from coordcell.core.actor import Actor
from coordcell.core.audience import decode
from coordcell.core.errors import NotFound
from coordcell.incidents import selectors as incidents
from coordcell.positions import selectors as positions
from coordcell.sharing.choices import ConsentState, LinkKind, TierChoices
from coordcell.sharing.models import (
    AccessLog,
    Attachment,
    AudienceChange,
    ConsentRequest,
    Item,
)

__all__ = [
    "ResolvedLink",
    "access_log",
    "arrangement_parties",
    "consent_inbox",
    "facets",
    "get_consent_request",
    "get_item",
    "get_item_for_update",
    "history",
    "items_visible_to",
    "list_attachments",
    "resolve_links",
    "search",
    "visible_source",
]

#: The longest search text accepted (``q``): longer is cut, never an error.
Q_MAX_CHARS = 200


def _uuid(value: object) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:  # a malformed id is a missing one
        raise NotFound() from None


def items_visible_to(actor: Actor) -> QuerySet[Item]:
    """The items the actor may read, newest first (the feed)."""
    return (
        Item.objects.restrict(actor)
        .select_related("originator", "counterpart")
        .order_by("-created_at", "-pk")
    )


def get_item(actor: Actor, public_id: object) -> Item:
    """One item by its public id; ``NotFound`` when it is missing *or* hidden."""
    item: Item | None = items_visible_to(actor).filter(public_id=_uuid(public_id)).first()
    if item is None:
        raise NotFound()
    return item


def get_item_for_update(actor: Actor, public_id: object) -> Item:
    """As :func:`get_item`, with the row locked (inside a service's transaction)."""
    item: Item | None = (
        Item.objects.restrict(actor)
        .select_for_update(of=("self",), no_key=True)
        .select_related("originator", "counterpart")
        .filter(public_id=_uuid(public_id))
        .first()
    )
    if item is None:
        raise NotFound()
    return item


def search(qs: QuerySet[Item], text: str) -> QuerySet[Item]:
    """Items of ``qs`` whose reference, title or text contains ``text`` (case-insensitive).

    Applied to an already restricted queryset: a hidden item never matches."""
    text = (text or "").strip()[:Q_MAX_CHARS]
    if not text:
        return qs
    return qs.filter(
        Q(reference__icontains=text) | Q(title__icontains=text) | Q(body__icontains=text)
    )


def facets(qs: QuerySet[Item]) -> dict[str, dict[str, int]]:
    """Counts by audience tier and TLP over ``qs`` (restricted: only what the reader sees)."""
    out: dict[str, dict[str, int]] = {"tier": {}, "tlp": {}}
    for field in ("tier", "tlp"):
        rows = qs.order_by().values(field).annotate(n=Count("pk"))
        out[field] = {str(r[field]): int(r["n"]) for r in rows}
    return out


def visible_source(actor: Actor, item: Item) -> dict[str, Item | None]:
    """The product above the tearline and the source of a redaction, each only when the
    reader may read it (else None, exactly as if there were none)."""
    ids = [i for i in (item.tearline_of_id, item.redaction_of_id) if i is not None]
    seen = {i.pk: i for i in Item.objects.restrict(actor).filter(pk__in=ids)} if ids else {}
    return {
        "tearline_of": seen.get(item.tearline_of_id) if item.tearline_of_id else None,
        "redaction_of": seen.get(item.redaction_of_id) if item.redaction_of_id else None,
    }


def derived_items(actor: Actor, item: Item) -> list[Item]:
    """The tearline parts and redacted versions of ``item`` the reader may read."""
    return list(
        Item.objects.restrict(actor)
        .filter(Q(tearline_of=item) | Q(redaction_of=item))
        .order_by("created_at", "pk")
    )


@dataclass(frozen=True)
class ResolvedLink:
    kind: str
    target: uuid.UUID
    label: str


def resolve_links(actor: Actor, item: Item) -> list[ResolvedLink]:
    """The item's links the reader may follow: each target is read through its own app's
    selector for this reader, and one they may not see is left out as if absent."""
    out: list[ResolvedLink] = []
    for link in item.links.all().order_by("kind", "pk"):
        label = link_label(actor, link.kind, link.target)
        if label is not None:
            out.append(ResolvedLink(link.kind, link.target, label))
    return out


def link_label(actor: Actor, kind: str, target: object) -> str | None:
    """The reference of a linked incident, case or position if ``actor`` may see it."""
    getters: dict[str, Any] = {
        LinkKind.INCIDENT: incidents.get_incident,
        LinkKind.CASE: cases.get_case,
        LinkKind.POSITION: positions.get_position,
    }
    getter = getters.get(kind)
    if getter is None:
        return None
    try:
        return str(getter(actor, target).reference)
    except NotFound:
        return None


def list_attachments(item: Item) -> QuerySet[Attachment]:
    """The files of an item already read through :func:`get_item`."""
    return item.attachments.all().order_by("uploaded_at", "pk")


def history(actor: Actor, item: Item) -> dict[str, Any]:
    """The audience changes and consent requests (with their decisions) of a readable item."""
    return {
        "changes": list(
            AudienceChange.objects.restrict(actor)
            .filter(item=item)
            .select_related("changed_by")
            .order_by("changed_at", "pk")
        ),
        "requests": list(
            ConsentRequest.objects.restrict(actor)
            .filter(item=item)
            .select_related("requested_by_party", "counterpart")
            .prefetch_related("decisions__party")
            .order_by("requested_at", "pk")
        ),
    }


def get_consent_request(actor: Actor, public_id: object) -> ConsentRequest:
    """A consent request of an item the reader may read (else ``NotFound``)."""
    found: ConsentRequest | None = (
        ConsentRequest.objects.restrict(actor)
        .select_related("item", "item__originator", "requested_by_party", "counterpart")
        .filter(public_id=_uuid(public_id))
        .first()
    )
    if found is None:
        raise NotFound()
    return found


def consent_inbox(actor: Actor) -> QuerySet[ConsentRequest]:
    """The pending requests that wait for the actor's party's answer, newest first."""
    code = actor.party_code
    if not code or actor.system:
        return ConsentRequest.objects.none()
    return (
        ConsentRequest.objects.restrict(actor)
        .filter(state=ConsentState.PENDING, consenters__contains=f"|{code}|")
        .exclude(decisions__party_id=actor.party_id)
        .select_related("item", "requested_by_party", "counterpart")
        .order_by("-requested_at", "-pk")
    )


def access_log(actor: Actor, item: Item) -> QuerySet[AccessLog]:
    """Who opened the item, newest first: for its originator's party (and the console)
    alone; anyone else gets ``NotFound``, as for an item that does not exist."""
    if not actor.system and actor.party_id != item.originator_id:
        raise NotFound()
    return AccessLog.objects.restrict(actor).filter(item=item).order_by("-opened_at", "-pk")


def arrangement_parties(actor: Actor) -> list[tuple[str, str]]:
    """(code, kind) of each party the current arrangement names: who may be named in a
    REL marking or a bilateral audience (the arrangement is data). Empty without one."""
    try:
        version = agreements.get_version(actor, None, None)
    except NotFound:
        return []
    return [(code, kind) for code, kind, _role in agreements.mechanism_parties(version)]


def tier_label(item: Item) -> Any:
    return TierChoices.label(item.tier)


def rel_codes(item: Item) -> list[str]:
    return decode(item.releasability)


def codes_of(items: Iterable[Item]) -> set[str]:
    return {c for i in items for c in decode(i.audience)}


def open_attachment(actor: Actor, item: Item, sha256: str, *, original: bool = False) -> Any:
    """(attachment, open file) of a readable item: the released copy for its audience,
    the sealed original for the originator's party only; anything else ``NotFound``."""
    from coordcell.incidents.evidence import open_sealed

    sha256 = str(sha256 or "")[:64]
    if not sha256 or (original and (actor.system or actor.party_id != item.originator_id)):
        raise NotFound()
    field = "sha256" if original else "copy_sha256"
    found = item.attachments.filter(**{field: sha256}).order_by("pk").first()
    if found is None:
        raise NotFound()
    return found, open_sealed(sha256, original=original)
