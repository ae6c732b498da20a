"""The withdrawal timeline: reciprocal, sequenced steps whose deadlines each end with a
recorded outcome.

Steps come in linked pairs, one of each party (step n of one ↔ step m of the other):

- from the arrangement's text (``[[withdrawal_steps]]``): binding from the start; the
  worker takes them onto the timeline (:func:`adopt_arrangement_steps`);
- agreed in the cell: the mediator proposes a pair (:func:`propose_steps`); they bind
  only once both parties countersigned (:func:`countersign_steps`).

A binding step has one deadline running (``StepDeadline`` with no outcome). It ends with
exactly one outcome:

- **met** or **met in part**: a monitor verified it (:func:`verify_step`), by name;
- **extended**: both parties countersigned a new date (:func:`propose_extension`,
  :func:`countersign_extension`); one signature is not enough;
- **suspended** pending the linked step: the mediator, while the linked step is not met
  (:func:`suspend_step`); a new date is then agreed as an extension;
- **missed**: the worker, at expiry (:func:`miss_due`), by a conditional update, so that
  several workers racing record it once.

Who reads a step: both parties of the pair, the mediators, the monitors. The positions a
step names are shown only to the declaring party and the mediators
(``verification.selectors.positions_shown``); the record's entries about a step carry
its areas, and its positions go in an entry of that narrow audience.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coordcell.agreements.engines import engine_for
from coordcell.core.actor import Actor
from coordcell.core.audience import encode
from coordcell.core.errors import NotFound, PermissionDenied, ValidationFailed
from coordcell.core.models import new_reference
from coordcell.parties import selectors as parties
from coordcell.parties.choices import PartyKindChoices, RoleChoices
from coordcell.record.services import append_event, subject
from coordcell.rules import localtime
from coordcell.verification import events, positions_link
from coordcell.verification.choices import (
    ExtensionStateChoices,
    OutcomeChoices,
    StepStateChoices,
)
from coordcell.verification.inspections import may_inspect
from coordcell.verification.models import (
    Countersignature,
    Extension,
    InspectionReport,
    StepDeadline,
    WithdrawalStep,
)

if TYPE_CHECKING:
    from coordcell.agreements.models import ArrangementVersion
    from coordcell.parties.models import Party

__all__ = [
    "MAX_EXTENSION_DAYS",
    "MAX_HORIZON_DAYS",
    "MAY_NOT_PROPOSE",
    "MAY_NOT_SIGN",
    "NOTE_MAX_CHARS",
    "StepInput",
    "adopt_arrangement_steps",
    "countersign_extension",
    "countersign_steps",
    "may_propose",
    "may_sign",
    "miss_due",
    "propose_extension",
    "propose_steps",
    "signers_of",
    "suspend_step",
    "verify_step",
]

#: A proposed deadline is at most this far ahead.
MAX_HORIZON_DAYS = 3 * 365
#: An extension moves a deadline at most this far.
MAX_EXTENSION_DAYS = 180
TITLE_MAX_CHARS = 300
NOTE_MAX_CHARS = 4_000
ZONES_MAX = 20
MAY_NOT_PROPOSE = gettext_lazy("The mediator's principals and liaison officers propose steps.")
MAY_NOT_SIGN = gettext_lazy(
    "Only the liaison officers and principals of the two parties of the steps countersign."
)
_SIGNERS = (RoleChoices.LIAISON_OFFICER, RoleChoices.PRINCIPAL)


def may_propose(actor: Actor) -> bool:
    return (
        not actor.system
        and actor.party_kind == PartyKindChoices.KIND_MEDIATOR
        and any(actor.has_role(r) for r in _SIGNERS)
    )


def may_sign(actor: Actor) -> bool:
    return (
        not actor.system
        and actor.party_kind == PartyKindChoices.KIND_PARTY
        and any(actor.has_role(r) for r in _SIGNERS)
    )


def _party(code: str) -> Party:
    """A party of the arrangement by code (the console's look-up: it sees every party)."""
    return parties.access_party(Actor.console("verification"), code)


def signers_of(step: WithdrawalStep) -> list[str]:
    """The two parties that countersign a step and its extensions: its own and its link's."""
    codes = {step.party.code}
    if step.linked is not None:
        codes.add(step.linked.party.code)
    return sorted(codes)


@dataclass(frozen=True)
class StepInput:
    """One party's side of a proposed pair."""

    party: str
    sequence: int
    title: str
    due_at: dt.datetime
    zones: Sequence[str] = ()
    positions: Sequence[str] = ()
    verifier: str = ""
    errors: dict[str, list[str]] = field(default_factory=dict, compare=False)


def _data(step: WithdrawalStep, **more: Any) -> dict[str, Any]:
    return {
        "step": step.reference,
        "clause": step.clause,
        "party": step.party.code,
        "sequence": step.sequence,
        "areas": list(step.zones),
        "linked_to": step.linked.reference if step.linked is not None else None,
        "due_at": step.due_at,
        "state": step.state,
        **more,
    }


def _record(actor: Actor, step: WithdrawalStep, event: Any, **more: Any) -> None:
    append_event(
        actor=actor,
        event_type=event,
        data=_data(step, **more),
        subjects=[subject("verification.withdrawalstep", step.public_id, step.reference)],
        audience=step.audience_codes,
    )


def _record_positions(actor: Actor, step: WithdrawalStep, **more: Any) -> None:
    """The positions a step names (or, with ``vacated``, those a verification found
    vacated), in an entry only the declaring party and the mediators read (the step's own
    entries carry its areas)."""
    if not step.positions:
        return
    mediators = [p.code for p in parties.parties_of_kinds([PartyKindChoices.KIND_MEDIATOR])]
    append_event(
        actor=actor,
        event_type=events.STEP_POSITIONS_NAMED,
        data={
            "step": step.reference,
            "party": step.party.code,
            "positions": list(step.positions),
            **more,
        },
        subjects=[subject("verification.withdrawalstep", step.public_id, step.reference)],
        audience=[step.party.code, *mediators],
    )


def _withdrawal_clauses(version: ArrangementVersion) -> dict[str, Any]:
    return {c.id: c for c in engine_for(version).arrangement.clauses if c.kind == "withdrawal"}


def _check_side(
    actor: Actor,
    version: ArrangementVersion,
    side: StepInput,
    prefix: str,
    bound: Iterable[str],
    errors: dict[str, list[str]],
    now: dt.datetime,
) -> None:
    arrangement = engine_for(version).arrangement
    kinds = {p.code: p.kind for p in arrangement.parties}
    area_ids = {z.id for z in arrangement.zones if z.kind == "area"}
    if side.party not in bound or kinds.get(side.party) != "party":
        errors[f"{prefix}party"] = [_("Choose a party the clause binds.")]
    if not isinstance(side.sequence, int) or not 1 <= side.sequence <= 999:
        errors[f"{prefix}sequence"] = [_("Give the step's number, from 1 to 999.")]
    title = (side.title or "").strip()
    if not title:
        errors[f"{prefix}title"] = [_("This field is required.")]
    elif len(title) > TITLE_MAX_CHARS:
        errors[f"{prefix}title"] = [_("At most %(n)s characters.") % {"n": TITLE_MAX_CHARS}]
    zones = list(side.zones)
    if not zones:
        # Always the areas: those who may not see the positions see the step's areas.
        errors[f"{prefix}zones"] = [_("Name the areas the step concerns.")]
    elif len(zones) > ZONES_MAX or len(set(zones)) != len(zones) or set(zones) - area_ids:
        errors[f"{prefix}zones"] = [_("Choose areas of the arrangement, each once.")]
    problem = positions_link.check_positions(actor, side.party, list(side.positions))
    if problem:
        errors[f"{prefix}positions"] = [problem]
    if not isinstance(side.due_at, dt.datetime) or side.due_at.tzinfo is None:
        errors[f"{prefix}due_at"] = [_("Give the deadline, with its time zone.")]
    elif not now < side.due_at <= now + dt.timedelta(days=MAX_HORIZON_DAYS):
        errors[f"{prefix}due_at"] = [_("The deadline is in the future, within three years.")]
    if side.verifier and kinds.get(side.verifier) != "monitor":
        errors[f"{prefix}verifier"] = [_("Choose a monitor.")]


def _new_step(
    version: ArrangementVersion,
    clause: str,
    side: StepInput,
    *,
    origin: str,
    state: str,
    now: dt.datetime,
    audience: str,
    proposed_by: Any = None,
    source_key: str = "",
    titles: dict[str, str] | None = None,
) -> WithdrawalStep:
    return WithdrawalStep.objects.create(
        reference=new_reference("WS"),
        version=version,
        clause=clause,
        origin=origin,
        source_key=source_key,
        party=_party(side.party),
        sequence=side.sequence,
        title=side.title.strip(),
        titles=titles or {},
        zones=list(side.zones),
        positions=list(side.positions),
        verifier=_party(side.verifier) if side.verifier else None,
        due_at=side.due_at,
        state=state,
        proposed_by=proposed_by,
        proposed_at=now,
        bound_at=now if state == StepStateChoices.BINDING else None,
        audience=audience,
    )


def _link(a: WithdrawalStep, b: WithdrawalStep) -> None:
    WithdrawalStep.objects.filter(pk=a.pk).update(linked=b)
    WithdrawalStep.objects.filter(pk=b.pk).update(linked=a)
    a.linked, b.linked = b, a


def _open_deadline(step: WithdrawalStep, due_at: dt.datetime, now: dt.datetime) -> StepDeadline:
    return StepDeadline.objects.create(step=step, due_at=due_at, opened_at=now)


@transaction.atomic
def propose_steps(
    *,
    actor: Actor,
    version: ArrangementVersion,
    clause: str,
    first: StepInput,
    second: StepInput,
) -> tuple[WithdrawalStep, WithdrawalStep]:
    """The mediator proposes two linked steps, one of each party, under a withdrawal
    clause; they bind once both parties countersign."""
    if not may_propose(actor):
        raise PermissionDenied(MAY_NOT_PROPOSE)
    errors: dict[str, list[str]] = {}
    found = _withdrawal_clauses(version).get(clause)
    if found is None:
        errors["clause"] = [_("Choose a withdrawal clause.")]
    bound = list(found.parties) if found is not None else []
    now = timezone.now()
    _check_side(actor, version, first, "first.", bound, errors, now)
    _check_side(actor, version, second, "second.", bound, errors, now)
    if first.party == second.party and "second.party" not in errors:
        errors["second.party"] = [_("Link a step of one party to a step of the other.")]
    if errors:
        raise ValidationFailed(errors)
    audience = encode(parties.concerned_audience(first.party, second.party))
    made = [
        _new_step(
            version,
            clause,
            side,
            origin="cell",
            state=StepStateChoices.PROPOSED,
            now=now,
            audience=audience,
            proposed_by=actor.user,
        )
        for side in (first, second)
    ]
    a, b = made
    _link(a, b)
    for step in (a, b):
        _record(actor, step, events.STEPS_PROPOSED)
        _record_positions(actor, step)
    return a, b


def _locked(actor: Actor, step: WithdrawalStep) -> WithdrawalStep:
    found: WithdrawalStep | None = (
        WithdrawalStep.objects.restrict(actor)
        # NO KEY: a new row that refers to the step (an economy condition, say) is checked
        # at commit with a key-share lock on it, which FOR UPDATE would block.
        .select_for_update(of=("self",), no_key=True)
        .select_related("party", "linked", "linked__party", "verifier")
        .filter(pk=step.pk)
        .first()
    )
    if found is None:
        raise NotFound()
    return found


@transaction.atomic
def countersign_steps(*, actor: Actor, step: WithdrawalStep) -> WithdrawalStep:
    """A party countersigns a proposed pair (the step and its link). When both parties
    have, both steps bind and their deadlines start running."""
    # Both rows of the pair, once each and the lower id first whichever step the party
    # signs from: each party signing at once from its own step deadlocked on PostgreSQL.
    ids = sorted(pk for pk in (step.pk, step.linked_id) if pk is not None)
    locked = {pk: _locked(actor, WithdrawalStep(pk=pk)) for pk in ids}
    found = locked[step.pk]
    if not may_sign(actor) or actor.party_code not in signers_of(found):
        raise PermissionDenied(MAY_NOT_SIGN)
    assert found.linked_id in locked
    pair = [found, locked[found.linked_id]]
    now = timezone.now()
    if any(s.state != StepStateChoices.PROPOSED for s in pair):
        raise ValidationFailed(_("These steps are not awaiting countersignatures."))
    if any(s.due_at <= now for s in pair):
        raise ValidationFailed(
            _("A deadline of these steps has passed: the mediator proposes anew.")
        )
    party = parties.party_of(actor)
    assert party is not None
    if Countersignature.objects.filter(step=found, extension=None, party=party).exists():
        raise ValidationFailed(_("Your party has already countersigned these steps."))
    for s in pair:
        Countersignature.objects.create(
            step=s, party=party, signed_by=actor.user, call_sign=actor.name, signed_at=now
        )
    signed = set(
        Countersignature.objects.filter(step=found, extension=None).values_list(
            "party__code", flat=True
        )
    )
    binding = signed >= set(signers_of(found))
    for s in pair:
        if binding:
            s.state, s.bound_at = StepStateChoices.BINDING, now
            s.save(update_fields=["state", "bound_at"])
            _open_deadline(s, s.due_at, now)
        _record(actor, s, events.STEPS_COUNTERSIGNED, signed_by=actor.party_code, binding=binding)
    return pair[0]


def _open(step: WithdrawalStep) -> StepDeadline | None:
    return StepDeadline.objects.select_for_update(no_key=True).filter(step=step, outcome="").first()


def _close(
    deadline: StepDeadline,
    outcome: str,
    now: dt.datetime,
    *,
    actor: Actor | None = None,
    expiring: bool = False,
    **more: Any,
) -> bool:
    """End a running deadline with ``outcome``: a conditional update, so that it ends
    once. ``expiring``: only once it is due (the worker); otherwise only before."""
    running = StepDeadline.objects.filter(pk=deadline.pk, outcome="")
    running = running.filter(due_at__lte=now) if expiring else running.filter(due_at__gt=now)
    return bool(
        running.update(
            outcome=outcome,
            decided_at=now,
            decided_by=actor.user if actor is not None else None,
            decided_party_id=actor.party_id if actor is not None else None,
            call_sign=actor.name if actor is not None else "",
            **more,
        )
    )


@transaction.atomic
def verify_step(
    *,
    actor: Actor,
    step: WithdrawalStep,
    outcome: str,
    note: str = "",
    vacated: Sequence[str] | None = None,
    report: InspectionReport | None = None,
) -> WithdrawalStep:
    """A monitor (the step's verifier, when it names one) verifies a binding step before
    its deadline: met, or met in part (with a note, and the positions vacated)."""
    found = _locked(actor, step)
    if not may_inspect(actor) or (
        found.verifier_id is not None and found.verifier_id != actor.party_id
    ):
        raise PermissionDenied(_("Only the step's monitors verify it."))
    now = timezone.now()
    errors: dict[str, list[str]] = {}
    if outcome not in OutcomeChoices.VERIFIED:
        errors["outcome"] = [_("Choose met or met in part.")]
    note = (note or "").strip()
    if outcome == OutcomeChoices.MET_IN_PART and not note:
        errors["note"] = [_("Say what was done and what was not.")]
    elif len(note) > NOTE_MAX_CHARS:
        errors["note"] = [_("At most %(n)s characters.") % {"n": NOTE_MAX_CHARS}]
    positions = list(found.positions)
    if outcome == OutcomeChoices.MET:
        gone = positions
    else:
        gone = list(dict.fromkeys(vacated or ()))
        if set(gone) - set(positions) or (positions and len(gone) == len(positions)):
            errors["vacated"] = [_("Choose some, not all, of the step's positions.")]
    if report is not None:
        visible = InspectionReport.objects.restrict(actor).filter(pk=report.pk).first()
        if visible is None or (found.zones and visible.zone not in found.zones):
            errors["report"] = [_("Choose a report of one of the step's areas.")]
    deadline = _open(found)
    if found.state != StepStateChoices.BINDING or deadline is None or deadline.due_at <= now:
        # Past its time, the step is the worker's to record missed (a refusal writes nothing).
        errors["step"] = [_("This step has no deadline running: nothing to verify now.")]
    if errors:
        raise ValidationFailed(errors)
    assert deadline is not None
    if not _close(deadline, outcome, now, actor=actor, note=note, vacated=gone, report=report):
        raise ValidationFailed(_("This step has no deadline running: nothing to verify now."))
    found.state, found.closed_at = outcome, now
    found.save(update_fields=["state", "closed_at"])
    _lapse_extensions(found, now)
    _record(
        actor,
        found,
        events.STEP_VERIFIED,
        outcome=outcome,
        verified_by=actor.party_code,
        call_sign=actor.name,
        note=note,
        report=report.reference if report is not None else None,
    )
    if gone:
        # How many of the step's positions were vacated says something of the positions:
        # for the declaring party and the mediators only, like the positions themselves.
        _record_positions(actor, found, vacated=gone)
    return found


@transaction.atomic
def suspend_step(*, actor: Actor, step: WithdrawalStep, note: str) -> WithdrawalStep:
    """The mediator suspends a binding step's deadline pending the linked step (while
    that one is not met). A new date is then agreed as an extension, by both parties."""
    found = _locked(actor, step)
    if not may_propose(actor):
        raise PermissionDenied(_("Only the mediator suspends a step."))
    now = timezone.now()
    errors: dict[str, list[str]] = {}
    note = (note or "").strip()
    if not note:
        errors["note"] = [_("Say why the step waits for the linked one.")]
    elif len(note) > NOTE_MAX_CHARS:
        errors["note"] = [_("At most %(n)s characters.") % {"n": NOTE_MAX_CHARS}]
    if found.linked is None or found.linked.state == StepStateChoices.MET:
        errors["step"] = [_("The linked step is met: nothing to wait for.")]
    deadline = _open(found)
    if found.state != StepStateChoices.BINDING or deadline is None or deadline.due_at <= now:
        errors["step"] = [_("This step has no deadline running.")]
    if errors:
        raise ValidationFailed(errors)
    assert deadline is not None
    if not _close(deadline, OutcomeChoices.SUSPENDED, now, actor=actor, note=note):
        raise ValidationFailed(_("This step has no deadline running."))
    found.state = StepStateChoices.SUSPENDED
    found.save(update_fields=["state"])
    _lapse_extensions(found, now)
    _record(actor, found, events.STEP_SUSPENDED, note=note)
    return found


def _lapse_extensions(step: WithdrawalStep, now: dt.datetime) -> None:
    Extension.objects.filter(step=step, state=ExtensionStateChoices.OPEN).update(
        state=ExtensionStateChoices.LAPSED, closed_at=now
    )


@transaction.atomic
def propose_extension(
    *, actor: Actor, step: WithdrawalStep, new_due_at: dt.datetime, reason: str
) -> Extension:
    """A party of the pair (it countersigns at once) or the mediator proposes a new date
    for a step's deadline, or a date for a suspended step to resume. Nothing changes
    until both parties countersigned."""
    found = _locked(actor, step)
    signers = signers_of(found)
    proposer_signs = may_sign(actor) and actor.party_code in signers
    if not (proposer_signs or may_propose(actor)):
        raise PermissionDenied(
            _("The two parties of the steps and the mediator propose extensions.")
        )
    now = timezone.now()
    errors: dict[str, list[str]] = {}
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = [_("Give the reason for the new date.")]
    elif len(reason) > NOTE_MAX_CHARS:
        errors["reason"] = [_("At most %(n)s characters.") % {"n": NOTE_MAX_CHARS}]
    if found.state not in (StepStateChoices.BINDING, StepStateChoices.SUSPENDED):
        errors["step"] = [_("Only a binding or suspended step's deadline is extended.")]
    elif found.state == StepStateChoices.BINDING and found.due_at <= now:
        errors["step"] = [_("This deadline has passed.")]
    floor = max(now, found.due_at) if found.state == StepStateChoices.BINDING else now
    if not isinstance(new_due_at, dt.datetime) or new_due_at.tzinfo is None:
        errors["new_due_at"] = [_("Give the new deadline, with its time zone.")]
    elif not floor < new_due_at <= floor + dt.timedelta(days=MAX_EXTENSION_DAYS):
        errors["new_due_at"] = [
            _("The new deadline is later than the current one, by at most %(n)s days.")
            % {"n": MAX_EXTENSION_DAYS}
        ]
    if Extension.objects.filter(step=found, state=ExtensionStateChoices.OPEN).exists():
        errors["step"] = [_("An extension of this step already awaits countersignatures.")]
    if errors:
        raise ValidationFailed(errors)
    party = parties.party_of(actor)
    assert party is not None
    try:
        with transaction.atomic():
            extension = Extension.objects.create(
                step=found,
                new_due_at=new_due_at,
                reason=reason,
                proposed_by=actor.user,
                proposed_party=party,
                proposed_at=now,
                state=ExtensionStateChoices.OPEN,
            )
    except IntegrityError:
        raise ValidationFailed(
            {"step": [_("An extension of this step already awaits countersignatures.")]}
        ) from None
    _record(
        actor,
        found,
        events.EXTENSION_PROPOSED,
        extension=str(extension.public_id),
        new_due_at=new_due_at,
        reason=reason,
        proposed_by=party.code,
    )
    if proposer_signs:
        _sign_extension(actor, found, extension, party, now)
    return extension


def _sign_extension(
    actor: Actor, step: WithdrawalStep, extension: Extension, party: Party, now: dt.datetime
) -> None:
    Countersignature.objects.create(
        step=step,
        extension=extension,
        party=party,
        signed_by=actor.user,
        call_sign=actor.name,
        signed_at=now,
    )
    signed = set(extension.signatures.values_list("party__code", flat=True))
    agreed = signed >= set(signers_of(step))
    if agreed:
        if step.state == StepStateChoices.BINDING:
            deadline = _open(step)
            if deadline is None or not _close(
                deadline, OutcomeChoices.EXTENDED, now, actor=actor, note=extension.reason
            ):
                raise ValidationFailed(_("This deadline has passed."))
        step.state, step.due_at = StepStateChoices.BINDING, extension.new_due_at
        step.save(update_fields=["state", "due_at"])
        _open_deadline(step, extension.new_due_at, now)
        Extension.objects.filter(pk=extension.pk).update(
            state=ExtensionStateChoices.AGREED, closed_at=now
        )
    _record(
        actor,
        step,
        events.EXTENSION_COUNTERSIGNED,
        extension=str(extension.public_id),
        new_due_at=extension.new_due_at,
        signed_by=party.code,
        agreed=agreed,
    )


@transaction.atomic
def countersign_extension(*, actor: Actor, extension: Extension) -> Extension:
    """The other party of the pair countersigns an extension; with both signatures the
    running deadline ends ``extended`` and the new one starts (a suspended step resumes)."""
    found = _locked(actor, extension.step)
    if not may_sign(actor) or actor.party_code not in signers_of(found):
        raise PermissionDenied(MAY_NOT_SIGN)
    locked = (
        Extension.objects.select_for_update(no_key=True).filter(pk=extension.pk, step=found).first()
    )
    if locked is None:
        raise NotFound()
    now = timezone.now()
    if locked.state != ExtensionStateChoices.OPEN:
        raise ValidationFailed(_("This extension is not awaiting countersignatures."))
    if found.state == StepStateChoices.BINDING and found.due_at <= now:
        raise ValidationFailed(_("This deadline has passed."))
    party = parties.party_of(actor)
    assert party is not None
    if locked.signatures.filter(party=party).exists():
        raise ValidationFailed(_("Your party has already countersigned this extension."))
    _sign_extension(actor, found, locked, party, now)
    locked.refresh_from_db()
    return locked


# --- the worker --------------------------------------------------------------------------


def _miss(deadline_pk: int, now: dt.datetime) -> bool:
    """Claim one running deadline whose time has come: missed (once, whoever races)."""
    deadline = StepDeadline.objects.filter(pk=deadline_pk).select_related("step").first()
    if deadline is None:
        return False
    # The step first, then its deadline: the order of every person's service (``_locked``,
    # then ``_open``). Claiming the deadline first deadlocked on PostgreSQL with a
    # countersignature or a verification that held the step and waited for the deadline.
    WithdrawalStep.objects.select_for_update(no_key=True).filter(pk=deadline.step_id).first()
    if not _close(deadline, OutcomeChoices.MISSED, now, expiring=True):
        return False
    step = deadline.step
    WithdrawalStep.objects.filter(pk=step.pk, state=StepStateChoices.BINDING).update(
        state=StepStateChoices.MISSED, closed_at=now
    )
    _lapse_extensions(step, now)
    step = WithdrawalStep.objects.select_related("party", "linked").get(pk=step.pk)
    _record(
        Actor.console("worker"),
        step,
        events.STEP_MISSED,
        missed_at=now,
        deadline_due_at=deadline.due_at,
    )
    return True


def miss_due(now: dt.datetime) -> int:
    """The worker's job: record every running deadline past its time as missed, each in
    its own transaction."""
    handled = 0
    due = StepDeadline.objects.filter(outcome="", due_at__lte=now).order_by("due_at", "pk")
    for pk in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            handled += _miss(pk, now)
    return handled


def adopt_arrangement_steps(version: ArrangementVersion, now: dt.datetime | None = None) -> int:
    """Take the steps the arrangement's text sets onto the timeline (binding at once),
    each pair once; return the number of steps added."""
    arrangement = engine_for(version).arrangement
    specs = {s.id: s for s in arrangement.withdrawal_steps}
    if not specs:
        return 0
    zone = localtime.time_zone(arrangement.time_zone)
    added = 0
    for spec in specs.values():
        other = specs.get(spec.linked_to)
        if other is None or spec.id > other.id:
            continue  # each pair once, from its first step
        with transaction.atomic():
            present = set(
                WithdrawalStep.objects.filter(
                    origin="arrangement", source_key__in=[spec.id, other.id]
                ).values_list("source_key", flat=True)
            )
            if present:
                continue
            moment = now or timezone.now()
            audience = encode(parties.concerned_audience(spec.party, other.party))
            made = []
            for s in (spec, other):
                due = localtime.clause_end(s.due, zone)
                assert due is not None
                side = StepInput(
                    party=s.party,
                    sequence=s.sequence,
                    title=s.title.get("en", s.id),
                    due_at=due,
                    zones=s.zones,
                    verifier=s.verifier,
                )
                step = _new_step(
                    version, s.clause, side, origin="arrangement",
                    state=StepStateChoices.BINDING, now=moment, audience=audience,
                    source_key=s.id, titles=dict(s.title),
                )  # fmt: skip
                _open_deadline(step, due, moment)
                made.append(step)
            _link(made[0], made[1])
            for step in made:
                _record(
                    Actor.console("worker"), step, events.STEPS_ADOPTED, source_key=step.source_key
                )
            added += 2
    return added


def adopt_current_steps(now: dt.datetime) -> int:
    """The worker's look at the current version's ``[[withdrawal_steps]]`` (none loaded: 0)."""
    from coordcell.agreements import selectors as agreements

    try:
        version = agreements.get_version(Actor.console("worker"), None, None)
    except NotFound:
        return 0
    return adopt_arrangement_steps(version)
