"""The only writer of the record."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coordcell.core import audience as audience_text
from coordcell.core.actor import Actor
from coordcell.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from coordcell.core.roles import PartyKindChoices, RoleChoices
from coordcell.record import event_types, note, reading
from coordcell.record.canonical import canonical_json, to_jsonable
from coordcell.record.events import EventType, get_event_type
from coordcell.record.keys import log_origin, log_signers
from coordcell.record.models import (
    Checkpoint,
    Cosignature,
    Entry,
    Head,
    ViewCheckpoint,
    ViewCosignature,
    Witness,
)
from coordcell.record.tree import append_leaf

__all__ = [
    "add_cosignature",
    "add_view_cosignature",
    "adopt_exercise_copy",
    "append_event",
    "chain_hash",
    "declare_exercise",
    "get_view_checkpoint",
    "issue_checkpoint",
    "register_witness",
    "retire_witness",
    "subject",
    "verify_chain",
    "view_checkpoint",
]


def subject(kind: str, public_id: object, label: str = "") -> dict[str, str]:
    """A reference to what an event is about, by type and public id."""
    ref = {"type": kind, "id": str(public_id)}
    if label:
        ref["label"] = label
    return ref


def declare_exercise(*, actor: Actor) -> bool:
    """Declare this cell an exercise before its first entry; True if it was not one yet.

    Only a console actor may (``coordcell demo``). A cell whose record already holds
    entries of a live log is refused: a live record cannot be turned into an exercise, so
    a drill's ``worker --now`` can never date entries or checkpoints in it
    (``coordcell exercise copy`` makes an exercise copy of it instead).
    """
    if not actor.system:
        raise PermissionDenied()
    with transaction.atomic():
        head, _created = Head.objects.select_for_update(no_key=True).get_or_create(pk=1)
        if head.exercise:
            return False
        if head.size:
            raise Conflict(
                _(
                    "This cell's record already holds %(size)d entries of a live log: it "
                    "cannot become an exercise. Use a new data directory, or make an "
                    "exercise copy of it (coordcell exercise copy DIR)."
                )
                % {"size": head.size}
            )
        Head.objects.filter(pk=1).update(exercise=True)
        log_signers.cache_clear()
        append_event(
            actor=actor,
            event_type=event_types.EXERCISE_DECLARED,
            data={"origin": log_origin()},
            audience=[audience_text.ALL_MEMBERS],
        )
    return True


def adopt_exercise_copy(*, actor: Actor, source: Mapping[str, Any]) -> None:
    """Make this database, a fresh copy of another cell's (``coordcell exercise copy``), an
    exercise, and record what it was copied from (``source``: origin, size, root).

    Called in the copy's own process, inside the caller's transaction (the command also
    pauses the copy's webhooks in it). Refused when the copy's head does not match the
    source it names: it is then not that fresh copy.
    """
    if not actor.system:
        raise PermissionDenied()
    head, _created = Head.objects.select_for_update(no_key=True).get_or_create(pk=1)
    if head.size != source.get("size") or head.root != source.get("root"):
        raise Conflict(
            _("This database is not the fresh copy the marker names: nothing was changed.")
        )
    Head.objects.filter(pk=1).update(exercise=True)
    log_signers.cache_clear()
    append_event(
        actor=actor,
        event_type=event_types.EXERCISE_COPY_ADOPTED,
        data={
            "copied_from": {k: source.get(k) for k in ("origin", "size", "root")},
            "origin": log_origin(),
        },
        audience=[audience_text.ALL_MEMBERS],
    )


def chain_hash(prev_hash: str, canonical: bytes) -> str:
    """hash_n = SHA-256(hash_{n-1} || canonical_n): each entry commits to all before it."""
    return hashlib.sha256(bytes.fromhex(prev_hash) + canonical).hexdigest()


def append_event(
    *,
    actor: Actor,
    event_type: EventType,
    data: Mapping[str, Any],
    subjects: Iterable[Mapping[str, str]] = (),
    audience: Iterable[str],
) -> Entry:
    """Append one event to the record, inside the caller's transaction.

    It must be called from within the service's ``transaction.atomic()`` block: the
    event and the change it describes commit together or not at all. ``audience`` has
    no default and may not be empty (``core.audience.EmptyAudience``): every event says
    who may read it, ``[ALL_MEMBERS]`` for every member.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("append_event must run inside the service's transaction")
    if get_event_type(event_type.code) is not event_type:
        raise KeyError(f"event type {event_type.code!r} is not registered")
    head, _created = Head.objects.select_for_update(no_key=True).get_or_create(pk=1)
    now = timezone.now()
    audience_codes = audience_text.normalise(audience)
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
        audience=audience_text.encode(audience_codes),
        subjects=subject_list,
        data=to_jsonable(dict(data)),
        canonical=canonical.decode("utf-8"),
        prev_hash=head.hash,
        hash=entry_hash,
    )
    root, leaf = append_leaf(head, entry, canonical)
    # The entry joins the view of each reader of its audience (ADR 0011): one
    # hash per view, kept in the head row this statement writes anyway.
    views = dict(head.views or {})
    reading.extend_views(views, reading.view_keys(audience_codes), leaf)
    Head.objects.filter(pk=1).update(
        size=entry.seq, hash=entry_hash, frontier=head.frontier, root=root, views=views
    )
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
    # No transaction: on SQLite one would hold the write lock for the whole walk. The
    # entries up to the head read first never change, so reading them is consistent.
    size = Head.objects.filter(pk=1).values_list("size", flat=True).first() or 0
    for entry in Entry.objects.filter(seq__lte=size).order_by("seq").iterator(chunk_size=2000):
        if (
            entry.seq != expected_seq
            or entry.prev_hash != prev
            or chain_hash(prev, entry.canonical.encode("utf-8")) != entry.hash
            or not _columns_match(entry)
        ):
            return expected_seq
        prev = entry.hash
        expected_seq += 1
    return expected_seq if expected_seq <= size else None


