"""Proposals and commitments: one service per intent (permission → validation of
everything → rows → record entry, in one transaction).

Who does what:

- a party's principals and liaison officers, and the mediator's, table proposals and
  their versions; a *deciding* party's (the parties of kind "party" in the proposal's
  audience) take their party's position on a version: accept, reject or counter;
- when every deciding party has accepted the same version it is agreed, once; nothing
  more is tabled or answered on the proposal after that;
- the mediator's principals and liaison officers make commitments and confidence-
  building measures from the agreed version; monitors and the mediator verify their
  indicators; a deciding party proposes a new due date and the others agree it; each
  deciding party (and the mediator) records its own assessment;
- the worker records a deadline missed, once (``miss_due``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coordcell.agreements import selectors as agreements
from coordcell.agreements.engines import engine_for
from coordcell.core.actor import Actor
from coordcell.core.audience import ALL_MEMBERS, encode, normalise
from coordcell.core.errors import Conflict, PermissionDenied, ValidationFailed
from coordcell.core.models import new_reference
from coordcell.parties import selectors as parties
from coordcell.parties.choices import PartyKindChoices, RoleChoices
from coordcell.proposals import events
from coordcell.proposals.changes import clean_change
from coordcell.proposals.choices import (
    CommitmentKindChoices,
    DeadlineOutcomeChoices,
    ExtensionStateChoices,
    StanceChoices,
)
from coordcell.proposals.models import (
    Assessment,
    Commitment,
    CommitmentDeadline,
    Extension,
    Indicator,
    Proposal,
    ProposalVersion,
    Stance,
)
from coordcell.record.services import append_event, subject
from coordcell.rules.arrangement import talks_from_content

__all__ = [
    "LANGUAGES",
    "MAX_INDICATORS",
    "add_version",
    "agree_extension",
    "assess_commitment",
    "create_commitment",
    "deciding_codes",
    "may_manage",
    "may_speak",
    "may_verify",
    "miss_due",
    "propose_extension",
    "table_proposal",
    "take_stance",
    "verify_indicator",
]

LANGUAGES = ("ar", "he", "en")
TITLE_MAX = 200
TEXT_MAX = 20_000
SHORT_MAX = 4_000
TRACK_MAX = 80
MAX_INDICATORS = 20
#: A due date lies at most this far ahead.
MAX_DUE_DAYS = 3650

_SPEAKERS = (RoleChoices.PRINCIPAL, RoleChoices.LIAISON_OFFICER)
MAY_NOT_SPEAK = gettext_lazy("Only a party's principals and liaison officers do this.")
MAY_NOT_MANAGE = gettext_lazy("Only the mediator's principals and liaison officers do this.")
MAY_NOT_VERIFY = gettext_lazy("Only a monitor or the mediator verifies an indicator.")


# --- who --------------------------------------------------------------------------------


def may_speak(actor: Actor) -> bool:
    """A party's or the mediator's principals and liaison officers (and the console)."""
    return actor.system or (
        actor.party_kind in (PartyKindChoices.KIND_PARTY, PartyKindChoices.KIND_MEDIATOR)
        and any(actor.has_role(r) for r in _SPEAKERS)
    )


def may_manage(actor: Actor) -> bool:
    """The mediator's principals and liaison officers (and the console)."""
    return actor.system or (
        actor.party_kind == PartyKindChoices.KIND_MEDIATOR
        and any(actor.has_role(r) for r in _SPEAKERS)
    )


def may_verify(actor: Actor) -> bool:
    if may_manage(actor):
        return True
    return actor.party_kind == PartyKindChoices.KIND_MONITOR and actor.has_role(RoleChoices.MONITOR)


def deciding_codes(audience: Iterable[str]) -> list[str]:
    """The parties (kind "party") whose acceptance agrees a version: those in the
    audience, or every one when the audience is every member."""
    codes = set(audience)
    return sorted(
        p.code
        for p in parties.parties_of_kinds([PartyKindChoices.KIND_PARTY])
        if ALL_MEMBERS in codes or p.code in codes
    )


def _mediators() -> list[str]:
    return [p.code for p in parties.parties_of_kinds([PartyKindChoices.KIND_MEDIATOR])]


def _own_party(actor: Actor) -> Any:
    party = parties.party_of(actor)
    if party is None:
        raise PermissionDenied(MAY_NOT_SPEAK)
    return party


