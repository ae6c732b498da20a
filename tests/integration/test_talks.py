"""The talks (issue 16): meetings on the arrangement's tracks, carried-forward agendas,
minutes approved on the record with an objection beside the text, what each audience
reads of a meeting, media-line embargoes, the lexicon editable only by agreement,
official texts with a hash per language in the record, the iCalendar exports (run
through the shared checker, tests/vectors/ical/check_ical.py) and the subscription URLs.

The demo's story is played once per module (module-scoped, in a transaction rolled back
after the last test); each test runs in a savepoint inside it."""

from __future__ import annotations

import datetime as dt
import hashlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from coordcell.agreements import official
from coordcell.agreements import selectors as agreements
from coordcell.agreements.models import ArrangementVersion, OfficialText
from coordcell.cases.models import Case, Deadline
from coordcell.core.actor import Actor
from coordcell.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from coordcell.record.models import Entry
from coordcell.talks import selectors, services
from coordcell.talks.calendar import calendar_ics
from coordcell.talks.models import Meeting, MeetingRequest
from tests.story import DemoStory

pytestmark = pytest.mark.django_db

CHECK_ICAL = Path(__file__).resolve().parents[1] / "vectors" / "ical" / "check_ical.py"
PERSONAS = ("mediator", "il.liaison", "il.analyst", "sy.liaison", "monitor", "observer", "donor")
#: Who attends the demo's meetings (il, sy and the mediator us); who does not.
ATTENDING = {"mediator", "il.liaison", "il.analyst", "sy.liaison"}


@pytest.fixture(scope="module")
def _told_once(demo_story: DemoStory) -> Iterator[None]:
    with demo_story.told():
        yield


@pytest.fixture
def story(db: Any, _told_once: None) -> None:
    """The demo's story is told (once for the module)."""


def _version() -> ArrangementVersion:
    return ArrangementVersion.objects.get(arrangement__key="southern_syria_2026", is_current=True)


def _meeting(title_part: str) -> Meeting:
    return Meeting.objects.get(title__icontains=title_part)


def _first() -> Meeting:
    return _meeting("first session")


def _second() -> Meeting:
    return _meeting("joint session")


def _unfolded(ics: bytes) -> str:
    """An iCalendar file's text with its folded lines joined (RFC 5545 §3.1)."""
    return ics.decode().replace("\r\n ", "").replace("\\,", ",").replace("\\;", ";")


# --- the agenda carries forward until closed ---


def test_open_items_carry_forward_and_closed_ones_do_not(story: None, actor: Any) -> None:
    mediator = actor("mediator")
    first = {i.key or i.titles["en"]: i for i in selectors.agenda_of(mediator, _first())}
    assert {"advance_notice", "past_incidents", "detainees"} <= set(first)
    assert first["past_incidents"].state == "closed"
    second = {i.key or i.titles["en"]: i for i in selectors.agenda_of(mediator, _second())}
    # Still open at the first meeting: carried forward, linked to the item it continues.
    for key in ("advance_notice", "detainees", "Water supply near the crossing (fictional)"):
        assert second[key].carried_from_id == first[key].pk, key
    # Closed at the first meeting: a standing item closed does not come back.
    assert "past_incidents" not in second
    # A meeting after the second on the security track carries what is still open there.
    third = services.schedule_meeting(
        actor=mediator,
        version=_version(),
        title="Third (test)",
        tracks=["security"],
        parties_attending=["il", "sy"],
        starts_at=timezone.now() + dt.timedelta(days=2),
        ends_at=timezone.now() + dt.timedelta(days=2, hours=2),
    )
    carried = {
        i.key: i.carried_from.meeting_id
        for i in selectors.agenda_of(mediator, third)
        if i.carried_from
    }
    assert carried["advance_notice"] == _second().pk
    assert "past_incidents" not in carried


def test_cases_past_deadline_are_pulled_in_for_their_own_audience(story: None, actor: Any) -> None:
    case = Case.objects.exclude(state__in=["closed", "withdrawn"]).order_by("lodged_at").first()
    assert case is not None
    deadline = Deadline.objects.filter(case=case).first()
    assert deadline is not None
    Deadline.objects.filter(pk=deadline.pk).update(
        state="expired", due_at=timezone.now() - dt.timedelta(hours=1)
    )
    mediator = actor("mediator")
    meeting = services.schedule_meeting(
        actor=mediator,
        version=_version(),
        title="Pulled in (test)",
        tracks=["deescalation"],
        parties_attending=["il", "sy"],
        starts_at=timezone.now() + dt.timedelta(days=3),
        ends_at=timezone.now() + dt.timedelta(days=3, hours=1),
    )
    pulled = [i for i in selectors.agenda_of(mediator, meeting) if i.kind == "automatic"]
    item = next(i for i in pulled if i.key == f"cases.past_deadline:{case.reference}")
    assert set(item.audience_codes) == set(case.audience_codes) & set(meeting.audience_codes)
    assert case.reference in item.titles["ar"]
    assert case.reference in item.titles["he"]
    # A meeting on a track the scenario does not feed from cases pulls nothing in.
    other = services.schedule_meeting(
        actor=mediator,
        version=_version(),
        title="Diplomatic (test)",
        tracks=["diplomatic"],
        parties_attending=["il", "sy"],
        starts_at=timezone.now() + dt.timedelta(days=4),
        ends_at=timezone.now() + dt.timedelta(days=4, hours=1),
    )
    assert not [
        i
        for i in selectors.agenda_of(mediator, other)
        if i.kind == "automatic" and i.key.startswith("cases.")
    ]


