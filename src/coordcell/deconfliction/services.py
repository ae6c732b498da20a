"""The only writers of advance notification: notices, receipts, humanitarian actors, and
the worker's escalations, follow-up cases and missing-notice flags.

Each service checks permission, validates everything, writes, and appends its record
event, in one transaction. A notice is checked against the arrangement before it is
stored (:func:`check_notice`): the clauses the engine finds it would break, the sensitive
days its window touches, and whether it is late. The author confirms those warnings
before the notice is submitted (:func:`submit_notice` refuses an unconfirmed notice that
has any).

Audiences fail closed. A notice is read by its author's party and the mediators, and by
whoever else its author names (never a donor, never "every member": notified sites are
targeting lists). Every record entry about a notice has the notice's audience; a
follow-up case is read only by those who read both the notice and the incident.

A notice whose activity is cancelled is withdrawn by its own party
(:func:`withdraw_notice`) while its window has not ended: it then awaits no receipt and
escalates no more, and it counts for the screening only for the part of its window
before it was withdrawn.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import shapely
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from shapely.geometry import shape

from coordcell.agreements import selectors as agreement_selectors
from coordcell.agreements.engines import engine_for
from coordcell.cases.follow_up import open_follow_up
from coordcell.core import audience as audiences
from coordcell.core.actor import Actor
from coordcell.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from coordcell.deconfliction import events
from coordcell.deconfliction.models import (
    FollowUp,
    HumanitarianActor,
    MissingNotice,
    Notice,
    Receipt,
    Screening,
)
from coordcell.incidents import selectors as incident_selectors
from coordcell.notify.queueing import queue_delivery
from coordcell.parties import selectors as party_selectors
from coordcell.parties.choices import PartyKindChoices, RoleChoices
from coordcell.record.services import append_event, subject
from coordcell.rules import deconfliction as rules
from coordcell.rules import ladder
from coordcell.rules.arrangement import (
    DeconflictionSpec,
    NotifiableActivitySpec,
    deconfliction_from_content,
)
from coordcell.rules.engine import Observation

if TYPE_CHECKING:
    from coordcell.agreements.models import ArrangementVersion
    from coordcell.incidents.models import Incident
    from coordcell.parties.models import Party

__all__ = [
    "DESCRIPTION_MAX_CHARS",
    "MAX_AHEAD_DAYS",
    "MAX_WINDOW_DAYS",
    "MAY_NOT_WITHDRAW",
    "WINDOW_BOUND_MESSAGE",
    "WITHDRAWAL_REASON_MAX_CHARS",
    "Draft",
    "acknowledge",
    "check_notice",
    "escalate_unacknowledged",
    "may_notify",
    "may_withdraw",
    "register_humanitarian",
    "screen_incidents",
    "spec_of",
    "submit_notice",
    "withdraw_notice",
]

log = logging.getLogger("coordcell.deconfliction")

#: The longest description and the longest window a notice may give.
DESCRIPTION_MAX_CHARS = 5_000
MAX_WINDOW_DAYS = 30
NAME_MAX_CHARS = 200
#: Who is refused a withdrawal is told who withdraws a notice.
MAY_NOT_WITHDRAW = gettext_lazy(
    "Only the notifying party's liaison officers and principals withdraw its notice."
)
#: The longest reason a withdrawal gives (as an access request's answer).
WITHDRAWAL_REASON_MAX_CHARS = 2_000
#: How far from now a window may start: at most a year ahead (an activity's lead time is
#: at most 30 days), at most ``MAX_WINDOW_DAYS`` back (a window that may still run). It
#: also keeps every date computed from a window far from the calendar's ends.
MAX_AHEAD_DAYS = 365
WINDOW_BOUND_MESSAGE = gettext_lazy(
    "A window starts at most 365 days ahead and at most 30 days ago."
)
#: Who notifies for a party, acknowledges for it, and is told of a notice.
ACTING_ROLES = (RoleChoices.LIAISON_OFFICER, RoleChoices.PRINCIPAL)
#: How many incidents the worker screens in one run (the rest wait for the next run).
SCREEN_BATCH = 200
WORKER = "deconfliction"

_SPECS: dict[str, DeconflictionSpec | None] = {}


def spec_of(version: ArrangementVersion) -> DeconflictionSpec | None:
    """The version's advance-notification data (None: its scenario states none)."""
    key = version.content_hash
    if key not in _SPECS:
        content = type(version).objects.values_list("content", flat=True).get(pk=version.pk)
        _SPECS[key] = deconfliction_from_content(content.get("deconfliction"))
    return _SPECS[key]


