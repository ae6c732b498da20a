"""Warnings and action requests: one party warns another, through the cell, of a specific
threat at a place and asks it to act within a window; the other acknowledges, acts and
reports; monitors confirm where they can; the warner records the outcome.

Each step is one service (permission, validation before any write, the change, its
record event, one transaction). The audience fails closed: the two parties and the
mediators, and the monitors only when the warning says so. The window's end is settled
by the worker (:func:`settle_windows`): open → expired when no action was reported in
time; a report in time closes it as met.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coordcell.agreements.engines import engine_for
from coordcell.cases import exchange_events
from coordcell.cases.exchange_choices import (
    ConfirmationChoices,
    OutcomeChoices,
    WindowStateChoices,
)
from coordcell.cases.models import Activation, ThreatWarning, WarningConfirmation
from coordcell.core import audience as audience_text
from coordcell.core.actor import Actor
from coordcell.core.errors import NotFound, PermissionDenied, ValidationFailed
from coordcell.incidents import selectors as incident_selectors
from coordcell.incidents.services import REJECTING
from coordcell.parties import selectors as party_selectors
from coordcell.parties.choices import PartyKindChoices, RoleChoices
from coordcell.record.services import append_event, subject
from coordcell.rules import deadlines
from coordcell.rules.engine import Observation
from coordcell.rules.geojson_input import GeometryError, normalise_geometry

if TYPE_CHECKING:
    from coordcell.agreements.models import ArrangementVersion
    from coordcell.incidents.models import Incident

__all__ = [
    "MAX_WINDOW_HOURS",
    "MIN_WINDOW_HOURS",
    "acknowledge",
    "confirm_action",
    "may_warn",
    "pass_warning",
    "record_outcome",
    "report_action",
    "settle_windows",
    "warning_audience",
]

_ACTING = (RoleChoices.LIAISON_OFFICER, RoleChoices.PRINCIPAL)
TEXT_MAX_CHARS = 5_000
#: The shortest and longest action window, in hours.
MIN_WINDOW_HOURS = 0.25
MAX_WINDOW_HOURS = 24 * 7
#: How long before it is recorded a warning may say it was given (by radio, say), in hours.
MAX_PASSED_BEFORE_HOURS = 24


def may_warn(actor: Actor) -> bool:
    """Liaison officers and principals of a party to the arrangement pass warnings."""
    return bool(
        not actor.system
        and actor.party_id
        and actor.party_kind == PartyKindChoices.KIND_PARTY
        and any(actor.has_role(r) for r in _ACTING)
    )


def _acting_for(actor: Actor, party_id: int) -> bool:
    return (
        not actor.system and actor.party_id == party_id and any(actor.has_role(r) for r in _ACTING)
    )


def warning_audience(warner: str, addressee: str, monitors: bool) -> list[str]:
    """The two parties and the mediators; the monitors only when the warning says so."""
    mediators = [p.code for p in party_selectors.parties_of_kinds([PartyKindChoices.KIND_MEDIATOR])]
    codes = [warner, addressee, *mediators]
    if monitors:
        codes += [p.code for p in party_selectors.parties_of_kinds([PartyKindChoices.KIND_MONITOR])]
    return audience_text.normalise(codes)


def _text(value: str, field: str, errors: dict[str, list[str]], message: str) -> str:
    value = (value or "").strip()
    if not value or len(value) > TEXT_MAX_CHARS:
        errors[field] = [message]
    return value


def _place(
    version: ArrangementVersion, geometry: Mapping[str, Any], kind: str, errors: dict[str, Any]
) -> dict[str, Any] | None:
    """The place, normalised and inside the arrangement's region (as an incident's is)."""
    try:
        clean = normalise_geometry(geometry)
    except GeometryError as exc:
        errors["geometry"] = [exc.translated(_)]
        return None
    if not engine_for(version).is_kind(kind):
        return clean  # the kind's own error says it
    assessment = engine_for(version).assess(Observation(id="warning", kind=kind, geometry=clean))
    rejecting = [p.message for p in assessment.problems if p.code in REJECTING]
    if rejecting:
        errors["geometry"] = rejecting
        return None
    return dict(clean)


def _covers(wider: list[str], narrower: list[str]) -> bool:
    """Whether every reader of ``narrower`` also reads ``wider``."""
    return audience_text.ALL_MEMBERS in wider or set(narrower) <= set(wider)


def _record(actor: Actor, warning: ThreatWarning, event: Any, data: dict[str, Any]) -> None:
    append_event(
        actor=actor,
        event_type=event,
        data={
            "warning": warning.reference,
            "warner": warning.warner.code,
            "addressee": warning.addressee.code,
            **data,
        },
        subjects=[subject("cases.warning", warning.public_id, warning.reference)],
        audience=warning.audience_codes,
    )


def _lock(actor: Actor, warning: ThreatWarning) -> ThreatWarning:
    found: ThreatWarning | None = (
        ThreatWarning.objects.restrict(actor)
        .select_for_update(no_key=True)
        .select_related("warner", "addressee")
        .filter(pk=warning.pk)
        .first()
    )
    if found is None:
        raise NotFound()
    return found


@transaction.atomic
def pass_warning(
    *,
    actor: Actor,
    version: ArrangementVersion,
    addressee: str,
    geometry: Mapping[str, Any],
    threat: str,
    act_kind: str,
    action_requested: str,
    window_hours: float,
    include_monitors: bool = False,
    passed_at: dt.datetime | None = None,
    activation: Activation | None = None,
) -> ThreatWarning:
    """A party warns ``addressee`` (a party code) of a threat at a place and asks it to act
    within ``window_hours``. ``passed_at``: when it was given, if before now (at most a
    day before). ``activation``: the hotline call it comes from (its caller or callee)."""
    if not may_warn(actor):
        raise PermissionDenied(_("Liaison officers and principals of a party pass warnings."))
    warner = party_selectors.party_of(actor)
    assert warner is not None  # may_warn checked the membership
    now = timezone.now()
    errors: dict[str, list[str]] = {}
    other = None
    try:
        other = party_selectors.access_party(actor, addressee or "")
    except NotFound:
        other = None
    if other is None or other.kind != PartyKindChoices.KIND_PARTY or other.pk == warner.pk:
        errors["addressee"] = [_("Choose another party to the arrangement.")]
    if activation is not None:
        call = Activation.objects.restrict(actor).filter(pk=activation.pk).first()
        if call is None:
            raise NotFound()
        if actor.party_id not in (call.caller_party_id, call.callee_party_id):
            raise PermissionDenied(
                _("Only the caller or the called party turn a call into a warning.")
            )
        version = call.version
        activation = call
    if not engine_for(version).is_kind(act_kind):  # built-in or declared by the scenario
        errors["act_kind"] = [_("Unknown kind of act.")]
    place = _place(version, geometry, act_kind, errors)
    threat = _text(threat, "threat", errors, _("Say what is threatened (1 to 5,000 characters)."))
    action_requested = _text(
        action_requested,
        "action_requested",
        errors,
        _("Say what action you ask for (1 to 5,000 characters)."),
    )
    if (
        isinstance(window_hours, bool)
        or not isinstance(window_hours, int | float)
        or not math.isfinite(window_hours)
        or not MIN_WINDOW_HOURS <= window_hours <= MAX_WINDOW_HOURS
    ):
        errors["window_hours"] = [
            _("Give an action window between %(min)s and %(max)s hours.")
            % {"min": MIN_WINDOW_HOURS, "max": MAX_WINDOW_HOURS}
        ]
    given = now if passed_at is None else passed_at
    if not isinstance(given, dt.datetime) or given.tzinfo is None:
        errors["passed_at"] = [_("Give a date and time with its time zone.")]
    elif not now - dt.timedelta(hours=MAX_PASSED_BEFORE_HOURS) <= given <= now:
        errors["passed_at"] = [_("A warning is recorded within a day of being given, not before.")]
    if errors:
        raise ValidationFailed(errors)
    assert other is not None
    assert place is not None
    audience = warning_audience(warner.code, other.code, include_monitors)
    warning = ThreatWarning.objects.create(
        version=version,
        warner=warner,
        warned_by=actor.user,
        addressee=other,
        geometry=place,
        threat=threat,
        act_kind=act_kind,
        action_requested=action_requested,
        window_hours=float(window_hours),
        monitors_included=include_monitors,
        activation=activation,
        passed_at=given,
        recorded_at=now,
        window_due_at=deadlines.due(given, float(window_hours)),
        audience=audience_text.encode(audience),
    )
    data: dict[str, Any] = {
        "geometry": place,
        "threat": threat,
        "act_kind": act_kind,
        "action_requested": action_requested,
        "window_hours": float(window_hours),
        "passed_at": given,
        "window_due_at": warning.window_due_at,
        "monitors_included": include_monitors,
    }
    # The call is named only where every reader of the warning may read the call too.
    if activation is not None and set(audience) <= set(activation.audience_codes):
        data["activation"] = activation.reference
    _record(actor, warning, exchange_events.WARNING_PASSED, data)
    return warning


def _settle(warning: ThreatWarning, now: dt.datetime) -> bool:
    """Claim an open window that has ended (open → expired), with its record entry."""
    claimed = ThreatWarning.objects.filter(
        pk=warning.pk, window_state=WindowStateChoices.OPEN, window_due_at__lte=now
    ).update(window_state=WindowStateChoices.EXPIRED, window_closed_at=now)
    if not claimed:
        return False
    warning.refresh_from_db()
    _record(
        Actor.console("worker"),
        warning,
        exchange_events.WARNING_WINDOW_PASSED,
        {"window_due_at": warning.window_due_at, "expired_at": now},
    )
    return True


def settle_windows(now: dt.datetime) -> int:
    """The worker's job: every open window that has ended passes without action reported;
    each claim is a conditional update in its own transaction."""
    handled = 0
    due = ThreatWarning.objects.filter(window_state=WindowStateChoices.OPEN, window_due_at__lte=now)
    for pk in list(due.order_by("window_due_at", "pk").values_list("pk", flat=True)):
        with transaction.atomic():
            warning = ThreatWarning.objects.select_related("warner", "addressee").get(pk=pk)
            handled += _settle(warning, now)
    return handled


def _require_open(warning: ThreatWarning) -> None:
    if warning.outcome:
        raise ValidationFailed(_("The warner has recorded this warning's outcome."))


@transaction.atomic
def acknowledge(*, actor: Actor, warning: ThreatWarning) -> ThreatWarning:
    """The party warned acknowledges the warning."""
    warning = _lock(actor, warning)
    if not _acting_for(actor, warning.addressee_id):
        raise PermissionDenied(_("Only the party warned acknowledges a warning."))
    _require_open(warning)
    if warning.acknowledged_at is not None:
        raise ValidationFailed(_("This warning is already acknowledged."))
    now = timezone.now()
    ThreatWarning.objects.filter(pk=warning.pk).update(acknowledged_at=now)
    warning.refresh_from_db()
    _record(actor, warning, exchange_events.WARNING_ACKNOWLEDGED, {"acknowledged_at": now})
    return warning


@transaction.atomic
def report_action(
    *, actor: Actor, warning: ThreatWarning, text: str, acted_at: dt.datetime | None = None
) -> ThreatWarning:
    """The party warned reports what it did and when; in the window, the window is met."""
    warning = _lock(actor, warning)
    if not _acting_for(actor, warning.addressee_id):
        raise PermissionDenied(_("Only the party warned reports the action it took."))
    _require_open(warning)
    now = timezone.now()
    _settle(warning, now)  # a window already ended stays ended: a late report is late
    errors: dict[str, list[str]] = {}
    if warning.action_reported_at is not None:
        errors["text"] = [_("The action is already reported.")]
    text = _text(text, "text", errors, _("Say what was done (1 to 5,000 characters)."))
    when = now if acted_at is None else acted_at
    if not isinstance(when, dt.datetime) or when.tzinfo is None:
        errors["acted_at"] = [_("Give a date and time with its time zone.")]
    elif not warning.passed_at <= when <= now:
        errors["acted_at"] = [_("Give a time between the warning and now.")]
    if errors:
        raise ValidationFailed(errors)
    changes: dict[str, Any] = {"action_text": text, "acted_at": when, "action_reported_at": now}
    if warning.acknowledged_at is None:
        changes["acknowledged_at"] = now
    if warning.window_state == WindowStateChoices.OPEN:
        changes.update(window_state=WindowStateChoices.MET, window_closed_at=now)
    ThreatWarning.objects.filter(pk=warning.pk).update(**changes)
    warning.refresh_from_db()
    _record(
        actor,
        warning,
        exchange_events.WARNING_ACTION_REPORTED,
        {
            "text": text,
            "acted_at": when,
            "reported_at": now,
            "in_time": warning.window_state == WindowStateChoices.MET,
        },
    )
    return warning


@transaction.atomic
def confirm_action(
    *, actor: Actor, warning: ThreatWarning, result: str, reason: str = ""
) -> WarningConfirmation:
    """A monitor of a warning shared with the monitors confirms the action reported, or
    says why it could not."""
    warning = _lock(actor, warning)
    monitor = (
        not actor.system
        and actor.party_kind == PartyKindChoices.KIND_MONITOR
        and actor.has_role(RoleChoices.MONITOR)
    )
    if not monitor or actor.party_id is None:
        raise PermissionDenied(_("Only the monitors confirm the action taken."))
    errors: dict[str, list[str]] = {}
    if warning.action_reported_at is None:
        errors["result"] = [_("No action has been reported yet.")]
    elif WarningConfirmation.objects.filter(warning=warning, party_id=actor.party_id).exists():
        errors["result"] = [_("Your party has already recorded its finding.")]
    if result not in ConfirmationChoices.values():
        errors["result"] = [_("Unknown finding.")]
    reason = (reason or "").strip()
    if len(reason) > TEXT_MAX_CHARS:
        errors["reason"] = [_("At most 5,000 characters.")]
    elif result == ConfirmationChoices.NOT_CONFIRMED and not reason:
        errors["reason"] = [_("Say why it could not be confirmed.")]
    if errors:
        raise ValidationFailed(errors)
    party = party_selectors.party_of(actor)
    assert party is not None
    now = timezone.now()
    confirmation = WarningConfirmation.objects.create(
        warning=warning,
        party=party,
        by=actor.user,
        result=result,
        reason=reason,
        at=now,
        audience=warning.audience,
    )
    _record(
        actor,
        warning,
        exchange_events.WARNING_CONFIRMATION,
        {"monitor": party.code, "result": result, "reason": reason, "at": now},
    )
    return confirmation


@transaction.atomic
def record_outcome(
    *,
    actor: Actor,
    warning: ThreatWarning,
    outcome: str,
    text: str = "",
    incident: Incident | None = None,
) -> ThreatWarning:
    """The warner records how the warning ended. "Acted on in time" needs the action
    reported within the window; the others, the window ended. A unilateral action may
    name the incident of that action (one the warner may see, after the window)."""
    warning = _lock(actor, warning)
    if not _acting_for(actor, warning.warner_id):
        raise PermissionDenied(_("Only the party that passed the warning records its outcome."))
    now = timezone.now()
    _settle(warning, now)
    errors: dict[str, list[str]] = {}
    if warning.outcome:
        errors["outcome"] = [_("The outcome is already recorded.")]
    elif outcome not in OutcomeChoices.values():
        errors["outcome"] = [_("Unknown outcome.")]
    elif outcome == OutcomeChoices.ACTED_IN_TIME:
        if warning.window_state != WindowStateChoices.MET:
            errors["outcome"] = [_("No action was reported within the window.")]
    elif now < warning.window_due_at:
        errors["outcome"] = [_("The action window has not ended yet.")]
    text = (text or "").strip()
    if len(text) > TEXT_MAX_CHARS:
        errors["text"] = [_("At most 5,000 characters.")]
    if incident is not None:
        try:
            incident = incident_selectors.lock_visible(actor, incident)
        except NotFound:
            errors["incident"] = [_("Unknown incident.")]
            incident = None
        if outcome != OutcomeChoices.UNILATERAL:
            errors["incident"] = [_("Only a unilateral action names its incident.")]
        elif incident is not None and incident.occurred_from < warning.window_due_at:
            errors["incident"] = [_("That incident happened before the window ended.")]
    if errors:
        raise ValidationFailed(errors)
    ThreatWarning.objects.filter(pk=warning.pk).update(
        outcome=outcome, outcome_at=now, outcome_text=text, outcome_incident=incident
    )
    warning.refresh_from_db()
    data: dict[str, Any] = {"outcome": outcome, "text": text, "at": now}
    # The incident is named only where every reader of the warning may read it.
    if incident is not None and _covers(incident.audience_codes, warning.audience_codes):
        data["incident"] = incident.reference
    _record(actor, warning, exchange_events.WARNING_OUTCOME, data)
    return warning
