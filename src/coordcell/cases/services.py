"""The only writers of cases: lodging, every workflow step, and the worker's expiries.

Each function checks permission (the sides of ``rules.workflow``), changes the case,
its deadlines and the inboxes, and appends its record event, in one transaction.
Deadlines come from the arrangement's protocol (acknowledge, answer, verification, and
the time at each level of the ladder after which the mediator is reminded to review the
case), as data. A case climbs the ladder only on grounds and when the next level is
eligible (``rules.ladder``); an extension moves a deadline only once both parties have
countersigned it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import uuid
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from coordcell.agreements import official
from coordcell.agreements import selectors as agreement_selectors
from coordcell.agreements.choices import OfficialTextKindChoices
from coordcell.cases import events
from coordcell.cases.choices import (
    DeadlineKindChoices,
    DeadlineStateChoices,
    ExtensionStateChoices,
    LinkChoices,
    NatureChoices,
    StateChoices,
)
from coordcell.cases.models import (
    Case,
    Deadline,
    Extension,
    Notification,
    Remedy,
    Step,
    VerificationElement,
)
from coordcell.core import audience as audience_text
from coordcell.core.actor import Actor
from coordcell.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from coordcell.incidents import selectors as incident_selectors
from coordcell.incidents import services as incident_services
from coordcell.notify.services import queue_delivery
from coordcell.parties import selectors as party_selectors
from coordcell.parties.choices import PartyKindChoices, RoleChoices
from coordcell.record.services import append_event, subject
from coordcell.rules import (
    deadlines,
    determinations,
    ladder,
    mechanism,
    verification,
    vocabulary,
    workflow,
)

if TYPE_CHECKING:
    from coordcell.accounts.models import User
    from coordcell.agreements.models import ArrangementVersion, Protocol
    from coordcell.incidents.models import Incident
    from coordcell.parties.models import Party
    from coordcell.record.models import Entry

__all__ = [
    "act",
    "answering_codes",
    "available_actions",
    "change_precedence",
    "check_lodge",
    "check_precedence",
    "climb_status",
    "countersign_extension",
    "decision_of",
    "expire_due",
    "lodge_complaint",
    "mark_read",
    "open_inquiry",
    "propose_extension",
    "protocol_for",
    "protocol_ladder",
    "protocol_serving",
    "record_read_receipt",
    "refuse_extension",
    "sides_of",
]

log = logging.getLogger("coordcell.cases")

A = workflow.Action
#: What the protocol a complaint runs on serves (``serves`` in the scenario): a lodged
#: complaint's; a converted hotline call runs on the one serving ``HOTLINE``.
COMPLAINTS = "complaints"
HOTLINE = "hotline"
#: The longest complaint summary and step text (the answer, the determination).
SUMMARY_MAX_CHARS = 10_000
STEP_TEXT_MAX_CHARS = 20_000

#: Roles that act for a party on a case, and that are told of its steps.
ACTING_ROLES = (RoleChoices.LIAISON_OFFICER, RoleChoices.PRINCIPAL)
#: Reply deadlines come before the level deadline when both expire at once.
_KIND_ORDER = {
    DeadlineKindChoices.ACKNOWLEDGE: 0,
    DeadlineKindChoices.ANSWER: 1,
    DeadlineKindChoices.VERIFICATION: 2,
    DeadlineKindChoices.DETERMINATION: 3,
    DeadlineKindChoices.LEVEL: 4,
    DeadlineKindChoices.REMEDY: 5,
}


# --- who is who on a case -------------------------------------------------------------


def sides_of(actor: Actor, case: Case) -> frozenset[str]:
    """The workflow sides the actor holds on ``case`` (empty: a reader at most)."""
    if actor.system:
        return frozenset({workflow.Side.SYSTEM})
    sides: set[str] = set()
    acting = any(actor.has_role(r) for r in ACTING_ROLES)
    if acting and actor.party_id == case.complainant_id:
        sides.add(workflow.Side.COMPLAINANT)
    if acting and case.respondent_id is not None and actor.party_id == case.respondent_id:
        sides.add(workflow.Side.RESPONDENT)
    if acting and case.respondent_id is None and actor.party_code in answering_codes(case):
        sides.add(workflow.Side.RESPONDENT)  # it answers for the mechanism
    if acting and actor.party_kind == PartyKindChoices.KIND_MEDIATOR:
        sides.add(workflow.Side.MEDIATOR)
    if acting and actor.party_code and actor.party_code in decision_of(case).deciders:
        sides.add(workflow.Side.DECIDER)
    if actor.party_kind == PartyKindChoices.KIND_MONITOR and actor.has_role(RoleChoices.MONITOR):
        sides.add(workflow.Side.MONITOR)
    return frozenset(sides)


class Decision:
    """Who decides ``case``'s determination and where it stands (``rules.mechanism``)."""

    def __init__(self, case: Case) -> None:
        protocol = protocol_for(case.version, case.protocol_id)
        self.rule = protocol.decision_rule
        self.parties = agreement_selectors.mechanism_parties(case.version)
        self.deciders = mechanism.deciders(self.rule, self.parties)
        self.proposed = case.proposed_at is not None
        self.concurred = tuple(case.concurred_by or ())

    @property
    def pending(self) -> tuple[str, ...]:
        """The deciders whose concurrence the pending proposal awaits (none: no proposal)."""
        if not self.proposed:
            return ()
        return mechanism.pending(self.rule, self.parties, self.concurred)

    def actions(self, code: str) -> frozenset[str]:
        return mechanism.decision_actions(
            self.rule, self.parties, code, proposed=self.proposed, concurred=self.concurred
        )


def decision_of(case: Case) -> Decision:
    """Who decides ``case`` under its protocol's rule, and the pending proposal if any."""
    return Decision(case)


def available_actions(actor: Actor, case: Case) -> list[str]:
    """The steps ``actor`` may take on ``case`` now: the workflow's for its sides, with the
    decision steps narrowed to the protocol's rule and the pending proposal."""
    sides = sides_of(actor, case)
    actions = workflow.allowed_actions(case.state, sides)
    allowed: frozenset[str] = frozenset()
    if workflow.Side.DECIDER in sides:
        allowed = decision_of(case).actions(actor.party_code or "")
    return [a for a in actions if a not in workflow.DECISION_ACTIONS or a in allowed]


def protocol_for(version: ArrangementVersion, protocol_id: str) -> Protocol:
    """The protocol of ``version`` named ``protocol_id``; ValidationFailed if it has none."""
    protocol = agreement_selectors.find_protocol(version.pk, protocol_id)
    if protocol is None:
        raise ValidationFailed({"protocol": [_("The arrangement has no such protocol.")]})
    return protocol


def protocol_serving(version: ArrangementVersion, serves: str) -> Protocol:
    """The protocol of ``version`` that serves ``serves`` (``COMPLAINTS``, ``HOTLINE``).

    Which one that is, is scenario data; ``scenario check`` requires it. A version
    stored without one answers ValidationFailed rather than failing later."""
    protocol = agreement_selectors.find_protocol_serving(version.pk, serves)
    if protocol is None:
        if serves == HOTLINE:
            message = _("The arrangement has no protocol for the hotline.")
        else:
            message = _("The arrangement has no protocol for complaints.")
        raise ValidationFailed({"protocol": [message]})
    return protocol


def _ladder(case: Case) -> list[dict[str, Any]]:
    return list(protocol_for(case.version, case.protocol_id).ladder)


def level_name(case: Case, level: int | None = None) -> str:
    ladder = _ladder(case)
    index = case.level if level is None else level
    return str(ladder[index]["level"]) if 0 <= index < len(ladder) else ""


# --- steps, deadlines, inboxes ---------------------------------------------------------


def _recipients(case: Case, exclude: User | None, principals_only: bool = False) -> list[User]:
    """Active members of the case's audience parties who act or verify on cases."""
    roles = [RoleChoices.PRINCIPAL] if principals_only else [*ACTING_ROLES, RoleChoices.MONITOR]
    users = party_selectors.member_users(case.audience_codes, roles)
    return [u for u in users if exclude is None or u.pk != exclude.pk]