def _acting(actor: Actor) -> bool:
    return (
        not actor.system
        and actor.party_id is not None
        and any(actor.has_role(r) for r in ACTING_ROLES)
    )


def may_notify(actor: Actor) -> bool:
    """Liaison officers and principals of a party (for their own party's activities) or of
    a mediator (for the humanitarian actors it registered) submit notices."""
    return _acting(actor) and actor.party_kind in (
        PartyKindChoices.KIND_PARTY,
        PartyKindChoices.KIND_MEDIATOR,
    )


def may_withdraw(actor: Actor, notice: Notice) -> bool:
    """Those who notify for the notice's own party withdraw it: its liaison officers and
    principals (the mediator's, for a humanitarian notice it relayed). Not another party,
    not the mediator for a party's notice, never a monitor, an observer or a donor."""
    return may_notify(actor) and actor.party_id == notice.party_id


# --- humanitarian actors ---------------------------------------------------------------


@transaction.atomic
def register_humanitarian(
    *, actor: Actor, names: Mapping[str, str], fictional: bool = False
) -> HumanitarianActor:
    """The mediator registers a humanitarian actor whose notices it will relay. Read by
    the parties, the mediators and the monitors."""
    if not _acting(actor) or actor.party_kind != PartyKindChoices.KIND_MEDIATOR:
        raise PermissionDenied(_("Only the mediator registers humanitarian actors."))
    clean: dict[str, str] = {}
    for language in ("en", "ar", "he"):
        value = str(names.get(language, "") or "").strip()
        if len(value) > NAME_MAX_CHARS:
            raise ValidationFailed({f"name_{language}": [_("At most 200 characters.")]})
        if value:
            clean[language] = value
    if "en" not in clean:
        raise ValidationFailed({"name_en": [_("Give at least the English name.")]})
    party = party_selectors.party_of(actor)
    assert party is not None
    readers = [p.code for p in party_selectors.parties_of_kinds([PartyKindChoices.KIND_PARTY])]
    audience = party_selectors.concerned_audience(party.code, *readers)
    row = HumanitarianActor.objects.create(
        names=clean,
        registered_by_party=party,
        registered_by=actor.user,
        registered_at=timezone.now(),
        fictional=fictional,
        audience=audiences.encode(audience),
    )
    append_event(
        actor=actor,
        event_type=events.HUMANITARIAN_REGISTERED,
        data={"actor": str(row.public_id), "names": clean, "fictional": fictional},
        subjects=[subject("deconfliction.humanitarianactor", row.public_id, clean["en"])],
        audience=audience,
    )
    return row


# --- notices: check, submit, acknowledge ----------------------------------------------


@dataclass
class Draft:
    """A notice checked and ready to store, with what its author must see first."""

    version: ArrangementVersion
    spec: DeconflictionSpec
    activity: NotifiableActivitySpec
    party: Party
    humanitarian: HumanitarianActor | None
    starts_at: dt.datetime
    ends_at: dt.datetime
    geometry: dict[str, Any] | None
    description: str
    audience: list[str]
    addressees: list[Party]
    submitted_at: dt.datetime
    lead_hours: float
    late: bool
    #: What the author is shown before confirming: ``late``, ``clause`` and
    #: ``sensitive_day`` warnings, as stored with the notice.
    warnings: list[dict[str, Any]] = field(default_factory=list)


