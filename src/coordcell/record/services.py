"""The only writer of the record."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from coordcell.core.actor import Actor
from coordcell.record.canonical import canonical_json, to_jsonable
from coordcell.record.events import EventType, get_event_type
from coordcell.record.models import Entry, Head

__all__ = ["append_event", "chain_hash", "subject", "verify_chain"]


def subject(kind: str, public_id: object, label: str = "") -> dict[str, str]:
    """A reference to what an event is about, by type and public id."""
    ref = {"type": kind, "id": str(public_id)}
    if label:
        ref["label"] = label
    return ref


def chain_hash(prev_hash: str, canonical: bytes) -> str:
    """hash_n = SHA-256(hash_{n-1} || canonical_n): each entry commits to all before it."""
    return hashlib.sha256(bytes.fromhex(prev_hash) + canonical).hexdigest()


def append_event(
    *,
    actor: Actor,
    event_type: EventType,
    data: Mapping[str, Any],
    subjects: Iterable[Mapping[str, str]] = (),
    audience: Iterable[str] = (),
) -> Entry:
    """Append one event to the record, inside the caller's transaction.

    It must be called from within the service's ``transaction.atomic()`` block: the
    event and the change it describes commit together or not at all.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("append_event must run inside the service's transaction")
    if get_event_type(event_type.code) is not event_type:
        raise KeyError(f"event type {event_type.code!r} is not registered")
    head, _created = Head.objects.select_for_update().get_or_create(pk=1)
    now = timezone.now()
    audience_codes = sorted(set(audience))
    subject_list = [dict(s) for s in subjects]
    payload = {
        "seq": head.size + 1,
        "type": event_type.code,
        "time": now,
        "actor": {
            "name": actor.name,
            "user": str(actor.user.public_id) if actor.user is not None else None,
        },
        "party": actor.party_code,
        "audience": audience_codes,
        "subjects": subject_list,
        "data": dict(data),
    }
    canonical = canonical_json(payload)
    entry_hash = chain_hash(head.hash, canonical)
    entry = Entry.objects.create(
        seq=head.size + 1,
        event_type=event_type.code,
        occurred_at=now,
        actor_user=actor.user,
        actor_name=actor.name,
        party_code=actor.party_code or "",
        audience="".join(f"|{c}" for c in audience_codes) + "|" if audience_codes else "",
        subjects=subject_list,
        data=to_jsonable(dict(data)),
        canonical=canonical.decode("utf-8"),
        prev_hash=head.hash,
        hash=entry_hash,
    )
    Head.objects.filter(pk=1).update(size=entry.seq, hash=entry_hash)
    return entry


def _columns_match(entry: Entry) -> bool:
    """The stored columns must say what the hashed canonical JSON says."""
    try:
        doc = json.loads(entry.canonical)
    except ValueError:
        return False
    return bool(
        doc.get("seq") == entry.seq
        and doc.get("type") == entry.event_type
        and doc.get("data") == entry.data
        and doc.get("party") == (entry.party_code or None)
        and doc.get("audience") == entry.audience_codes
        and doc.get("subjects") == entry.subjects
        and doc.get("actor", {}).get("name") == entry.actor_name
    )


def verify_chain() -> int | None:
    """Recompute the chain; return the seq of the first entry that fails, or None.

    An entry fails when its stored columns differ from its canonical JSON, when its
    hash does not follow from the previous one, or when a sequence number is missing.
    """
    prev = "0" * 64
    expected_seq = 1
    with transaction.atomic():
        for entry in Entry.objects.order_by("seq").iterator():
            if (
                entry.seq != expected_seq
                or entry.prev_hash != prev
                or chain_hash(prev, entry.canonical.encode("utf-8")) != entry.hash
                or not _columns_match(entry)
            ):
                return expected_seq
            prev = entry.hash
            expected_seq += 1
    return None
