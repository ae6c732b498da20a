"""The writers of the daily report and of time-locked publication.

``release_report`` builds one day's report for every reader party, in every language, over
what that party may see, and releases all of them at one moment (one ``released_at``, one
transaction: no party reads its report before another), appending to the record, for each
party, the SHA-256 of what it received; ``make_pdfs`` (the worker, right after) makes
each rendition's PDF from that HTML and appends its SHA-256 too. It issues for
publication, to the parties, the mediators and the monitors, the day's counts, the day's
determinations and the scorecard, each computed over what every one of them may see (so
each receives the same text) and hashed on the record. ``sign_extension`` is a party's
signature to extend an embargo; ``settle_embargoes`` (the worker) publishes each item
whose embargo has ended unless every party signed its extension: silence is consent.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coordcell.cases import releases as case_releases
from coordcell.cases import selectors as cases
from coordcell.core.actor import Actor
from coordcell.core.audience import ALL_MEMBERS
from coordcell.core.errors import NotFound, PermissionDenied, ValidationFailed
from coordcell.parties import selectors as parties
from coordcell.parties.choices import PartyKindChoices, RoleChoices
from coordcell.record.canonical import canonical_json
from coordcell.record.services import append_event, subject
from coordcell.reports import events
from coordcell.reports import selectors as reports
from coordcell.reports.choices import PdfStateChoices, PublicationKindChoices
from coordcell.reports.models import DailyReport, ExtensionSignature, Publication, Rendition
from coordcell.reports.rendering import render_html, render_pdf, sha256
from coordcell.reports.sections import Reading
from coordcell.rules import counting
from coordcell.rules.arrangement import RELEASE_PUBLIC, ReportsSpec

__all__ = [
    "make_pdfs",
    "release_due_report",
    "release_report",
    "settle_embargoes",
    "sign_extension",
    "window_of",
]

#: The scorecard's period in what the daily report issues (an ISO week).
SCORECARD_WINDOW = "week"


def languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def window_of(day: dt.date, spec: ReportsSpec, time_zone: str) -> tuple[dt.datetime, dt.datetime]:
    """Day ``day``'s window: from the previous day's cut-off to this day's (local time)."""
    hour, minute = (int(x) for x in spec.cutoff.split(":"))
    zone = zoneinfo.ZoneInfo(time_zone or "UTC")
    end = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zone)
    start = dt.datetime.combine(day - dt.timedelta(days=1), dt.time(hour, minute), tzinfo=zone)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def _may_release(actor: Actor) -> bool:
    # The console and the worker; in the cell, a mediator's principal or liaison officer.
    return actor.system or (
        actor.party_kind == PartyKindChoices.KIND_MEDIATOR
        and (actor.has_role(RoleChoices.PRINCIPAL) or actor.has_role(RoleChoices.LIAISON_OFFICER))
    )


def _spec(actor: Actor) -> tuple[Any, ReportsSpec, str]:
    version = reports.current_version(actor)
    spec = reports.reports_spec(version)
    if spec is None:
        raise ValidationFailed(_("The arrangement states no daily report ([reports])."))
    return version, spec, str((version.content or {}).get("time_zone") or "UTC")


