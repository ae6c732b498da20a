"""Detainees and missing persons on the demo (issue 18): no name of a detained person
reaches anyone outside the file's audience on any surface — pages, API, counts, inbox,
exports, webhook payloads, the record — and outside the file itself no name reaches
anyone at all (references only). The personal data is sealed in its column, every
reading is logged, and the worker records a missed release exactly once.

The module reads the demo's story told once per worker (``demo_story``, tests/story.py:
told with a webhook for every party made first, so that every delivery the story makes
can be searched), with one more file that Syria shares with nobody. The matrix is a few
tests iterating over (file × persona × surface), not one test per cell.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from coordcell.cases.models import Notification
from coordcell.core.actor import Actor
from coordcell.humanitarian import crypto, selectors, services
from coordcell.humanitarian.models import PersonFile, Reading, Request
from coordcell.notify.models import Delivery, Webhook
from coordcell.parties.models import Party
from coordcell.record.models import Entry
from tests.story import DemoStory

pytestmark = pytest.mark.django_db

PERSONAS = (
    "mediator",
    "il.liaison",
    "il.analyst",
    "sy.liaison",
    "sy.analyst",
    "icrc",
    "monitor",
    "donor",
    "observer",
)
#: The demo's two files: Syria's, naming the ICRC, shared with Israel on the record.
SHARED_READERS = {"mediator", "il.liaison", "il.analyst", "sy.liaison", "sy.analyst", "icrc"}
#: The module's third file: Syria's, naming no access body, shared with nobody.
UNSHARED_READERS = {"mediator", "sy.liaison", "sy.analyst"}
DEMO_NAMES = ("Fictional Person Alpha", "Fictional Person Bravo")
UNSHARED_NAME = "Fictional Person Charlie"
#: What would identify the persons: their names and the identifying details.
SECRETS = (*DEMO_NAMES, UNSHARED_NAME, "Farmer, about 40", "Student, about 20", "Shepherd")


@pytest.fixture(scope="module")
def _told_once(demo_story: DemoStory) -> Iterator[None]:
    """The story (a webhook for every party made first) and the unshared file, in a
    transaction rolled back after the module's last test (``tests/story.py``)."""
    from coordcell.accounts.models import User

    with demo_story.told() as telling:
        hooks = Webhook.objects.filter(active=True, created_at__lte=telling.started)
        assert sorted(hooks.values_list("party__code", flat=True)) == sorted(
            Party.objects.values_list("code", flat=True)
        )  # every party's, made before the story: each delivery it made is searched below
        services.open_file(
            actor=Actor.from_user(User.objects.get(username="sy.liaison")),
            status="missing",
            since=timezone.now() - dt.timedelta(days=2),
            place={"type": "Point", "coordinates": [35.81, 33.09]},
            name=UNSHARED_NAME,
            details="Shepherd, last seen near the line (fictional).",
            statement="Did not come home from the pasture (fictional).",
            fictional=True,
        )
        yield


@pytest.fixture
def story(db: Any, _told_once: None) -> None:
    """The demo's story is told (once for the module)."""


def _files() -> dict[str, PersonFile]:
    files = {}
    for file in PersonFile.objects.all():
        files[selectors.personal_of(file)["name"]] = file
    return files


def _readers(name: str) -> set[str]:
    return UNSHARED_READERS if name == UNSHARED_NAME else SHARED_READERS


def _text(response: Any) -> str:
    return response.content.decode()


