"""A confidential donor is, for those who may not know of it, exactly a missing object:
same status, same bytes, same headers; absent from every list."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import quote

import pytest

from tests.integration.api.conftest import AUTHS, NOT_FOUND, results
from tests.integration.api.endpoints import READS, call, url

pytestmark = pytest.mark.django_db

#: Members who may not know of the donor (il.admin: an administrator, for the writes).
UNINFORMED = ["il.liaison", "sy.liaison", "observer", "il.admin"]
#: Those who may: the donor's own people and the mediator.
INFORMED = ["mediator", "donor"]
ALL_PARTIES = ["donor_a", "icrc", "il", "jo", "sy", "undof", "us"]
KNOWN_PARTIES = ["icrc", "il", "jo", "sy", "undof", "us"]

#: (method, path template, body); ``{x}`` is the donor's object or a random id.
REQUESTS = [
    ("GET", "/api/v1/parties/{party}/", None),
    ("GET", "/api/v1/delegations/{delegation}/", None),
    ("GET", "/api/v1/delegations/{delegation}/members/", None),
    ("PUT", "/api/v1/delegations/{delegation}/", {"names": {"en": "X"}, "active": True}),
    (
        "POST",
        "/api/v1/delegations/{delegation}/members/",
        {"username": "outsider", "role": "analyst"},
    ),
    ("POST", "/api/v1/memberships/{membership}/end/", None),
    ("POST", "/api/v1/delegations/", {"party": "{party}", "names": {"en": "X"}}),
]
MALFORMED_IDS = ["not-a-uuid", "1", "0" * 33, "12345678-1234-1234-1234-12345678901g", "' OR 1=1 --"]


def _send(client: Any, method: str, template: str, body: Any, values: dict[str, str]) -> Any:
    path = template.format(**values)
    if method == "GET":
        return client.get(path)
    if body is not None and body.get("party") == "{party}":
        body = {**body, "party": values["party"]}
    return getattr(client, method.lower())(path, body or {}, content_type="application/json")


@pytest.mark.parametrize("auth", AUTHS)
@pytest.mark.parametrize("username", UNINFORMED)
@pytest.mark.parametrize(("method", "template", "body"), REQUESTS, ids=lambda v: str(v))
def test_it_answers_for_a_hidden_donor_exactly_as_for_a_missing_object(
    method: str,
    template: str,
    body: Any,
    username: str,
    auth: str,
    api: Any,
    ids: dict[str, str],
    snapshot: Any,
) -> None:
    client = api(username, auth)
    hidden = {
        "party": "donor_a",
        "delegation": ids["donor_delegation"],
        "membership": ids["donor_membership"],
    }
    missing = {
        "party": f"p{uuid.uuid4().hex[:8]}",
        "delegation": str(uuid.uuid4()),
        "membership": str(uuid.uuid4()),
    }
    before = snapshot()
    for_hidden = _send(client, method, template, body, hidden)
    for_missing = _send(client, method, template, body, missing)
    assert (for_hidden.status_code, for_missing.status_code) == (404, 404)
    assert for_hidden.content == for_missing.content
    assert dict(for_hidden.headers) == dict(for_missing.headers)
    assert for_hidden.json() == NOT_FOUND
    assert snapshot() == before


@pytest.mark.parametrize("username", UNINFORMED)
def test_it_leaves_the_donor_out_of_the_lists(username: str, api: Any) -> None:
    client = api(username)
    parties = client.get("/api/v1/parties/").json()
    assert parties["count"] == len(KNOWN_PARTIES)
    assert [p["id"] for p in parties["results"]] == KNOWN_PARTIES
    delegations = results(client.get("/api/v1/delegations/"))
    assert [d["party"] for d in delegations] == KNOWN_PARTIES


@pytest.mark.parametrize("username", UNINFORMED)
def test_it_leaks_the_donor_through_no_read_endpoint(
    username: str, api: Any, ids: dict[str, str]
) -> None:
    client = api(username)
    for endpoint in READS:
        if endpoint.path.startswith(("/api/schema/", "/api/docs/")):
            continue  # the schema describes the API, not the cell's data
        content = call(client, endpoint, url(endpoint, ids)).content.decode()
        secrets = ("donor_a", "Donor A", ids["donor_delegation"], ids["donor_membership"])
        for secret in (*secrets, "donor_b", "Donor B (fictional)"):  # the demo's second donor
            assert secret not in content, (endpoint.id, secret)


@pytest.mark.parametrize("username", INFORMED)
def test_it_shows_the_donor_to_the_mediator_and_to_the_donor(
    username: str, api: Any, ids: dict[str, str]
) -> None:
    client = api(username)
    # The mediator knows every donor; a donor knows itself, not the demo's other donor.
    known = sorted([*ALL_PARTIES, "donor_b"]) if username == "mediator" else ALL_PARTIES
    parties = client.get("/api/v1/parties/").json()
    assert [p["id"] for p in parties["results"]] == known
    assert [d["party"] for d in results(client.get("/api/v1/delegations/"))] == known
    party = client.get("/api/v1/parties/donor_a/")
    assert party.status_code == 200
    assert party.json() == {
        "id": "donor_a",
        "kind": "donor",
        "name": "Donor A (fictional)",
        "names": {
            "en": "Donor A (fictional)",
            "ar": "الجهة المانحة أ (وهمية)",
            "he": "תורם א׳ (בדיוני)",
        },
        "fictional": True,
    }
    delegation = client.get(f"/api/v1/delegations/{ids['donor_delegation']}/")
    assert delegation.status_code == 200
    assert (delegation.json()["id"], delegation.json()["party"]) == (
        ids["donor_delegation"],
        "donor_a",
    )
    members = client.get(f"/api/v1/delegations/{ids['donor_delegation']}/members/")
    # The donor's own people read the name; the mediator only the call sign.
    name = "donor" if username == "donor" else None
    assert [(m["id"], m["username"], m["role"]) for m in results(members)] == [
        (ids["donor_membership"], name, "donor_representative")
    ]


@pytest.mark.parametrize("raw", MALFORMED_IDS)
@pytest.mark.parametrize(
    ("method", "template", "body"), [r for r in REQUESTS if "{party}" not in str(r)]
)
def test_it_answers_a_malformed_id_with_404_never_500(
    raw: str, method: str, template: str, body: Any, api: Any, snapshot: Any
) -> None:
    client = api("mediator")
    bad = quote(raw, safe="")
    before = snapshot()
    response = _send(
        client, method, template, body, {"delegation": bad, "membership": bad, "party": bad}
    )
    assert response.status_code == 404
    assert response.json() == NOT_FOUND
    assert snapshot() == before
