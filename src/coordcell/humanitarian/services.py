"""The only writers of detainees and missing persons: files, each party's version, status
changes with their dates, the detention's notification, the access body's visits, shares,
links, release and access requests, and the worker's missed deadlines.

Each service checks permission, validates everything before any write, writes, and
appends its record event, in one transaction. Audiences fail closed: a file is read by
its reporting party, the mediators and the access body it names, and by a party the
reporting party shares it with on the record; nothing else widens it. Record entries and
webhook payloads carry the file's random reference and the digest of its sealed personal
data, never a name (docs/humanitarian.md).
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from shapely.geometry import box, shape

from coordcell.agreements import selectors as agreement_selectors
from coordcell.cases import determinations
from coordcell.cases import selectors as case_selectors
from coordcell.core import audience as audiences
from coordcell.core.actor import Actor
from coordcell.core.errors import NotFound, PermissionDenied, ValidationFailed
from coordcell.humanitarian import crypto, events
from coordcell.humanitarian.choices import (
    TRANSITIONS,
    RequestKindChoices,
    RequestStateChoices,
    StatusChoices,
)
from coordcell.humanitarian.models import FileLink, PersonFile, Reading, Request, Version
from coordcell.incidents import selectors as incident_selectors
from coordcell.notify.queueing import queue_delivery
from coordcell.parties import selectors as party_selectors
from coordcell.parties.choices import PartyKindChoices, RoleChoices
from coordcell.record.services import append_event, subject
from coordcell.rules import ladder
from coordcell.rules.arrangement import HumanitarianSpec, humanitarian_from_content
from coordcell.rules.geojson_input import GeometryError, normalise_geometry

if TYPE_CHECKING:
    from coordcell.agreements.models import ArrangementVersion
    from coordcell.parties.models import Party

__all__ = [
    "LINK_KINDS",
    "add_link",
    "amend_personal",
    "change_status",
    "expire_requests",
    "grant_access",
    "log_reading",
    "may_report",
    "open_file",
    "open_request",
    "read_file",
    "record_notification",
    "remedy_kind",
    "rotate_personal_data",
    "share_file",
    "spec_of",
    "state_version",
]

NAME_MAX_CHARS = 200
DETAILS_MAX_CHARS = 2_000
STATEMENT_MAX_CHARS = 5_000
#: How far back a detention or disappearance may be dated (a file on a person missing
#: since an earlier war is a real case; the calendar's ends are not).
MAX_YEARS_BACK = 80
#: The shortest and longest deadline a request may set (hours).
MIN_REQUEST_HOURS = 1.0
MAX_REQUEST_HOURS = 30 * 24
#: How many requests the worker settles in one run (the rest wait for the next run).
EXPIRE_BATCH = 200
WORKER = "humanitarian"
LINK_KINDS = ("incident", "case")
#: Who acts for a party (or the mediator, or the access body) on a file.
ACTING_ROLES = (RoleChoices.LIAISON_OFFICER, RoleChoices.PRINCIPAL)
REPORTING_KINDS = (PartyKindChoices.KIND_PARTY, PartyKindChoices.KIND_MEDIATOR)

_SPECS: dict[str, HumanitarianSpec | None] = {}


def spec_of(version: ArrangementVersion) -> HumanitarianSpec | None:
    """The version's ``[humanitarian]`` data (None: its scenario states none)."""
    key = version.content_hash
    if key not in _SPECS:
        content = type(version).objects.values_list("content", flat=True).get(pk=version.pk)
        _SPECS[key] = humanitarian_from_content(content.get("humanitarian"))
    return _SPECS[key]


def _acting(actor: Actor) -> bool:
    return (
        not actor.system
        and actor.party_id is not None
        and any(actor.has_role(r) for r in ACTING_ROLES)
    )


def may_report(actor: Actor) -> bool:
    """The liaison officers and principals of a party or of the mediator open files."""
    return _acting(actor) and actor.party_kind in REPORTING_KINDS


