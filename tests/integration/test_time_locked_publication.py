"""Time-locked publication (issue 17, point 2): the daily report issues its counts, the
determinations and the scorecard to the parties with their hash; the worker publishes each
when the embargo ends unless every party signed an extension (silence is consent), each
signature and extension on the record; the published text is the one each party received
(same hash); the public page (no login) and its CSV and HXL downloads.

One report is released once per module (``_issued``, rolled back after the last test)."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections.abc import Iterator
from typing import Any

import hxl
import pytest
from django.db import transaction
from django.utils import timezone

from coordcell.accounts.models import User
from coordcell.core.actor import Actor
from coordcell.core.errors import NotFound, PermissionDenied, ValidationFailed
from coordcell.core.worker import registered_jobs
from coordcell.record.models import Entry
from coordcell.reports import selectors, services
from coordcell.reports.models import Publication

pytestmark = pytest.mark.django_db

_OPTS = hxl.InputOptions(allow_local=True)


@pytest.fixture(scope="module")
def _issued(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Any]:
    with django_db_blocker.unblock(), transaction.atomic():
        mediator = Actor.from_user(User.objects.get(username="mediator"))
        yield services.release_report(actor=mediator, until=timezone.now())
        transaction.set_rollback(True)


@pytest.fixture
def report(db: Any, _issued: Any) -> Any:
    return _issued


def _settle(at: dt.datetime) -> int:
    return {j.name: j.func for j in registered_jobs()}["reports.embargoes"](at)


def _counts(report: Any) -> Publication:
    return Publication.objects.get(report=report, kind="daily_counts")


# --- issued, hashed, the same for every party ----------------------------------------------


def test_the_report_issues_counts_and_the_scorecard_with_their_hash_on_the_record(
    report: Any,
) -> None:
    kinds = sorted(Publication.objects.filter(report=report).values_list("kind", flat=True))
    assert kinds.count("daily_counts") == 1
    assert kinds.count("scorecard") == 1
    for publication in Publication.objects.filter(report=report):
        assert publication.sha256 == hashlib.sha256(publication.body.encode()).hexdigest()
        assert publication.audience_codes == ["il", "sy", "undof", "us"]
        assert publication.embargo_until == report.released_at + dt.timedelta(hours=72)
        entry = Entry.objects.get(seq=publication.issue_entry_seq)
        assert entry.event_type == "reports.publication_issued"
        assert entry.data["sha256"] == publication.sha256
        assert entry.audience == "|il|sy|undof|us|"  # every party reads the same hash


def test_the_issued_text_is_language_neutral_and_names_the_rules_version(report: Any) -> None:
    body = _counts(report).body
    assert '"rules_version":"2026.1"' in body
    scorecard = Publication.objects.get(report=report, kind="scorecard").body
    assert '"name"' not in scorecard  # party names are in a reader's language: left out


def test_the_parties_and_the_mechanism_read_it_embargoed_and_no_one_else(
    report: Any, actor: Any, client_for: Any
) -> None:
    counts = _counts(report)
    for username in ("il.liaison", "sy.analyst", "mediator", "monitor"):
        assert selectors.get_publication(actor(username), counts.public_id) == counts
    for username in ("donor", "observer"):
        with pytest.raises(NotFound):
            selectors.get_publication(actor(username), counts.public_id)
        page = client_for(username).get("/reports/publications/").content.decode()
        assert counts.sha256 not in page
    assert counts.sha256 not in client_for(None).get("/published/").content.decode()


# --- the worker: silence publishes, every party's signature extends --------------------------


def test_the_worker_publishes_when_the_embargo_ends_and_not_before(
    report: Any, client_for: Any
) -> None:
    counts = _counts(report)
    assert _settle(counts.embargo_until - dt.timedelta(seconds=1)) == 0
    assert _settle(counts.embargo_until) == Publication.objects.filter(report=report).count()
    counts.refresh_from_db()
    assert counts.released_at == counts.embargo_until
    entry = Entry.objects.get(seq=counts.release_entry_seq)
    assert entry.event_type == "reports.publication_released"
    assert entry.data["sha256"] == counts.sha256  # the text each party received that day
    assert entry.data["signed_by"] == []
    assert _settle(counts.embargo_until + dt.timedelta(hours=1)) == 0  # once
    page = client_for(None).get("/published/")
    assert page.status_code == 200
    assert counts.sha256 in page.content.decode()


def test_it_stays_embargoed_while_every_party_has_signed_an_extension(
    report: Any, actor: Any, client_for: Any
) -> None:
    counts = _counts(report)
    first_end = counts.embargo_until
    for username in ("il.liaison", "sy.liaison"):
        services.sign_extension(actor=actor(username), publication=counts)
    assert _settle(first_end) >= 1
    counts.refresh_from_db()
    assert counts.released_at is None
    assert (counts.round, counts.embargo_until) == (2, first_end + dt.timedelta(hours=72))
    extended = Entry.objects.get(event_type="reports.embargo_extended", data__round=1)
    assert extended.data["signed_by"] == ["il", "sy"]
    signed = Entry.objects.filter(event_type="reports.extension_signed", data__round=1)
    assert sorted(e.data["party"] for e in signed) == ["il", "sy"]
    assert counts.sha256 not in client_for(None).get("/published/").content.decode()
    # The next round: silence again, and it is published.
    _settle(counts.embargo_until)
    counts.refresh_from_db()
    assert counts.released_at == counts.embargo_until


def test_one_partys_signature_alone_does_not_hold_it(report: Any, actor: Any) -> None:
    counts = _counts(report)
    services.sign_extension(actor=actor("sy.liaison"), publication=counts)
    _settle(counts.embargo_until)
    counts.refresh_from_db()
    assert counts.released_at == counts.embargo_until
    released = Entry.objects.get(seq=counts.release_entry_seq)
    assert released.data["signed_by"] == ["sy"]


def test_who_may_sign_an_extension_and_when(report: Any, actor: Any) -> None:
    counts = _counts(report)
    for username in ("mediator", "monitor", "il.analyst"):
        with pytest.raises(PermissionDenied):
            services.sign_extension(actor=actor(username), publication=counts)
    services.sign_extension(actor=actor("il.liaison"), publication=counts)
    with pytest.raises(ValidationFailed, match="already signed"):
        services.sign_extension(actor=actor("il.liaison"), publication=counts)
    _settle(counts.embargo_until)
    counts.refresh_from_db()
    with pytest.raises(ValidationFailed, match="embargo has ended"):
        services.sign_extension(actor=actor("sy.liaison"), publication=counts)


def test_the_publications_page_signs_an_extension(report: Any, client_for: Any) -> None:
    counts = _counts(report)
    client = client_for("sy.liaison")
    page = client.get("/reports/publications/").content.decode()
    assert f"/reports/publications/{counts.public_id}/extend/" in page
    assert client.post(f"/reports/publications/{counts.public_id}/extend/").status_code == 302
    assert selectors.signatures(counts) == ["sy"]
    assert client.get(f"/reports/publications/{counts.public_id}/extend/").status_code == 405
    # Someone who cannot see it: 404, like a missing one.
    donor = client_for("donor").post(f"/reports/publications/{counts.public_id}/extend/")
    assert donor.status_code == 404


# --- the public page and its downloads ------------------------------------------------------


def test_the_csv_and_hxl_downloads_carry_exactly_what_was_published(
    report: Any, client_for: Any
) -> None:
    counts = _counts(report)
    anonymous = client_for(None)
    assert anonymous.get("/published/published.csv").content.count(b"\r\n") == 1  # header
    _settle(counts.embargo_until)
    published = list(Publication.objects.exclude(released_at=None))
    plain = anonymous.get("/published/published.csv")
    assert plain.status_code == 200
    rows = list(csv.reader(io.StringIO(plain.content.decode())))
    assert rows[0][5] == "SHA-256"
    assert {(r[0], r[5]) for r in rows[1:]} == {(p.kind, p.sha256) for p in published}
    for row in rows[1:]:
        assert hashlib.sha256(row[6].encode()).hexdigest() == row[5]  # the exact text
    tagged = anonymous.get("/published/published.hxl.csv").content
    data = hxl.data(io.BytesIO(tagged), _OPTS)
    assert [c.display_tag for c in data.columns] == [
        "#meta+type",
        "#meta+id",
        "#date+reported",
        "#date+issued",
        "#date+published",
        "#meta+sha256",
        "#description+json",
    ]
    assert sorted(r.get("#meta+sha256") for r in data) == sorted(p.sha256 for p in published)