def _no_secret(text: str, where: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"{secret!r} in {where}"


def test_the_demo_opens_two_files_with_both_versions_and_two_requests(story: None) -> None:
    files = _files()
    alpha, bravo = files[DEMO_NAMES[0]], files[DEMO_NAMES[1]]
    for file in (alpha, bravo):
        assert file.fictional
        assert file.audience_codes == ["icrc", "il", "sy", "us"]
        assert file.access_body == "icrc"
        versions = selectors.current_versions(file)
        assert [(v.party.code, v.held_by, v.status) for v in versions] == [
            ("il", "il", "detained"),
            ("sy", "il", "detained"),
        ]
        assert [link.kind for link in selectors.links_of(Actor.console("t"), file)] == ["incident"]
    assert (alpha.status, bravo.status) == ("released", "detained")
    assert bravo.access_granted_at is not None
    states = {r.file.pk: r.state for r in Request.objects.select_related("file")}
    assert states == {alpha.pk: "met", bravo.pk: "open"}


def test_the_worker_records_the_missed_release_once(story: None) -> None:
    bravo = _files()[DEMO_NAMES[1]]
    request = Request.objects.get(file=bravo)
    assert services.expire_requests(request.due_at - dt.timedelta(seconds=1)) == 0
    later = request.due_at + dt.timedelta(hours=1)
    assert services.expire_requests(later) == 1
    assert services.expire_requests(later) == 0  # a second pass, or a second worker
    assert services.expire_requests(later + dt.timedelta(days=1)) == 0
    request.refresh_from_db()
    assert (request.state, request.closed_at) == ("missed", later)
    missed = Entry.objects.filter(event_type="humanitarian.request_missed")
    assert [e.data["request"] for e in missed] == [request.reference]
    assert missed.get().audience_codes == bravo.audience_codes
    # A release recorded after the deadline does not turn the miss into a met request.
    services.change_status(
        actor=Actor.from_user(_user("il.liaison")), file=bravo, status="released",
        at=timezone.now(),
    )  # fmt: skip
    request.refresh_from_db()
    assert request.state == "missed"
    assert not Entry.objects.filter(
        event_type="humanitarian.request_met", canonical__contains=request.reference
    ).exists()


def _user(username: str) -> Any:
    from coordcell.accounts.models import User

    return User.objects.get(username=username)


def test_the_column_holds_a_sealed_token_never_the_name(story: None) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT personal, personal_digest FROM humanitarian_personfile")
        rows = cursor.fetchall()
    assert len(rows) == 3
    for token, digest in rows:
        _no_secret(token, "the personal column")
        assert token.startswith("gAAAAA")  # a Fernet token, version byte 0x80
        assert crypto.digest(token) == digest
    assert sorted(crypto.unseal(t)["name"] for t, _d in rows) == sorted(
        (*DEMO_NAMES, UNSHARED_NAME)
    )


def test_no_record_entry_or_delivery_or_inbox_item_holds_a_name(story: None) -> None:
    entries = list(Entry.objects.filter(event_type__startswith="humanitarian."))
    assert len(entries) == 14  # the story's 13 and the unshared file's: all searched below
    for entry in Entry.objects.all():
        _no_secret(entry.canonical, f"record entry {entry.seq}")
    deliveries = list(Delivery.objects.filter(subject_type="humanitarian.step"))
    assert deliveries
    for delivery in Delivery.objects.all():
        _no_secret(delivery.body, f"delivery {delivery.pk}")
    for note in Notification.objects.select_related("step__entry"):
        _no_secret(note.step.entry.canonical, f"inbox item {note.pk}")
    # The search can fail: the names are in the files, and the references in the record.
    file = _files()[DEMO_NAMES[0]]
    assert Entry.objects.filter(canonical__contains=file.reference).exists()


def test_deliveries_about_a_file_go_to_its_audience_only(story: None) -> None:
    files = {f.reference: f for f in PersonFile.objects.all()}
    sent = Delivery.objects.filter(subject_type="humanitarian.step").select_related(
        "webhook__party"
    )
    seen: set[tuple[int, str]] = set()
    for delivery in sent:
        file = files[json.loads(delivery.body)["file"]]
        assert delivery.webhook.party.code in file.audience_codes, delivery.body
        seen.add((file.pk, delivery.webhook.party.code))
    unshared = next(f for f in files.values() if not f.access_body)
    assert {code for pk, code in seen if pk == unshared.pk} == {"sy", "us"}


def test_every_surface_shows_a_name_to_the_files_readers_only(story: None, client_for: Any) -> None:
    """file × persona × surface: the file's page and the API's detail show the name to
    its readers and answer everyone else exactly as for a missing file; the register,
    the API's list, the counts, the inbox, the linked incident and cases, the STIX
    export and the record show no name to anyone."""
    files = _files()
    clients: dict[str, Client] = {p: client_for(p) for p in PERSONAS}
    missing = uuid.uuid4()
    for persona, client in clients.items():
        gone_page = client.get(f"/humanitarian/{missing}/")
        gone_api = client.get(f"/api/v1/humanitarian/files/{missing}/")
        assert (gone_page.status_code, gone_api.status_code) == (404, 404)
        register = client.get("/humanitarian/")
        listed = client.get("/api/v1/humanitarian/files/")
        assert (register.status_code, listed.status_code) == (200, 200)
        for surface in (
            register,
            listed,
            client.get("/api/v1/humanitarian/counts/"),
            client.get("/api/v1/inbox/"),
            client.get("/api/v1/incidents/"),
            client.get("/api/v1/cases/"),
            client.get("/api/v1/record/entries", {"limit": "1000"}),
            client.get("/record/"),
            client.get("/api/v1/sharing/stix/"),
        ):
            assert surface.status_code == 200, (persona, surface.request["PATH_INFO"])
            _no_secret(_text(surface), f"{surface.request['PATH_INFO']} for {persona}")
        ids = {row["id"] for row in listed.json()["results"]}
        for name, file in files.items():
            reads = persona in _readers(name)
            page = client.get(f"/humanitarian/{file.public_id}/")
            detail = client.get(f"/api/v1/humanitarian/files/{file.public_id}/")
            assert (str(file.public_id) in ids) is reads, (persona, name)
            assert (file.reference in _text(register)) is reads, (persona, name)
            if reads:
                assert (page.status_code, detail.status_code) == (200, 200)
                assert name in _text(page)
                assert detail.json()["personal"]["name"] == name
                others = [n for n in (*DEMO_NAMES, UNSHARED_NAME) if n != name]
                assert not any(n in _text(page) for n in others)
            else:
                assert page.status_code == 404, (persona, name)
                assert _text(page) == _text(gone_page)
                assert detail.status_code == 404
                assert detail.json() == gone_api.json()
                _no_secret(_text(page) + _text(detail), f"{name} for {persona}")
        counts = client.get("/api/v1/humanitarian/counts/").json()["rows"]
        if persona in ("monitor", "donor", "observer"):
            assert counts == []  # no file shared: nothing counted
        else:
            assert sum(r["detained"] + r["missing"] for r in counts) > 0


def test_every_reading_is_logged_and_shown_to_the_reporter_and_the_mediator(
    story: None, client_for: Any
) -> None:
    file = _files()[DEMO_NAMES[1]]
    before = Reading.objects.filter(file=file).count()
    assert client_for("icrc").get(f"/humanitarian/{file.public_id}/").status_code == 200
    assert (
        client_for("il.analyst").get(f"/api/v1/humanitarian/files/{file.public_id}/").status_code
        == 200
    )
    assert client_for("monitor").get(f"/humanitarian/{file.public_id}/").status_code == 404
    readings = list(Reading.objects.filter(file=file).order_by("pk"))[before:]
    assert [(r.reader, r.party_code, r.surface) for r in readings] == [
        (Actor.from_user(_user("icrc")).name, "icrc", "page"),  # a call sign
        (Actor.from_user(_user("il.analyst")).name, "il", "api"),
    ]
    log = f"/api/v1/humanitarian/files/{file.public_id}/readings/"
    for persona, status in (
        ("sy.liaison", 200), ("mediator", 200), ("il.liaison", 403), ("icrc", 403),
        ("monitor", 404), ("donor", 404),
    ):  # fmt: skip
        response = client_for(persona).get(log)
        assert response.status_code == status, persona
        if status == 200:
            body = response.json()
            assert body["count"] == Reading.objects.filter(file=file).count()
            assert {r["surface"] for r in body["results"]} == {"api", "page"}
        page = client_for(persona).get(f"/humanitarian/{file.public_id}/")
        assert ("Reading log" in _text(page)) is (status == 200), persona


def test_the_open_files_count_and_counts_follow_the_audience(story: None, actor: Any) -> None:
    assert selectors.open_files_count(actor("mediator")) == 2  # Bravo detained, Charlie missing
    assert selectors.open_files_count(actor("il.liaison")) == 1  # Bravo only
    assert selectors.open_files_count(actor("observer")) == 0
    today = timezone.now().date()
    rows = selectors.counts(actor("sy.liaison"), since=today - dt.timedelta(days=3), until=today)
    assert {r["party"] for r in rows} == {"sy"}
    assert sum(r["released"] for r in rows) == 1
    assert selectors.counts(actor("donor"), since=today - dt.timedelta(days=3), until=today) == []


def test_a_determinations_remedy_sets_the_requests_deadline(
    story: None, actor: Any, client_for: Any
) -> None:
    from coordcell.cases.models import Remedy

    sy = actor("sy.liaison")
    remedy = (
        Remedy.objects.filter(due_at__gt=timezone.now(), case__audience__contains="|sy|")
        .select_related("case")
        .first()
    )
    assert remedy is not None  # the demo's determination orders one
    bravo = _files()[DEMO_NAMES[1]]
    # Its words ("mark the crossing point …") ask for neither: the author names the kind.
    assert services.remedy_kind(remedy.what) == ""
    request = services.open_request(
        actor=sy,
        file=bravo,
        kind="access",
        addressee="il",
        case=remedy.case.public_id,
        remedy=remedy.public_id,
    )
    assert (request.due_at, request.case, request.remedy) == (
        remedy.due_at,
        remedy.case.public_id,
        remedy.public_id,
    )
    assert request.case_reference == remedy.case.reference
    opened = Entry.objects.filter(event_type="humanitarian.request_opened").last()
    assert opened is not None
    assert opened.data["remedy"] == str(remedy.public_id)
    # The ICRC reads the file but not the case: no reference to it reaches the ICRC, in
    # the API, on the page or in the record (hidden looks missing).
    from coordcell.cases import selectors as case_selectors
    from coordcell.core.errors import NotFound
    from coordcell.record.selectors import list_visible_entries

    with pytest.raises(NotFound):
        case_selectors.get_case(actor("icrc"), remedy.case.public_id)
    icrc = client_for("icrc")
    api = _text(icrc.get(f"/api/v1/humanitarian/files/{bravo.public_id}/"))
    page = _text(icrc.get(f"/humanitarian/{bravo.public_id}/"))
    for text in (api, page):
        assert request.reference in text
        assert str(remedy.case.public_id) not in text
        assert remedy.case.reference not in text
        assert str(remedy.public_id) not in text
    assert not [
        e.data
        for e in list_visible_entries(actor("icrc"), limit=1000)
        if str(remedy.case.public_id) in str(e.data) or str(remedy.public_id) in str(e.data)
    ]
    # Syria, which reads the case, still sees which determination ordered the request.
    syria = client_for("sy.liaison")
    assert remedy.case.reference in _text(syria.get(f"/humanitarian/{bravo.public_id}/"))
    api = _text(syria.get(f"/api/v1/humanitarian/files/{bravo.public_id}/"))
    assert str(remedy.public_id) in api


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Release the four detained persons within 72 hours (fictional).", "release"),
        ("Give the ICRC access to the two detainees (fictional).", "access"),
        ("الإفراج عن المحتجزين الأربعة خلال 72 ساعة", "release"),
        ("לאפשר ביקור של הצלב האדום", "access"),
        ("Release them and let the ICRC visit first.", ""),  # both: the author says which
        ("Mark the crossing point.", ""),
    ],
)
def test_a_remedys_words_say_which_request_it_opens(text: str, kind: str) -> None:
    assert services.remedy_kind(text) == kind