def _may_act_on(actor: Actor, file: PersonFile) -> bool:
    """A party or mediator in the file's audience records its facts (status, dates)."""
    return may_report(actor) and actor.party_code in file.audience_codes


def _is_body(actor: Actor, file: PersonFile) -> bool:
    """A delegate of the file's access body (whatever its role: the body's own people)."""
    return bool(file.access_body) and not actor.system and actor.party_code == file.access_body


def _locked(actor: Actor, file: PersonFile) -> PersonFile:
    """The file afresh and locked, or NotFound when the actor may not read it."""
    found = (
        PersonFile.objects.restrict(actor)
        .select_for_update(no_key=True)
        .filter(pk=file.pk)
        .select_related("reporting_party")
        .first()
    )
    if found is None:
        raise NotFound()
    locked: PersonFile = found
    return locked


def _subject(file: PersonFile) -> list[dict[str, Any]]:
    return [subject("humanitarian.file", file.public_id, file.reference)]


def _deliver(file: PersonFile, entry: Any, payload: Mapping[str, Any]) -> None:
    """A webhook delivery to the file's audience, one per record entry (the subject):
    references only, never a name."""
    queue_delivery(
        subject_type="humanitarian.step",
        subject_id=entry.pk,
        event_type=entry.event_type,
        payload={"file": file.reference, "status": file.status, **payload},
        audience=file.audience_codes,
        at=entry.occurred_at,
    )


def _aware(value: Any) -> bool:
    return isinstance(value, dt.datetime) and value.tzinfo is not None


def _check_instant(
    errors: dict[str, list[str]], field: str, value: Any, now: dt.datetime, floor: Any = None
) -> None:
    if not _aware(value):
        errors[field] = [_("Give a date and time with its time zone.")]
    elif value > now:
        errors[field] = [_("This date is in the future.")]
    elif now - value > dt.timedelta(days=365 * MAX_YEARS_BACK):
        errors[field] = [_("This date is more than 80 years ago.")]
    elif floor is not None and value < floor:
        errors[field] = [_("This date is before the file's status began.")]


def _check_place(version: ArrangementVersion, place: Any, errors: dict[str, list[str]]) -> Any:
    try:
        clean = normalise_geometry(place)
    except GeometryError as exc:
        errors["place"] = [exc.translated(_)]
        return None
    if clean["type"] not in ("Point", "Polygon", "MultiPolygon"):
        errors["place"] = [_("Give the place as a point or an area.")]
        return None
    bbox = version.region_bbox
    if not box(*bbox).intersects(shape(clean)):
        errors["place"] = [_("This place is outside the arrangement's region.")]
        return None
    return clean


def _personal(
    name: Any, birth_date: Any, details: Any, errors: dict[str, list[str]]
) -> dict[str, str]:
    name = str(name or "").strip()
    if not name or len(name) > NAME_MAX_CHARS:
        errors["name"] = [_("Give the person's name (1 to 200 characters).")]
    born = ""
    if birth_date:
        if not isinstance(birth_date, dt.date) or isinstance(birth_date, dt.datetime):
            errors["birth_date"] = [_("Give the date of birth as a date.")]
        elif birth_date > timezone.now().date() or birth_date.year < 1900:
            errors["birth_date"] = [_("Give a date of birth between 1900 and today.")]
        else:
            born = birth_date.isoformat()
    details = str(details or "").strip()
    if len(details) > DETAILS_MAX_CHARS:
        errors["details"] = [_("At most 2,000 characters of identifying details.")]
    return {"name": name, "birth_date": born, "details": details}


def _party_code(value: Any, errors: dict[str, list[str]], field: str) -> str:
    """A party of kind party by code, or "" (unknown); anything else is refused."""
    code = str(value or "").strip()
    if code and code not in {p.code for p in party_selectors.parties_of_kinds(["party"])}:
        errors[field] = [_("Choose a party, or leave it unknown.")]
        return ""
    return code