def _aware(value: Any) -> bool:
    return isinstance(value, dt.datetime) and value.tzinfo is not None


def _clause_warnings(
    version: ArrangementVersion,
    activity: NotifiableActivitySpec,
    geometry: Mapping[str, Any] | None,
    starts_at: dt.datetime,
    party_code: str | None,
) -> list[dict[str, Any]]:
    """What the engine finds if the activity took place where and when notified, as each
    incident kind the list says it is: one warning per clause (agreed or not)."""
    if geometry is None or not activity.incident_kinds:
        return []
    engine = engine_for(version)
    found: dict[str, dict[str, Any]] = {}
    for kind in activity.incident_kinds:
        if not engine.is_kind(kind):
            continue
        result = engine.assess(
            Observation(id="notice", kind=kind, geometry=geometry, time=starts_at, party=party_code)
        )
        for finding in (*result.findings, *result.findings_not_agreed):
            found.setdefault(finding.clause, {"kind": "clause", "finding": finding.as_dict()})
    return [found[c] for c in sorted(found)]


def check_notice(
    actor: Actor,
    *,
    activity: str,
    starts_at: Any,
    ends_at: Any,
    geometry: Mapping[str, Any] | None,
    description: str,
    audience: Iterable[str] = (),
    humanitarian: HumanitarianActor | None = None,
    version: ArrangementVersion | None = None,
    now: dt.datetime | None = None,
) -> Draft:
    """Check a notice before anything is written (the page's first step and the API's
    dry run): ``PermissionDenied`` / ``ValidationFailed`` with every field's problem, or
    the draft with its warnings. ``geometry`` is already normalised
    (``rules.geojson_input``); ``audience`` names the parties the author adds to the
    default (its own party and the mediators)."""
    if not may_notify(actor):
        raise PermissionDenied(
            _("Only the liaison officers and principals of a party or the mediator notify.")
        )
    version = version or agreement_selectors.get_version(actor, None, None)
    spec = spec_of(version)
    if spec is None:
        raise ValidationFailed({"activity": [_("The arrangement lists no notifiable activity.")]})
    party = party_selectors.party_of(actor)
    assert party is not None
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    chosen = spec.activity(activity or "")
    mediator = actor.party_kind == PartyKindChoices.KIND_MEDIATOR
    if chosen is None:
        errors["activity"] = [_("Choose an activity of the agreed list.")]
    elif mediator and "humanitarian" not in chosen.notified_by:
        errors["activity"] = [_("The mediator notifies only humanitarian actors' activities.")]
    elif not mediator and "party" not in chosen.notified_by:
        errors["activity"] = [_("Humanitarian actors notify this activity, through the mediator.")]
    if mediator and humanitarian is None:
        errors["humanitarian"] = [_("Choose the humanitarian actor this notice is for.")]
    elif not mediator and humanitarian is not None:
        errors["humanitarian"] = [_("Only the mediator relays a humanitarian actor's notice.")]
    if not _aware(starts_at) or not _aware(ends_at):
        errors["ends_at"] = [_("Give the window's start and end, with their time zone.")]
    elif not (
        -dt.timedelta(days=MAX_WINDOW_DAYS) <= starts_at - now <= dt.timedelta(days=MAX_AHEAD_DAYS)
    ):
        errors["starts_at"] = [str(WINDOW_BOUND_MESSAGE)]
    elif not starts_at < ends_at <= starts_at + dt.timedelta(days=MAX_WINDOW_DAYS):
        errors["ends_at"] = [_("A window ends after it starts, within 30 days.")]
    elif ends_at <= now:
        errors["ends_at"] = [_("This window is already over.")]
    if chosen is not None:
        problem = rules.shape_problem(chosen, geometry["type"] if geometry else None)
        if problem == "missing":
            errors["geometry"] = [_("This activity is notified with its route or area.")]
        elif problem == "wrong_shape" and chosen.shape == "movement":
            errors["geometry"] = [_("Give the route as a line.")]
        elif problem == "wrong_shape":
            errors["geometry"] = [_("Give the site as a point or the area as a polygon.")]
    description = (description or "").strip()
    if not description or len(description) > DESCRIPTION_MAX_CHARS:
        errors["description"] = [_("Describe the activity (1 to 5,000 characters).")]
    extra = [str(c).strip() for c in audience if str(c).strip()]
    if audiences.ALL_MEMBERS in extra:
        errors["audience"] = [_("Name the parties a notice is for: it is never for everyone.")]
    elif extra:
        try:
            party_selectors.resolve_audience(actor, extra)
        except ValidationFailed as exc:
            errors.update(exc.fields)
    if errors:
        raise ValidationFailed(errors)
    assert chosen is not None
    mediators = [p.code for p in party_selectors.parties_of_kinds([PartyKindChoices.KIND_MEDIATOR])]
    codes = audiences.normalise([party.code, *mediators, *extra])
    addressees = [
        p
        for p in party_selectors.parties_of_kinds([PartyKindChoices.KIND_PARTY])
        if p.code in codes and p.pk != party.pk
    ]
    lead = rules.lead_hours(now, starts_at)
    late = rules.is_late(chosen, now, starts_at)
    warnings: list[dict[str, Any]] = []
    if late:
        warnings.append(
            {"kind": "late", "lead_hours": round(lead, 1), "required_hours": chosen.lead_hours}
        )
    own = party.code if party.kind == PartyKindChoices.KIND_PARTY else None
    warnings += _clause_warnings(version, chosen, geometry, starts_at, own)
    zone = ZoneInfo(agreement_selectors.current_time_zone(actor))
    for hit in rules.overlapping(spec.sensitive_days, starts_at, ends_at, zone):
        warnings.append(
            {
                "kind": "sensitive_day",
                "id": hit.spec.id,
                "name": dict(hit.spec.name),
                "first": hit.first.isoformat(),
                "last": hit.last.isoformat(),
                "zones": list(hit.spec.zones),
                "illustrative": hit.spec.illustrative,
            }
        )
    return Draft(
        version=version,
        spec=spec,
        activity=chosen,
        party=party,
        humanitarian=humanitarian,
        starts_at=starts_at,
        ends_at=ends_at,
        geometry=dict(geometry) if geometry else None,
        description=description,
        audience=codes,
        addressees=addressees,
        submitted_at=now,
        lead_hours=lead,
        late=late,
        warnings=warnings,
    )