def _record(
    actor: Actor, event: Any, proposal: Proposal, what: tuple[str, Any, str], **data: Any
) -> None:
    kind, public_id, label = what
    append_event(
        actor=actor,
        event_type=event,
        data={"proposal": proposal.reference, **data},
        subjects=[
            subject("proposal", proposal.public_id, proposal.reference),
            *([subject(kind, public_id, label)] if kind != "proposal" else []),
        ],
        audience=proposal.audience_codes,
    )


# --- edge validation --------------------------------------------------------------------


def _text(
    value: Any, field: str, errors: dict[str, list[str]], *, limit: int, required: bool = True
) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if "\x00" in text:
        errors[field] = [_("The text holds a character that is not allowed.")]
        return ""
    if required and not text:
        errors[field] = [_("This field is required.")]
    elif len(text) > limit:
        errors[field] = [_("At most %(n)s characters.") % {"n": limit}]
    return text


def _language(value: Any, errors: dict[str, list[str]]) -> str:
    if value not in LANGUAGES:
        errors["language"] = [_("Choose Arabic, Hebrew or English.")]
        return ""
    return str(value)


def _due(value: Any, field: str, errors: dict[str, list[str]], now: dt.datetime) -> dt.datetime:
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            value = None
    if not isinstance(value, dt.datetime) or value.tzinfo is None:
        errors[field] = [_("Give a date and time with its offset from UTC.")]
        return now
    if value <= now:
        errors[field] = [_("The due date is in the past.")]
    elif value > now + dt.timedelta(days=MAX_DUE_DAYS):
        errors[field] = [_("The due date is more than ten years ahead.")]
    return value


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- proposals ----------------------------------------------------------------------------


def track_ids(version: Any) -> tuple[str, ...]:
    """The talks' tracks the arrangement states (``[talks]``), in its order; none: any
    track is taken as given."""
    spec = talks_from_content(version.content.get("talks"))
    return tuple(t.id for t in spec.tracks) if spec else ()


def table_proposal(
    *,
    actor: Actor,
    title: Any,
    track: Any,
    text: Any,
    language: Any,
    audience: Any,
    change: Any = None,
    fictional: bool = False,
) -> Proposal:
    """A party or the mediator tables a proposal and its first version. ``audience`` is
    explicit (party codes, or every member): the author's party and the mediators always
    read it; its deciding parties are the parties of kind "party" among them."""
    if not may_speak(actor):
        raise PermissionDenied(MAY_NOT_SPEAK)
    author = _own_party(actor)
    errors: dict[str, list[str]] = {}
    clean_title = _text(title, "title", errors, limit=TITLE_MAX)
    clean_track = _text(track, "track", errors, limit=TRACK_MAX)
    clean_text = _text(text, "text", errors, limit=TEXT_MAX)
    lang = _language(language, errors)
    known = {p.code for p in parties.list_parties(Actor.console("proposals"))}
    codes: list[str] = []
    if (
        not isinstance(audience, list | tuple)
        or not audience
        or not all(isinstance(c, str) for c in audience)
    ):
        errors["audience"] = [_("Say who reads the proposal.")]
    elif any(c not in known and c != ALL_MEMBERS for c in audience):
        errors["audience"] = [_("Unknown party.")]
    else:
        codes = normalise([*audience, author.code, *_mediators()])
    deciding = deciding_codes(codes) if codes else []
    if codes and not deciding:
        errors["audience"] = [_("Name at least one party that decides on the proposal.")]
    version = agreements.get_version(Actor.console("proposals"), None, None)
    tracks = track_ids(version)
    if clean_track and tracks and clean_track not in tracks:
        errors["track"] = [_("Not a track of the arrangement.")]
    clean = _change(change, version, errors)
    if errors:
        raise ValidationFailed(errors)
    now = timezone.now()
    with transaction.atomic():
        proposal = Proposal.objects.create(
            reference=new_reference("PRP"),
            base_version=version,
            track=clean_track,
            title=clean_title,
            author_party=author,
            deciding=deciding,
            created_by=actor.user,
            created_at=now,
            audience=encode(codes),
            fictional=fictional,
        )
        ProposalVersion.objects.create(
            proposal=proposal, number=1, text=clean_text, language=lang, change=clean,
            author_party=author, created_by=actor.user, created_at=now,
        )  # fmt: skip
        _record(
            actor, events.PROPOSAL_TABLED, proposal, ("proposal", proposal.public_id, ""),
            title=clean_title, track=clean_track, deciding=deciding, version=1,
            text_sha256=text_hash(clean_text), language=lang, change=clean,
        )  # fmt: skip
    return proposal


