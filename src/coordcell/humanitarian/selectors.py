"""Reads of detainees and missing persons, always restricted to the reader (``.restrict``).

A file the reader may not read is missing to them: not in a list, a count, a total or a
link. Its versions, requests, links and readings are reached only through a file the
reader reads; the log of readings only by the file's reporting party and the mediators;
a link only where the reader reads its incident or case too.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from coordcell.cases import selectors as case_selectors
from coordcell.core.actor import Actor
from coordcell.core.errors import NotFound
from coordcell.humanitarian import crypto
from coordcell.humanitarian.choices import OPEN_STATUSES, StatusChoices
from coordcell.humanitarian.models import PersonFile, Reading, Request, Version
from coordcell.incidents import selectors as incident_selectors
from coordcell.parties.choices import PartyKindChoices

__all__ = [
    "Link",
    "counts",
    "current_versions",
    "get_file",
    "links_of",
    "list_files",
    "may_read_log",
    "open_files_count",
    "personal_of",
    "readings_of",
    "requests_of",
    "version_history",
]

#: The longest span ``counts`` answers for (days).
MAX_COUNT_DAYS = 400
#: The years a count may name (far from the calendar's ends, 1 and 9999, where a day
#: more or a month less does not exist), as the deconfliction calendar's ranges.
COUNT_YEARS = (1900, 2100)

logger = logging.getLogger(__name__)


def _uuid(value: Any) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:  # a malformed id is a missing one
        raise NotFound() from None


def list_files(actor: Actor, *, status: str = "") -> QuerySet[PersonFile]:
    """The files the reader may read, latest first (``status``: only those)."""
    qs = (
        PersonFile.objects.restrict(actor)
        .select_related("reporting_party")
        .defer("version__content", "version__basemap")
    )
    if status:
        qs = qs.filter(status=status)
    return qs


def get_file(actor: Actor, public_id: Any) -> PersonFile:
    """A file the reader may read; NotFound for any other (like a missing one). Pages and
    the API read through ``services.read_file``, which logs the reading."""
    found = list_files(actor).filter(public_id=_uuid(public_id)).first()
    if found is None:
        raise NotFound()
    return found


def personal_of(file: PersonFile) -> dict[str, Any]:
    """The name, date of birth and identifying details of a file already read through
    ``get_file`` (unsealed; the salt left out). When no configured key opens them (a lost
    or wrong key) they are left empty and ``unreadable`` says so: the file is still shown,
    with a notice, never a server error; the operator is told in the log."""
    try:
        data = crypto.unseal(file.personal)
    except crypto.PersonalDataError:
        logger.error("No configured key opens the personal data of file %s", file.reference)
        return {"name": "", "birth_date": "", "details": "", "unreadable": True}
    found: dict[str, Any] = {k: str(data.get(k, "")) for k in ("name", "birth_date", "details")}
    return {**found, "unreadable": False}


def current_versions(file: PersonFile) -> list[Version]:
    """Each party's latest version, by party code: shown side by side, none adopted."""
    latest: dict[int, Version] = {}
    for version in file.versions.select_related("party").order_by(
        "party__code", "-stated_at", "-pk"
    ):
        latest.setdefault(version.party_id, version)
    return list(latest.values())


def version_history(file: PersonFile) -> QuerySet[Version]:
    """Every version stated on the file, latest first."""
    return file.versions.select_related("party").order_by("-stated_at", "-pk")


def requests_of(actor: Actor, file: PersonFile) -> list[Request]:
    """The requests on a file already read, by deadline. A request ordered by a case's
    determination names that case (and its remedy) only to a reader of the case, through
    the cases' selectors like :func:`links_of`: to anyone else it reads as a plain request
    (hidden looks missing). The rows are not saved."""
    found = list(file.requests.select_related("requested_by", "addressee").order_by("due_at", "pk"))
    readable: dict[uuid.UUID, bool] = {}
    for request in found:
        if request.case is None:
            continue
        if request.case not in readable:
            try:
                case_selectors.get_case(actor, request.case)
            except NotFound:
                readable[request.case] = False
            else:
                readable[request.case] = True
        if not readable[request.case]:
            request.case, request.case_reference, request.remedy = None, "", None
    return found


@dataclass(frozen=True)
class Link:
    kind: str
    public_id: uuid.UUID
    reference: str


def links_of(actor: Actor, file: PersonFile) -> list[Link]:
    """The incidents and cases the file is linked to that the reader reads too."""
    found: list[Link] = []
    for link in file.links.order_by("linked_at", "pk"):
        try:
            if link.kind == "incident":
                target: Any = incident_selectors.get_incident(actor, link.target)
            else:
                target = case_selectors.get_case(actor, link.target)
        except NotFound:
            continue  # hidden looks missing
        found.append(Link(link.kind, target.public_id, target.reference))
    return found


def may_read_log(actor: Actor, file: PersonFile) -> bool:
    """The reporting party and the mediators (reading the file) read its log of readings."""
    if actor.system:
        return True
    return actor.party_code in file.audience_codes and (
        actor.party_id == file.reporting_party_id
        or actor.party_kind == PartyKindChoices.KIND_MEDIATOR
    )


def readings_of(actor: Actor, file: PersonFile) -> QuerySet[Reading]:
    """Who read the file, latest first; nothing for a reader who may not read the log."""
    if not may_read_log(actor, file):
        return Reading.objects.none()
    return file.readings.order_by("-at", "-pk")


def open_files_count(actor: Actor) -> int:
    """How many files the reader may read are still open (detained, missing or charged):
    the talks' standing agenda item counts these."""
    return PersonFile.objects.restrict(actor).filter(status__in=OPEN_STATUSES).count()


def counts(actor: Actor, *, since: dt.date, until: dt.date) -> list[dict[str, Any]]:
    """Per day (UTC) and reporting party, from the files the reader may read: how many
    persons were detained (or charged), missing, and released that day. Rows with nothing
    are left out. A reader outside a file's audience counts nothing of it."""
    if until < since or (until - since).days > MAX_COUNT_DAYS:
        raise ValueError("until follows since, within 400 days")
    if not all(COUNT_YEARS[0] <= day.year <= COUNT_YEARS[1] for day in (since, until)):
        raise ValueError("since and until fall within COUNT_YEARS")
    start = dt.datetime.combine(since, dt.time.min, dt.UTC)
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, dt.UTC)
    rows = (
        PersonFile.objects.restrict(actor)
        .filter(since__lt=end)
        .filter(
            Q(released_at__isnull=True, located_at__isnull=True)
            | Q(released_at__gte=start)
            | Q(located_at__gte=start)
        )
        .values_list("reporting_party__code", "status", "since", "released_at", "located_at")
    )
    table: dict[tuple[dt.date, str], dict[str, int]] = defaultdict(
        lambda: {"detained": 0, "missing": 0, "released": 0}
    )
    for party, status, began, released, located in rows:
        missing = status in (StatusChoices.MISSING, StatusChoices.LOCATED)
        kind = "missing" if missing else "detained"
        ended = released or located
        day = max(since, began.astimezone(dt.UTC).date())
        while day <= until:
            day_end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, dt.UTC)
            if ended is not None and ended < day_end:
                if released is not None and ended >= day_end - dt.timedelta(days=1):
                    table[(day, party)]["released"] += 1
                break
            table[(day, party)][kind] += 1
            day += dt.timedelta(days=1)
    return [
        {"day": day, "party": party, **values} for (day, party), values in sorted(table.items())
    ]