def _summary(notice: Notice) -> dict[str, Any]:
    return {
        "notice": notice.reference,
        "activity": notice.activity,
        "list_version": notice.list_version,
        "party": notice.party.code,
        "humanitarian": str(notice.humanitarian.public_id) if notice.humanitarian else None,
        "starts_at": notice.starts_at,
        "ends_at": notice.ends_at,
    }


def _payload(notice: Notice, **extra: Any) -> dict[str, Any]:
    """A webhook's payload (notify fills in ``party`` itself: the author is ``notifier``)."""
    summary = _summary(notice)
    summary["notifier"] = summary.pop("party")
    return {**summary, **extra}


def _notice_subject(notice: Notice) -> list[dict[str, Any]]:
    return [subject("deconfliction.notice", notice.public_id, notice.reference)]


@transaction.atomic
def submit_notice(
    *,
    actor: Actor,
    activity: str,
    starts_at: Any,
    ends_at: Any,
    geometry: Mapping[str, Any] | None,
    description: str,
    audience: Iterable[str] = (),
    humanitarian: HumanitarianActor | None = None,
    confirm: bool = False,
    fictional: bool = False,
) -> Notice:
    """Submit a notice. One with warnings (late, a clause it would break, a sensitive
    day) is refused unless ``confirm`` says its author saw them (``check_notice``)."""
    draft = check_notice(
        actor,
        activity=activity,
        starts_at=starts_at,
        ends_at=ends_at,
        geometry=geometry,
        description=description,
        audience=audience,
        humanitarian=humanitarian,
    )
    if draft.warnings and not confirm:
        raise ValidationFailed(
            {
                "confirm": [
                    _(
                        "This notice has warnings (%(count)s): check it first and confirm "
                        "that you have seen them."
                    )
                    % {"count": len(draft.warnings)}
                ]
            }
        )
    receipt_due = None
    if draft.addressees:
        receipt_due = draft.submitted_at + dt.timedelta(hours=draft.spec.receipt_within_hours)
    notice = Notice.objects.create(
        version=draft.version,
        list_version=draft.spec.list_version,
        activity=draft.activity.id,
        party=draft.party,
        humanitarian=draft.humanitarian,
        submitted_by=actor.user,
        submitted_at=draft.submitted_at,
        starts_at=draft.starts_at,
        ends_at=draft.ends_at,
        geometry=draft.geometry,
        description=draft.description,
        lead_hours=round(draft.lead_hours, 2),
        late=draft.late,
        warnings=draft.warnings,
        receipt_due_at=receipt_due,
        fictional=fictional,
        audience=audiences.encode(draft.audience),
    )
    Receipt.objects.bulk_create([Receipt(notice=notice, party=p) for p in draft.addressees])
    entry = append_event(
        actor=actor,
        event_type=events.NOTICE_SUBMITTED,
        data={
            **_summary(notice),
            "geometry": notice.geometry,
            "description": notice.description,
            "lead_hours": notice.lead_hours,
            "late": notice.late,
            "warnings": draft.warnings,
            "addressees": [p.code for p in draft.addressees],
            "receipts_due_at": receipt_due,
            "fictional": fictional,
        },
        subjects=_notice_subject(notice),
        audience=draft.audience,
    )
    queue_delivery(
        subject_type="deconfliction.notice",
        subject_id=notice.pk,
        event_type=entry.event_type,
        payload=_payload(notice),
        audience=draft.audience,
        at=entry.occurred_at,
    )
    return notice