def _change(value: Any, version: Any, errors: dict[str, list[str]]) -> list[dict[str, Any]]:
    try:
        return clean_change(value, engine_for(version).arrangement.content)
    except ValidationFailed as exc:
        errors.update(exc.fields)
        return []


def _lock(proposal: Proposal) -> Proposal:
    locked: Proposal = Proposal.objects.select_for_update(no_key=True).get(pk=proposal.pk)
    return locked


def add_version(
    *, actor: Actor, proposal: Proposal, text: Any, language: Any, change: Any = None
) -> ProposalVersion:
    """A deciding party or the mediator tables the next version (refused once agreed)."""
    if not may_speak(actor):
        raise PermissionDenied(MAY_NOT_SPEAK)
    party = _own_party(actor)
    if not (party.code in proposal.deciding or actor.party_kind == PartyKindChoices.KIND_MEDIATOR):
        raise PermissionDenied(MAY_NOT_SPEAK)
    errors: dict[str, list[str]] = {}
    clean_text = _text(text, "text", errors, limit=TEXT_MAX)
    lang = _language(language, errors)
    clean = _change(change, proposal.base_version, errors)
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        locked = _lock(proposal)
        if locked.agreed_version_id is not None:
            raise Conflict(_("This proposal is agreed: nothing more is tabled on it."))
        last = locked.versions.order_by("-number").first()
        number = (last.number if last else 0) + 1
        version = ProposalVersion.objects.create(
            proposal=locked, number=number, text=clean_text, language=lang, change=clean,
            author_party=party, created_by=actor.user, created_at=timezone.now(),
        )  # fmt: skip
        _record(
            actor, events.VERSION_TABLED, locked,
            ("proposal_version", version.public_id, f"v{number}"),
            version=number, text_sha256=text_hash(clean_text), language=lang, change=clean,
        )  # fmt: skip
    return version


def take_stance(*, actor: Actor, version: ProposalVersion, stance: Any, text: Any = "") -> Stance:
    """A deciding party's position on the proposal's latest version, once, on the
    record; when every deciding party has accepted it, the version is agreed (once)."""
    if not may_speak(actor) or actor.system:
        raise PermissionDenied(MAY_NOT_SPEAK)
    party = _own_party(actor)
    proposal = version.proposal
    if party.code not in proposal.deciding:
        raise PermissionDenied(_("Only a party that decides on the proposal takes a position."))
    errors: dict[str, list[str]] = {}
    if stance not in StanceChoices.values():
        errors["stance"] = [_("Accept, reject or counter.")]
    clean_text = _text(text, "text", errors, limit=SHORT_MAX, required=stance == "counter")
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        locked = _lock(proposal)
        if locked.agreed_version_id is not None:
            raise Conflict(_("This proposal is agreed: positions are closed."))
        latest = locked.versions.order_by("-number").first()
        if latest is None or latest.pk != version.pk:
            raise Conflict(_("A later version has been tabled: take a position on it."))
        if Stance.objects.filter(version=version, party=party).exists():
            raise Conflict(_("Your party has taken its position on this version."))
        now = timezone.now()
        row = Stance.objects.create(
            version=version, party=party, stance=stance, text=clean_text,
            given_by=actor.user, given_at=now,
        )  # fmt: skip
        _record(
            actor, events.STANCE_TAKEN, locked,
            ("proposal_version", version.public_id, f"v{version.number}"),
            version=version.number, party=party.code, stance=stance,
            text_sha256=text_hash(clean_text) if clean_text else "",
        )  # fmt: skip
        accepted = set(
            Stance.objects.filter(version=version, stance=StanceChoices.ACCEPT).values_list(
                "party__code", flat=True
            )
        )
        if set(locked.deciding) <= accepted:
            locked.agreed_version = version
            locked.agreed_at = now
            locked.save(update_fields=["agreed_version", "agreed_at"])
            _record(
                actor, events.PROPOSAL_AGREED, locked,
                ("proposal_version", version.public_id, f"v{version.number}"),
                version=version.number, agreed_at=now.isoformat(), parties=sorted(accepted),
                text_sha256=text_hash(version.text),
            )  # fmt: skip
    return row


# --- commitments ----------------------------------------------------------------------