def release_report(
    *,
    actor: Actor,
    day: dt.date | None = None,
    until: dt.datetime | None = None,
    fictional: bool = False,
) -> DailyReport:
    """Build and release the report of ``day`` (its cut-off window) — or, with ``until``,
    of the day that ends then (the demo's report, up to the moment it is told) — to every
    reader party at once, and issue its counts, determinations and scorecard for
    publication after the embargo.

    Every rendition is drawn before anything is written: the one transaction that then
    stores them, records their hashes and issues the publications is short, so on SQLite
    a page's write never waits behind seconds of rendering (and fails at the busy
    timeout)."""
    if not _may_release(actor):
        raise PermissionDenied(_("Only the mediator releases the daily report."))
    version, spec, time_zone = _spec(actor)
    now = timezone.now()
    if until is not None:
        end = until
        start = until - dt.timedelta(days=1)
        day = until.astimezone(zoneinfo.ZoneInfo(time_zone)).date()
    else:
        if day is None:
            raise ValidationFailed({"day": [_("Choose a day.")]})
        start, end = window_of(day, spec, time_zone)
    if DailyReport.objects.filter(day=day).exists():
        raise ValidationFailed({"day": [_("This day's report has already been released.")]})
    if end > now:
        raise ValidationFailed({"day": [_("This day's cut-off has not passed yet.")]})
    rules = counting.rules_for(day, spec.counting_rules)
    rules_version = rules.version if rules else ""
    context = {
        "day": day.isoformat(),
        "window_start": start.isoformat(timespec="minutes"),
        "window_end": end.isoformat(timespec="minutes"),
        "rules_version": rules_version,
        "arrangement_version": version.number,
        "released_at": now.isoformat(timespec="seconds"),
    }
    drawn: list[tuple[str, list[tuple[str, str]]]] = []
    for reader in reports.readers():
        reading = Reading(reader, start, end, rules, version, fictional)
        htmls = [
            (language, render_html(reading=reading, language=language, context=context))
            for language in languages()
        ]
        drawn.append((str(reader.party_code), htmls))
    with transaction.atomic():
        if DailyReport.objects.select_for_update(no_key=True).filter(day=day).exists():
            raise ValidationFailed({"day": [_("This day's report has already been released.")]})
        report = DailyReport.objects.create(
            day=day,
            window_start=start,
            window_end=end,
            rules_version=rules_version,
            arrangement_version=version.number,
            released_at=now,
            fictional=fictional,
        )
        for party_code, htmls in drawn:
            made = [
                Rendition(
                    report=report,
                    party_code=party_code,
                    language=language,
                    audience=f"|{party_code}|",
                    html=html,
                    sha256=sha256(html),
                )
                for language, html in htmls
            ]
            entry = append_event(
                actor=actor,
                event_type=events.REPORT_RELEASED,
                data={
                    "day": day,
                    "reader": party_code,
                    "rules_version": report.rules_version,
                    "released_at": now,
                    "sha256": {r.language: {"html": r.sha256} for r in made},
                },
                subjects=[subject("daily_report", report.public_id, day.isoformat())],
                audience=[party_code],
            )
            for rendition in made:
                rendition.entry_seq = entry.seq
            Rendition.objects.bulk_create(made)
        _issue(actor=actor, report=report, spec=spec, rules=rules, now=now)
    return report


def _issue(
    *,
    actor: Actor,
    report: DailyReport,
    spec: ReportsSpec,
    rules: Any,
    now: dt.datetime,
) -> None:
    """Issue the report's counts, determinations and scorecard for publication."""
    signers = sorted(p.code for p in parties.parties_of_kinds([PartyKindChoices.KIND_PARTY]))
    if not signers:
        return
    issued_to = parties.concerned_audience(*signers)
    start, end = report.window_start, report.window_end
    bodies: list[tuple[str, str, dict[str, Any]]] = []
    if rules is not None:
        common = reports.seen_by_all(issued_to, start, end)
        anyone = reports.reader_for(issued_to[0], "")
        tally = counting.count(reports.observations(anyone, start, end, only=common), rules)
        bodies.append(
            (
                PublicationKindChoices.DAILY_COUNTS,
                report.day.isoformat(),
                {
                    "rules_version": tally.version,
                    "violations": tally.total,
                    "reports": tally.reports,
                    "breakdowns": tally.breakdowns,
                },
            )
        )
    decided: set[str] | None = None
    for code in issued_to:
        refs = set(
            cases.list_cases(reports.reader_for(code, ""))
            .filter(determined_at__gte=start, determined_at__lt=end)
            .values_list("reference", flat=True)
        )
        decided = refs if decided is None else decided & refs
    if decided:
        anyone = reports.reader_for(issued_to[0], "")
        for case in cases.list_cases(anyone).filter(reference__in=decided).order_by("reference"):
            bodies.append(
                (
                    PublicationKindChoices.DETERMINATION,
                    case.reference,
                    {
                        "case": case.reference,
                        "outcome": case.outcome,
                        "clauses": list(case.clauses),
                        "determined_at": case.determined_at,
                        "determination": case.determination,
                    },
                )
            )
    card: dict[str, Any] = dict(
        case_releases.scorecard_seen_by_all(list(issued_to), SCORECARD_WINDOW)
    )
    for row in card.get("parties", []):
        row.pop("name", None)  # a name is in the reader's language: the text is language-neutral
    bodies.append((PublicationKindChoices.SCORECARD, report.day.isoformat(), card))
    embargo_until = now + dt.timedelta(hours=spec.embargo_hours)
    for kind, subject_text, content in bodies:
        body = canonical_json(
            {"kind": kind, "day": report.day, "subject": subject_text, "content": content}
        ).decode("utf-8")
        publication = Publication.objects.create(
            report=report,
            kind=kind,
            subject=subject_text,
            body=body,
            sha256=sha256(body),
            issued_at=now,
            embargo_until=embargo_until,
            release_to=spec.release_to,
            audience=f"|{'|'.join(issued_to)}|",
        )
        entry = append_event(
            actor=actor,
            event_type=events.PUBLICATION_ISSUED,
            data={
                "kind": kind,
                "subject": subject_text,
                "sha256": publication.sha256,
                "embargo_until": embargo_until,
                "release_to": spec.release_to,
            },
            subjects=[subject("publication", publication.public_id, subject_text)],
            audience=issued_to,
        )
        Publication.objects.filter(pk=publication.pk).update(issue_entry_seq=entry.seq)