@transaction.atomic
def acknowledge(*, actor: Actor, notice: Notice) -> Receipt:
    """An addressee's liaison officer or principal acknowledges the notice (its receipt);
    a second acknowledgement changes nothing and is refused."""
    found = Notice.objects.restrict(actor).filter(pk=notice.pk).select_related("party").first()
    if found is None:
        raise NotFound()
    receipt = None
    withdrawn = None
    if _acting(actor) and actor.party_id is not None:
        # The notice's row first (a withdrawal locks it too), then the receipt's.
        withdrawn = (
            Notice.objects.select_for_update(no_key=True)
            .filter(pk=found.pk)
            .values_list("withdrawn_at", flat=True)
            .get()
        )
        receipt = (
            Receipt.objects.select_for_update(no_key=True)
            .filter(notice=found, party_id=actor.party_id)
            .first()
        )
    if receipt is None:
        raise PermissionDenied(
            _("Only an addressee's liaison officers and principals acknowledge.")
        )
    if withdrawn is not None:
        raise Conflict(_("This notice was withdrawn: there is nothing to acknowledge."))
    if receipt.acknowledged_at is not None:
        raise ValidationFailed({"notice": [_("Your party has already acknowledged this notice.")]})
    receipt.acknowledged_at = timezone.now()
    receipt.acknowledged_by = actor.user
    receipt.save(update_fields=["acknowledged_at", "acknowledged_by"])
    append_event(
        actor=actor,
        event_type=events.NOTICE_ACKNOWLEDGED,
        data={"notice": found.reference, "party": actor.party_code, "at": receipt.acknowledged_at},
        subjects=_notice_subject(found),
        audience=found.audience_codes,
    )
    return receipt