def create_commitment(
    *,
    actor: Actor,
    proposal: Proposal,
    title: Any,
    owner: Any,
    due_at: Any,
    indicators: Any,
    description: Any = "",
    kind: Any = CommitmentKindChoices.COMMITMENT,
) -> Commitment:
    """The mediator makes a commitment (or confidence-building measure) from the agreed
    version of ``proposal``: its owner (a deciding party), due date and indicators."""
    if not may_manage(actor):
        raise PermissionDenied(MAY_NOT_MANAGE)
    if proposal.agreed_version_id is None:
        raise Conflict(_("Commitments are made from an agreed version only."))
    now = timezone.now()
    errors: dict[str, list[str]] = {}
    clean_title = _text(title, "title", errors, limit=TITLE_MAX)
    clean_description = _text(description, "description", errors, limit=SHORT_MAX, required=False)
    if kind not in CommitmentKindChoices.values():
        errors["kind"] = [_("A commitment or a confidence-building measure.")]
    if owner not in proposal.deciding:
        errors["owner"] = [_("The owner is a party that decided on the proposal.")]
    due = _due(due_at, "due_at", errors, now)
    texts: list[str] = []
    if not isinstance(indicators, list | tuple) or not 1 <= len(indicators) <= MAX_INDICATORS:
        errors["indicators"] = [
            _("Give from 1 to %(n)s verification indicators.") % {"n": MAX_INDICATORS}
        ]
    else:
        for item in indicators:
            sub: dict[str, list[str]] = {}
            texts.append(_text(item, "indicators", sub, limit=300))
            errors.update(sub)
    if errors:
        raise ValidationFailed(errors)
    owner_party = next(
        p for p in parties.parties_of_kinds([PartyKindChoices.KIND_PARTY]) if p.code == owner
    )
    with transaction.atomic():
        locked = _lock(proposal)
        agreed = locked.agreed_version
        assert agreed is not None
        commitment = Commitment.objects.create(
            reference=new_reference("CMT"), proposal=locked, version=agreed,
            kind=kind, title=clean_title, description=clean_description, owner=owner_party,
            created_by=actor.user, created_at=now,
        )  # fmt: skip
        Indicator.objects.bulk_create(Indicator(commitment=commitment, text=t) for t in texts)
        CommitmentDeadline.objects.create(commitment=commitment, due_at=due, opened_at=now)
        _record(
            actor, events.COMMITMENT_CREATED, locked,
            ("commitment", commitment.public_id, commitment.reference),
            commitment=commitment.reference, kind=kind, owner=owner, due_at=due.isoformat(),
            indicators=texts, title=clean_title,
        )  # fmt: skip
    return commitment


def _lock_commitment(commitment_id: int) -> None:
    """Lock the commitment's row, first: every transaction that changes its deadline or
    its extensions (proposing, agreeing, the last indicator verified, the worker's miss)
    then queues on it. Taken in their own orders — the running deadline then the pending
    extension, the extension then the deadline, the record's head then the deadline — they
    deadlocked on PostgreSQL. ``FOR NO KEY UPDATE``: a plain ``FOR UPDATE`` would also block
    the key-share lock that the check of a new row referring to the commitment (an
    assessment: Django's foreign keys are checked at commit on PostgreSQL) takes, and so
    deadlock with a transaction that wrote such a row and waits for the record's head."""
    Commitment.objects.select_for_update(no_key=True).filter(pk=commitment_id).first()


def _lapse_open(commitment: Commitment, now: dt.datetime) -> None:
    open_ones = Extension.objects.filter(
        commitment=commitment, state=ExtensionStateChoices.PROPOSED
    )
    open_ones.update(state=ExtensionStateChoices.LAPSED, closed_at=now)


def _running(commitment: Commitment) -> CommitmentDeadline | None:
    return (
        # The deadline's row alone (its ordering joins the commitment, which a plain
        # lock would take ``FOR UPDATE`` too: see ``_lock_commitment``).
        CommitmentDeadline.objects.select_for_update(of=("self",), no_key=True)
        .filter(commitment=commitment, outcome="")
        .first()
    )