def _step(
    case: Case,
    actor: Actor,
    action: str,
    data: dict[str, Any],
    *,
    notify_principals: bool = False,
    only_parties: Iterable[str] | None = None,
) -> Step:
    """Record the step, link it to the case, and deliver it to every inbox at once."""
    event_type = {A.LODGE: events.LODGED, A.OPEN_INQUIRY: events.INQUIRY_OPENED}.get(action)
    event_type = event_type or events.STEP[action]
    entry: Entry = append_event(
        actor=actor,
        event_type=event_type,
        data={
            "case": case.reference,
            "incident": case.incident.reference,
            "state": case.state,
            "level": case.level,
            "level_name": level_name(case),
            **data,
        },
        subjects=[
            subject("cases.case", case.public_id, case.reference),
            subject("incidents.incident", case.incident.public_id, case.incident.reference),
        ],
        audience=case.audience_codes,
    )
    step = Step.objects.create(
        case=case,
        entry=entry,
        action=action,
        state_after=case.state,
        level_after=case.level,
        at=entry.occurred_at,
        party_code=actor.party_code or "",
    )
    recipients = _recipients(case, exclude=actor.user)
    if only_parties is not None:  # a notice for some parties alone (the review reminder)
        codes = [c for c in only_parties if c in case.audience_codes]
        recipients = list(party_selectors.member_users(codes, ACTING_ROLES))
    if notify_principals:
        recipients = list({u.pk: u for u in recipients + _recipients(case, None, True)}.values())
    Notification.objects.bulk_create(
        [
            Notification(recipient=u, case=case, step=step, created_at=entry.occurred_at)
            for u in recipients
        ]
    )
    queue_delivery(  # the audience parties' webhooks, in this same transaction
        subject_type="cases.step",
        subject_id=step.pk,
        event_type=entry.event_type,
        payload=_webhook_payload(case, step),
        audience=case.audience_codes,
        at=step.at,
    )
    _email(case, step, recipients)
    return step


def _webhook_payload(case: Case, step: Step) -> dict[str, Any]:
    """What a party's webhook is told of a step: what the party may read of it, nothing
    more (notify adds the delivery's id, the event type and the party)."""
    entry = step.entry
    return {
        "case": {
            "id": case.public_id,
            "reference": case.reference,
            # Generated (kind · place · local time) in each language: no party's words.
            "headline": incident_selectors.Headlines().in_every_language(case.incident),
        },
        "action": step.action,
        "state": step.state_after,
        "level": step.level_after,
        "level_name": entry.data.get("level_name", ""),
        "at": step.at,
        # The entry's hash, never its sequence number: that would count the record's
        # entries the party cannot read (docs/security.md).
        "entry": {"hash": entry.hash},
    }


def _email(case: Case, step: Step, recipients: Iterable[User]) -> None:
    """E-mail the step to those with an address, once the transaction has committed."""
    addressed = [u.email for u in recipients if u.email]
    if not addressed:
        return
    subject_line = f"[coordcell] {case.reference}: {step.action} ({case.state})"
    body = (
        f"{case.reference} — {incident_selectors.headline_of(case.incident)}\n"
        f"{step.action} at {step.at.isoformat()} — record entry {step.entry.hash[:16]}\n"
    )
    messages = [(subject_line, body, settings.DEFAULT_FROM_EMAIL, [a]) for a in addressed]

    def send() -> None:
        try:
            send_mass_mail(messages, fail_silently=False)
        except Exception:  # the inbox has it; mail is a courtesy copy
            log.exception("e-mail for %s could not be sent", case.reference)

    transaction.on_commit(send)


def _open_deadline(case: Case, kind: str, hours: float, now: dt.datetime) -> Deadline:
    return Deadline.objects.create(
        case=case,
        kind=kind,
        level=case.level,
        starts_at=now,
        due_at=deadlines.due(now, hours),
    )


def _close_deadlines(case: Case, kinds: Iterable[str], state: str, now: dt.datetime) -> None:
    """Close the open (and paused) deadlines of these kinds as ``state``; a pending
    extension of a deadline no longer open lapses."""
    closing = Deadline.objects.filter(
        case=case,
        kind__in=list(kinds),
        state__in=[DeadlineStateChoices.OPEN, DeadlineStateChoices.PAUSED],
    )
    _lapse_extensions(closing, now)
    closing.update(state=state, closed_at=now)


def _lapse_extensions(closing: Any, now: dt.datetime) -> None:
    Extension.objects.filter(deadline__in=closing, state=ExtensionStateChoices.PENDING).update(
        state=ExtensionStateChoices.LAPSED, closed_at=now
    )


def _pause_deadlines(case: Case, kinds: Iterable[str], now: dt.datetime) -> None:
    """Pause the open deadlines of these kinds (``closed_at`` keeps when)."""
    Deadline.objects.filter(
        case=case, kind__in=list(kinds), state=DeadlineStateChoices.OPEN
    ).update(state=DeadlineStateChoices.PAUSED, closed_at=now)


def _resume_deadlines(case: Case, now: dt.datetime) -> list[dict[str, Any]]:
    """Resume the paused deadlines, each with the time it had left when paused."""
    resumed = []
    for deadline in Deadline.objects.filter(case=case, state=DeadlineStateChoices.PAUSED):
        assert deadline.closed_at is not None
        due_at = now + (deadline.due_at - deadline.closed_at)
        Deadline.objects.filter(pk=deadline.pk).update(
            state=DeadlineStateChoices.OPEN, closed_at=None, due_at=due_at
        )
        resumed.append(
            {"deadline": deadline.kind, "from_due_at": deadline.due_at, "due_at": due_at}
        )
    return resumed


def _level_deadline(case: Case, now: dt.datetime) -> None:
    ladder = _ladder(case)
    if case.level < len(ladder):
        _open_deadline(
            case, DeadlineKindChoices.LEVEL, float(ladder[case.level]["within_hours"]), now
        )


def _save(case: Case, now: dt.datetime, **changes: Any) -> None:
    for name, value in changes.items():
        setattr(case, name, value)
    case.updated_at = now
    Case.objects.filter(pk=case.pk).update(updated_at=now, **changes)


# --- lodging ------------------------------------------------------------------------


def check_lodge(
    actor: Actor,
    *,
    respondent: str,
    summary: str,
    extra_audience: Iterable[str] = (),
    protocol: Protocol | None = None,
) -> tuple[Party, Party | None, str, list[str]]:
    """Check a complaint before anything is written: (complainant, respondent, summary,
    audience), or ``PermissionDenied`` / ``ValidationFailed`` with every field's problem.

    ``respondent`` is a party code the actor may know of, or ``mechanism.MECHANISM`` for
    a complaint addressed to the mechanism itself, which ``protocol`` must take
    (``addressed_to``): the respondent is then None and the protocol's deciders answer
    it, the complainant aside. The audience is the parties concerned (the respondent, or
    those who answer for the mechanism, and the parties that decide under the protocol's
    rule) with the mediators and monitors (``concerned_audience``), plus any
    ``extra_audience`` the complainant adds (``resolve_audience``: never a donor).
    """
    if actor.system or not actor.party_id or not any(actor.has_role(r) for r in ACTING_ROLES):
        raise PermissionDenied(_("Only liaison officers and principals lodge complaints."))
    if actor.party_kind != PartyKindChoices.KIND_PARTY:
        raise PermissionDenied(_("Complaints are lodged by the parties to the arrangement."))
    complainant = party_selectors.party_of(actor)
    assert complainant is not None  # a member of a party (checked above)
    errors: dict[str, list[str]] = {}
    other: Party | None = None
    answering: tuple[str, ...] = ()
    if respondent == mechanism.MECHANISM:
        if protocol is None or not protocol.to_mechanism:
            errors["respondent"] = [
                _("This protocol takes no complaint addressed to the mechanism.")
            ]
        else:
            answering = mechanism.answerers(
                protocol.decision_rule,
                agreement_selectors.mechanism_parties(protocol.version),
                complainant.code,
            )
            if not answering:
                errors["respondent"] = [
                    _("No party but yours would answer a complaint to the mechanism.")
                ]
    else:
        with contextlib.suppress(NotFound):  # unknown or hidden: the same answer below
            other = party_selectors.access_party(actor, respondent or "")
        if other is None or other.kind != PartyKindChoices.KIND_PARTY or other.pk == complainant.pk:
            errors["respondent"] = [_("Choose another party to the arrangement.")]
    summary = (summary or "").strip()
    if not summary or len(summary) > SUMMARY_MAX_CHARS:
        errors["summary"] = [_("Describe the complaint (1 to 10,000 characters).")]
    extra = [c for c in extra_audience if c]
    if extra:
        try:
            party_selectors.resolve_audience(actor, extra)
        except ValidationFailed as exc:
            errors.update(exc.fields)
    if errors:
        raise ValidationFailed(errors)
    concerned = [other.code] if other is not None else list(answering)
    if protocol is not None:  # those who decide it read what they decide
        concerned += mechanism.deciders(
            protocol.decision_rule, agreement_selectors.mechanism_parties(protocol.version)
        )
    audience = party_selectors.concerned_audience(complainant.code, *concerned, *extra)
    return complainant, other, summary, audience