@transaction.atomic
def withdraw_notice(*, actor: Actor, notice: Notice, reason: str) -> Notice:
    """The notifying party withdraws its notice, giving its reason: the activity will not
    take place (or no longer, when its window has begun). Refused once withdrawn
    (``Conflict``) and once its window has ended (``ValidationFailed``). Its receipts
    are no longer awaited and it escalates no more; its record entry and webhooks go to
    the notice's audience, as its submission's did."""
    found = Notice.objects.restrict(actor).filter(pk=notice.pk).first()
    if found is None:
        raise NotFound()
    if not may_withdraw(actor, found):
        raise PermissionDenied(MAY_NOT_WITHDRAW)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": [_("Give the reason for the withdrawal.")]})
    if len(reason) > WITHDRAWAL_REASON_MAX_CHARS:
        raise ValidationFailed({"reason": [_("At most 2,000 characters.")]})
    locked: Notice = (
        Notice.objects.select_for_update(of=("self",), no_key=True)
        .select_related("party", "humanitarian")
        .get(pk=found.pk)
    )
    now = timezone.now()
    if locked.withdrawn_at is not None:
        raise Conflict(_("This notice has already been withdrawn."))
    if locked.ends_at <= now:
        raise ValidationFailed(
            {"notice": [_("This notice's window is over: it can no longer be withdrawn.")]}
        )
    locked.withdrawn_at = now
    locked.withdrawn_by = actor.user
    locked.withdrawal_reason = reason
    locked.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])
    audience = locked.audience_codes
    entry = append_event(
        actor=actor,
        event_type=events.NOTICE_WITHDRAWN,
        data={**_summary(locked), "withdrawn_at": now, "reason": reason},
        subjects=_notice_subject(locked),
        audience=audience,
    )
    queue_delivery(
        subject_type="deconfliction.withdrawal",  # one delivery per subject: its own
        subject_id=locked.pk,
        event_type=entry.event_type,
        payload=_payload(locked, withdrawn_at=now),
        audience=audience,
        at=entry.occurred_at,
    )
    return locked


# --- the worker: escalations, follow-ups, missing notices ------------------------------


def escalate_unacknowledged(now: dt.datetime) -> int:
    """Each notice whose receipts were due and are still missing climbs the next level of
    its protocol's ladder, once (grounds: a missed deadline; ``rules.ladder``). A level
    not yet eligible is tried again on a later run. Returns how many climbed."""
    due = list(
        Notice.objects.filter(
            escalated_at__isnull=True,
            # A withdrawn notice awaits no receipt (nor takes a place in the batch).
            withdrawn_at__isnull=True,
            receipt_due_at__lte=now,
            receipts__acknowledged_at__isnull=True,
        )
        .values_list("pk", flat=True)
        .distinct()
        .order_by("pk")[:SCREEN_BATCH]
    )
    climbed = 0
    for pk in due:
        with transaction.atomic():
            if _escalate(pk, now):
                climbed += 1
    return climbed


def _escalate(pk: int, now: dt.datetime) -> bool:
    notice = (
        Notice.objects.select_for_update(of=("self",), no_key=True)
        .select_related("party", "version")
        .filter(pk=pk, escalated_at__isnull=True, withdrawn_at__isnull=True)
        .first()
    )
    if notice is None:
        return False  # another worker took it, or its party withdrew it
    missing = list(
        notice.receipts.filter(acknowledged_at__isnull=True)
        .order_by("party__code")
        .values_list("party__code", flat=True)
    )
    if not missing:
        return False
    spec = spec_of(notice.version)
    protocol = None
    if spec is not None and spec.protocol:
        protocol = agreement_selectors.find_protocol(notice.version_id, spec.protocol)
    elif spec is not None:  # escalate like complaints: on the complaints' protocol
        protocol = agreement_selectors.find_protocol_serving(notice.version_id, "complaints")
    if protocol is None:
        return False
    steps = ladder.rungs(protocol.ladder)
    try:
        ladder.check_climb(
            steps,
            0,
            reached_at=notice.submitted_at,
            now=now,
            grounds=[ladder.MISSED_DEADLINE],
        )
    except ladder.ClimbRefused:
        return False  # not yet eligible (or nowhere to climb): a later run tries again
    level = steps[1].level
    changed = Notice.objects.filter(pk=pk, escalated_at__isnull=True).update(
        escalated_at=now, escalation_level=level
    )
    if changed != 1:
        return False
    actor = Actor.console(WORKER)
    entry = append_event(
        actor=actor,
        event_type=events.NOTICE_ESCALATED,
        data={
            **_summary(notice),
            "grounds": ladder.MISSED_DEADLINE,
            "protocol": protocol.protocol_id,
            "level": level,
            "missing_receipts": missing,
            "receipts_due_at": notice.receipt_due_at,
        },
        subjects=_notice_subject(notice),
        audience=notice.audience_codes,
    )
    queue_delivery(
        subject_type="deconfliction.escalation",
        subject_id=notice.pk,
        event_type=entry.event_type,
        payload=_payload(notice, level=level, missing_receipts=missing),
        audience=notice.audience_codes,
        at=entry.occurred_at,
    )
    return True