def _statement(value: Any, errors: dict[str, list[str]], *, required: bool) -> str:
    text = str(value or "").strip()
    if (required and not text) or len(text) > STATEMENT_MAX_CHARS:
        errors["statement"] = [_("State the version (1 to 5,000 characters).")]
    return text


def _mediators() -> list[str]:
    return [p.code for p in party_selectors.parties_of_kinds([PartyKindChoices.KIND_MEDIATOR])]


# --- files ---------------------------------------------------------------------------------


@transaction.atomic
def open_file(
    *,
    actor: Actor,
    status: str,
    since: Any,
    place: Any,
    name: str,
    birth_date: dt.date | None = None,
    details: str = "",
    access_body: str = "",
    held_by: str = "",
    statement: str = "",
    fictional: bool = False,
) -> PersonFile:
    """A party (or the mediator) opens the file of a detained or missing person, with its
    own version. Read by the reporting party, the mediators and the access body named
    (one of the arrangement's agreed bodies, or none): nobody else."""
    if not may_report(actor):
        raise PermissionDenied(
            _("Only the liaison officers and principals of a party or the mediator open files.")
        )
    party = party_selectors.party_of(actor)
    assert party is not None
    version = agreement_selectors.get_version(actor, None, None)
    spec = spec_of(version)
    now = timezone.now()
    errors: dict[str, list[str]] = {}
    if status not in (StatusChoices.DETAINED, StatusChoices.MISSING):
        errors["status"] = [_("A file opens on a detained or a missing person.")]
    _check_instant(errors, "since", since, now)
    clean = _check_place(version, place, errors)
    personal = _personal(name, birth_date, details, errors)
    body = str(access_body or "").strip()
    if body and (spec is None or body not in spec.access_bodies):
        # Fail closed: only a body the arrangement lists may read a file.
        errors["access_body"] = [_("Choose one of the arrangement's agreed access bodies.")]
    held = _party_code(held_by, errors, "held_by")
    text = _statement(statement, errors, required=False)
    if errors:
        raise ValidationFailed(errors)
    codes = audiences.normalise([party.code, *_mediators(), *([body] if body else [])])
    token = crypto.seal(personal)
    file = PersonFile.objects.create(
        version=version,
        reporting_party=party,
        reported_by=actor.user,
        reported_at=now,
        status=status,
        since=since,
        place=clean,
        personal=token,
        personal_digest=crypto.digest(token),
        access_body=body,
        fictional=fictional,
        audience=audiences.encode(codes),
    )
    Version.objects.create(
        file=file,
        party=party,
        held_by=held,
        status=status,
        statement=text or str(StatusChoices.label(status)),
        stated_by=actor.user,
        stated_at=now,
    )
    entry = append_event(
        actor=actor,
        event_type=events.FILE_OPENED,
        data={
            "file": file.reference,
            "status": status,
            "since": since,
            "place": clean,
            "reporting_party": party.code,
            "held_by": held,
            "access_body": body,
            "personal_digest": file.personal_digest,
            "fictional": fictional,
        },
        subjects=_subject(file),
        audience=codes,
    )
    _deliver(file, entry, {"since": since})
    return file


@transaction.atomic
def amend_personal(
    *, actor: Actor, file: PersonFile, name: str, birth_date: dt.date | None, details: str
) -> PersonFile:
    """The reporting party corrects the sealed personal data (the record keeps the new
    digest only)."""
    found = _locked(actor, file)
    if not (_acting(actor) and actor.party_id == found.reporting_party_id):
        raise PermissionDenied(_("Only the reporting party amends the personal data."))
    errors: dict[str, list[str]] = {}
    personal = _personal(name, birth_date, details, errors)
    if errors:
        raise ValidationFailed(errors)
    found.personal = crypto.seal(personal)
    found.personal_digest = crypto.digest(found.personal)
    found.save(update_fields=["personal", "personal_digest"])
    append_event(
        actor=actor,
        event_type=events.PERSONAL_DATA_AMENDED,
        data={"file": found.reference, "personal_digest": found.personal_digest},
        subjects=_subject(found),
        audience=found.audience_codes,
    )
    return found