def answering_codes(case: Case) -> tuple[str, ...]:
    """The parties that answer ``case``: its respondent, or for a complaint addressed to
    the mechanism its deciders, the complainant aside."""
    if case.respondent is not None:
        return (case.respondent.code,)
    decision = decision_of(case)
    return mechanism.answerers(decision.rule, decision.parties, complainant_code(case))


def complainant_code(case: Case) -> str:
    """The complainant's code; "" for an inquiry opened of its own motion."""
    return case.complainant.code if case.complainant is not None else ""


@transaction.atomic
def lodge_complaint(
    *,
    actor: Actor,
    incident: Incident,
    respondent: str,
    summary: str,
    protocol_id: str | None = None,
    extra_audience: Iterable[str] = (),
    nature: str = "complaint",
    precedence: str = "",
) -> Case:
    """A party lodges a complaint against another party (or, where the protocol takes it,
    to the mechanism: ``respondent`` is ``mechanism.MECHANISM``) about an incident it may
    see.

    The complaint runs on the protocol ``protocol_id`` names, or by default on the one
    the arrangement says serves complaints (``protocol_serving``).

    The incident follows the case: whoever reads the complaint reads what it is about, so
    the incident is shared with the case's audience (``incidents.services.share_incident``,
    with its own record event) where it reached fewer parties. Everything is checked
    before the first write.

    ``precedence`` is a code of the protocol's precedences ("": its lowest, the default);
    its first-response and answer hours set the acknowledgement and answer deadlines.
    """
    if protocol_id:
        protocol = protocol_for(incident.version, protocol_id)
    else:
        protocol = protocol_serving(incident.version, COMPLAINTS)
    complainant, other, summary, audience = check_lodge(
        actor,
        respondent=respondent,
        summary=summary,
        extra_audience=extra_audience,
        protocol=protocol,
    )
    if nature not in NatureChoices.values():
        raise ValidationFailed({"nature": [_("A complaint, or a request to act.")]})
    chosen = check_precedence(protocol, precedence)
    acknowledge_hours, answer_hours = _reply_hours(protocol, chosen)
    incident = incident_selectors.lock_visible(actor, incident)
    incident_services.check_share(actor, incident, audience)
    now = timezone.now()
    case = Case.objects.create(
        incident=incident,
        protocol_id=protocol.protocol_id,
        version=incident.version,
        complainant=complainant,
        respondent=other,
        summary=summary,
        nature=nature,
        precedence=chosen.get("code", "") if chosen else "",
        state=StateChoices.LODGED,
        level=0,
        audience=audience_text.encode(audience),
        lodged_at=now,
        lodged_by=actor.user,
        updated_at=now,
    )
    incident_services.share_incident(actor=actor, incident=incident, audience=audience)
    _open_deadline(case, DeadlineKindChoices.ACKNOWLEDGE, acknowledge_hours, now)
    _open_deadline(case, DeadlineKindChoices.ANSWER, answer_hours, now)
    _level_deadline(case, now)
    _step(
        case,
        actor,
        A.LODGE,
        {
            "complainant": complainant.code,
            "respondent": other.code if other is not None else mechanism.MECHANISM,
            "summary": summary,
            "nature": nature,
            "protocol": protocol.protocol_id,
            "precedence": case.precedence,
            "deadlines": {
                "acknowledge": deadlines.due(now, acknowledge_hours),
                "answer": deadlines.due(now, answer_hours),
            },
        },
    )
    return case


@transaction.atomic
def open_inquiry(
    *,
    actor: Actor,
    incident: Incident,
    respondent: str,
    summary: str,
    protocol_id: str | None = None,
) -> Case:
    """The mediator or a monitor opens a case of its own motion about an incident it may
    read: no complainant party; the party concerned (``respondent``) answers it on the
    protocol's deadlines. The audience is fail-closed: the party concerned, the parties
    that decide under the protocol's rule, the mediators and the monitors."""
    mediator = actor.party_kind == PartyKindChoices.KIND_MEDIATOR and any(
        actor.has_role(r) for r in ACTING_ROLES
    )
    monitor = actor.party_kind == PartyKindChoices.KIND_MONITOR and actor.has_role(
        RoleChoices.MONITOR
    )
    if actor.system or not actor.party_code or not (mediator or monitor):
        raise PermissionDenied(_("Only the mediator or a monitor opens an inquiry."))
    if protocol_id:
        protocol = protocol_for(incident.version, protocol_id)
    else:
        protocol = protocol_serving(incident.version, COMPLAINTS)
    errors: dict[str, list[str]] = {}
    other: Party | None = None
    with contextlib.suppress(NotFound):  # unknown or hidden: the same answer below
        other = party_selectors.access_party(actor, respondent or "")
    if other is None or other.kind != PartyKindChoices.KIND_PARTY:
        errors["respondent"] = [_("Choose a party to the arrangement.")]
    summary = (summary or "").strip()
    if not summary or len(summary) > SUMMARY_MAX_CHARS:
        errors["summary"] = [_("Describe the complaint (1 to 10,000 characters).")]
    if errors:
        raise ValidationFailed(errors)
    assert other is not None
    deciding = mechanism.deciders(
        protocol.decision_rule, agreement_selectors.mechanism_parties(protocol.version)
    )
    audience = party_selectors.concerned_audience(other.code, *deciding)
    incident = incident_selectors.lock_visible(actor, incident)
    incident_services.check_share(actor, incident, audience)
    now = timezone.now()
    case = Case.objects.create(
        incident=incident,
        protocol_id=protocol.protocol_id,
        version=incident.version,
        complainant=None,
        own_motion_by=actor.party_code,
        respondent=other,
        summary=summary,
        state=StateChoices.LODGED,
        level=0,
        audience=audience_text.encode(audience),
        lodged_at=now,
        lodged_by=actor.user,
        updated_at=now,
    )
    incident_services.share_incident(actor=actor, incident=incident, audience=audience)
    _open_deadline(case, DeadlineKindChoices.ACKNOWLEDGE, protocol.acknowledge_within_hours, now)
    _open_deadline(case, DeadlineKindChoices.ANSWER, protocol.answer_within_hours, now)
    _level_deadline(case, now)
    _step(
        case,
        actor,
        A.OPEN_INQUIRY,
        {
            "opened_by": actor.party_code,
            "respondent": other.code,
            "summary": summary,
            "protocol": protocol.protocol_id,
        },
    )
    return case