def _common(a: Sequence[str], b: Sequence[str]) -> list[str]:
    """The parties that read both of two audiences (``ALL_MEMBERS`` reads as everyone)."""
    if audiences.ALL_MEMBERS in a:
        return (
            [c for c in b if c != audiences.ALL_MEMBERS] if audiences.ALL_MEMBERS not in b else []
        )
    if audiences.ALL_MEMBERS in b:
        return list(a)
    return sorted(set(a) & set(b))


def _window_of(incident: Incident) -> tuple[dt.datetime, dt.datetime]:
    return rules.incident_span(
        incident.occurred_from, incident.occurred_until, incident.time_precision
    )


def screen_incidents(now: dt.datetime) -> int:
    """Screen the incidents recorded since the last run (each once, whatever door it
    came in by): open a follow-up case for each notice whose site or route it is within
    the follow-up distance of during the window, and flag a missing notice. Returns
    how many incidents were screened."""
    console = Actor.console(WORKER)
    pending = list(
        incident_selectors.list_incidents(console)
        .exclude(pk__in=Screening.objects.values("incident_id"))
        .order_by("pk")
        .values_list("pk", flat=True)[:SCREEN_BATCH]
    )
    screened = 0
    for pk in pending:
        with transaction.atomic():
            if _screen(console, pk, now):
                screened += 1
    return screened


def _metric(version: ArrangementVersion, geometry: Mapping[str, Any]) -> shapely.Geometry:
    return engine_for(version).projector.geometry_to_metric(shape(geometry))


def _screen(console: Actor, pk: int, now: dt.datetime) -> bool:
    try:
        with transaction.atomic():  # a savepoint: a clash leaves the transaction usable
            Screening.objects.create(incident_id=pk, screened_at=now)
    except IntegrityError:  # another worker screened it first
        return False
    incident = incident_selectors.list_incidents(console).select_related(None).get(pk=pk)
    spec = spec_of(incident.version)
    if spec is None:
        return True
    start, end = _window_of(incident)
    # A withdrawn notice counts for the part of its window before its withdrawal only:
    # not when withdrawn before the incident's span begins, nor before its own window did.
    candidates = list(
        Notice.objects.filter(starts_at__lte=end, ends_at__gte=start)
        .exclude(withdrawn_at__lte=start)
        .exclude(withdrawn_at__lte=F("starts_at"))
        .select_related("party", "humanitarian")
        .order_by("pk")
    )
    where = _metric(incident.version, incident.geometry)
    reach = spec.follow_up_distance_m + float(incident.uncertainty_m or 0)
    near: list[tuple[Notice, float]] = []
    for notice in candidates:
        if notice.geometry is None:
            continue
        distance = float(_metric(notice.version, notice.geometry).distance(where))
        if distance <= reach:
            near.append((notice, distance))
    for notice, distance in near:
        _follow_up(console, incident, notice, distance, spec, now)
    _check_missing(console, incident, spec, candidates, where, reach, now)
    return True