@transaction.atomic
def state_version(
    *, actor: Actor, file: PersonFile, held_by: str, status: str, statement: str
) -> Version:
    """A party reading the file states its own version (who holds the person, the status
    it states, its words). Versions stand side by side; none is adopted."""
    found = _locked(actor, file)
    if not _may_act_on(actor, found):
        raise PermissionDenied(
            _("Only the officers of a party reading the file state its version.")
        )
    errors: dict[str, list[str]] = {}
    if status not in StatusChoices.values():
        errors["status"] = [_("Choose a status.")]
    held = _party_code(held_by, errors, "held_by")
    text = _statement(statement, errors, required=True)
    if errors:
        raise ValidationFailed(errors)
    party = party_selectors.party_of(actor)
    assert party is not None
    version = Version.objects.create(
        file=found,
        party=party,
        held_by=held,
        status=status,
        statement=text,
        stated_by=actor.user,
        stated_at=timezone.now(),
    )
    append_event(
        actor=actor,
        event_type=events.VERSION_STATED,
        data={"file": found.reference, "party": party.code, "held_by": held, "status": status},
        subjects=_subject(found),
        audience=found.audience_codes,
    )
    return version


_STATUS_DATES = {
    StatusChoices.CHARGED: "charged_at",
    StatusChoices.RELEASED: "released_at",
    StatusChoices.LOCATED: "located_at",
}


@transaction.atomic
def change_status(*, actor: Actor, file: PersonFile, status: str, at: Any) -> PersonFile:
    """A party or the mediator reading the file records a change of status with its date
    (charged, released, detained after missing, located). A release dated by an open
    release request's deadline meets it; one after it leaves the miss to the worker."""
    found = _locked(actor, file)
    if not _may_act_on(actor, found):
        raise PermissionDenied(
            _("Only the officers of a party reading the file record its status.")
        )
    errors: dict[str, list[str]] = {}
    if status not in TRANSITIONS.get(found.status, ()):
        errors["status"] = [_("This status does not follow the file's current one.")]
    _check_instant(errors, "at", at, timezone.now(), floor=found.since)
    if errors:
        raise ValidationFailed(errors)
    before = found.status
    found.status = status
    fields = ["status"]
    if status in _STATUS_DATES:
        setattr(found, _STATUS_DATES[status], at)
        fields.append(_STATUS_DATES[status])
    else:  # a missing person found detained: detained since then
        found.since = at
        fields.append("since")
    found.save(update_fields=fields)
    if status == StatusChoices.RELEASED:
        _meet(actor, found, RequestKindChoices.RELEASE, at)
    overtaken = _overtake(found) if status in _ENDS_REQUESTS else []
    entry = append_event(
        actor=actor,
        event_type=events.STATUS_CHANGED,
        data={
            "file": found.reference,
            "from": before,
            "status": status,
            "at": at,
            **({"overtaken": overtaken} if overtaken else {}),
        },
        subjects=_subject(found),
        audience=found.audience_codes,
    )
    _deliver(found, entry, {"from": before, "at": at})
    return found


#: A released or located person is no longer held: nothing is left to release or visit.
_ENDS_REQUESTS = (StatusChoices.RELEASED, StatusChoices.LOCATED)


def _overtake(file: PersonFile) -> list[str]:
    """The file's requests still open (those the release did not meet) are closed as
    overtaken by events, so the worker neither misses nor escalates them; their
    references, recorded in the status change's entry."""
    now = timezone.now()
    references = []
    for request in Request.objects.filter(file=file, state=RequestStateChoices.OPEN):
        changed = Request.objects.filter(pk=request.pk, state=RequestStateChoices.OPEN).update(
            state=RequestStateChoices.OVERTAKEN, closed_at=now
        )
        if changed == 1:
            references.append(request.reference)
    return references


