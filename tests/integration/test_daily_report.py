"""The daily report (issue 17, point 1): one rendition per reader party and language, each
over what that party may see (hidden looks like missing, counts included), all released at
one moment with the hash of each appended to the record; the PDF with Arabic and Hebrew
(and the HTML-only fallback without pango); the worker's daily release; the pages'
authorization matrix.

One report is released once per module (``_released``, rolled back after the module's
last test): two incidents reported by Israel's liaison officer an hour and a half apart, one
shared with Syria and one not."""

from __future__ import annotations

import builtins
import datetime as dt
import hashlib
import re
import zlib
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from coordcell.accounts.models import User
from coordcell.agreements.models import ArrangementVersion
from coordcell.core.actor import Actor
from coordcell.core.errors import PermissionDenied, ValidationFailed
from coordcell.core.worker import registered_jobs
from coordcell.incidents.services import IncidentInput, report_incident
from coordcell.parties.models import Party
from coordcell.parties.selectors import neutral_codes
from coordcell.record.models import Entry
from coordcell.reports import rendering, services
from coordcell.reports.models import DailyReport, Rendition

pytestmark = pytest.mark.django_db

LANGUAGES = ("en", "ar", "he")
BERM = {"type": "Point", "coordinates": [35.819, 33.118]}  # inside the Area of Separation


def _report(actor: Actor, minutes_ago: int, audience: list[str]) -> str:
    version = ArrangementVersion.objects.get(is_current=True)
    incident = report_incident(
        actor=actor,
        data=IncidentInput(
            kind="fortification",
            title="Earth berm inside the Area of Separation (fictional)",
            occurred_from=timezone.now() - dt.timedelta(minutes=minutes_ago),
            geometry=BERM,
            uncertainty_m=50,
        ),
        version=version,
        audience=audience,
        fictional=True,
    )
    return incident.reference