def _respondent(incident: Incident, notice: Notice, codes: Sequence[str]) -> Party | None:
    """Who answers a follow-up: the party the report says acted, else another party that
    reads both, else the notice's own party; None when no party reads both."""
    parties = {
        p.code: p
        for p in party_selectors.parties_of_kinds([PartyKindChoices.KIND_PARTY])
        if p.code in codes
    }
    if incident.acting_party in parties:
        return parties[incident.acting_party]
    others = [c for c in sorted(parties) if c != notice.party.code]
    if others:
        return parties[others[0]]
    return parties.get(notice.party.code)


def _follow_up(
    console: Actor,
    incident: Incident,
    notice: Notice,
    distance: float,
    spec: DeconflictionSpec,
    now: dt.datetime,
) -> None:
    if FollowUp.objects.filter(notice=notice, incident=incident).exists():
        return
    codes = _common(notice.audience_codes, incident.audience_codes)
    respondent = _respondent(incident, notice, codes) if codes else None
    case = None
    if respondent is not None:
        activity = spec.activity(notice.activity)
        summary = _(
            "Follow-up: incident %(incident)s was reported within %(distance)s m of notice "
            "%(notice)s (%(activity)s) during its window."
        ) % {
            "incident": incident.reference,
            "distance": round(distance),
            "notice": notice.reference,
            "activity": activity.name.get("en", notice.activity) if activity else notice.activity,
        }
        if incident.fictional or notice.fictional:  # exercise data says so, as its texts do
            summary += " " + _("(fictional exercise)")
        case = open_follow_up(
            actor=console,
            incident=incident,
            respondent=respondent,
            summary=summary,
            audience=codes,
            details={"notice": notice.reference, "distance_m": round(distance)},
        )
    # Read by those who read both (the case's readers); with none, the notice's mediators
    # and author alone would not all read the incident: the console only.
    audience = codes or [audiences.CONSOLE_ONLY]
    FollowUp.objects.create(
        notice=notice,
        incident=incident,
        case=case,
        distance_m=round(distance, 1),
        opened_at=now,
        audience=audiences.encode(audience),
    )
    append_event(
        actor=console,
        event_type=events.FOLLOW_UP_FOUND,
        data={
            "notice": notice.reference,
            "incident": incident.reference,
            "distance_m": round(distance),
            "case": case.reference if case is not None else None,
        },
        subjects=[
            *_notice_subject(notice),
            subject("incidents.incident", incident.public_id, incident.reference),
        ],
        audience=audience,
    )


def _check_missing(
    console: Actor,
    incident: Incident,
    spec: DeconflictionSpec,
    candidates: Sequence[Notice],
    where: shapely.Geometry,
    reach: float,
    now: dt.datetime,
) -> None:
    """Flag the incident when it is a notifiable activity of a party and no notice of that
    party, for that activity, covers it (in its window, within the follow-up distance
    where the notice gives a place) — counting only notices every reader of the
    incident may read, so that the flag, or its absence, tells them nothing of a notice
    they may not read."""
    party = incident.acting_party
    if not party:
        return
    activities = [a for a in spec.activities if incident.kind in a.incident_kinds]
    if not activities:
        return
    readers = incident.audience_codes
    for activity in activities:
        for notice in candidates:
            if notice.activity != activity.id or notice.party.code != party:
                continue
            shared = audiences.ALL_MEMBERS in notice.audience_codes or (
                audiences.ALL_MEMBERS not in readers and set(readers) <= set(notice.audience_codes)
            )
            if not shared:
                continue
            if notice.geometry is None or (
                _metric(notice.version, notice.geometry).distance(where) <= reach
            ):
                return
    flag = MissingNotice.objects.create(
        incident=incident,
        activity=activities[0].id,
        party_code=party,
        flagged_at=now,
        audience=incident.audience,
    )
    append_event(
        actor=console,
        event_type=events.MISSING_NOTICE_FLAGGED,
        data={"incident": incident.reference, "activity": flag.activity, "party": party},
        subjects=[subject("incidents.incident", incident.public_id, incident.reference)],
        audience=readers,
    )