def verify_indicator(*, actor: Actor, indicator: Indicator, evidence: Any) -> Indicator:
    """A monitor or the mediator verifies an indicator (once), stating the evidence.
    When it is the last one, a running deadline not yet due ends met."""
    if not may_verify(actor):
        raise PermissionDenied(MAY_NOT_VERIFY)
    errors: dict[str, list[str]] = {}
    clean = _text(evidence, "evidence", errors, limit=SHORT_MAX)
    if errors:
        raise ValidationFailed(errors)
    commitment = indicator.commitment
    with transaction.atomic():
        _lock_commitment(commitment.pk)
        now = timezone.now()
        claimed = Indicator.objects.filter(pk=indicator.pk, verified_at=None).update(
            verified_at=now, verified_by=actor.user, verifier_party_id=actor.party_id,
            evidence=clean,
        )  # fmt: skip
        if not claimed:
            raise Conflict(_("This indicator has been verified."))
        _record(
            actor, events.INDICATOR_VERIFIED, commitment.proposal,
            ("commitment", commitment.public_id, commitment.reference),
            commitment=commitment.reference, indicator=indicator.text,
            evidence_sha256=text_hash(clean),
        )  # fmt: skip
        if not Indicator.objects.filter(commitment=commitment, verified_at=None).exists():
            deadline = _running(commitment)
            if deadline is not None and now <= deadline.due_at:
                deadline.outcome = DeadlineOutcomeChoices.MET
                deadline.closed_at = now
                deadline.save(update_fields=["outcome", "closed_at"])
                _record(
                    actor, events.DEADLINE_MET, commitment.proposal,
                    ("commitment", commitment.public_id, commitment.reference),
                    commitment=commitment.reference, due_at=deadline.due_at.isoformat(),
                )  # fmt: skip
    indicator.refresh_from_db()
    return indicator


def propose_extension(
    *, actor: Actor, commitment: Commitment, new_due_at: Any, reason: Any
) -> Extension:
    """A deciding party proposes a later due date for the running deadline; it counts as
    that party's agreement."""
    if not may_speak(actor) or actor.system:
        raise PermissionDenied(MAY_NOT_SPEAK)
    party = _own_party(actor)
    proposal = commitment.proposal
    if party.code not in proposal.deciding:
        raise PermissionDenied(_("Only a party that decided on the proposal does this."))
    now = timezone.now()
    errors: dict[str, list[str]] = {}
    clean_reason = _text(reason, "reason", errors, limit=SHORT_MAX)
    due = _due(new_due_at, "new_due_at", errors, now)
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        _lock_commitment(commitment.pk)
        deadline = _running(commitment)
        if deadline is None:
            raise Conflict(_("No deadline of this commitment is running."))
        if due <= deadline.due_at:
            raise ValidationFailed({"new_due_at": [_("The new date is after the current one.")]})
        _lapse_open(commitment, now)
        extension = Extension.objects.create(
            commitment=commitment, new_due_at=due, reason=clean_reason, proposed_by=party,
            agreed_by=[party.code], created_at=now,
        )  # fmt: skip
        _record(
            actor, events.EXTENSION_PROPOSED, proposal,
            ("commitment", commitment.public_id, commitment.reference),
            commitment=commitment.reference, new_due_at=due.isoformat(), party=party.code,
        )  # fmt: skip
        # The only deciding party has agreed by proposing: the new date applies at once.
        if _apply_if_agreed(extension, deadline, now):
            extension.save(update_fields=["state", "closed_at"])
            _record(
                actor, events.DEADLINE_EXTENDED, proposal,
                ("commitment", commitment.public_id, commitment.reference),
                commitment=commitment.reference, new_due_at=due.isoformat(),
                agreed_by=list(extension.agreed_by),
            )  # fmt: skip
    return extension


def _apply_if_agreed(extension: Extension, deadline: CommitmentDeadline, now: Any) -> bool:
    """When every deciding party has agreed the extension, the running deadline ends
    "extended" and the new one opens (the caller saves the extension and records it)."""
    commitment = extension.commitment
    if not set(commitment.proposal.deciding) <= set(extension.agreed_by):
        return False
    extension.state = ExtensionStateChoices.AGREED
    extension.closed_at = now
    deadline.outcome = DeadlineOutcomeChoices.EXTENDED
    deadline.closed_at = now
    deadline.save(update_fields=["outcome", "closed_at"])
    CommitmentDeadline.objects.create(
        commitment=commitment, due_at=extension.new_due_at, opened_at=now
    )
    return True