def check_precedence(protocol: Protocol, code: str) -> dict[str, Any] | None:
    """The precedence ``code`` names on ``protocol`` ("": the lowest, the default); None
    where the protocol has none (and none was asked for); ValidationFailed otherwise."""
    code = (code or "").strip()
    chosen = protocol.find_precedence(code)
    if chosen is None and (code or protocol.precedence):
        raise ValidationFailed({"precedence": [_("Choose one of the protocol's precedences.")]})
    return chosen


def _reply_hours(protocol: Protocol, precedence: dict[str, Any] | None) -> tuple[float, float]:
    """The (first response, substantive answer) hours: the precedence's, else the
    protocol's acknowledgement and answer hours."""
    if precedence is None:
        return protocol.acknowledge_within_hours, protocol.answer_within_hours
    return (
        float(precedence["first_response_within_hours"]),
        float(precedence["answer_within_hours"]),
    )


@transaction.atomic
def change_precedence(*, actor: Actor, case: Case, precedence: str, reason: str) -> Case:
    """The complainant or the mediator (or a deciding party) changes the case's
    precedence, with a reason: each open acknowledgement and answer deadline moves by the
    difference between the new precedence's hours and the old one's, so an extension both
    parties countersigned is kept; a pending extension of a moved deadline lapses (it was
    proposed from the old time); a deadline thus already past is missed at once."""
    case = Case.objects.select_for_update(no_key=True).select_related("incident").get(pk=case.pk)
    allowed = {workflow.Side.COMPLAINANT, workflow.Side.MEDIATOR, workflow.Side.DECIDER}
    if not allowed & sides_of(actor, case):
        raise PermissionDenied(
            _("Only the complainant, the mediator or a deciding party changes the precedence.")
        )
    if case.state in workflow.CLOSED_STATES:
        raise ValidationFailed({"precedence": [_("The case is closed.")]})
    protocol = protocol_for(case.version, case.protocol_id)
    errors: dict[str, list[str]] = {}
    chosen = protocol.find_precedence((precedence or "").strip()) if precedence else None
    if chosen is None:
        errors["precedence"] = [_("Choose one of the protocol's precedences.")]
    elif chosen["code"] == case.precedence:
        errors["precedence"] = [_("The case already has this precedence.")]
    reason = (reason or "").strip()
    if not reason or len(reason) > 2_000:
        errors["text"] = [_("Say why the precedence changes (1 to 2,000 characters).")]
    if errors:
        raise ValidationFailed(errors)
    assert chosen is not None
    now = timezone.now()
    kinds = (DeadlineKindChoices.ACKNOWLEDGE, DeadlineKindChoices.ANSWER)
    old_hours = dict(
        zip(kinds, _reply_hours(protocol, protocol.find_precedence(case.precedence)), strict=True)
    )
    new_hours = dict(zip(kinds, _reply_hours(protocol, chosen), strict=True))
    moved: dict[str, Any] = {}
    open_deadlines = Deadline.objects.filter(
        case=case, kind__in=list(kinds), state=DeadlineStateChoices.OPEN
    )
    _lapse_extensions(open_deadlines, now)
    for deadline in open_deadlines:
        shift = dt.timedelta(hours=new_hours[deadline.kind] - old_hours[deadline.kind])
        due = deadline.due_at + shift
        Deadline.objects.filter(pk=deadline.pk).update(due_at=due)
        moved[deadline.kind] = {"from_due_at": deadline.due_at, "to_due_at": due}
    previous = case.precedence
    _save(case, now, precedence=chosen["code"])
    _step(
        case,
        actor,
        A.CHANGE_PRECEDENCE,
        {"text": reason, "from": previous, "to": chosen["code"], "deadlines": moved},
    )
    return _expire_overdue(case, now)


@transaction.atomic
def record_read_receipt(*, actor: Actor, case: Case) -> bool:
    """The respondent's duty officer opened the lodged case: that is its acknowledgement
    (the read receipt), recorded as the acknowledge step. False: nothing to record (not
    the respondent's officer, or the case is no longer lodged)."""
    locked = Case.objects.select_for_update(no_key=True).get(pk=case.pk)
    if locked.state != StateChoices.LODGED or actor.user is None:
        return False
    if workflow.Side.RESPONDENT not in sides_of(actor, locked):
        return False
    act(actor=actor, case=locked, action=A.ACKNOWLEDGE, read_receipt=True)
    return True


# --- the workflow's steps --------------------------------------------------------------