@pytest.fixture(scope="module")
def _released(django_db_setup: Any, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    with django_db_blocker.unblock(), transaction.atomic():
        il = Actor.from_user(User.objects.get(username="il.liaison"))
        shared = _report(il, 30, ["il", "sy", *neutral_codes()])
        hidden = _report(il, 150, ["il", *neutral_codes()])
        mediator = Actor.from_user(User.objects.get(username="mediator"))
        report = services.release_report(actor=mediator, until=timezone.now())
        made = services.make_pdfs(timezone.now())  # the worker, right after the release
        yield {"report": report, "shared": shared, "hidden": hidden, "made": made}
        transaction.set_rollback(True)


@pytest.fixture
def released(db: Any, _released: dict[str, Any]) -> dict[str, Any]:
    return _released


def _streams(pdf: bytes) -> list[bytes]:
    """The PDF's streams, inflated (its objects are compressed).

    A stream's data is whatever lies between ``stream`` and ``\\nendstream``: its last byte
    may be a carriage return (one compressed stream in 256 ends with one), so none is
    taken off, and the inflater leaves what follows the compressed data unused."""
    found = []
    for chunk in re.findall(rb"stream\r?\n(.*?)\nendstream", pdf, flags=re.S):
        try:
            found.append(zlib.decompressobj().decompress(chunk))
        except zlib.error:
            found.append(chunk)
    return found


def _html(report: DailyReport, party: str, language: str = "en") -> str:
    return Rendition.objects.get(report=report, party_code=party, language=language).html


# --- per audience, at one moment, hashed on the record -------------------------------------


def test_every_party_gets_its_rendition_in_every_language(released: dict[str, Any]) -> None:
    rows = set(
        Rendition.objects.filter(report=released["report"]).values_list("party_code", "language")
    )
    parties = set(Party.objects.values_list("code", flat=True))
    assert {"il", "sy", "us", "undof", "jo", "donor_a"} <= parties
    assert rows == {(p, lang) for p in parties for lang in LANGUAGES}


def test_each_party_counts_only_what_it_may_see(released: dict[str, Any]) -> None:
    report = released["report"]
    il, sy, donor = (_html(report, p) for p in ("il", "sy", "donor_a"))
    assert "2 violations were recorded, from 2 reports" in il
    assert "1 violation was recorded, from 1 report." in sy
    assert "0 violations were recorded, from 0 reports" in donor
    # Nothing of the hidden incident reaches Syria's rendition: no reference, no count.
    for text in (sy, donor):
        assert released["hidden"] not in text
    assert released["hidden"] not in il  # a report names no incident: counts only


def test_one_release_moment_for_every_party_and_its_hashes_on_the_record(
    released: dict[str, Any], client_for: Any
) -> None:
    report = released["report"]
    entries = {
        e.data["reader"]: e
        for e in Entry.objects.filter(event_type="reports.report_released").order_by("seq")
        if e.data["day"] == report.day.isoformat()
    }
    assert set(entries) == set(Party.objects.values_list("code", flat=True))
    moments = {e.data["released_at"] for e in entries.values()}
    assert moments == {report.released_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")}
    for party, entry in entries.items():
        assert entry.audience == f"|{party}|"  # each party's hashes are its own to read
        for language in LANGUAGES:
            rendition = Rendition.objects.get(report=report, party_code=party, language=language)
            assert entry.data["sha256"][language]["html"] == rendition.sha256
            assert rendition.entry_seq == entry.seq
    # What the page serves is, byte for byte, what was hashed.
    body = client_for("sy.liaison").get(f"/reports/{report.public_id}/ar/").content
    assert hashlib.sha256(body).hexdigest() == entries["sy"].data["sha256"]["ar"]["html"]


def test_the_arabic_and_hebrew_renditions_are_right_to_left_and_translated(
    released: dict[str, Any],
) -> None:
    report = released["report"]
    ar, he, en = (_html(report, "il", lang) for lang in ("ar", "he", "en"))
    assert '<html lang="ar" dir="rtl">' in ar
    assert '<html lang="he" dir="rtl">' in he
    assert '<html lang="en" dir="ltr">' in en
    assert "التقرير اليومي" in ar
    assert "דוח יומי" in he
    assert "Daily report" not in ar + he


def test_the_worker_makes_each_pdf_with_the_system_fonts_and_records_its_hash(
    released: dict[str, Any], client_for: Any
) -> None:
    report = released["report"]
    assert released["made"] == Rendition.objects.filter(report=report).count()
    entry = Entry.objects.get(event_type="reports.pdf_made", data__reader="sy")
    assert entry.audience == "|sy|"
    for language in LANGUAGES:
        rendition = Rendition.objects.get(report=report, party_code="sy", language=language)
        pdf = bytes(rendition.pdf)
        assert pdf.startswith(b"%PDF-")
        # The installed font, embedded (no outside request).
        assert b"+DejaVu-Sans" in b"".join(_streams(pdf))
        assert rendition.pdf_sha256 == hashlib.sha256(pdf).hexdigest()
        assert entry.data["sha256"][language] == rendition.pdf_sha256
        assert rendition.pdf_entry_seq == entry.seq
    response = client_for("sy.liaison").get(f"/reports/{report.public_id}/he.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert services.make_pdfs(timezone.now()) == 0  # once


def test_without_pango_the_report_is_in_html_with_a_clear_message(
    db: Any, monkeypatch: pytest.MonkeyPatch, client_for: Any, actor: Any
) -> None:
    until = timezone.now() - dt.timedelta(days=2)
    report = services.release_report(actor=actor("mediator"), until=until)
    client = client_for("il.liaison")
    pending = client.get(f"/reports/{report.public_id}/en.pdf")
    assert pending.status_code == 404
    assert "is being made" in pending.content.decode()

    real_import = builtins.__import__

    def no_pango(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "weasyprint":
            raise OSError("cannot load library 'libpango-1.0-0'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pango)
    monkeypatch.setattr(rendering, "_PROBLEM", [])
    assert services.make_pdfs(timezone.now()) == Rendition.objects.filter(report=report).count()
    states = set(Rendition.objects.filter(report=report).values_list("pdf_state", "pdf"))
    assert states == {("unavailable", None)}
    assert not Entry.objects.filter(event_type="reports.pdf_made", data__day=str(report.day))
    page = client.get("/reports/").content.decode()
    assert "PDFs cannot be made on this server" in page
    missing = client.get(f"/reports/{report.public_id}/en.pdf")
    assert missing.status_code == 404
    assert "could not make PDFs" in missing.content.decode()
    assert client.get(f"/reports/{report.public_id}/en/").status_code == 200


# --- who releases, and the worker ----------------------------------------------------------


def test_only_the_mediator_releases_and_a_day_only_once(
    released: dict[str, Any], actor: Any
) -> None:
    for username in ("il.liaison", "monitor", "donor"):
        with pytest.raises(PermissionDenied):
            services.release_report(actor=actor(username), until=timezone.now())
    with pytest.raises(ValidationFailed, match="already been released"):
        services.release_report(actor=actor("mediator"), day=released["report"].day)
    with pytest.raises(ValidationFailed, match="has not passed yet"):
        services.release_report(actor=actor("mediator"), until=timezone.now() + dt.timedelta(1))


def test_the_worker_releases_the_latest_day_past_its_cut_off_once(db: Any) -> None:
    jobs = {j.name: j.func for j in registered_jobs()}
    # 20:00 in Damascus (UTC+3), past the 19:30 cut-off: that day's report is due.
    now = dt.datetime(2026, 3, 2, 17, 0, tzinfo=dt.UTC)
    assert jobs["reports.daily"](now) == 1
    report = DailyReport.objects.get(day=dt.date(2026, 3, 2))
    assert report.window_end == dt.datetime(2026, 3, 2, 16, 30, tzinfo=dt.UTC)
    assert report.window_start == dt.datetime(2026, 3, 1, 16, 30, tzinfo=dt.UTC)
    assert report.rules_version == "2026.1"
    assert jobs["reports.daily"](now) == 0  # once
    # Before the cut-off, the day before is the latest due: released once too.
    assert jobs["reports.daily"](now + dt.timedelta(hours=8)) == 0
    assert jobs["reports.daily"](dt.datetime(2026, 3, 4, 10, 0, tzinfo=dt.UTC)) == 1
    assert DailyReport.objects.filter(day=dt.date(2026, 3, 3)).exists()


# --- the pages' authorization matrix -------------------------------------------------------


def test_the_pages_answer_each_persona_as_the_matrix_says(
    released: dict[str, Any], client_for: Any
) -> None:
    rid = released["report"].public_id
    surfaces = [
        "/reports/",
        f"/reports/{rid}/en/",
        f"/reports/{rid}/ar.pdf",
        "/reports/publications/",
    ]
    expected = {
        # anonymous: to the login page; no membership: the page that says so.
        None: [302, 302, 302, 302],
        "outsider": [403, 403, 403, 403],
        "il.liaison": [200, 200, 200, 200],
        "sy.analyst": [200, 200, 200, 200],
        "mediator": [200, 200, 200, 200],
        "monitor": [200, 200, 200, 200],
        "donor": [200, 200, 200, 200],
        "observer": [200, 200, 200, 200],
    }
    seen = {who: [client_for(who).get(url).status_code for url in surfaces] for who in expected}
    assert seen == expected
    # An unknown report, an unknown language: 404 like a missing one.
    client = client_for("il.liaison")
    missing = "00000000-0000-4000-8000-000000000000"
    assert client.get(f"/reports/{missing}/en/").status_code == 404
    assert client.get(f"/reports/{rid}/fr/").status_code == 404
    assert client.get(f"/reports/{rid}/fr.pdf").status_code == 404


def test_each_party_reads_only_its_own_rendition(released: dict[str, Any], client_for: Any) -> None:
    rid = released["report"].public_id
    sy = client_for("sy.liaison").get(f"/reports/{rid}/en/").content.decode()
    assert sy == _html(released["report"], "sy")
    assert client_for("donor").get(f"/reports/{rid}/en/").content.decode() == _html(
        released["report"], "donor_a"
    )
    page = client_for("sy.liaison").get("/reports/").content.decode()
    own = Rendition.objects.get(report=released["report"], party_code="sy", language="en")
    other = Rendition.objects.get(report=released["report"], party_code="il", language="en")
    assert own.sha256 in page
    assert other.sha256 not in page