def make_pdfs(now: dt.datetime) -> int:
    """The worker's job: make the PDFs of released renditions, one reader party's report at
    a time, and append their SHA-256 to the record (to that party alone). Renditions with
    the same HTML share one PDF. Without the PDF library, the renditions are marked
    HTML-only. Restart-safe: a rendition is settled by a conditional update, once."""
    actor = Actor.console("worker")
    pending = (
        Rendition.objects.filter(pdf_state=PdfStateChoices.PENDING)
        .order_by("report_id", "party_code", "language")
        .values_list("report_id", "party_code")
        .distinct()
    )
    made: dict[str, bytes | None] = {}
    handled = 0
    for report_id, party_code in list(pending):
        handled += _make_pdfs_of(actor, report_id, party_code, made)
    return handled


def _make_pdfs_of(
    actor: Actor, report_id: int, party_code: str, made: dict[str, bytes | None]
) -> int:
    """One reader party's PDFs. They are rendered (seconds each) before anything is
    written, so the short transaction that settles them and records their hashes never
    holds the database's write lock while a PDF is drawn: on SQLite a page's write would
    otherwise wait behind it, and fail once the busy timeout ran out."""
    renditions = list(
        Rendition.objects.filter(
            report_id=report_id, party_code=party_code, pdf_state=PdfStateChoices.PENDING
        ).select_related("report")
    )
    for rendition in renditions:
        if rendition.sha256 not in made:
            made[rendition.sha256] = render_pdf(rendition.html)
    with transaction.atomic():
        hashes: dict[str, str] = {}
        settled = []
        for rendition in renditions:
            pdf = made[rendition.sha256]
            state = PdfStateChoices.MADE if pdf is not None else PdfStateChoices.UNAVAILABLE
            digest = sha256(pdf) if pdf is not None else ""
            if Rendition.objects.filter(pk=rendition.pk, pdf_state=PdfStateChoices.PENDING).update(
                pdf=pdf, pdf_sha256=digest, pdf_state=state
            ):
                settled.append(rendition.pk)
                if digest:
                    hashes[rendition.language] = digest
        if hashes:
            report = renditions[0].report
            entry = append_event(
                actor=actor,
                event_type=events.PDF_MADE,
                data={"day": report.day, "reader": party_code, "sha256": hashes},
                subjects=[subject("daily_report", report.public_id, report.day.isoformat())],
                audience=[party_code],
            )
            Rendition.objects.filter(pk__in=settled).update(pdf_entry_seq=entry.seq)
    return len(settled)


def release_due_report(now: dt.datetime) -> int:
    """The worker's job: release the latest day whose cut-off has passed, once."""
    actor = Actor.console("worker")
    try:
        _version, spec, time_zone = _spec(actor)
    except (NotFound, ValidationFailed):  # no arrangement loaded yet, or no [reports]
        return 0
    local = now.astimezone(zoneinfo.ZoneInfo(time_zone))
    day = local.date()
    if window_of(day, spec, time_zone)[1] > now:
        day -= dt.timedelta(days=1)
    if DailyReport.objects.filter(day=day).exists():
        return 0
    try:
        release_report(actor=actor, day=day)
    except IntegrityError:  # another worker released it first
        return 0
    return 1


# --- time-locked publication -------------------------------------------------------------