def test_detainee_files_with_a_missed_request_are_pulled_in_by_reference(
    story: None, actor: Any
) -> None:
    from coordcell.humanitarian.models import PersonFile, Request

    # The demo's raid: two files, a release requested for each; one person is released.
    request = (
        Request.objects.filter(file__status__in=["detained", "missing", "charged"])
        .order_by("pk")
        .first()
    )
    assert request is not None
    Request.objects.filter(pk=request.pk).update(
        state="missed", due_at=timezone.now() - dt.timedelta(hours=1)
    )
    file = PersonFile.objects.get(pk=request.file_id)
    mediator = actor("mediator")
    meeting = services.schedule_meeting(
        actor=mediator,
        version=_version(),
        title="Detainees (test)",
        tracks=["diplomatic"],
        parties_attending=["il", "sy"],
        starts_at=timezone.now() + dt.timedelta(days=3),
        ends_at=timezone.now() + dt.timedelta(days=3, hours=1),
    )
    pulled = [i for i in selectors.agenda_of(mediator, meeting) if i.kind == "automatic"]
    item = next(i for i in pulled if i.key == f"humanitarian.missed_requests:{file.reference}")
    assert set(item.audience_codes) == set(file.audience_codes) & set(meeting.audience_codes)
    for language in ("en", "ar", "he"):
        assert file.reference in item.titles[language]
    # The title is the reference and nothing else of the file: no sealed field reaches it.
    assert file.personal not in str(item.titles)
    # A track the scenario does not feed from the files pulls none in.
    other = services.schedule_meeting(
        actor=mediator,
        version=_version(),
        title="Commercial (test)",
        tracks=["commercial"],
        parties_attending=["il", "sy"],
        starts_at=timezone.now() + dt.timedelta(days=4),
        ends_at=timezone.now() + dt.timedelta(days=4, hours=1),
    )
    assert not [i for i in selectors.agenda_of(mediator, other) if i.kind == "automatic"]


# --- minutes: approval and objection on the record ---


def test_minutes_are_agreed_with_the_objection_beside_the_text(story: None, actor: Any) -> None:
    mediator = actor("mediator")
    minutes = selectors.minutes_of(mediator, _first())
    assert minutes is not None
    assert minutes.state == "agreed"
    approvals = {a.party_code: a for a in selectors.approvals_of(minutes)}
    assert set(approvals) == {"il", "sy"}
    assert approvals["il"].objection == ""
    assert "contested" in approvals["sy"].objection
    entry = Entry.objects.get(seq=approvals["sy"].entry_seq)
    assert entry.event_type == "talks.minutes_approved"
    assert entry.data["objection"] == approvals["sy"].objection
    agreed = Entry.objects.get(event_type="talks.minutes_agreed", data__meeting=_first().reference)
    assert agreed.data["objections"] == {"sy": approvals["sy"].objection}
    # The second meeting's minutes wait for the Syrian delegation's approval.
    second = selectors.minutes_of(mediator, _second())
    assert second is not None
    assert second.state == "circulated"
    with pytest.raises(Conflict):  # an approval once per party and revision
        services.approve_minutes(actor=actor("il.liaison"), meeting=_second())
    with pytest.raises(PermissionDenied):  # an analyst does not approve for the party
        services.approve_minutes(actor=actor("il.analyst"), meeting=_second())
    with pytest.raises(PermissionDenied):  # the mediator drafts; it does not approve
        services.approve_minutes(actor=mediator, meeting=_second())
    services.approve_minutes(actor=actor("sy.liaison"), meeting=_second())
    assert selectors.minutes_of(mediator, _second()).state == "agreed"  # type: ignore[union-attr]
    with pytest.raises(Conflict):  # agreed minutes are not revised
        services.draft_minutes(actor=mediator, meeting=_second(), text="x", language="en")


