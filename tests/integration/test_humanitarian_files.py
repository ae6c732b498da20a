"""Detainees' files without the demo's story (issue 18): validation at the edge (bad
dates, geometries, bodies and ids answer 4xx with a message and write nothing), who may
do what, the access body's fail-closed list, requests met once, a determination's remedy
that does not exist, and the pages' forms."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.utils import timezone

from coordcell.core.errors import ValidationFailed
from coordcell.humanitarian import services
from coordcell.humanitarian.models import PersonFile, Request
from coordcell.record.models import Entry

pytestmark = pytest.mark.django_db

FILES = "/api/v1/humanitarian/files/"
PLACE = {"type": "Point", "coordinates": [35.81, 33.09]}


def _body(**changes: Any) -> dict[str, Any]:
    since = (timezone.now() - dt.timedelta(hours=5)).isoformat()
    body: dict[str, Any] = {
        "status": "detained",
        "since": since,
        "place": PLACE,
        "name": "Test Person Delta (fictional)",
        "birth_date": "1990-04-02",
        "details": "A test (fictional).",
        "access_body": "icrc",
        "held_by": "il",
        "statement": "A test statement (fictional).",
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def _open(client: Any, **changes: Any) -> Any:
    return _post(client, FILES, _body(**changes))


def _post(client: Any, path: str, body: dict[str, Any]) -> Any:
    return client.post(path, body, content_type="application/json")


def _state() -> tuple[int, int, int]:
    return (PersonFile.objects.count(), Request.objects.count(), Entry.objects.count())


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"since": "2026-01-01T00:00:00"}, "since"),  # no offset
        ({"since": (timezone.now() + dt.timedelta(days=2)).isoformat()}, "since"),
        ({"since": "1900-01-01T00:00Z"}, "since"),
        ({"place": {"type": "Point", "coordinates": [2.35, 48.85]}}, "place"),  # outside
        ({"place": {"type": "Point", "coordinates": [35.8, "x"]}}, "place"),
        ({"place": {"type": "LineString", "coordinates": [[35.8, 33.1], [35.9, 33.2]]}}, "place"),
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"birth_date": "2999-01-01"}, "birth_date"),
        ({"access_body": "jo"}, "access_body"),  # an observer, but not an agreed body
        ({"access_body": "undof"}, "access_body"),
        ({"held_by": "us"}, "held_by"),  # the mediator holds nobody
        ({"status": "released"}, "status"),
        ({"colour": "red"}, "colour"),  # an unknown field
    ],
)
def test_it_refuses_bad_input_with_400_and_writes_nothing(
    client_for: Any, changes: dict[str, Any], field: str
) -> None:
    client = client_for("sy.liaison")
    before = _state()
    response = _open(client, **changes)
    assert response.status_code == 400, response.content
    assert field in str(response.json()), response.json()
    assert _state() == before


def test_it_opens_a_file_for_the_reporter_the_mediator_and_the_body(client_for: Any) -> None:
    response = _open(client_for("sy.liaison"))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["audience"] == ["icrc", "sy", "us"]
    assert body["personal"] == {
        "name": "Test Person Delta (fictional)",
        "birth_date": "1990-04-02",
        "details": "A test (fictional).",
        "unreadable": False,
    }
    entry = Entry.objects.get(event_type="humanitarian.file_opened")
    assert "Delta" not in entry.canonical
    assert entry.data["file"] == body["reference"]


@pytest.mark.parametrize("username", ["sy.analyst", "monitor", "donor", "observer", "icrc"])
def test_only_officers_of_a_party_or_the_mediator_open_a_file(
    client_for: Any, username: str
) -> None:
    before = _state()
    assert _open(client_for(username)).status_code == 403
    assert _state() == before


def test_unknown_or_hidden_ids_answer_404_alike(client_for: Any) -> None:
    file_id = _open(client_for("sy.liaison")).json()["id"]
    il = client_for("il.liaison")
    for target in (file_id, str(uuid.uuid4()), "not-an-id"):
        for path in ("", "readings/"):
            response = il.get(f"{FILES}{target}/{path}")
            assert response.status_code == 404, (target, path)
            assert response.json() == {"error": {"code": "not_found", "message": "Not found."}}
        at = {"status": "released", "at": "2026-01-01T00:00Z"}
        write = _post(il, f"{FILES}{target}/status/", at)
        assert write.status_code == 404
    assert il.get(f"/humanitarian/{file_id}/").status_code == 404
    assert il.get(f"/humanitarian/{uuid.uuid4()}/").status_code == 404


def test_writes_on_a_file_validate_every_field(client_for: Any) -> None:
    sy = client_for("sy.liaison")
    file_id = _open(sy).json()["id"]
    base = f"{FILES}{file_id}/"
    now = timezone.now()
    cases = [
        ("status/", {"status": "located", "at": now.isoformat()}, "status"),  # not from detained
        ("status/", {"status": "released", "at": (now + dt.timedelta(hours=1)).isoformat()}, "at"),
        ("status/", {"status": "released", "at": (now - dt.timedelta(days=3)).isoformat()}, "at"),
        ("notified/", {"at": "2026-01-01T00:00"}, "at"),
        ("requests/", {"kind": "release", "addressee": "il"}, "addressee"),  # not shared
        ("requests/", {"kind": "release", "addressee": "sy", "within_hours": 0}, "within_hours"),
        ("requests/", {"kind": "release", "addressee": "zz"}, "addressee"),
        (
            "requests/",
            {
                "kind": "release",
                "addressee": "sy",
                "case": str(uuid.uuid4()),
                "remedy": str(uuid.uuid4()),
            },
            "remedy",
        ),
        ("links/", {"kind": "incident", "target": str(uuid.uuid4())}, "target"),
        ("links/", {"kind": "position", "target": str(uuid.uuid4())}, "kind"),
        ("share/", {"party": "zz"}, "party"),
        ("share/", {"party": "us"}, "party"),  # already reads it
        ("versions/", {"status": "detained", "statement": ""}, "statement"),
    ]
    for path, body, field in cases:
        before = _state()
        response = _post(sy, base + path, body)
        assert response.status_code == 400, (path, body, response.content)
        assert field in str(response.json()), (path, response.json())
        assert _state() == before, path


def test_a_release_in_time_meets_the_request_once(client_for: Any, actor: Any) -> None:
    sy = client_for("sy.liaison")
    file_id = _open(sy).json()["id"]
    base = f"{FILES}{file_id}/"
    assert _post(sy, base + "share/", {"party": "il"}).status_code == 200
    asked = {"kind": "release", "addressee": "il", "within_hours": 1}
    made = _post(sy, base + "requests/", asked)
    assert made.status_code == 201, made.content
    (request,) = made.json()["requests"]
    assert request["state"] == "open"
    again = _post(sy, base + "requests/", {"kind": "release", "addressee": "il"})
    assert again.status_code == 400  # one open request of a kind
    released = client_for("il.liaison").post(
        base + "status/", {"status": "released", "at": timezone.now().isoformat()},
        content_type="application/json",
    )  # fmt: skip
    assert released.status_code == 200, released.content
    assert released.json()["requests"][0]["state"] == "met"
    assert services.expire_requests(timezone.now() + dt.timedelta(hours=2)) == 0
    assert Entry.objects.filter(event_type="humanitarian.request_met").count() == 1
    assert Entry.objects.filter(event_type="humanitarian.request_missed").count() == 0


def test_an_access_request_needs_a_body_and_the_body_records_its_visit(client_for: Any) -> None:
    sy = client_for("sy.liaison")
    without = _open(sy, access_body="").json()["id"]
    refused = _post(sy, f"{FILES}{without}/requests/", {"kind": "access", "addressee": "sy"})
    assert refused.status_code == 400
    file_id = _open(sy).json()["id"]
    made = _post(sy, f"{FILES}{file_id}/requests/", {"kind": "access", "addressee": "sy"})
    assert made.status_code == 201
    assert made.json()["requests"][0]["due_at"] > timezone.now().isoformat()
    icrc = client_for("icrc")
    visit = _post(icrc, f"{FILES}{file_id}/access/", {"at": timezone.now().isoformat()})
    assert visit.status_code == 200, visit.content
    assert visit.json()["requests"][0]["state"] == "met"
    # The ICRC reads the file but neither states a version nor shares it.
    assert _post(icrc, f"{FILES}{file_id}/share/", {"party": "il"}).status_code == 403


def test_a_link_is_recorded_only_to_those_who_read_both_ends(actor: Any) -> None:
    """Linking a file to an incident the ICRC cannot read: the ICRC reads the file but
    meets no reference to the incident, in the record either (hidden looks missing)."""
    from coordcell.agreements.models import ArrangementVersion
    from coordcell.core.errors import NotFound
    from coordcell.incidents import selectors as incident_selectors
    from coordcell.incidents.services import IncidentInput, report_incident
    from coordcell.record.selectors import list_visible_entries

    sy, icrc = actor("sy.liaison"), actor("icrc")
    incident = report_incident(
        actor=sy,
        data=IncidentInput(
            kind="looting_destruction",
            title="A fictional incident",
            occurred_from=timezone.now() - dt.timedelta(hours=2),
            geometry={"type": "Point", "coordinates": [35.82461, 33.12595]},
        ),
        version=ArrangementVersion.objects.get(is_current=True),
        audience=None,
    )
    with pytest.raises(NotFound):
        incident_selectors.get_incident(icrc, incident.public_id)
    file = services.open_file(
        actor=sy, status="detained", since=timezone.now() - dt.timedelta(hours=5),
        place=PLACE, name="Fictional Person Victor", access_body="icrc",
    )  # fmt: skip
    services.add_link(actor=sy, file=file, kind="incident", target=incident.public_id)

    def naming(reader: Any) -> list[Any]:
        return [
            e.data
            for e in list_visible_entries(reader, limit=1000)
            if e.event_type == "humanitarian.file_linked"
            and (incident.reference in str(e.data) or str(incident.public_id) in str(e.data))
        ]

    assert naming(icrc) == []
    assert len(naming(sy)) == 1  # the party that reads both still has it on the record


@pytest.mark.parametrize(
    "query",
    [
        "until=0001-01-01",  # its default first day (30 days earlier) does not exist
        "since=9999-12-31&until=9999-12-31",  # the day after the last does not exist
        "since=0001-01-01&until=0001-01-02",
    ],
)
def test_counts_at_the_calendars_ends_answer_400(client_for: Any, query: str) -> None:
    client = client_for("sy.liaison")
    client.raise_request_exception = False
    answer = client.get(f"/api/v1/humanitarian/counts/?{query}")
    assert answer.status_code == 400, (query, answer.status_code)
    assert "between the years" in answer.content.decode()


def test_only_the_access_bodys_visit_after_the_request_meets_it(actor: Any) -> None:
    sy, il, icrc = actor("sy.liaison"), actor("il.liaison"), actor("icrc")
    file = services.open_file(
        actor=sy, status="detained", since=timezone.now() - dt.timedelta(hours=5),
        place=PLACE, name="Fictional Person Tango", access_body="icrc", held_by="il",
    )  # fmt: skip
    services.share_file(actor=sy, file=file, party="il")
    request = services.open_request(
        actor=sy, file=file, kind="access", addressee="il", within_hours=24
    )
    # The party asked for access does not certify that it gave it.
    services.grant_access(actor=il, file=file, at=timezone.now())
    request.refresh_from_db()
    assert request.state == "open"
    # A visit dated before the request was made does not meet it either.
    services.grant_access(actor=icrc, file=file, at=request.requested_at - dt.timedelta(hours=1))
    request.refresh_from_db()
    assert request.state == "open"
    services.grant_access(actor=icrc, file=file, at=timezone.now())
    request.refresh_from_db()
    assert request.state == "met"


def test_a_release_overtakes_the_open_access_request_which_is_never_missed(
    actor: Any,
) -> None:
    sy = actor("sy.liaison")
    file = services.open_file(
        actor=sy, status="detained", since=timezone.now() - dt.timedelta(hours=5),
        place=PLACE, name="Fictional Person Uniform", access_body="icrc",
    )  # fmt: skip
    request = services.open_request(
        actor=sy, file=file, kind="access", addressee="sy", within_hours=2
    )
    services.change_status(
        actor=sy, file=file, status="released", at=timezone.now() - dt.timedelta(minutes=5)
    )
    request.refresh_from_db()
    assert request.state == "overtaken"
    changed = Entry.objects.filter(event_type="humanitarian.status_changed").last()
    assert changed is not None
    assert changed.data["overtaken"] == [request.reference]
    assert services.expire_requests(timezone.now() + dt.timedelta(hours=3)) == 0
    assert not Entry.objects.filter(event_type="humanitarian.request_missed").exists()
    with pytest.raises(ValidationFailed):  # nothing left to ask for
        services.open_request(actor=sy, file=file, kind="access", addressee="sy")


def test_personal_data_no_key_opens_shows_the_file_with_a_notice(client_for: Any) -> None:
    """A lost or wrong key: the page and the API still show the file, its personal data
    empty and marked unreadable, never a 500."""
    from django.test import override_settings

    from coordcell.humanitarian import crypto

    sy = client_for("sy.liaison")
    file_id = _open(sy).json()["id"]
    with override_settings(PERSONAL_DATA_KEY="a key this cell does not hold"):
        other = crypto.seal({"name": "Fictional Person Sierra"})
    PersonFile.objects.filter(public_id=file_id).update(personal=other)
    sy.raise_request_exception = False
    api = sy.get(f"{FILES}{file_id}/")
    assert api.status_code == 200, api.status_code
    assert api.json()["personal"] == {
        "name": "", "birth_date": "", "details": "", "unreadable": True
    }  # fmt: skip
    page = sy.get(f"/humanitarian/{file_id}/")
    assert page.status_code == 200, page.status_code
    assert "no configured key opens it" in page.content.decode()


def test_the_pages_open_a_file_and_answer_bad_input_with_400(client_for: Any) -> None:
    sy = client_for("sy.liaison")
    assert sy.get("/humanitarian/new/").status_code == 200
    assert client_for("monitor").get("/humanitarian/new/").status_code == 403
    form = {
        "status": "detained",
        "since": (timezone.now() - dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "place": '{"type": "Point", "coordinates": [35.81, 33.09]}',
        "name": "Test Person Echo (fictional)",
        "access_body": "icrc",
        "held_by": "",
    }
    before = _state()
    bad = sy.post("/humanitarian/new/", {**form, "place": "{not json"})
    assert bad.status_code == 400
    assert "This is not GeoJSON." in bad.content.decode()
    assert _state() == before
    done = sy.post("/humanitarian/new/", form)
    assert done.status_code == 302
    file = PersonFile.objects.get()
    page = sy.get(done["Location"])
    assert "Test Person Echo (fictional)" in page.content.decode()
    located = {"status": "located", "at": form["since"]}
    refused = sy.post(f"/humanitarian/{file.public_id}/status/", located)
    assert refused.status_code == 400
    listed = sy.get("/humanitarian/")
    assert file.reference in listed.content.decode()
    assert "Echo" not in listed.content.decode()


@pytest.mark.parametrize(
    ("language", "direction", "title", "new"),
    [
        ("ar", "rtl", "المحتجزون والمفقودون", "ملف جديد لشخص محتجز أو مفقود"),
        ("he", "rtl", "עצורים ונעדרים", "תיק חדש על אדם עצור או נעדר"),
    ],
)
def test_the_pages_speak_arabic_and_hebrew_right_to_left(
    client_for: Any, language: str, direction: str, title: str, new: str
) -> None:
    client = client_for("sy.liaison")
    assert client.post("/i18n/setlang/", {"language": language, "next": "/"}).status_code == 302
    register = client.get("/humanitarian/").content.decode()
    assert f'<html lang="{language}" dir="{direction}">' in register
    assert f"<h1>{title}</h1>" in register
    assert new in client.get("/humanitarian/new/").content.decode()