@transaction.atomic
def record_notification(*, actor: Actor, file: PersonFile, at: Any) -> PersonFile:
    """The date the detention was notified (to the family, the other party or the body)."""
    found = _locked(actor, file)
    if not _may_act_on(actor, found):
        raise PermissionDenied(_("Only a party or the mediator reading the file records this."))
    errors: dict[str, list[str]] = {}
    _check_instant(errors, "at", at, timezone.now(), floor=found.since)
    if found.notified_at is not None:
        errors["at"] = [_("The detention's notification is already recorded.")]
    if errors:
        raise ValidationFailed(errors)
    found.notified_at = at
    found.save(update_fields=["notified_at"])
    append_event(
        actor=actor,
        event_type=events.DETENTION_NOTIFIED,
        data={"file": found.reference, "at": at},
        subjects=_subject(found),
        audience=found.audience_codes,
    )
    return found


@transaction.atomic
def grant_access(*, actor: Actor, file: PersonFile, at: Any) -> PersonFile:
    """The access body (or a party or the mediator reading the file) records the date the
    body visited the person. Only the access body's own record meets an open access
    request due by then: the party asked for access does not certify that it gave it."""
    found = _locked(actor, file)
    if not (_may_act_on(actor, found) or _is_body(actor, found)):
        raise PermissionDenied(
            _("Only the access body, a party or the mediator reading the file records this.")
        )
    errors: dict[str, list[str]] = {}
    if not found.access_body:
        errors["at"] = [_("This file names no access body.")]
    _check_instant(errors, "at", at, timezone.now(), floor=found.since)
    if errors:
        raise ValidationFailed(errors)
    found.access_granted_at = at
    found.save(update_fields=["access_granted_at"])
    entry = append_event(
        actor=actor,
        event_type=events.ACCESS_GRANTED,
        data={"file": found.reference, "body": found.access_body, "at": at},
        subjects=_subject(found),
        audience=found.audience_codes,
    )
    _deliver(found, entry, {"body": found.access_body, "at": at})
    if _is_body(actor, found):
        _meet(actor, found, RequestKindChoices.ACCESS, at)
    return found


@transaction.atomic
def share_file(*, actor: Actor, file: PersonFile, party: str) -> PersonFile:
    """The reporting party shares its file with another party, on the record (the other
    party, a monitor, an observer): the only way a file's audience widens."""
    found = _locked(actor, file)
    if not (_acting(actor) and actor.party_id == found.reporting_party_id):
        raise PermissionDenied(_("Only the reporting party shares its file."))
    code = str(party or "").strip()
    known = {p.code for p in party_selectors.list_parties(actor)}
    if not code or code == audiences.ALL_MEMBERS or code not in known:
        raise ValidationFailed({"party": [_("Choose a party to share the file with.")]})
    if code in found.audience_codes:
        raise ValidationFailed({"party": [_("This party already reads the file.")]})
    codes = audiences.normalise([*found.audience_codes, code])
    found.audience = audiences.encode(codes)
    found.save(update_fields=["audience"])
    append_event(
        actor=actor,
        event_type=events.FILE_SHARED,
        data={"file": found.reference, "with": code, "audience": codes},
        subjects=_subject(found),
        audience=codes,
    )
    return found


def _resolve(actor: Actor, kind: str, target: Any) -> tuple[uuid.UUID, str, list[str]]:
    """The linked object's public id, reference and audience, through its app's
    selectors (the actor reads it), or NotFound."""
    if kind == "incident":
        incident = incident_selectors.get_incident(actor, target)
        return incident.public_id, incident.reference, incident.audience_codes
    if kind == "case":
        case = case_selectors.get_case(actor, target)
        return case.public_id, case.reference, case.audience_codes
    raise NotFound()