def test_a_revision_starts_the_approvals_again(story: None, actor: Any) -> None:
    mediator = actor("mediator")
    meeting = _second()
    services.draft_minutes(actor=mediator, meeting=meeting, text="Revised (test).", language="en")
    minutes = selectors.minutes_of(mediator, meeting)
    assert minutes is not None
    assert minutes.state == "draft"
    assert minutes.text.revision == 2
    assert list(selectors.approvals_of(minutes)) == []  # il's approval was of revision 1
    assert selectors.minutes_of(actor("il.liaison"), meeting) is None  # a draft: the mediator's
    services.circulate_minutes(actor=mediator, meeting=meeting)
    assert selectors.minutes_of(actor("il.liaison"), meeting) is not None


# --- official texts: a hash per language in the record ---


def test_official_texts_carry_each_languages_hash_and_status_in_the_record(
    story: None, actor: Any
) -> None:
    minutes = selectors.minutes_of(actor("mediator"), _first())
    assert minutes is not None
    text = minutes.text
    translations = {t.language: t for t in agreements.translations_of(actor("il.liaison"), text.pk)}
    assert set(translations) == {"en", "ar", "he"}
    assert text.authoritative_language == "en"
    assert translations["en"].status == "authoritative"
    assert translations["ar"].status == "certified"
    assert translations["ar"].certified_by
    assert translations["he"].status == "checked"
    assert not translations["he"].certified_by
    for t in translations.values():
        assert t.sha256 == hashlib.sha256(t.body.encode("utf-8")).hexdigest()
    last = (
        Entry.objects.filter(event_type__startswith="agreements.", data__subject=text.subject)
        .order_by("-seq")
        .first()
    )
    assert last is not None
    assert last.data["languages"] == {
        lang: {"sha256": t.sha256, "status": t.status} for lang, t in translations.items()
    }
    approval = Entry.objects.filter(event_type="talks.minutes_approved").order_by("seq").first()
    assert approval is not None
    assert approval.data["languages"]["en"] == translations["en"].sha256
    # A party that does not attend reads none of the text.
    assert agreements.translations_of(actor("monitor"), text.pk) == []


def test_a_determination_is_an_official_text(story: None, actor: Any) -> None:
    determined = Case.objects.exclude(determination="").exclude(determination_text=None)
    case = determined.first()
    assert case is not None
    official_text = OfficialText.objects.get(pk=case.determination_text_id)
    assert official_text.kind == "determination"
    assert official_text.audience == case.audience
    translation = official_text.translations.get()
    assert translation.body == case.determination
    issued = Entry.objects.get(
        event_type="agreements.official_text_issued",
        data__subject=f"cases.determination:{case.reference}",
    )
    digest = hashlib.sha256(translation.body.encode("utf-8")).hexdigest()
    assert issued.data["languages"][translation.language]["sha256"] == digest
    assert issued.audience == case.audience


# --- who reads what (the authorization matrix, batched) ---


def test_who_reads_what_of_a_meeting_on_every_surface(
    story: None, actor: Any, client_for: Any
) -> None:
    first = _first()
    for username in PERSONAS:
        client = client_for(username)
        who = actor(username)
        attending = username in ATTENDING
        expected = 200 if attending else 404
        page = client.get(f"/talks/meetings/{first.public_id}/")
        api = client.get(f"/api/v1/talks/meetings/{first.public_id}/")
        assert (page.status_code, api.status_code) == (expected, expected), username
        listed = client.get("/api/v1/talks/meetings/").json()
        assert (str(first.public_id) in {m["id"] for m in listed["results"]}) is attending
        if not attending:
            # Hidden looks missing: the same 404 as an id that never existed.
            missing = client.get("/api/v1/talks/meetings/00000000-0000-4000-8000-000000000000/")
            assert missing.status_code == 404
            assert missing.json() == api.json()
            assert listed["count"] == 0
            continue
        body = api.json()
        # Attendees: each party its own; the mediator all.
        parties = {a["party"] for a in body["attendees"]}
        if username == "mediator":
            assert parties == {"il", "sy"}
        else:
            assert parties == {who.party_code}
        # Each delegation's notes: the Israeli delegation's own alone.
        assert (body["notes"] is not None) is (who.party_code == "il")
        # The agreed minutes, with the objection beside the text, to every attendee.
        assert body["minutes"]["state"] == "agreed"
        assert any(a["objection"] for a in body["minutes"]["approvals"])
        text = page.content.decode()
        assert "contested" in text  # the objection on the page
        assert ("follow up on the water supply" in text) is (who.party_code == "il")
    # Writes: only the mediator keeps the agenda; a party's liaison names its own attendees.
    for username in PERSONAS:
        response = client_for(username).post(
            f"/api/v1/talks/meetings/{first.public_id}/agenda/",
            {"title": "An item (test)"},
            content_type="application/json",
        )
        expected = 200 if username == "mediator" else (403 if username in ATTENDING else 404)
        assert response.status_code == expected, username
    with pytest.raises(ValidationFailed):  # not a member of the Syrian party
        services.set_participants(
            actor=actor("sy.liaison"), meeting=first, usernames=["il.liaison"]
        )