@transaction.atomic
def act(
    *,
    actor: Actor,
    case: Case,
    action: str,
    text: str = "",
    content: Mapping[str, Any] | None = None,
    read_receipt: bool = False,
) -> Case:
    """Take a workflow step (acknowledge, answer, …, withdraw, escalate) on ``case``.

    ``determine`` and ``propose`` take the determination's structured ``content``
    (``outcome``, ``clauses``, ``remedies``: ``rules.determinations``), and only once the
    respondent was heard (answered, or the answer's deadline passed: else 409). ``close``
    waits for every remedy verified or the complainant's assent (409). The steps on one
    remedy are ``cases.determinations``'. ``read_receipt``: the acknowledgement is the
    respondent's duty officer opening the case (``record_read_receipt``).
    """
    case = Case.objects.select_for_update(no_key=True).select_related("incident").get(pk=case.pk)
    if action not in workflow.PERSON_ACTIONS or action in workflow.REMEDY_ACTIONS:
        raise ValidationFailed({"action": [_("Unknown action.")]})
    if action != A.WITHDRAW and case.state not in workflow.CLOSED_STATES:
        case = _expire_overdue(case, timezone.now())
    sides = sides_of(actor, case)
    try:
        state = workflow.next_state(case.state, action, sides)
    except workflow.TransitionRefused as refused:
        if refused.reason == "wrong_side":
            raise PermissionDenied(_("You may not take this step on this case.")) from None
        raise ValidationFailed(
            {
                "action": [
                    _("This step is not possible while the case is %(state)s.")
                    % {"state": StateChoices.label(case.state)}
                ]
            }
        ) from None
    decision = decision_of(case) if action in workflow.DECISION_ACTIONS else None
    if decision is not None and action not in decision.actions(actor.party_code or ""):
        raise Conflict(_decision_refusal(decision, action, actor.party_code or ""))
    text = (text or "").strip()
    if len(text) > STEP_TEXT_MAX_CHARS:
        raise ValidationFailed({"text": [_("At most 20,000 characters.")]})
    if action in workflow.NEEDS_TEXT and not text:
        raise ValidationFailed({"text": [_("This step needs a text.")]})
    now = timezone.now()
    spec = _check_after_determination(case, actor, action, content, now)
    elements = _check_elements(case, action, content)
    linked = _check_link(actor, case, action, content)
    if action == A.AGREE_RESOLUTION:
        proposer = (case.resolution or {}).get("proposed_by")
        if not proposer or case.resolution.get("agreed_by"):
            raise Conflict(_("No terms are proposed."))
        if proposer == actor.party_code:
            raise Conflict(_("The other party agrees to the terms your party proposed."))
    data: dict[str, Any] = {"text": text, "from_state": case.state}
    if spec is not None:
        data["determination"] = spec.as_content()
        data["outcome"] = spec.outcome  # read by the scorecard of compliance
    if elements:
        data["elements"] = [e.as_content() for e in elements]
    if read_receipt and action == A.ACKNOWLEDGE:  # the duty officer opened the case
        data["read_receipt"] = True
    if action == A.ESCALATE:  # checked before any write: grounds, then the next level
        data["grounds"] = _check_escalation(case, sides, now)
    elif action == A.RECORD_LEVEL_OUTCOME:
        rung = _ladder(case)[case.level] if case.level < len(_ladder(case)) else {}
        data["owner"] = rung.get("owner", "")
        data["level_action"] = rung.get("action", {})
    notify_principals = False
    if decision is not None:
        assert actor.party_code  # a decider acts for its party
        state, text = _decide(case, decision, action, actor, text, data, now)
        if action == A.CONCUR and state == StateChoices.DETERMINED:
            spec = determinations.DeterminationSpec.from_content(case.proposed_content)
            data["determination"] = spec.as_content() if spec is not None else {}
            if spec is not None:
                data["outcome"] = spec.outcome
    if action == A.ACKNOWLEDGE:
        _close_deadlines(case, [DeadlineKindChoices.ACKNOWLEDGE], DeadlineStateChoices.MET, now)
    elif action == A.REQUEST_CLARIFICATION:
        # Asking to clarify acknowledges the complaint; the answer's clock pauses.
        _close_deadlines(case, [DeadlineKindChoices.ACKNOWLEDGE], DeadlineStateChoices.MET, now)
        _pause_deadlines(case, [DeadlineKindChoices.ANSWER], now)
    elif action == A.CLARIFY:
        data["resumed"] = _resume_deadlines(case, now)
    elif action == A.ANSWER:
        _close_deadlines(
            case,
            [DeadlineKindChoices.ACKNOWLEDGE, DeadlineKindChoices.ANSWER],
            DeadlineStateChoices.MET,
            now,
        )
        _determination_deadline(case, now)
    elif action == A.REQUEST_VERIFICATION:
        protocol = protocol_for(case.version, case.protocol_id)
        _open_deadline(
            case, DeadlineKindChoices.VERIFICATION, protocol.verification_within_hours, now
        )
    elif action in workflow.VERIFICATION_RESULTS:
        _close_deadlines(case, [DeadlineKindChoices.VERIFICATION], DeadlineStateChoices.MET, now)
    elif action in (
        A.DETERMINE,
        A.WITHDRAW,
        A.CLOSE,
        A.AGREE_RESOLUTION,
        A.REFER_TO_TALKS,
        A.LINK,
    ) or (state == StateChoices.DETERMINED and case.state != StateChoices.DETERMINED):
        if state == StateChoices.DETERMINED:
            _close_deadlines(
                case, [DeadlineKindChoices.DETERMINATION], DeadlineStateChoices.MET, now
            )
        _close_deadlines(
            case,
            [k for k, _label in DeadlineKindChoices.choices()],
            DeadlineStateChoices.CANCELLED,
            now,
        )
    elif action == A.ESCALATE:
        _climb(case, now)
        data["to_level"] = level_name(case)
        notify_principals = True
    changes: dict[str, Any] = {"state": state}
    if state == StateChoices.DETERMINED and case.state != StateChoices.DETERMINED:
        decided = data["decided_by"]
        changes.update(
            determination=text,
            determined_at=now,
            determined_by=actor.user,
            decided_by=decided,
            proposed_determination="",
            proposed_at=None,
            concurred_by=[],
            proposed_content={},
            outcome=spec.outcome if spec is not None else "",
            clauses=list(spec.clauses) if spec is not None else [],
        )
        data["determined_by"] = actor.name
        if text:
            # The determination is an official text: its language, hash and status on the record.
            written_in = get_language() or "en"
            official_text = official.issue_text(
                actor=actor,
                kind=OfficialTextKindChoices.DETERMINATION,
                subject_label=f"cases.determination:{case.reference}",
                version=case.version,
                language=written_in if written_in in vocabulary.LANGUAGES else "en",
                body=text,
                audience=case.audience_codes,
            )
            changes["determination_text"] = official_text
            data["official_text"] = {t.language: t.sha256 for t in official_text.translations.all()}
        if spec is not None:
            _create_remedies(case, spec, now)
    elif action == A.PROPOSE:
        assert spec is not None
        changes.update(
            proposed_determination=text,
            proposed_at=now,
            concurred_by=data["concurred_by"],
            proposed_content=spec.as_content(),
        )
    elif action == A.CONCUR:
        changes.update(concurred_by=data["concurred_by"])
    elif action in (A.DECLINE, A.WITHDRAW):
        changes.update(
            proposed_determination="", proposed_at=None, concurred_by=[], proposed_content={}
        )
    elif action == A.RESERVE:
        changes.update(
            reservations=[
                *(case.reservations or []),
                {"party": actor.party_code or "", "text": text, "at": now.isoformat()},
            ]
        )
    elif action == A.ASSENT:
        changes.update(assented_at=now)
    elif action == A.PROPOSE_RESOLUTION:
        changes.update(
            resolution={
                "text": text,
                "proposed_by": actor.party_code or "",
                "proposed_at": now.isoformat(),
            }
        )
    elif action == A.AGREE_RESOLUTION:
        changes.update(
            resolution={
                **case.resolution,
                "agreed_by": actor.party_code or "",
                "agreed_at": now.isoformat(),
            }
        )
        data["resolution"] = changes["resolution"]
    elif action == A.LINK:
        assert linked is not None
        other, relation = linked
        changes.update(linked_case=other, link_relation=relation)
        data["relation"] = relation
        # The other case's reference only where every reader of this step may read that
        # case too: to anyone else it does not exist (as the API's ``linked_case``).
        if audience_text.ALL_MEMBERS in other.audience_codes or set(case.audience_codes) <= set(
            other.audience_codes
        ):
            data["linked_case"] = other.reference
    _save(case, now, **changes)
    step = _step(case, actor, action, data, notify_principals=notify_principals)
    VerificationElement.objects.bulk_create(
        [
            VerificationElement(
                case=case,
                step=step,
                element=e.element,
                finding=e.finding,
                reason=e.reason,
                reason_text=e.reason_text,
                denied_by=e.denied_by,
            )
            for e in elements
        ]
    )
    return case


#: What each problem of a verification's elements says (``rules.verification``).
_ELEMENT_PROBLEMS = {
    "element": lambda: _("Each element once, from the list."),
    "finding": lambda: _("Choose what was found."),
    "reason": lambda: _("Give the reason it was not (fully) verified."),
    "reason_text": lambda: _("Say the reason in words (up to 1,000 characters)."),
    "denied_by": lambda: _("Name the party that denied access (and only for an access denial)."),
}


def _check_elements(
    case: Case, action: str, content: Mapping[str, Any] | None
) -> tuple[verification.ElementResult, ...]:
    """A verification result's elements, checked (none: a one-word result)."""
    if action not in workflow.VERIFICATION_RESULTS or not content:
        return ()
    parties = {complainant_code(case), *answering_codes(case)} - {""}
    try:
        return verification.check_elements(content.get("elements") or [], parties=parties)
    except verification.Invalid as invalid:
        messages: list[str] = []
        for field, problems in invalid.fields.items():
            n = int(field.split(".")[1]) + 1 if "." in field else 0
            for problem in problems:
                message = _ELEMENT_PROBLEMS.get(problem)
                text = str(message()) if message else _("Invalid.")
                messages.append(
                    _("Element %(n)s: %(problem)s") % {"n": n, "problem": text} if n else text
                )
        raise ValidationFailed({"elements": messages}) from None


def _check_link(
    actor: Actor, case: Case, action: str, content: Mapping[str, Any] | None
) -> tuple[Case, str] | None:
    """The case ``link`` names (by reference, among those the actor may read) and how
    this one relates to it; ``ValidationFailed`` otherwise."""
    if action != A.LINK:
        return None
    content = content or {}
    errors: dict[str, list[str]] = {}
    relation = content.get("relation")
    if relation not in LinkChoices.values():
        errors["relation"] = [_("A duplicate, or a counter-complaint.")]
    other = (
        Case.objects.restrict(actor)
        .filter(reference=str(content.get("case") or ""))
        .exclude(pk=case.pk)
        .first()
    )
    if other is None:  # unknown or hidden: the same answer
        errors["case"] = [_("Name another case you may read, by its reference.")]
    if errors:
        raise ValidationFailed(errors)
    assert other is not None
    return other, str(relation)


def _answer_deadline_passed(case: Case) -> bool:
    """Whether the answer's deadline has passed without an answer (it was missed)."""
    return Deadline.objects.filter(
        case=case, kind=DeadlineKindChoices.ANSWER, state=DeadlineStateChoices.EXPIRED
    ).exists()