# --- checkpoints and witnesses ---------------------------------------------------------
#
# Checkpoints and cosignatures are signed statements *about* the record, so they are not
# record events themselves (each would change the tree it describes; ADR 0007). They are
# kept in append-only tables and travel with every export. Registering or retiring a
# witness changes whom the cell trusts, and is recorded like any other change.


def issue_checkpoint(*, now: dt.datetime | None = None, force: bool = False) -> Checkpoint | None:
    """Sign and store a checkpoint of the current tree when one is due; return it or None.

    Due: there are events no checkpoint covers yet, and either ``COORDCELL_CHECKPOINT_EVENTS``
    of them or ``COORDCELL_CHECKPOINT_MINUTES`` have passed since the last (or ``force``).
    Safe to call from several workers at once: the head's row lock and the unique size
    make a second caller find nothing to do.
    """
    now = now or timezone.now()
    signers = log_signers()
    with transaction.atomic():
        head = Head.objects.select_for_update(no_key=True).get(pk=1)
        last = Checkpoint.objects.order_by("-size").first()
        if head.size == 0 or (last is not None and last.size >= head.size):
            return None
        due = (
            force
            or last is None
            or head.size - last.size >= settings.CHECKPOINT_EVERY_EVENTS
            or now - last.issued_at >= dt.timedelta(minutes=settings.CHECKPOINT_EVERY_MINUTES)
        )
        if not due:
            return None
        body = note.Checkpoint(
            origin=signers[0].name, size=head.size, root=bytes.fromhex(head.root)
        ).body()
        checkpoint = Checkpoint.objects.create(
            size=head.size,
            root=head.root,
            origin=signers[0].name,
            note=note.sign_note(body, signers),
            issued_at=now,
        )
        _sign_views(checkpoint, head, signers)
        return checkpoint


def _view_note(
    checkpoint: Checkpoint,
    views: Mapping[str, reading.View | None],
    reader: str,
    signers: Sequence[note.Signer],
) -> str:
    body = note.Checkpoint(
        origin=checkpoint.origin,
        size=checkpoint.size,
        root=bytes.fromhex(checkpoint.root),
        extensions=reading.view_lines(views, reader),
    ).body()
    return str(note.sign_note(body, signers))


def _sign_views(checkpoint: Checkpoint, head: Head, signers: Sequence[note.Signer]) -> None:
    """Sign every reader's view at ``checkpoint``, whose size must be the locked head's.

    One note for the every-member view alone (``*``; its presence marks the checkpoint's
    views as signed) and one for each party an entry was ever addressed to. A party that
    none was addressed to yet gets its (empty) view when it first asks for it.
    """
    assert head.size == checkpoint.size
    views = reading.current_views(head.views or {})
    readers = [reading.EVERY_MEMBER, *sorted(k for k in views if k != reading.EVERY_MEMBER)]
    ViewCheckpoint.objects.bulk_create(
        [
            ViewCheckpoint(
                checkpoint=checkpoint, reader=r, note=_view_note(checkpoint, views, r, signers)
            )
            for r in readers
        ],
        ignore_conflicts=True,
    )