def _shared_audience(file: PersonFile, other: list[str]) -> list[str]:
    """Who reads both the file and another object (an incident, a case): the audience of
    a record entry that names that object, so nobody meets a reference to something
    they cannot read. A party absent from either is left out; nobody left → console only."""
    mine = file.audience_codes
    if audiences.ALL_MEMBERS in other:
        return mine
    if audiences.ALL_MEMBERS in mine:
        return other
    return [c for c in mine if c in other] or [audiences.CONSOLE_ONLY]


@transaction.atomic
def add_link(*, actor: Actor, file: PersonFile, kind: str, target: Any) -> FileLink:
    """Link the file to an incident or a case the actor reads too (by public id)."""
    found = _locked(actor, file)
    if not _may_act_on(actor, found):
        raise PermissionDenied(_("Only a party or the mediator reading the file links it."))
    if kind not in LINK_KINDS:
        raise ValidationFailed({"kind": [_("Link an incident or a case.")]})
    try:
        public_id, reference, target_audience = _resolve(actor, kind, target)
    except NotFound:
        raise ValidationFailed({"target": [_("No such incident or case.")]}) from None
    try:
        with transaction.atomic():
            link = FileLink.objects.create(
                file=found, kind=kind, target=public_id, linked_at=timezone.now()
            )
    except IntegrityError:
        raise ValidationFailed({"target": [_("The file is already linked to it.")]}) from None
    append_event(
        actor=actor,
        event_type=events.FILE_LINKED,
        data={"file": found.reference, "kind": kind, "target": str(public_id), "ref": reference},
        subjects=_subject(found),
        audience=_shared_audience(found, target_audience),
    )
    return link


def read_file(actor: Actor, public_id: Any, *, surface: str) -> PersonFile:
    """A file the reader may read (NotFound otherwise, like a missing one), its reading
    logged: the one way pages and the API open a file."""
    from coordcell.humanitarian.selectors import get_file

    file = get_file(actor, public_id)
    log_reading(actor, file, surface)
    return file


def log_reading(actor: Actor, file: PersonFile, surface: str) -> None:
    """Who read the file, when and where (``page``, ``api``): written on every read, for
    the reporting party and the mediators. Operational, like the shared items' access
    log: not a record entry (it would grow the record at every page view)."""
    Reading.objects.create(
        file=file,
        user=actor.user,
        reader=actor.name,
        party_code=actor.party_code or "",
        surface=surface,
        at=timezone.now(),
    )


# --- requests and their deadlines ----------------------------------------------------------


#: What a remedy's words ask for, in the cell's three languages: "release the four
#: detained persons within 72 hours" asks for a release, "let the ICRC visit them" for
#: access. A remedy that says both, or neither, names its kind explicitly.
_REMEDY_WORDS = {
    RequestKindChoices.RELEASE: re.compile(
        r"\brelease|\bfree (?:the|them)\b|الإفراج|إطلاق سراح|שחרור|לשחרר", re.IGNORECASE
    ),
    RequestKindChoices.ACCESS: re.compile(
        r"\baccess\b|\bvisit|زيارة|الوصول|גישה|ביקור", re.IGNORECASE
    ),
}


def remedy_kind(text: str) -> str:
    """The kind of request a remedy's text orders (``release``, ``access``), or "" when
    it says neither or both (then the author names it)."""
    kinds = [kind for kind, words in _REMEDY_WORDS.items() if words.search(text or "")]
    return kinds[0] if len(kinds) == 1 else ""


def _request_summary(request: Request) -> dict[str, Any]:
    return {
        "request": request.reference,
        "file": request.file.reference,
        "kind": request.kind,
        "requested_by": request.requested_by.code,
        "addressee": request.addressee.code,
        "due_at": request.due_at,
    }