def test_the_pages_answer_in_every_language(story: None, client_for: Any) -> None:
    client = client_for("sy.liaison")
    for language, word in (("ar", "المحادثات"), ("he", "שיחות"), ("en", "Talks")):
        client.cookies["django_language"] = language
        for path in (
            "/talks/",
            "/talks/meetings/",
            f"/talks/meetings/{_first().public_id}/",
            "/talks/lexicon/",
            "/talks/calendar/",
        ):
            response = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
            assert response.status_code == 200, (language, path)
            assert word in response.content.decode(), (language, path)


# --- the media line's embargo ---


def test_the_media_line_stays_in_the_meeting_until_its_embargo(story: None, actor: Any) -> None:
    second = _second()
    line = selectors.media_line_of(actor("il.liaison"), second)
    assert line is not None
    assert line.embargoed
    for username in ("monitor", "observer", "donor"):
        assert selectors.media_line_of(actor(username), second) is None
        released = [m.meeting_id for m in selectors.released_media_lines(actor(username))]
        assert second.pk not in released
        assert _first().pk in released
    # Not in a calendar before the embargo, even an attendee's.
    ics = _unfolded(calendar_ics(actor("il.liaison"), [second], host="test", name="t"))
    assert "Media line" not in ics
    assert line.text not in ics
    # Once the embargo passes, every member reads it (and the calendar carries it).
    type(line).objects.filter(pk=line.pk).update(
        embargo_until=timezone.now() - dt.timedelta(minutes=1)
    )
    released = [m.meeting_id for m in selectors.released_media_lines(actor("observer"))]
    assert second.pk in released
    ics = _unfolded(calendar_ics(actor("il.liaison"), [second], host="t", name="t"))
    assert f"Media line: {line.text}" in ics
    with pytest.raises(Conflict):  # released: not changed
        services.agree_media_line(actor=actor("mediator"), meeting=second, text="changed")


# --- the lexicon, editable only by agreement ---


def test_a_lexicon_amendment_applies_only_with_every_approval(story: None, actor: Any) -> None:
    version = _version()
    pending = agreements.list_amendments(actor("observer")).get(key="mount_hermon_ski_site")
    assert pending.state == "pending"
    assert set(pending.required) == {"il", "sy", "us"}
    before = agreements.lexicon_section(version.pk, "places")["mount_hermon_ski_site"]
    assert before["en"] == "Mount Hermon ski site"
    with pytest.raises(PermissionDenied):  # a monitor is not among those who agree
        official.decide_amendment(actor=actor("monitor"), amendment=pending, decision="approve")
    with pytest.raises(Conflict):  # the Israeli delegation already approved
        official.decide_amendment(actor=actor("il.liaison"), amendment=pending, decision="approve")
    official.decide_amendment(actor=actor("sy.liaison"), amendment=pending, decision="approve")
    assert agreements.lexicon_section(version.pk, "places")["mount_hermon_ski_site"] == before
    done = official.decide_amendment(actor=actor("mediator"), amendment=pending, decision="approve")
    assert done.state == "applied"
    after = agreements.lexicon_section(version.pk, "places")["mount_hermon_ski_site"]
    assert after["en"] == "Mount Hermon ski site (upper station)"
    assert agreements.lexicon_of(version)["places"]["mount_hermon_ski_site"] == after
    # A version read without its document (as pages read it) gives the same lexicon, and
    # only the lexicon is read: the document stays unloaded.
    light = agreements.get_version(actor("observer"), None, None)
    assert "content" in light.get_deferred_fields()
    assert agreements.lexicon_of(light) == agreements.lexicon_of(version)
    assert "content" in light.get_deferred_fields()
    applied = Entry.objects.get(event_type="agreements.lexicon_amendment_applied")
    assert applied.data["approved_by"] == ["il", "sy", "us"]
    # One refusal ends another amendment; the lexicon keeps its agreed name.
    refused = official.propose_amendment(
        actor=actor("observer"),
        version=version,
        reference="places.quneitra",
        proposed={"en": "Quneitra City", "ar": "مدينة القنيطرة", "he": "העיר קוניטרה"},
        reason="test",
    )
    official.decide_amendment(actor=actor("il.liaison"), amendment=refused, decision="refuse")
    assert agreements.get_amendment(actor("mediator"), refused.public_id).state == "refused"
    assert agreements.lexicon_section(version.pk, "places")["quneitra"]["en"] == "Quneitra"
    with pytest.raises(ValidationFailed):
        official.propose_amendment(
            actor=actor("observer"), version=version, reference="places.nowhere",
            proposed={"en": "a", "ar": "b", "he": "c"}, reason="test",
        )  # fmt: skip