def view_checkpoint(checkpoint: Checkpoint, reader: str) -> ViewCheckpoint | None:
    """``reader``'s view of ``checkpoint`` (``reader`` a party code), signed; None if it
    cannot be known any more (a checkpoint issued before views, with the log grown since).

    Views are signed with their checkpoint; a party no entry was addressed to by then has
    an empty view, signed here on first request.
    """
    found = ViewCheckpoint.objects.filter(checkpoint=checkpoint, reader=reader).first()
    if found is not None:
        return found
    with transaction.atomic():
        head = Head.objects.select_for_update(no_key=True).get(pk=1)
        every = ViewCheckpoint.objects.filter(
            checkpoint=checkpoint, reader=reading.EVERY_MEMBER
        ).first()
        signers = log_signers()
        if every is None:
            if head.size != checkpoint.size:
                return None
            _sign_views(checkpoint, head, signers)  # a checkpoint from before views
            every = ViewCheckpoint.objects.get(checkpoint=checkpoint, reader=reading.EVERY_MEMBER)
        if not ViewCheckpoint.objects.filter(checkpoint=checkpoint, reader=reader).exists():
            shared = note.parse_checkpoint(note.parse_note(every.note).text).extensions
            views = reading.parse_view_lines(shared)[reading.EVERY_MEMBER]
            ViewCheckpoint.objects.get_or_create(
                checkpoint=checkpoint,
                reader=reader,
                defaults={
                    "note": _view_note(
                        checkpoint,
                        {reading.EVERY_MEMBER: views, reader: None},
                        reader,
                        signers,
                    )
                },
            )
    return ViewCheckpoint.objects.filter(checkpoint=checkpoint, reader=reader).first()


def _require_party_admin(actor: Actor) -> tuple[int, str]:
    """The (id, code) of the actor's party, if the actor administers it for the cell."""
    if actor.system or not actor.party_id or not actor.has_role(RoleChoices.CELL_ADMINISTRATOR):
        raise PermissionDenied(_("Only a party's own cell administrators manage its witnesses."))
    if actor.party_kind == PartyKindChoices.KIND_DONOR:
        raise PermissionDenied(_("A donor's identity is confidential; donors run no witness."))
    return actor.party_id, actor.party_code or ""


@transaction.atomic
def register_witness(*, actor: Actor, vkey: str) -> Witness:
    """Register the verifier key of a witness that speaks for the actor's own party."""
    party_id, party_code = _require_party_admin(actor)
    vkey = (vkey or "").strip()
    try:
        verifier = note.Verifier.from_vkey(vkey)
    except note.NoteError as exc:
        raise ValidationFailed(
            {"vkey": [_("Not a signed-note verifier key: %(reason)s") % {"reason": exc}]}
        ) from None
    if verifier.alg != note.ALG_COSIGNATURE_V1:
        raise ValidationFailed(
            {"vkey": [_("A witness key must be an Ed25519 cosignature key (type 0x04).")]}
        )
    if verifier.name == log_origin() or Witness.objects.filter(vkey=verifier.vkey).exists():
        raise ValidationFailed({"vkey": [_("This key is already in use.")]})
    if Witness.objects.filter(name=verifier.name).exists():
        # Names identify witnesses on every page and in every bundle: one name, one witness.
        raise ValidationFailed({"vkey": [_("Another witness already has this name.")]})
    witness = Witness.objects.create(
        party_id=party_id, name=verifier.name, vkey=verifier.vkey, registered_at=timezone.now()
    )
    append_event(
        actor=actor,
        event_type=event_types.WITNESS_REGISTERED,
        data={"party": party_code, "name": verifier.name, "vkey": verifier.vkey},
        subjects=[subject("record.witness", witness.public_id, verifier.name)],
        audience=[audience_text.ALL_MEMBERS],  # every member relies on the witnesses
    )
    return witness


@transaction.atomic
def retire_witness(*, actor: Actor, witness: Witness) -> Witness:
    """Stop accepting cosignatures from a witness of the actor's own party."""
    party_id, party_code = _require_party_admin(actor)
    if witness.party_id != party_id:
        raise PermissionDenied(_("Only a party's own cell administrators manage its witnesses."))
    if witness.retired_at is not None:
        raise ValidationFailed(_("This witness is already retired."))
    witness.retired_at = timezone.now()
    Witness.objects.filter(pk=witness.pk).update(retired_at=witness.retired_at)
    append_event(
        actor=actor,
        event_type=event_types.WITNESS_RETIRED,
        data={"party": party_code, "name": witness.name, "vkey": witness.vkey},
        subjects=[subject("record.witness", witness.public_id, witness.name)],
        audience=[audience_text.ALL_MEMBERS],
    )
    return witness