def _check_after_determination(
    case: Case, actor: Actor, action: str, content: Mapping[str, Any] | None, now: dt.datetime
) -> determinations.DeterminationSpec | None:
    """The checks of the steps that make, follow or close a determination, before any
    write: the determination's content (returned, for ``determine`` and ``propose``),
    when it may come, a party's single reservation, the complainant's single assent,
    and what closing waits for."""
    if action in (A.DETERMINE, A.PROPOSE):
        if not determinations.may_determine(case.state, _answer_deadline_passed(case)):
            raise Conflict(
                _(
                    "The respondent has not been heard: the determination comes after the "
                    "answer, or once the answer's deadline has passed."
                )
            )
        return check_determination_content(actor, case, content or {}, now)
    if action == A.RESERVE and any(
        r.get("party") == actor.party_code for r in case.reservations or []
    ):
        raise Conflict(_("Your party has already attached its reservation."))
    if action == A.ASSENT and case.assented_at is not None:
        raise Conflict(_("The complainant has already assented to closing the case."))
    if action == A.CLOSE:
        states = Remedy.objects.filter(case=case).values_list("state", flat=True)
        if not determinations.may_close(states, case.assented_at is not None):
            raise Conflict(
                _(
                    "The case is closed once every remedy is verified, or once the "
                    "complainant has assented to closing it."
                )
            )
    return None


#: What each problem of a determination's content says (``rules.determinations``).
_CONTENT_PROBLEMS = {
    "outcome": lambda: _("Choose the outcome."),
    "clauses": lambda: _("Cite clauses of the arrangement's version."),
    "remedies": lambda: _("At most 20 remedies."),
    "what": lambda: _("Say what is to be done (1 to 2,000 characters)."),
    "owner": lambda: _("The party that is to do it: the complainant or the respondent."),
    "verifier": lambda: _("Who verifies it: a monitor party of the case, or the deciders."),
    "due_at": lambda: _("A deadline in the future, with its time zone."),
}


def check_determination_content(
    actor: Actor, case: Case, content: Mapping[str, Any], now: dt.datetime
) -> determinations.DeterminationSpec:
    """The determination's structured content checked against the case: the clauses of
    its version, the parties that may own a remedy (the complainant and those answering
    it), the monitor parties of its audience; ``ValidationFailed`` otherwise."""
    clauses = set(
        agreement_selectors.list_clauses(actor, case.version).values_list("clause_id", flat=True)
    )
    owners = {complainant_code(case), *answering_codes(case)} - {""}
    monitors = {
        code
        for code, kind, _role in agreement_selectors.mechanism_parties(case.version)
        if kind == PartyKindChoices.KIND_MONITOR and code in case.audience_codes
    }
    try:
        return determinations.check_determination(
            content, clauses=clauses, owners=owners, monitors=monitors, now=now
        )
    except determinations.Invalid as invalid:
        errors: dict[str, list[str]] = {}
        for field, problems in invalid.fields.items():
            key = field.split(".")[0] if field.startswith("remedies") else field
            for problem in problems:
                message = _CONTENT_PROBLEMS.get(problem, _CONTENT_PROBLEMS.get(key))
                text = str(message()) if message else _("Invalid.")
                if field.startswith("remedies."):
                    text = _("Remedy %(n)s: %(problem)s") % {
                        "n": int(field.split(".")[1]) + 1,
                        "problem": text,
                    }
                errors.setdefault(key, []).append(text)
        raise ValidationFailed(errors) from None


def _create_remedies(case: Case, spec: determinations.DeterminationSpec, now: dt.datetime) -> None:
    """The determination's remedies, each with its deadline on the worker's machinery."""
    for i, remedy in enumerate(spec.remedies):
        deadline = Deadline.objects.create(
            case=case,
            kind=DeadlineKindChoices.REMEDY,
            level=case.level,
            starts_at=now,
            due_at=remedy.due_at,
        )
        Remedy.objects.create(
            case=case,
            position=i,
            what=remedy.what,
            owner=remedy.owner,
            due_at=remedy.due_at,
            verifier=remedy.verifier,
            deadline=deadline,
        )


def _remedy_missed(case: Case, deadline: Deadline, now: dt.datetime) -> None:
    """A remedy's deadline passed before its owner reported it done: non-compliance."""
    remedy = Remedy.objects.filter(deadline=deadline).first()
    if remedy is None or remedy.state != "open":
        return
    Remedy.objects.filter(pk=remedy.pk).update(missed_at=now)
    _save(case, now, non_compliance=True)
    _step(
        case,
        Actor.console("worker"),
        A.REMEDY_MISSED,
        {
            "remedy": str(remedy.public_id),
            "what": remedy.what,
            "owner": remedy.owner,
            "due_at": deadline.due_at,
            "expired_at": now,
        },
    )


# --- the ladder ------------------------------------------------------------------------


def _climb(case: Case, now: dt.datetime) -> None:
    """Move the case one level up (the caller checked it may) and restart the review."""
    _close_deadlines(case, [DeadlineKindChoices.LEVEL], DeadlineStateChoices.CANCELLED, now)
    _save(case, now, level=case.level + 1)
    _level_deadline(case, now)


def level_reached_at(case: Case) -> dt.datetime:
    """When the case reached its current level: its last climb, else its lodging."""
    last = (
        Step.objects.filter(case=case, action=A.ESCALATE, level_after=case.level)
        .order_by("-at", "-pk")
        .values_list("at", flat=True)
        .first()
    )
    return last or case.lodged_at


def _grounds_at_level(case: Case) -> set[str]:
    """The grounds to climb that arose at the case's current level (``rules.ladder``)."""
    actions = set(
        Step.objects.filter(
            case=case,
            level_after=case.level,
            at__gte=level_reached_at(case),
            action__in=[A.NO_REPLY, A.REJECT_ANSWER],
        ).values_list("action", flat=True)
    )
    grounds = set()
    if A.NO_REPLY in actions:
        grounds.add(ladder.MISSED_DEADLINE)
    if A.REJECT_ANSWER in actions:
        grounds.add(ladder.ANSWER_REJECTED)
    return grounds


def _decides_escalation(sides: frozenset[str]) -> bool:
    """Whether these sides may decide to escalate: the mediator's, or a deciding party's
    that is neither complainant nor respondent (a party to the case needs grounds)."""
    if workflow.Side.MEDIATOR in sides:
        return True
    parties = {workflow.Side.COMPLAINANT, workflow.Side.RESPONDENT}
    return workflow.Side.DECIDER in sides and not parties & sides


def _check_escalation(case: Case, sides: frozenset[str], now: dt.datetime) -> list[str]:
    """The grounds on which this escalation climbs; ``Conflict`` (409) with the reason
    when it may not: no grounds, no failure where the next level needs one, too early,
    or already at the top."""
    grounds = _grounds_at_level(case)
    if _decides_escalation(sides):
        grounds.add(ladder.DECIDED)
    rungs = ladder.rungs(_ladder(case))
    try:
        ladder.check_climb(
            rungs, case.level, reached_at=level_reached_at(case), now=now, grounds=grounds
        )
    except ladder.ClimbRefused as refused:
        raise Conflict(_climb_refusal(case, refused)) from None
    return sorted(grounds)


def _climb_refusal(case: Case, refused: ladder.ClimbRefused) -> str:
    """Why the case may not climb now (the answer of a 409)."""
    if refused.reason == "top":
        return _("The case is already at the top of the ladder.")
    nxt = level_label(case, case.level + 1)
    if refused.reason == "no_grounds":
        return _(
            "A case climbs only when a deadline was missed, when the complainant rejected "
            "the answer with reasons, or when the mediator decides it: none of these "
            "happened at this level."
        )
    if refused.reason == "needs_failure":
        return _("“%(level)s” is reached only after a missed deadline.") % {"level": nxt}
    assert refused.eligible_at is not None
    return _("“%(level)s” may not be reached before %(at)s UTC.") % {
        "level": nxt,
        "at": refused.eligible_at.strftime("%Y-%m-%d %H:%M"),
    }