# --- requests for a meeting at short notice ---


def test_a_request_unanswered_in_time_lapses_on_the_record(
    story: None, actor: Any, client_for: Any
) -> None:
    request = services.request_meeting(
        actor=actor("il.liaison"), version=_version(), tracks=["security"], reason="test"
    )
    board = client_for("mediator").get("/talks/")
    assert board.status_code == 200
    assert request.reference in board.content.decode()
    assert request.reference not in client_for("sy.liaison").get("/talks/").content.decode()
    assert request.audience_codes == ["il", "us"]
    with pytest.raises(NotFound):  # the other party does not read it
        selectors.get_request(actor("sy.liaison"), request.public_id)
    hours = (request.answer_due_at - request.requested_at).total_seconds() / 3600
    assert hours == 24  # the rules of procedure's on_request_within_hours
    assert services.lapse_unanswered_requests(timezone.now()) == 0
    from coordcell.core.worker import registered_jobs

    job = next(j for j in registered_jobs() if j.name == "talks.requests")
    assert job.func(request.answer_due_at) == 1  # the worker's pass
    assert MeetingRequest.objects.get(pk=request.pk).state == "lapsed"
    assert Entry.objects.filter(event_type="talks.request_lapsed").count() == 1
    # The demo's request was declined with reasons.
    declined = MeetingRequest.objects.get(state="declined")
    assert declined.party_code == "sy"
    assert "fictional" in declined.answer.lower()


# --- the calendar: valid RFC 5545, and subscriptions that show only what the person may see ---


def test_every_calendar_export_validates(story: None, client_for: Any, tmp_path: Path) -> None:
    files = [CHECK_ICAL.parent / "rfc5545-section4-example1.ics"]
    for username in PERSONAS:
        response = client_for(username).get("/talks/calendar.ics")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/calendar")
        path = tmp_path / f"{username}.ics"
        path.write_bytes(response.content)
        files.append(path)
    broken = tmp_path / "broken.ics"
    broken.write_bytes((tmp_path / "mediator.ics").read_bytes().replace(b"\r\n", b"\n"))
    files.append(broken)
    result = subprocess.run(  # noqa: S603 (our interpreter, the vector's checker)
        [sys.executable, str(CHECK_ICAL), *map(str, files)], capture_output=True, text=True
    )
    assert result.returncode == 1, result.stdout  # the broken file alone
    lines = result.stdout.splitlines()
    assert all(": OK" in line for line in lines if "broken.ics" not in line), result.stdout
    assert any("broken.ics: INVALID" in line for line in lines)


def test_a_subscription_shows_only_the_persons_meetings_and_is_revocable(
    story: None, actor: Any, client_for: Any
) -> None:
    mediator = actor("mediator")
    israeli_only = services.schedule_meeting(
        actor=mediator,
        version=_version(),
        title="Israeli delegation and the mediator (test)",
        tracks=["commercial"],
        parties_attending=["il"],
        starts_at=timezone.now() + dt.timedelta(days=5),
        ends_at=timezone.now() + dt.timedelta(days=5, hours=1),
        logistics="Secret logistics (test)",
    )
    feeds = {}
    for username in ("il.liaison", "sy.liaison", "observer"):
        _sub, token = services.create_subscription(actor=actor(username))
        feeds[username] = (_sub, token)
    anonymous = client_for(None)
    body = {
        u: anonymous.get(f"/talks/calendar/feed/{t}.ics").content.decode()
        for u, (_s, t) in feeds.items()
    }
    assert israeli_only.reference in body["il.liaison"]
    assert israeli_only.reference not in body["sy.liaison"]
    assert _first().reference in body["sy.liaison"]
    assert "BEGIN:VEVENT" not in body["observer"]
    assert "Secret logistics" not in body["il.liaison"]  # logistics never leave the cell
    assert anonymous.get("/talks/calendar/feed/not-a-token.ics").status_code == 404
    subscription, token = feeds["il.liaison"]
    with pytest.raises(PermissionDenied):  # only its own person revokes it
        services.revoke_subscription(actor=actor("sy.liaison"), subscription=subscription)
    services.revoke_subscription(actor=actor("il.liaison"), subscription=subscription)
    assert anonymous.get(f"/talks/calendar/feed/{token}.ics").status_code == 404
    assert subscription.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(
        Entry.objects.filter(event_type__startswith="talks.subscription").values_list(
            "data", flat=True
        )
    )