def agree_extension(*, actor: Actor, extension: Extension) -> Extension:
    """Another deciding party agrees the new date; when all have, the running deadline
    ends "extended by both parties" and the new one opens."""
    if not may_speak(actor) or actor.system:
        raise PermissionDenied(MAY_NOT_SPEAK)
    party = _own_party(actor)
    commitment = extension.commitment
    proposal = commitment.proposal
    if party.code not in proposal.deciding:
        raise PermissionDenied(_("Only a party that decided on the proposal does this."))
    with transaction.atomic():
        _lock_commitment(commitment.pk)
        locked: Extension = Extension.objects.select_for_update(no_key=True).get(pk=extension.pk)
        if locked.state != ExtensionStateChoices.PROPOSED:
            raise Conflict(_("This extension is no longer open."))
        if party.code in locked.agreed_by:
            raise Conflict(_("Your party has agreed this extension."))
        deadline = _running(commitment)
        now = timezone.now()
        if deadline is None or deadline.due_at <= now:
            raise Conflict(_("The deadline has passed: it can no longer be extended."))
        locked.agreed_by = sorted({*locked.agreed_by, party.code})
        _apply_if_agreed(locked, deadline, now)
        locked.save(update_fields=["agreed_by", "state", "closed_at"])
        _record(
            actor,
            events.DEADLINE_EXTENDED if locked.state == "agreed" else events.EXTENSION_PROPOSED,
            proposal, ("commitment", commitment.public_id, commitment.reference),
            commitment=commitment.reference, new_due_at=locked.new_due_at.isoformat(),
            agreed_by=list(locked.agreed_by),
        )  # fmt: skip
    return locked


def assess_commitment(*, actor: Actor, commitment: Commitment, score: Any, text: Any) -> Assessment:
    """A deciding party (or the mediator) records its own assessment: 0–3 and its text."""
    if not may_speak(actor) or actor.system:
        raise PermissionDenied(MAY_NOT_SPEAK)
    party = _own_party(actor)
    if not (
        party.code in commitment.proposal.deciding
        or actor.party_kind == PartyKindChoices.KIND_MEDIATOR
    ):
        raise PermissionDenied(MAY_NOT_SPEAK)
    errors: dict[str, list[str]] = {}
    if isinstance(score, str) and score.strip().isdigit():
        score = int(score)
    if (
        isinstance(score, bool)
        or not isinstance(score, int | float)
        or not math.isfinite(score)
        or score not in (0, 1, 2, 3)
    ):
        errors["score"] = [_("A score from 0 to 3.")]
    clean = _text(text, "text", errors, limit=SHORT_MAX)
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        row = Assessment.objects.create(
            commitment=commitment, party=party, score=int(score), text=clean,
            given_by=actor.user, given_at=timezone.now(),
        )  # fmt: skip
        _record(
            actor, events.ASSESSMENT_GIVEN, commitment.proposal,
            ("commitment", commitment.public_id, commitment.reference),
            commitment=commitment.reference, party=party.code, score=int(score),
            text_sha256=text_hash(clean),
        )  # fmt: skip
    return row


# --- the worker ---------------------------------------------------------------------------


def miss_one(pk: int, now: dt.datetime) -> bool:
    """Claim one running deadline whose time has come: missed, once, whoever races (a
    conditional update: one claimant wins, the others change no row)."""
    with transaction.atomic():
        commitment_id = (
            CommitmentDeadline.objects.filter(pk=pk).values_list("commitment_id", flat=True).first()
        )
        if commitment_id is None:
            return False
        _lock_commitment(commitment_id)
        claimed = CommitmentDeadline.objects.filter(pk=pk, outcome="", due_at__lte=now).update(
            outcome=DeadlineOutcomeChoices.MISSED, closed_at=now
        )
        if not claimed:
            return False
        deadline = CommitmentDeadline.objects.select_related(
            "commitment__proposal", "commitment__owner"
        ).get(pk=pk)
        commitment = deadline.commitment
        _lapse_open(commitment, now)
        _record(
            Actor.console("worker"), events.DEADLINE_MISSED, commitment.proposal,
            ("commitment", commitment.public_id, commitment.reference),
            commitment=commitment.reference, owner=commitment.owner.code,
            due_at=deadline.due_at.isoformat(), missed_at=now.isoformat(),
        )  # fmt: skip
    return True


def miss_due(now: dt.datetime) -> int:
    """The worker's job: every running deadline past its time, missed (each once)."""
    due = CommitmentDeadline.objects.filter(outcome="", due_at__lte=now).order_by("due_at", "pk")
    return sum(miss_one(pk, now) for pk in list(due.values_list("pk", flat=True)))