def level_label(case: Case, index: int) -> str:
    """A level's name in the active language (its code when it has none)."""
    steps = protocol_for(case.version, case.protocol_id).localized_ladder
    return str(steps[index]["label"] or steps[index]["level"]) if 0 <= index < len(steps) else ""


def climb_status(case: Case, now: dt.datetime | None = None) -> dict[str, Any]:
    """What the case page and the board show of the ladder: at the top, when the next
    level is eligible, the grounds held at this level."""
    rungs = ladder.rungs(_ladder(case))
    reached = level_reached_at(case)
    return {
        "at_top": case.level + 1 >= len(rungs),
        "reached_at": reached,
        "next_eligible_at": ladder.eligible_at(rungs, case.level, reached),
        "next_after_failure": case.level + 1 < len(rungs) and rungs[case.level + 1].after_failure,
        "grounds": sorted(_grounds_at_level(case)),
    }


def _decision_refusal(decision: Decision, action: str, code: str) -> str:
    """Why a decider may not take this decision step now (the answer of a 409)."""
    if decision.rule.joint and action == A.DETERMINE:
        return _(
            "Under this protocol the determination is decided jointly: propose it; it takes "
            "effect when each deciding party has concurred."
        )
    if not decision.rule.joint:
        return _("Under this protocol one deciding party determines alone: determine.")
    if action == A.PROPOSE:
        return _("A determination is already proposed: concur with it or decline it.")
    if not decision.proposed:
        return _("No determination is proposed.")
    if code in decision.concurred:
        return _("Your party has already concurred with the proposed determination.")
    return _("You may not take this step on this case.")


def _decide(
    case: Case,
    decision: Decision,
    action: str,
    actor: Actor,
    text: str,
    data: dict[str, Any],
    now: dt.datetime,
) -> tuple[str, str]:
    """A decision step: (the state after it, the determination's text).

    Determining alone takes effect at once. Under a joint rule a proposal (its text) and
    each concurrence are recorded, and the last concurrence puts the proposal into effect,
    with every party that decided; a declined proposal lapses. Nothing is written here:
    ``act`` saves what this returns, in its transaction.
    """
    code = actor.party_code or ""
    data["rule"] = decision.rule.as_content()
    if action == A.DETERMINE:
        data["decided_by"] = [code]
        return StateChoices.DETERMINED, text
    if action == A.DECLINE:
        data["proposal"] = case.proposed_determination
        data["concurred_by"] = list(decision.concurred)
        return case.state, text
    concurred = [*decision.concurred, code] if action == A.CONCUR else [code]
    data["concurred_by"] = concurred
    remaining = mechanism.pending(decision.rule, decision.parties, concurred)
    data["awaiting"] = list(remaining)
    if action == A.CONCUR and not remaining:
        # In the rule's order: who decided, whoever proposed.
        data["decided_by"] = [c for c in decision.deciders if c in concurred]
        data["proposal"] = case.proposed_determination
        return StateChoices.DETERMINED, case.proposed_determination
    return case.state, text


def _determination_deadline(case: Case, start: dt.datetime) -> None:
    """Open the deciders' deadline for the determination, where the protocol sets one:
    from the answer, or from the answer's deadline when none came."""
    protocol = protocol_for(case.version, case.protocol_id)
    hours = protocol.determine_within_hours
    if hours is None or case.state in (StateChoices.DETERMINED, *workflow.CLOSED_STATES):
        return
    if Deadline.objects.filter(case=case, kind=DeadlineKindChoices.DETERMINATION).exists():
        return
    Deadline.objects.create(
        case=case,
        kind=DeadlineKindChoices.DETERMINATION,
        level=case.level,
        starts_at=start,
        due_at=deadlines.due(start, hours),
    )


# --- the worker -----------------------------------------------------------------------


def expire_due(now: dt.datetime) -> int:
    """Write "no reply" for every open deadline due at ``now`` and climb the ladder.

    Each deadline is claimed with a conditional update (open → expired) inside its own
    transaction: two workers running at once never handle one twice. Returns the number
    of deadlines this call expired.
    """
    due = list(
        Deadline.objects.filter(state=DeadlineStateChoices.OPEN, due_at__lte=now)
        .order_by("due_at", "pk")
        .values_list("pk", "kind", "due_at", "case_id")
    )
    due.sort(key=lambda row: (row[2], _KIND_ORDER.get(row[1], 9), row[0]))
    handled = 0
    for pk, _kind, _due_at, case_id in due:
        with transaction.atomic():
            # The case first, then its deadline: the same order as a person's step, so a
            # step and the worker meeting on one case wait for each other, never deadlock.
            Case.objects.select_for_update(no_key=True).filter(pk=case_id).first()
            if _claim(pk, now):
                _expire(Deadline.objects.select_related("case__incident").get(pk=pk), now)
                handled += 1
    return handled


def _claim(pk: int, now: dt.datetime) -> bool:
    """Expire an open deadline if it is still open (False: met, cancelled, or taken); an
    extension of it that still awaits countersignature lapses."""
    claimed = bool(
        Deadline.objects.filter(pk=pk, state=DeadlineStateChoices.OPEN).update(
            state=DeadlineStateChoices.EXPIRED, closed_at=now
        )
    )
    if claimed:
        _lapse_extensions(Deadline.objects.filter(pk=pk), now)
    return claimed


def _expire_overdue(case: Case, now: dt.datetime) -> Case:
    """Before a person's step: deadlines already past are missed, whatever comes now.

    A reply after its deadline does not make the deadline "met": the "no reply" and the
    escalation the worker would have written are written first, in the step's
    transaction (the case is already locked).
    """
    overdue = list(
        Deadline.objects.filter(case=case, state=DeadlineStateChoices.OPEN, due_at__lt=now)
        .order_by("due_at", "pk")
        .values_list("pk", "kind", "due_at")
    )
    overdue.sort(key=lambda row: (row[2], _KIND_ORDER.get(row[1], 9), row[0]))
    for pk, _kind, _due_at in overdue:
        if _claim(pk, now):
            _expire(Deadline.objects.select_related("case__incident").get(pk=pk), now)
    fresh: Case = Case.objects.select_related("incident").get(pk=case.pk)
    return fresh


def _expire(deadline: Deadline, now: dt.datetime) -> None:
    """A deadline expired: "no reply", and a climb where the ladder allows it now; the
    time at a level only reminds the mediator to review the case (no climb, no alert)."""
    case = (
        Case.objects.select_for_update(no_key=True)
        .select_related("incident")
        .get(pk=deadline.case_id)
    )
    system = Actor.console("worker")
    if case.state in workflow.CLOSED_STATES:
        return
    if deadline.kind == DeadlineKindChoices.REMEDY:
        _remedy_missed(case, deadline, now)
        return
    if deadline.kind == DeadlineKindChoices.LEVEL:
        if case.state in (StateChoices.DETERMINED, StateChoices.REMEDIED):
            return
        _step(
            case,
            system,
            A.REVIEW_DUE,
            {"deadline": deadline.kind, "due_at": deadline.due_at, "since": deadline.starts_at},
            only_parties=_reviewers(case),
        )
        return
    _step(
        case,
        system,
        A.NO_REPLY,
        {"deadline": deadline.kind, "due_at": deadline.due_at, "expired_at": now},
    )
    if deadline.kind == DeadlineKindChoices.ANSWER:
        _determination_deadline(case, deadline.due_at)
    if case.state in (StateChoices.DETERMINED, StateChoices.REMEDIED):
        return
    try:
        ladder.check_climb(
            ladder.rungs(_ladder(case)),
            case.level,
            reached_at=level_reached_at(case),
            now=now,
            grounds=_grounds_at_level(case),
        )
    except ladder.ClimbRefused:
        return  # the top, or not yet eligible: the missed deadline stays as grounds
    _climb(case, now)
    _step(
        case,
        system,
        A.ESCALATE,
        {
            "reason": f"{deadline.kind}_deadline_expired",
            "grounds": [ladder.MISSED_DEADLINE],
            "due_at": deadline.due_at,
            "to_level": level_name(case),
        },
        notify_principals=True,
    )