def test_bad_input_answers_400_never_500(story: None, client_for: Any) -> None:
    client = client_for("mediator")
    cases = [
        {
            "title": "x",
            "tracks": ["nope"],
            "parties": ["il"],
            "starts_at": "2026-12-10T10:00:00Z",
            "ends_at": "2026-12-10T11:00:00Z",
        },
        {
            "title": "x",
            "tracks": ["security"],
            "parties": ["us"],
            "starts_at": "2026-12-10T10:00:00Z",
            "ends_at": "2026-12-10T11:00:00Z",
        },
        {
            "title": "x",
            "tracks": ["security"],
            "parties": ["il"],
            "starts_at": "2026-12-10T10:00:00Z",
            "ends_at": "2026-12-09T11:00:00Z",
        },
        {
            "title": "x",
            "tracks": ["security"],
            "parties": ["il"],
            "starts_at": "1999-12-10T10:00:00Z",
            "ends_at": "1999-12-10T11:00:00Z",
        },
        {
            "title": "",
            "tracks": ["security"],
            "parties": ["il"],
            "starts_at": "2026-12-10T10:00:00Z",
            "ends_at": "2026-12-10T11:00:00Z",
        },
    ]
    for body in cases:
        response = client.post("/api/v1/talks/meetings/", body, content_type="application/json")
        assert response.status_code == 400, (body, response.content)
    page = client.post(
        "/talks/meetings/new/",
        {
            "title": "x",
            "tracks": ["security"],
            "parties": ["il"],
            "starts_at": "yesterday",
            "ends_at": "",
        },
    )
    assert page.status_code == 400


def test_only_the_console_or_a_member_acts(story: None) -> None:
    nobody = Actor(user=None, name="nobody")
    with pytest.raises(PermissionDenied):
        services.request_meeting(actor=nobody, version=_version(), tracks=["security"], reason="x")
    assert not selectors.list_meetings(nobody).exists()


# --- the pages' forms call the same services ---------------------------------------------------


