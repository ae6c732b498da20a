"""``Idempotency-Key``: a client retrying a POST after a lost answer creates nothing twice."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from coordcell.core.idempotency import purge_expired_keys
from coordcell.core.models import IdempotencyKey, WorkerBeat
from coordcell.incidents.models import Evidence, Incident
from coordcell.record.models import Entry
from tests.conftest import IN_AOS, PNG
from tests.integration.api import idempotency_urls

pytestmark = pytest.mark.django_db

INCIDENT = {
    "kind": "military_presence",
    "title": "Vehicles near the line (fictional)",
    "occurred_from": "2026-04-01T10:00:00+03:00",
    "geometry": IN_AOS,
    "audience": ["us"],
}


def _post(client: Client, key: str | None, body: dict[str, Any] = INCIDENT, path: str = ""):
    headers = {"Idempotency-Key": key} if key is not None else {}
    return client.post(
        path or "/api/v1/incidents/", body, content_type="application/json", headers=headers
    )


def test_it_creates_an_incident_once_for_a_retried_post(api) -> None:
    client = api("sy.liaison", "token")
    first = _post(client, "lodge-2026-04-01-a")
    incidents, entries = Incident.objects.count(), Entry.objects.count()

    again = _post(client, "lodge-2026-04-01-a")

    assert first.status_code == 201
    assert again.status_code == 201
    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"] == "application/json"
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert (Incident.objects.count(), Entry.objects.count()) == (incidents, entries)


def test_it_answers_a_retry_through_a_session_too(api) -> None:
    client = api("sy.liaison", "session")
    first = _post(client, "k-session")
    count = Incident.objects.count()
    assert _post(client, "k-session").content == first.content
    assert Incident.objects.count() == count


def test_it_refuses_the_same_key_with_another_body(api) -> None:
    client = api("sy.liaison", "token")
    _post(client, "k1")
    count = Incident.objects.count()

    response = _post(client, "k1", {**INCIDENT, "title": "Another incident (fictional)"})

    assert response.status_code == 422
    assert response.json() == {
        "error": {
            "code": "idempotency_key_reused",
            "message": "This Idempotency-Key was used for a different request. "
            "Use a new key for a new request.",
        }
    }
    assert Incident.objects.count() == count


def test_it_refuses_the_same_key_on_another_route(api, ids) -> None:
    client = api("sy.liaison", "token")
    _post(client, "k2")
    response = _post(
        client,
        "k2",
        {"text": "Our version (fictional)."},
        path=f"/api/v1/incidents/{ids['incident']}/accounts/",
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_key_reused"


def test_a_key_belongs_to_the_person_who_sent_it(api) -> None:
    _post(api("sy.liaison", "token"), "shared-key")
    count = Incident.objects.count()
    response = _post(api("il.liaison", "token"), "shared-key")
    assert response.status_code == 201
    assert Incident.objects.count() == count + 1


def test_without_a_key_each_post_creates(api) -> None:
    client = api("sy.liaison", "token")
    count = Incident.objects.count()
    _post(client, None)
    _post(client, None)
    assert Incident.objects.count() == count + 2


def test_it_answers_a_retried_refusal_of_the_input_the_same_way(api) -> None:
    client = api("sy.liaison", "token")
    bad = {**INCIDENT, "kind": "no-such-kind"}
    first = _post(client, "k-bad", bad)
    assert first.status_code == 400
    again = _post(client, "k-bad", bad)
    assert (again.status_code, again.content) == (400, first.content)
    assert again["Idempotent-Replayed"] == "true"


@pytest.mark.parametrize("key", ["", "has space", "x" * 256, "naïve"])
def test_it_refuses_a_malformed_key(api, key: str) -> None:
    count = Incident.objects.count()
    response = _post(api("sy.liaison", "token"), key)
    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": "invalid_idempotency_key",
            "message": "The Idempotency-Key header must be 1 to 255 visible ASCII characters.",
        }
    }
    assert Incident.objects.count() == count


def test_it_forgets_an_expired_key(api) -> None:
    client = api("sy.liaison", "token")
    _post(client, "k-old")
    IdempotencyKey.objects.filter(key="k-old").update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    count = Incident.objects.count()

    response = _post(client, "k-old")

    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response
    assert Incident.objects.count() == count + 1


def test_the_worker_purges_expired_keys(api) -> None:
    client = api("sy.liaison", "token")
    _post(client, "k-a")
    _post(client, "k-b")
    IdempotencyKey.objects.filter(key="k-a").update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert purge_expired_keys(timezone.now()) == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["k-b"]


def test_the_database_holds_one_answer_per_person_and_key(api, user) -> None:
    _post(api("sy.liaison", "token"), "k-unique")
    stored = IdempotencyKey.objects.get(key="k-unique")
    with pytest.raises(IntegrityError), transaction.atomic():
        IdempotencyKey.objects.create(
            user=user("sy.liaison"),
            key="k-unique",
            fingerprint="0" * 64,
            expires_at=stored.expires_at,
        )


def test_it_uploads_evidence_once(api, ids) -> None:
    client = api("il.liaison", "token")
    path = f"/api/v1/incidents/{ids['incident']}/evidence/"
    photo = PNG + b"idempotency"

    def upload(content: bytes):
        return client.post(
            path,
            {"file": SimpleUploadedFile("p.png", content, "image/png")},
            headers={"Idempotency-Key": "evidence-1"},
        )

    first = upload(photo)
    count = Evidence.objects.count()
    again = upload(photo)
    other = upload(PNG + b"another photo")

    assert first.status_code == 201
    assert (again.status_code, again.content) == (201, first.content)
    assert other.status_code == 422
    assert Evidence.objects.count() == count


@pytest.mark.urls("tests.integration.api.idempotency_urls")
def test_a_request_that_failed_is_undone_and_may_be_retried(api) -> None:
    client = api("il.liaison", "token")
    client.raise_request_exception = False
    idempotency_urls.calls.clear()
    before = WorkerBeat.objects.count()

    failed = client.post(
        "/api/v1/test-write/?fail=yes",
        {},
        content_type="application/json",
        headers={"Idempotency-Key": "k-fail"},
    )
    assert failed.status_code == 500
    assert WorkerBeat.objects.count() == before  # the write went with the failure
    assert not IdempotencyKey.objects.filter(key="k-fail").exists()

    retried = client.post(
        "/api/v1/test-write/?fail=yes",
        {},
        content_type="application/json",
        headers={"Idempotency-Key": "k-fail"},
    )
    assert retried.status_code == 500
    assert idempotency_urls.calls == ["k-fail", "k-fail"]  # run again, not replayed


def test_the_schema_declares_the_header_on_every_post(api) -> None:
    schema = api("il.liaison").get("/api/schema/", {"format": "json"}).json()
    posts = {p: item["post"] for p, item in schema["paths"].items() if "post" in item}
    assert "/api/v1/incidents/" in posts
    for path, operation in posts.items():
        headers = [p["name"] for p in operation.get("parameters", []) if p["in"] == "header"]
        assert headers.count("Idempotency-Key") == 1, path


def test_it_keeps_no_answer_that_may_change(api) -> None:
    client = api("donor", "token")
    first = _post(client, "k-refused")
    again = _post(client, "k-refused")
    assert (first.status_code, again.status_code) == (403, 403)
    assert "Idempotent-Replayed" not in again
    assert not IdempotencyKey.objects.filter(key="k-refused").exists()


def test_the_token_is_read_once_though_the_caller_is_identified_twice(api) -> None:
    """The middleware identifies the caller before the view authenticates: the second
    look at the same token in the same request takes the first's answer."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api("sy.liaison", "token")
    _post(client, None, {})  # the token's use stamped before
    with CaptureQueriesContext(connection) as queries:
        assert _post(client, "k-one-read", {}).status_code == 400
    reads = [q["sql"] for q in queries if 'FROM "accounts_apitoken"' in q["sql"]]
    assert len(reads) == 1