def _reviewers(case: Case) -> list[str]:
    """Who is reminded to review a case: the mediators among its audience, else (an
    arrangement without a mediator) the parties that decide it."""
    mediators = {p.code for p in party_selectors.parties_of_kinds([PartyKindChoices.KIND_MEDIATOR])}
    codes = [c for c in case.audience_codes if c in mediators]
    return codes or list(decision_of(case).deciders)


@transaction.atomic
def mark_read(
    *,
    actor: Actor,
    notification_ids: Iterable[uuid.UUID] | None = None,
    case: Case | None = None,
) -> int:
    """Mark the actor's own notifications read: all, the given ones, or those about ``case``
    (opening a case's page reads them). Nobody else's are touched."""
    if actor.user is None:
        raise PermissionDenied()
    qs = Notification.objects.filter(recipient=actor.user, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(public_id__in=list(notification_ids))
    if case is not None:
        qs = qs.filter(case=case)
    return qs.update(read_at=timezone.now())


def protocol_ladder(case: Case) -> list[dict[str, Any]]:
    """The case's ladder in the active language, with the level it stands at."""
    protocol = protocol_for(case.version, case.protocol_id)
    return [
        {**step, "index": i, "current": i == case.level, "passed": i < case.level}
        for i, step in enumerate(protocol.localized_ladder)
    ]


#: The shortest and longest extension the mediator may record at once, in hours.
MIN_EXTENSION_HOURS = 0.5
MAX_EXTENSION_HOURS = 24 * 30


def _locked_case(actor: Actor, case: Case) -> Case:
    case = Case.objects.select_for_update(no_key=True).select_related("incident").get(pk=case.pk)
    return _expire_overdue(case, timezone.now())


@transaction.atomic
def propose_extension(
    *, actor: Actor, case: Case, kind: str, hours: float, reason: str
) -> Extension:
    """The mediator (or a deciding party) proposes to move an open deadline by ``hours``.

    Nothing moves yet: the extension takes effect when the complainant and the respondent
    have each countersigned it (``countersign_extension``); until then the old deadline
    runs, and its passing lapses the proposal.
    """
    case = Case.objects.select_for_update(no_key=True).select_related("incident").get(pk=case.pk)
    if not {workflow.Side.MEDIATOR, workflow.Side.DECIDER} & sides_of(actor, case):
        raise PermissionDenied(
            _("Only the mediator or a deciding party proposes an extension to the parties.")
        )
    case = _expire_overdue(case, timezone.now())
    errors: dict[str, list[str]] = {}
    deadline = Deadline.objects.filter(
        case=case, kind=kind, state=DeadlineStateChoices.OPEN
    ).first()
    if deadline is None:
        errors["kind"] = [_("This case has no open deadline of that kind.")]
    if (
        isinstance(hours, bool)
        or not isinstance(hours, int | float)
        or not MIN_EXTENSION_HOURS <= hours <= MAX_EXTENSION_HOURS
    ):
        errors["hours"] = [
            _("Give a number of hours between %(min)s and %(max)s.")
            % {"min": MIN_EXTENSION_HOURS, "max": MAX_EXTENSION_HOURS}
        ]
    reason = (reason or "").strip()
    if not reason or len(reason) > 2_000:
        errors["text"] = [_("Say why the deadline should move (1 to 2,000 characters).")]
    if errors:
        raise ValidationFailed(errors)
    assert deadline is not None
    if deadline.extensions.filter(state=ExtensionStateChoices.PENDING).exists():
        raise Conflict(_("An extension of this deadline already awaits countersignature."))
    now = timezone.now()
    extension = Extension.objects.create(
        case=case,
        deadline=deadline,
        proposed_by=actor.party_code or "",
        proposed_at=now,
        from_due_at=deadline.due_at,
        to_due_at=deadline.due_at + dt.timedelta(hours=hours),
        hours=hours,
        reason=reason,
    )
    _save(case, now)
    _step(
        case,
        actor,
        A.PROPOSE_EXTENSION,
        {
            "text": reason,
            "deadline": kind,
            "hours": hours,
            "from_due_at": extension.from_due_at,
            "to_due_at": extension.to_due_at,
        },
    )
    return extension


def _pending_extension(case: Case, kind: str) -> Extension:
    extension = (
        Extension.objects.select_for_update(no_key=True)
        .select_related("deadline")
        .filter(
            case=case,
            deadline__kind=kind,
            deadline__state=DeadlineStateChoices.OPEN,
            state=ExtensionStateChoices.PENDING,
        )
        .first()
    )
    if extension is None:
        raise Conflict(_("No extension of this deadline awaits countersignature."))
    return extension


def _signing_side(actor: Actor, case: Case, extension: Extension) -> str:
    """The side (complainant, respondent) the actor signs for; PermissionDenied/Conflict."""
    sides = [
        s
        for s in (workflow.Side.COMPLAINANT, workflow.Side.RESPONDENT)
        if s in sides_of(actor, case)
    ]
    if not sides:
        raise PermissionDenied(
            _("Only the complainant and the respondent countersign or refuse an extension.")
        )
    unsigned = [s for s in sides if s not in (extension.countersigned or {})]
    if not unsigned:
        raise Conflict(_("Your party has already countersigned this extension."))
    return unsigned[0]


@transaction.atomic
def countersign_extension(*, actor: Actor, case: Case, kind: str) -> Extension:
    """The complainant or the respondent countersigns the pending extension of the
    ``kind`` deadline; the second countersignature moves the deadline (``extend``)."""
    case = _locked_case(actor, case)
    extension = _pending_extension(case, kind)
    side = _signing_side(actor, case, extension)
    now = timezone.now()
    signed = {**(extension.countersigned or {}), side: actor.party_code or ""}
    agreed = {workflow.Side.COMPLAINANT, workflow.Side.RESPONDENT} <= set(signed)
    extension.countersigned = signed
    changes: dict[str, Any] = {"countersigned": signed}
    if agreed:
        changes.update(state=ExtensionStateChoices.AGREED, closed_at=now)
        extension.state = ExtensionStateChoices.AGREED
    Extension.objects.filter(pk=extension.pk).update(**changes)
    _save(case, now)
    base = {"deadline": kind, "to_due_at": extension.to_due_at}
    _step(case, actor, A.COUNTERSIGN_EXTENSION, {**base, "side": side})
    if agreed:
        Deadline.objects.filter(pk=extension.deadline_id).update(
            due_at=extension.to_due_at, extended_by_agreement=True
        )
        _step(
            case,
            actor,
            A.EXTEND,
            {
                **base,
                "text": extension.reason,
                "hours": extension.hours,
                "from_due_at": extension.from_due_at,
                "proposed_by": extension.proposed_by,
                "countersigned_by": signed,
            },
        )
    return extension


@transaction.atomic
def refuse_extension(*, actor: Actor, case: Case, kind: str, reason: str = "") -> Extension:
    """The complainant or the respondent refuses the pending extension: it lapses and the
    old deadline stands."""
    case = _locked_case(actor, case)
    extension = _pending_extension(case, kind)
    side = _signing_side(actor, case, extension)
    reason = (reason or "").strip()
    if len(reason) > 2_000:
        raise ValidationFailed({"text": [_("At most 2,000 characters.")]})
    now = timezone.now()
    Extension.objects.filter(pk=extension.pk).update(
        state=ExtensionStateChoices.REFUSED, closed_at=now
    )
    extension.state = ExtensionStateChoices.REFUSED
    _save(case, now)
    _step(
        case,
        actor,
        A.REFUSE_EXTENSION,
        {"deadline": kind, "to_due_at": extension.to_due_at, "side": side, "text": reason},
    )
    return extension