def test_the_pages_forms_schedule_approve_note_propose_and_subscribe(
    story: None, client_for: Any
) -> None:
    mediator = client_for("mediator")
    response = mediator.post(
        "/talks/meetings/new/",
        {
            "title": "Scheduled from the page (test)",
            "tracks": ["commercial"],
            "parties": ["il", "sy"],
            "starts_at": "2026-12-20T10:00",  # local time in the arrangement's zone
            "ends_at": "2026-12-20T12:00",
            "logistics": "Room 2 (test)",
        },
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get(title="Scheduled from the page (test)")
    assert meeting.starts_at == dt.datetime(2026, 12, 20, 7, 0, tzinfo=dt.UTC)  # Damascus +3
    listed = mediator.get("/api/v1/talks/meetings/?track=commercial").json()
    assert [m["reference"] for m in listed["results"]] == [meeting.reference]
    page = f"/talks/meetings/{meeting.public_id}/"
    assert (
        mediator.post(f"{page}minutes/", {"text": "Minutes (test)", "language": "en"}).status_code
        == 302
    )
    assert mediator.post(f"{page}minutes/circulate/").status_code == 302
    for username, objection in (("il.liaison", ""), ("sy.liaison", "Not item 2 (test)")):
        assert (
            client_for(username)
            .post(f"{page}minutes/approve/", {"objection": objection})
            .status_code
            == 302
        )
    body = client_for("il.analyst").get(page).content.decode()
    assert "Not item 2 (test)" in body
    assert (
        client_for("sy.analyst").post(f"{page}notes/", {"text": "Ours (test)"}).status_code == 302
    )
    assert "Ours (test)" in client_for("sy.liaison").get(page).content.decode()
    assert "Ours (test)" not in client_for("il.liaison").get(page).content.decode()
    assert "Ours (test)" not in mediator.get(page).content.decode()
    # A refused input re-renders the page with its message and a 4xx, never a 500.
    assert mediator.post(f"{page}media/", {"text": "", "embargo_until": "soon"}).status_code == 400
    assert client_for("observer").post(f"{page}summary/", {"text": "x"}).status_code == 404
    proposed = client_for("observer").post(
        "/talks/lexicon/propose/",
        {
            "entry": "places.quneitra",
            "name_en": "Q (test)",
            "name_ar": "ق",
            "name_he": "ק",
            "reason": "test",
        },
    )
    assert proposed.status_code == 302
    made = client_for("monitor").post("/talks/calendar/")
    assert made.status_code == 200
    assert "/talks/calendar/feed/" in made.content.decode()


def test_a_carried_item_is_never_read_wider_than_before(story: None, actor: Any) -> None:
    mediator = actor("mediator")
    now = timezone.now()
    alone = services.schedule_meeting(
        actor=mediator,
        version=_version(),
        title="With the Israeli delegation alone (test)",
        tracks=["commercial"],
        parties_attending=["il"],
        starts_at=now + dt.timedelta(days=6),
        ends_at=now + dt.timedelta(days=6, hours=1),
    )
    services.add_agenda_item(actor=mediator, meeting=alone, title="Between us (test)")
    both = services.schedule_meeting(
        actor=mediator,
        version=_version(),
        title="With both (test)",
        tracks=["commercial"],
        parties_attending=["il", "sy"],
        starts_at=now + dt.timedelta(days=7),
        ends_at=now + dt.timedelta(days=7, hours=1),
    )
    carried = selectors.agenda_of(actor("il.liaison"), both).get(carried_from__isnull=False)
    assert carried.titles["en"] == "Between us (test)"
    assert carried.audience_codes == ["il", "us"]
    assert not selectors.agenda_of(actor("sy.liaison"), both).filter(carried_from__isnull=False)


def test_the_mediator_opens_a_meeting_whatever_its_minutes(
    story: None, actor: Any, client_for: Any
) -> None:
    """No minutes, a draft, circulated minutes: the meeting page answers with the minutes
    forms' language options (the site's language switcher once shadowed them: a 500)."""
    now = timezone.now()
    mediator = actor("mediator")
    meeting = services.schedule_meeting(
        actor=mediator, version=_version(), title="Page probe (fictional)",
        tracks=[services.spec_of(_version()).tracks[0].id], parties_attending=["il", "sy"],
        starts_at=now - dt.timedelta(hours=2), ends_at=now - dt.timedelta(hours=1),
    )  # fmt: skip
    client = client_for("mediator")
    path = f"/talks/meetings/{meeting.public_id}/"

    def opens() -> str:
        response = client.get(path)
        assert response.status_code == 200
        return response.content.decode()

    page = opens()
    assert 'id="m-language"' in page
    assert '<option value="ar">' in page
    services.draft_minutes(actor=mediator, meeting=meeting, text="Draft.", language="en")
    assert '<option value="he">' in opens()
    services.circulate_minutes(actor=mediator, meeting=meeting)
    opens()
    # A redraw with the agenda form's errors answers too (4xx, not 500).
    redraw = client.post(f"/talks/meetings/{meeting.public_id}/agenda/", {"title": ""})
    assert redraw.status_code < 500


def test_moments_at_the_calendars_edges_are_refused_with_a_message(
    story: None, client_for: Any
) -> None:
    """Year 1 at 00:00 local time (or with an offset) is before year 1 in UTC: a 400 with
    the field's message on the pages and the API, never a 500."""
    client = client_for("mediator")
    track = services.spec_of(_version()).tracks[0].id
    for moment in ("0001-01-01T00:00", "0001-01-01T00:00+05:00"):
        fields = {"title": "Edge (test)", "tracks": [track], "parties": ["il"],
                  "starts_at": moment, "ends_at": moment}  # fmt: skip
        assert client.post("/talks/meetings/new/", fields).status_code == 400
        api = client.post("/api/v1/talks/meetings/", fields, content_type="application/json")
        assert api.status_code == 400
        assert "starts_at" in str(api.json())
    page = f"/talks/meetings/{_first().public_id}/media/"
    response = client.post(page, {"text": "x", "embargo_until": "0001-01-01T00:00"})
    assert response.status_code == 400
    assert not Meeting.objects.filter(title="Edge (test)").exists()


def test_a_draft_of_the_minutes_leaves_no_trace_in_a_partys_record(
    story: None, actor: Any, client_for: Any
) -> None:
    """A draft (its official text's issue, hashes and revisions) is the mediators' until
    circulated; then the meeting's audience reads the text's entries too."""
    now = timezone.now()
    mediator = actor("mediator")
    meeting = services.schedule_meeting(
        actor=mediator, version=_version(), title="Draft probe (fictional)",
        tracks=[services.spec_of(_version()).tracks[0].id], parties_attending=["il", "sy"],
        starts_at=now - dt.timedelta(hours=2), ends_at=now - dt.timedelta(hours=1),
    )  # fmt: skip
    label = f"talks.minutes:{meeting.reference}"

    def traces(username: str) -> int:
        body = client_for(username).get("/api/v1/record/entries?limit=500")
        assert body.status_code == 200
        return body.content.decode().count(label)

    services.draft_minutes(actor=mediator, meeting=meeting, text="SECRET DRAFT", language="en")
    assert traces("mediator") > 0
    assert traces("il.liaison") == traces("sy.liaison") == 0
    services.circulate_minutes(actor=mediator, meeting=meeting)
    minutes = selectors.minutes_of(actor("il.liaison"), meeting)
    assert minutes is not None
    assert set(minutes.text.audience_codes) == set(meeting.audience_codes)
    circulated = traces("il.liaison")
    # A new revision goes back to the drafters: its issue is not the parties' to read.
    services.draft_minutes(actor=mediator, meeting=meeting, text="SECOND DRAFT", language="en")
    assert traces("il.liaison") == circulated
    assert selectors.minutes_of(actor("il.liaison"), meeting) is None


def test_circulated_or_agreed_minutes_take_no_new_translation(
    story: None, actor: Any, client_for: Any
) -> None:
    """The parties approve the circulated minutes hash by hash: a language added after
    circulation would be agreed unread. It is refused (a 409 with a message on the page);
    a draft takes it."""
    now = timezone.now()
    mediator = actor("mediator")
    meeting = services.schedule_meeting(
        actor=mediator, version=_version(), title="Translation probe (fictional)",
        tracks=[services.spec_of(_version()).tracks[0].id], parties_attending=["il", "sy"],
        starts_at=now - dt.timedelta(hours=2), ends_at=now - dt.timedelta(hours=1),
    )  # fmt: skip
    services.draft_minutes(actor=mediator, meeting=meeting, text="Words.", language="en")
    services.translate_minutes(
        actor=mediator, meeting=meeting, language="ar", text="كلمات.", translator="T (test)"
    )
    services.circulate_minutes(actor=mediator, meeting=meeting)
    services.approve_minutes(actor=actor("il.liaison"), meeting=meeting)
    client = client_for("mediator")
    for approver in ("sy.liaison", ""):  # circulated (il approved), then agreed
        minutes = selectors.minutes_of(mediator, meeting)
        assert minutes is not None
        assert minutes.state == ("circulated" if approver else "agreed")
        response = client.post(
            f"/talks/meetings/{meeting.public_id}/minutes/translation/",
            {"language": "he", "text": "NOT WHAT WAS APPROVED", "translator": "X (test)"},
        )
        assert response.status_code == 409
        assert set(minutes.text.translations.values_list("language", flat=True)) == {"en", "ar"}
        with pytest.raises(Conflict):
            services.translate_minutes(
                actor=mediator, meeting=meeting, language="he", text="x", translator="X"
            )
        if approver:
            services.approve_minutes(actor=actor(approver), meeting=meeting)
    agreed = Entry.objects.get(event_type="talks.minutes_agreed", data__meeting=meeting.reference)
    assert set(agreed.data["languages"]) == {"en", "ar"}


def test_agenda_numbers_count_only_the_items_the_reader_reads(
    story: None, actor: Any, client_for: Any
) -> None:
    """An item a party may not read leaves no gap in its numbering (pages, API) nor in the
    meeting-wide record; the mediator closes an item by the number it reads."""
    from coordcell.core.audience import encode
    from coordcell.talks.models import AgendaItem

    now = timezone.now()
    mediator = actor("mediator")
    meeting = services.schedule_meeting(
        actor=mediator, version=_version(), title="Numbering probe (fictional)",
        tracks=["commercial"], parties_attending=["il", "sy"],
        starts_at=now + dt.timedelta(days=5), ends_at=now + dt.timedelta(days=5, hours=1),
    )  # fmt: skip
    for title in ("One (test)", "Hidden (test)", "Three (test)"):
        services.add_agenda_item(actor=mediator, meeting=meeting, title=title)
    hidden = AgendaItem.objects.get(meeting=meeting, titles__en="Hidden (test)")
    AgendaItem.objects.filter(pk=hidden.pk).update(audience=encode(["sy", "us"]))
    api = f"/api/v1/talks/meetings/{meeting.public_id}/"

    def numbers(username: str) -> list[tuple[int, str]]:
        agenda = client_for(username).get(api).json()["agenda"]
        return [(a["position"], a["titles"]["en"]) for a in agenda]

    assert numbers("il.liaison") == [(1, "One (test)"), (2, "Three (test)")]
    assert [n for n, _ in numbers("mediator")] == [1, 2, 3]
    page = client_for("il.liaison").get(f"/talks/meetings/{meeting.public_id}/")
    assert page.status_code == 200
    added = Entry.objects.filter(
        event_type="talks.agenda_item_added", data__meeting=meeting.reference
    )
    assert added.count() == 3
    assert not [e for e in added if "position" in e.data]
    # The mediator closes "Three" by the number it reads (3) on the page and the API.
    closed = client_for("mediator").post(
        f"/talks/meetings/{meeting.public_id}/agenda/3/close/", {"outcome": "done"}
    )
    assert closed.status_code == 302
    three = AgendaItem.objects.get(meeting=meeting, titles__en="Three (test)")
    assert three.state == "closed"
    missing = client_for("mediator").post(
        f"/talks/meetings/{meeting.public_id}/agenda/9/close/", {"outcome": "x"}
    )
    assert missing.status_code == 404