@transaction.atomic
def open_request(
    *,
    actor: Actor,
    file: PersonFile,
    kind: str,
    addressee: str,
    within_hours: float | None = None,
    case: Any = None,
    remedy: Any = None,
) -> Request:
    """The reporting party or the mediator asks a party reading the file to release the
    person, or to give the access body access, within a deadline: the arrangement's
    default, ``within_hours``, or the deadline of the determination's remedy that orders
    it (``case`` and ``remedy`` by public id; without ``kind``, the remedy's words say
    which: ``remedy_kind``)."""
    found = _locked(actor, file)
    if not (
        _acting(actor)
        and (
            actor.party_id == found.reporting_party_id
            or actor.party_kind == PartyKindChoices.KIND_MEDIATOR
        )
    ):
        raise PermissionDenied(_("Only the reporting party or the mediator makes a request."))
    now = timezone.now()
    spec = spec_of(found.version) or HumanitarianSpec()
    errors: dict[str, list[str]] = {}
    due_at = None
    case_obj = remedy_obj = None
    if remedy or case:
        try:
            case_obj = case_selectors.get_case(actor, case)
            remedy_obj = determinations.get_remedy(case_obj, remedy)
        except NotFound:
            errors["remedy"] = [_("No such determination's remedy.")]
        else:
            due_at = remedy_obj.due_at
            kind = kind or remedy_kind(remedy_obj.what)
            if due_at <= now:
                errors["remedy"] = [_("This remedy's deadline has passed.")]
    if kind not in RequestKindChoices.values():
        errors["kind"] = [_("Ask for a release or for access.")]
    elif kind == RequestKindChoices.ACCESS and not found.access_body:
        errors["kind"] = [_("This file names no access body.")]
    elif kind == RequestKindChoices.ACCESS and found.status in _ENDS_REQUESTS:
        errors["kind"] = [_("The person is no longer held: there is no access to ask for.")]
    elif kind == RequestKindChoices.RELEASE and found.status not in (
        StatusChoices.DETAINED,
        StatusChoices.CHARGED,
    ):
        errors["kind"] = [_("Only a detained person's release is requested.")]
    target: Party | None = next(
        (
            p
            for p in party_selectors.parties_of_kinds([PartyKindChoices.KIND_PARTY])
            if p.code == addressee
        ),
        None,
    )
    if target is None or target.code not in found.audience_codes:
        errors["addressee"] = [_("Address a party that reads the file (share it first).")]
    if not (remedy or case):
        hours = within_hours
        if hours is None:
            hours = (
                spec.release_within_hours
                if kind == RequestKindChoices.RELEASE
                else spec.access_within_hours
            )
        if (
            not isinstance(hours, int | float)
            or not MIN_REQUEST_HOURS <= hours <= MAX_REQUEST_HOURS
        ):
            errors["within_hours"] = [_("Give a deadline from 1 to 720 hours.")]
        else:
            due_at = now + dt.timedelta(hours=float(hours))
    if (
        not errors
        and Request.objects.filter(file=found, kind=kind, state=RequestStateChoices.OPEN).exists()
    ):
        errors["kind"] = [_("A request of this kind is already open on this file.")]
    if errors:
        raise ValidationFailed(errors)
    assert due_at is not None
    assert target is not None
    requester = party_selectors.party_of(actor)
    assert requester is not None
    request = Request.objects.create(
        file=found,
        kind=kind,
        requested_by=requester,
        addressee=target,
        requested_at=now,
        due_at=due_at,
        case=case_obj.public_id if case_obj is not None else None,
        case_reference=case_obj.reference if case_obj is not None else "",
        remedy=remedy_obj.public_id if remedy_obj is not None else None,
    )
    entry = append_event(
        actor=actor,
        event_type=events.REQUEST_OPENED,
        data={
            **_request_summary(request),
            "case": str(request.case) if request.case else None,
            "remedy": str(request.remedy) if request.remedy else None,
        },
        subjects=_subject(found),
        audience=(
            _shared_audience(found, case_obj.audience_codes)
            if case_obj is not None
            else found.audience_codes
        ),
    )
    _deliver(found, entry, {"request": request.reference, "kind": kind, "due_at": due_at})
    return request


