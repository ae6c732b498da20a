"""The CAP feed of escalation alerts: only the case's audience sees an alert, and every
alert the feed produces is valid CAP 1.2 (OASIS schema and the spec's rules)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction

from coordcell.accounts.models import User
from coordcell.cases.models import Case, Deadline, Step
from coordcell.cases.services import act, expire_due
from coordcell.core.actor import Actor
from tests.capcheck import NS, embedded_alerts, parse, spec_check, xsd_errors
from tests.integration.api.conftest import AUTHS, NOT_FOUND
from tests.integration.api.endpoints import ESCALATION_READS, Endpoint, call, url

pytestmark = pytest.mark.django_db

#: The audience of the session's complaint (Israel about Syria), and those outside it.
AUDIENCE = ["il.liaison", "il.analyst", "il.admin", "sy.liaison", "sy.analyst", "sy.admin",
            "mediator", "monitor"]  # fmt: skip
OUTSIDE = ["observer", "donor"]
MISSING = "CASE-0000-0000-0000-ESC-0000000000000000"


def _case() -> Case:
    case = Case.objects.order_by("pk").first()
    assert case is not None
    return case


@pytest.fixture(scope="module")
def _escalated_once(
    django_db_setup: Any, django_db_blocker: Any, session_ids: dict[str, str]
) -> Iterator[dict[str, Any]]:
    """The escalations every test of this module reads, made once per module and worker
    in a transaction that is rolled back after the module's last test; each test runs in
    a savepoint inside it (pytest-django's ``db``), so what a test changes is undone as
    usual. (A test that needs no escalation belongs in another module.)"""
    with django_db_blocker.unblock(), transaction.atomic():
        yield _escalate(session_ids)
        transaction.set_rollback(True)


@pytest.fixture
def escalated(db: Any, _escalated_once: dict[str, Any]) -> dict[str, Any]:
    return dict(_escalated_once)


def _escalate(ids: dict[str, str]) -> dict[str, Any]:
    """The session's case, escalated by the mediator's decision, then by the worker when
    the acknowledgement deadline passed and the top level was eligible (24 h after the
    first climb: the worker runs a day after the deadline), which takes it to the top."""
    mediator = Actor.from_user(User.objects.get(username="mediator"))
    case = act(
        actor=mediator, case=_case(), action="escalate", text="For the principals (fictional)."
    )
    ack = Deadline.objects.get(case=case, kind="acknowledge")
    expire_due(ack.due_at + dt.timedelta(days=1, minutes=1))
    steps = list(Step.objects.filter(case=case, action="escalate").order_by("at", "pk"))
    assert len(steps) == 2
    identifiers = [f"{case.reference}-ESC-{s.entry.hash[:16]}" for s in steps]
    return {**ids, "alert": identifiers[0], "identifiers": identifiers, "case_obj": case}


def _feed(client: Any) -> tuple[Any, bytes]:
    response = client.get("/api/v1/alerts/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml"
    return response, response.content


def _texts(document: bytes, path: str) -> list[str]:
    return [e.text or "" for e in parse(document).iterfind(path, NS)]


@pytest.mark.parametrize("auth", AUTHS)
@pytest.mark.parametrize("username", AUDIENCE)
@pytest.mark.parametrize("endpoint", ESCALATION_READS, ids=lambda e: e.id)
def test_the_audience_reads_the_alert(
    endpoint: Endpoint, username: str, auth: str, api: Any, escalated: dict[str, Any]
) -> None:
    response = call(api(username, auth), endpoint, url(endpoint, escalated))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/cap+xml"
    assert _texts(response.content, "c:identifier") == [escalated["alert"]]


@pytest.mark.parametrize("username", OUTSIDE)
@pytest.mark.parametrize("endpoint", ESCALATION_READS, ids=lambda e: e.id)
def test_others_get_exactly_the_404_of_a_missing_alert(
    endpoint: Endpoint, username: str, api: Any, escalated: dict[str, Any]
) -> None:
    client = api(username)
    hidden = call(client, endpoint, url(endpoint, escalated))
    for missing_id in (MISSING, "00000000-0000-0000-0000-000000000000", "x"):
        missing = client.get(endpoint.path.format(id=missing_id))
        assert hidden.status_code == missing.status_code == 404
        assert hidden["Content-Type"] == missing["Content-Type"] == "application/json"
        assert hidden.json() == missing.json() == NOT_FOUND


@pytest.mark.parametrize("username", OUTSIDE)
def test_the_feed_of_those_outside_the_case_has_no_alert_of_it(
    username: str, api: Any, escalated: dict[str, Any]
) -> None:
    _, feed = _feed(api(username))
    assert embedded_alerts(feed) == []
    assert escalated["case_obj"].reference.encode() not in feed


@pytest.mark.parametrize("username", AUDIENCE)
def test_the_audience_finds_both_escalations_newest_first(
    username: str, api: Any, escalated: dict[str, Any]
) -> None:
    _, feed = _feed(api(username))
    alerts = embedded_alerts(feed)
    identifiers = [_texts(a, "c:identifier")[0] for a in alerts]
    assert identifiers == list(reversed(escalated["identifiers"]))
    links = [e.get("href") for e in parse(feed).iterfind("a:entry/a:link[@rel='alternate']", NS)]
    assert links == [f"http://testserver/api/v1/alerts/{i}" for i in identifiers]


def test_the_feed_pages_one_alert_at_a_time_with_rfc_5005_links(
    api: Any, escalated: dict[str, Any]
) -> None:
    client = api("sy.liaison", "token")
    base = "http://testserver/api/v1/alerts/"

    def links(feed: bytes) -> dict[str, str]:
        return {e.get("rel", ""): e.get("href", "") for e in parse(feed).iterfind("a:link", NS)}

    first = client.get("/api/v1/alerts/?page_size=1")
    assert first.status_code == 200
    assert links(first.content) == {
        "self": f"{base}?page_size=1",
        "first": f"{base}?page_size=1",
        "next": f"{base}?page=2&page_size=1",
        "last": f"{base}?page=2&page_size=1",
    }
    second = client.get(links(first.content)["next"])
    assert links(second.content) == {
        "self": f"{base}?page=2&page_size=1",
        "first": f"{base}?page_size=1",
        "previous": f"{base}?page_size=1",
        "last": f"{base}?page=2&page_size=1",
    }
    walked = [_texts(a, "c:identifier")[0] for page in (first, second)
              for a in embedded_alerts(page.content)]  # fmt: skip
    assert walked == list(reversed(escalated["identifiers"]))
    assert _texts(second.content, "a:id") == [base]
    whole = client.get("/api/v1/alerts/")
    assert links(whole.content) == {"self": base, "first": base}
    assert (client.get("/api/v1/alerts/?page=3").status_code, whole.status_code) == (404, 200)


def test_every_alert_of_the_feed_is_valid_cap(
    api: Any, escalated: dict[str, Any], tmp_path: Path
) -> None:
    client = api("mediator", "token")
    _, feed = _feed(client)
    alerts = embedded_alerts(feed)
    assert len(alerts) == 2
    single = [client.get(f"/api/v1/alerts/{i}").content for i in escalated["identifiers"]]
    for document in alerts + single:
        assert xsd_errors(document) == []
    assert spec_check(alerts + single, tmp_path) == []


def test_what_the_alert_says(api: Any, escalated: dict[str, Any]) -> None:
    case = escalated["case_obj"]
    first, second = (
        api("sy.liaison").get(f"/api/v1/alerts/{i}").content for i in escalated["identifiers"]
    )
    step = Step.objects.filter(case=case, action="escalate").order_by("at", "pk").first()
    assert step is not None
    sent = _texts(first, "c:sent")[0]
    assert sent == step.at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S-00:00")
    assert _texts(first, "c:status") == ["Exercise"]  # the tests' personas are fictional
    assert _texts(first, "c:scope") == ["Restricted"]
    restriction = _texts(first, "c:restriction")[0]
    for code in ("il", "sy", "us", "undof"):
        assert code in restriction
    assert _texts(first, "c:info/c:language") == ["en", "ar", "he"]
    assert _texts(first, "c:info/c:headline")[0] == f"{case.reference} escalated to Cell principals"
    assert _texts(first, "c:info/c:urgency") == ["Expected"] * 3
    assert _texts(second, "c:info/c:urgency") == ["Immediate"] * 3  # the top: capitals
    # The finding in the AoS is under B.3, which a party disputes: no severity comes from
    # it, only from the kind (a military presence: Moderate).
    assert _texts(first, "c:info/c:severity") == ["Moderate"] * 3
    assert _texts(first, "c:info/c:certainty") == ["Possible"] * 3  # not verified
    parameters = dict(
        zip(
            _texts(first, "c:info[1]/c:parameter/c:valueName"),
            _texts(first, "c:info[1]/c:parameter/c:value"),
            strict=True,
        )
    )
    assert parameters["coordcell:reason"] == "requested"
    assert parameters["coordcell:level"] == "cell_principals"
    assert "coordcell:record-entry" not in parameters  # a sequence number counts entries
    assert parameters["coordcell:record-entry-hash"] == step.entry.hash
    second_reason = _texts(second, "c:info[1]/c:parameter/c:value")
    assert "acknowledge_deadline_expired" in second_reason
    # The Arabic block names the level and the zone in Arabic (from the scenario's data).
    assert "الممثلون الرئيسيون في الخلية" in _texts(first, "c:info[2]/c:headline")[0]
    assert _texts(first, "c:info[1]/c:area/c:areaDesc")[0].startswith(
        "Area of Separation (approximate)"
    )


def test_the_alert_names_kinds_and_zones_as_the_lexicon_does(
    api: Any, escalated: dict[str, Any]
) -> None:
    """The generated texts take their names from the scenario's agreed lexicon: a kind
    or a zone renamed there is renamed in the alert, in every language."""
    from coordcell.agreements.models import ArrangementVersion, Zone

    case = escalated["case_obj"]
    version = ArrangementVersion.objects.get(pk=case.incident.version_id)
    content = dict(version.content)
    kind = case.incident.kind
    content["lexicon"] = {
        **content["lexicon"],
        "kinds": {kind: {"en": "Agreed kind name", "ar": "اسم متفق عليه", "he": "שם מוסכם"}},
    }
    ArrangementVersion.objects.filter(pk=version.pk).update(content=content)
    zone = Zone.objects.get(version=version, zone_id=case.incident.zones[0])
    lexicon_name = content["lexicon"]["areas"][zone.zone_id]
    assert zone.names == lexicon_name  # loaded from the lexicon
    alert = api("sy.liaison").get(f"/api/v1/alerts/{escalated['alert']}").content
    assert _texts(alert, "c:info/c:event") == [
        "Escalated complaint: Agreed kind name",
        *[_texts(alert, "c:info/c:event")[i] for i in (1, 2)],
    ]
    assert "اسم متفق عليه" in _texts(alert, "c:info[2]/c:event")[0]
    assert "שם מוסכם" in _texts(alert, "c:info[3]/c:event")[0]
    # The incident is told by its generated headline (kind · place · local time), never by
    # the reporter's title.
    description = _texts(alert, "c:info[1]/c:description")[0]
    assert ": Agreed kind name · near Quneitra · " in description
    assert case.incident.title not in description
    assert _texts(alert, "c:info[3]/c:area/c:areaDesc")[0].startswith(lexicon_name["he"])


def test_the_polygon_is_written_lat_lon_around_the_incident(
    api: Any, escalated: dict[str, Any]
) -> None:
    incident = escalated["case_obj"].incident
    lon, lat = incident.geometry["coordinates"]
    document = api("il.liaison").get(f"/api/v1/alerts/{escalated['alert']}").content
    polygon = _texts(document, "c:info[1]/c:area/c:polygon")[0].split()
    assert polygon[0] == polygon[-1]
    assert len(polygon) >= 4
    first_coordinates = [tuple(map(float, pair.split(","))) for pair in polygon]
    assert all(abs(a - lat) < 0.01 and abs(b - lon) < 0.01 for a, b in first_coordinates)
    circle = _texts(document, "c:info[1]/c:area/c:circle")[0]
    assert circle.startswith(f"{lat:.5f},{lon:.5f} ")


def test_a_confidential_donor_in_the_audience_is_named_only_to_those_who_know_it(
    api: Any, escalated: dict[str, Any]
) -> None:
    case = escalated["case_obj"]
    Case.objects.filter(pk=case.pk).update(audience=case.audience.rstrip("|") + "|donor_a|")
    il = api("il.liaison").get(f"/api/v1/alerts/{escalated['alert']}").content
    mediator = api("mediator").get(f"/api/v1/alerts/{escalated['alert']}").content
    assert b"donor_a" not in il
    assert "donor_a" in _texts(mediator, "c:restriction")[0]
    assert b"donor_a" not in api("il.liaison").get("/api/v1/alerts/").content


def test_xml_is_negotiated_and_json_is_not(api: Any, escalated: dict[str, Any]) -> None:
    client = api("mediator")
    path = f"/api/v1/alerts/{escalated['alert']}"
    assert client.get(path, HTTP_ACCEPT="application/cap+xml").status_code == 200
    as_xml = client.get(path, HTTP_ACCEPT="application/xml")
    assert as_xml.status_code == 200
    assert as_xml["Content-Type"] == "application/xml"
    refused = client.get(path, HTTP_ACCEPT="application/json")
    assert refused.status_code == 406
    assert refused["Content-Type"] == "application/json"
    assert refused.json()["error"]["code"] == "not_acceptable"
    assert client.get("/api/v1/alerts/", HTTP_ACCEPT="application/atom+xml").status_code == 200