@transaction.atomic
def sign_extension(*, actor: Actor, publication: Publication) -> ExtensionSignature:
    """Sign, for the actor's party, the extension of the publication's embargo for its
    current round (a party's principal or liaison officer, before the embargo ends)."""
    if actor.system or actor.party_kind != PartyKindChoices.KIND_PARTY:
        raise PermissionDenied(_("Only a party signs an extension of an embargo."))
    if not (actor.has_role(RoleChoices.PRINCIPAL) or actor.has_role(RoleChoices.LIAISON_OFFICER)):
        raise PermissionDenied(_("Only a party's principals and liaison officers sign."))
    locked = (
        reports.list_publications(actor)
        .select_for_update(no_key=True)
        .filter(pk=publication.pk)
        .first()
    )
    if locked is None:
        raise PermissionDenied(_("Only a party signs an extension of an embargo."))
    now = timezone.now()
    if locked.released_at is not None or locked.embargo_until <= now:
        raise ValidationFailed(_("The embargo has ended: it can no longer be extended."))
    code = str(actor.party_code)
    if ExtensionSignature.objects.filter(
        publication=locked, round=locked.round, party_code=code
    ).exists():
        raise ValidationFailed(_("Your party has already signed this extension."))
    entry = append_event(
        actor=actor,
        event_type=events.EXTENSION_SIGNED,
        data={"sha256": locked.sha256, "round": locked.round, "party": code},
        subjects=[subject("publication", locked.public_id, locked.subject)],
        audience=locked.audience_codes,
    )
    return ExtensionSignature.objects.create(
        publication=locked, round=locked.round, party_code=code, signed_at=now, entry_seq=entry.seq
    )


def settle_embargoes(now: dt.datetime) -> int:
    """The worker's job: each publication whose embargo has ended is published, unless
    every party signed the extension of its round (then its embargo ends
    ``extension_hours`` later, in a new round). Claimed with conditional updates, so two
    workers, or a worker restarted mid-pass, settle each round once."""
    actor = Actor.console("worker")
    required = sorted(p.code for p in parties.parties_of_kinds([PartyKindChoices.KIND_PARTY]))
    handled = 0
    due = Publication.objects.filter(released_at=None, embargo_until__lte=now)
    for publication in due.order_by("embargo_until", "pk"):
        signed = set(reports.signatures(publication))
        if required and set(required) <= signed:
            handled += _extend(actor, publication, sorted(signed))
        else:
            handled += _publish(actor, publication, sorted(signed), now)
    return handled


@transaction.atomic
def _extend(actor: Actor, publication: Publication, signed: list[str]) -> int:
    """Every party signed: the embargo of ``publication`` ends later, in a new round."""
    until = publication.embargo_until + dt.timedelta(hours=_extension_hours(actor))
    claimed = Publication.objects.filter(
        pk=publication.pk, released_at=None, round=publication.round
    ).update(round=publication.round + 1, embargo_until=until)
    if claimed:
        append_event(
            actor=actor,
            event_type=events.EMBARGO_EXTENDED,
            data={
                "sha256": publication.sha256,
                "round": publication.round,
                "signed_by": signed,
                "embargo_until": until,
            },
            subjects=[subject("publication", publication.public_id, publication.subject)],
            audience=publication.audience_codes,
        )
    return claimed


@transaction.atomic
def _publish(actor: Actor, publication: Publication, signed: list[str], now: dt.datetime) -> int:
    """Not every party signed: ``publication`` is published, its text unchanged."""
    claimed = Publication.objects.filter(pk=publication.pk, released_at=None).update(
        released_at=now
    )
    if claimed:
        entry = append_event(
            actor=actor,
            event_type=events.PUBLICATION_RELEASED,
            data={
                "sha256": publication.sha256,
                "kind": publication.kind,
                "subject": publication.subject,
                "release_to": publication.release_to,
                "signed_by": signed,
            },
            subjects=[subject("publication", publication.public_id, publication.subject)],
            audience=[*publication.audience_codes, *_recipient(publication)],
        )
        Publication.objects.filter(pk=publication.pk).update(release_entry_seq=entry.seq)
    return claimed


def _recipient(publication: Publication) -> list[str]:
    # Published to everyone: every member reads that it was; to a body: that body does.
    if publication.release_to == RELEASE_PUBLIC:
        return [ALL_MEMBERS]
    return [publication.release_to]


def _extension_hours(actor: Actor) -> float:
    _version, spec, _tz = _spec(actor)
    return spec.extension_hours