def _meet(actor: Actor, file: PersonFile, kind: str, at: dt.datetime) -> None:
    """Open requests of ``kind`` made no later than ``at`` and due no earlier are met
    (claimed with a conditional update, so the worker's miss and this never both
    happen): a release or a visit dated before the request was made does not meet it."""
    now = timezone.now()
    for request in Request.objects.filter(
        file=file, kind=kind, state=RequestStateChoices.OPEN, requested_at__lte=at, due_at__gte=at
    ).select_related("file", "requested_by", "addressee"):
        changed = Request.objects.filter(pk=request.pk, state=RequestStateChoices.OPEN).update(
            state=RequestStateChoices.MET, closed_at=now
        )
        if changed != 1:
            continue
        append_event(
            actor=actor,
            event_type=events.REQUEST_MET,
            data={**_request_summary(request), "at": at},
            subjects=_subject(file),
            audience=file.audience_codes,
        )


def expire_requests(now: dt.datetime) -> int:
    """Each open request whose deadline passed is missed, once: claimed with a
    conditional update, recorded, and climbed to the next level of the protocol's ladder
    where the ladder lets it (grounds: a missed deadline). Returns how many."""
    due = list(
        Request.objects.filter(state=RequestStateChoices.OPEN, due_at__lte=now)
        .order_by("due_at", "pk")
        .values_list("pk", flat=True)[:EXPIRE_BATCH]
    )
    missed = 0
    for pk in due:
        with transaction.atomic():
            if _miss(pk, now):
                missed += 1
    return missed


def _climb(file: PersonFile, requested_at: dt.datetime, now: dt.datetime) -> str:
    spec = spec_of(file.version)
    if spec is not None and spec.protocol:
        protocol = agreement_selectors.find_protocol(file.version_id, spec.protocol)
    else:
        protocol = agreement_selectors.find_protocol_serving(file.version_id, "complaints")
    if protocol is None:
        return ""
    steps = ladder.rungs(protocol.ladder)
    try:
        ladder.check_climb(
            steps, 0, reached_at=requested_at, now=now, grounds=[ladder.MISSED_DEADLINE]
        )
    except ladder.ClimbRefused:
        return ""  # nowhere to climb, or not yet: the miss is recorded all the same
    return steps[1].level


def _miss(pk: int, now: dt.datetime) -> bool:
    request = (
        Request.objects.select_for_update(no_key=True)
        .select_related("file__version", "requested_by", "addressee")
        .filter(pk=pk, state=RequestStateChoices.OPEN, due_at__lte=now)
        .first()
    )
    if request is None:
        return False  # met, or another worker took it
    level = _climb(request.file, request.requested_at, now)
    changed = Request.objects.filter(pk=pk, state=RequestStateChoices.OPEN).update(
        state=RequestStateChoices.MISSED, closed_at=now, escalation_level=level
    )
    if changed != 1:
        return False
    file = request.file
    entry = append_event(
        actor=Actor.console(WORKER),
        event_type=events.REQUEST_MISSED,
        data={**_request_summary(request), "grounds": ladder.MISSED_DEADLINE, "level": level},
        subjects=_subject(file),
        audience=file.audience_codes,
    )
    _deliver(file, entry, {"request": request.reference, "missed": True, "level": level})
    return True


@transaction.atomic
def rotate_personal_data() -> int:
    """Seal every file's personal data again with the current key (after a key change,
    docs/humanitarian.md); the digests are unchanged. Returns how many."""
    count = 0
    for pk, token in PersonFile.objects.values_list("pk", "personal").order_by("pk"):
        PersonFile.objects.filter(pk=pk).update(personal=crypto.rotate(token))
        count += 1
    append_event(
        actor=Actor.console(WORKER),
        event_type=events.PERSONAL_DATA_ROTATED,
        data={"files": count},
        audience=[audiences.CONSOLE_ONLY],
    )
    return count