#: How far in the future a cosignature's timestamp may be (clock skew).
MAX_COSIGNATURE_SKEW = dt.timedelta(minutes=10)


def _check_cosignature(
    actor: Actor, body: str, line: str, size: int
) -> tuple[Witness, str, dt.datetime, dt.datetime]:
    """The actor's party's active witness whose key made ``line`` over ``body``, the line,
    when it was signed and received; the errors of :func:`add_cosignature` otherwise."""
    if actor.system or actor.party_id is None:
        raise PermissionDenied()
    line = (line or "").strip("\n") + "\n"
    try:
        signature = note.parse_note(body + "\n" + line).signatures[0]
    except (note.NoteError, IndexError):
        raise ValidationFailed(
            {"signature": [_("Not a signed-note signature line ('— name base64').")]}
        ) from None
    candidates = [
        (w, note.Verifier.from_vkey(w.vkey))
        for w in Witness.objects.filter(party_id=actor.party_id, retired_at__isnull=True)
    ]
    matching = [
        (w, v) for w, v in candidates if v.name == signature.name and v.key_id == signature.key_id
    ]
    if not matching:
        raise PermissionDenied(_("No active witness of your party has this key."))
    witness, verifier = matching[0]
    timestamp = note.verify_cosignature(body, signature, verifier)
    if timestamp is None:
        raise Conflict(
            _("This cosignature does not sign this log's checkpoint of size %(size)s.")
            % {"size": size}
        )
    signed_at = dt.datetime.fromtimestamp(timestamp, tz=dt.UTC)
    received_at = timezone.now()
    if signed_at > received_at + MAX_COSIGNATURE_SKEW:
        raise ValidationFailed({"signature": [_("The cosignature's time is in the future.")]})
    return witness, signature.line, signed_at, received_at


@transaction.atomic
def add_cosignature(*, actor: Actor, size: int, line: str) -> tuple[Cosignature, bool]:
    """Accept a witness's cosignature of the checkpoint of ``size``; return (it, created).

    Posting the same witness's cosignature again changes nothing.

    The actor must belong to the party of an active witness whose key made the
    signature. A signature of any other tree (a fork) is refused with ``Conflict``.
    """
    if actor.system or not actor.party_id:
        raise PermissionDenied()
    checkpoint = Checkpoint.objects.filter(size=size).first()
    if checkpoint is None:
        raise NotFound()
    body = note.parse_note(checkpoint.note).text
    witness, line, signed_at, received_at = _check_cosignature(actor, body, line, size)
    existing = Cosignature.objects.filter(checkpoint=checkpoint, witness=witness).first()
    if existing is not None:
        return existing, False
    cosignature = Cosignature.objects.create(
        checkpoint=checkpoint,
        witness=witness,
        signed_at=signed_at,
        line=line,
        received_at=received_at,
    )
    return cosignature, True


def get_view_checkpoint(actor: Actor, size: int) -> ViewCheckpoint:
    """The actor's party's view of the checkpoint of ``size`` (NotFound for anyone else:
    the console and members of no party have no view)."""
    if actor.system or not actor.party_code:
        raise NotFound()
    checkpoint = Checkpoint.objects.filter(size=size).first()
    view = view_checkpoint(checkpoint, actor.party_code) if checkpoint is not None else None
    if view is None:
        raise NotFound()
    return view


@transaction.atomic
def add_view_cosignature(*, actor: Actor, size: int, line: str) -> tuple[ViewCosignature, bool]:
    """Accept a witness's cosignature of its own party's view at ``size`` (ADR 0011);
    the same rules and answers as :func:`add_cosignature`."""
    if actor.system or not actor.party_id:
        raise PermissionDenied()
    view = get_view_checkpoint(actor, size)
    body = note.parse_note(view.note).text
    witness, line, signed_at, received_at = _check_cosignature(actor, body, line, size)
    existing = ViewCosignature.objects.filter(view=view, witness=witness).first()
    if existing is not None:
        return existing, False
    cosignature = ViewCosignature.objects.create(
        view=view, witness=witness, signed_at=signed_at, line=line, received_at=received_at
    )
    return cosignature, True
