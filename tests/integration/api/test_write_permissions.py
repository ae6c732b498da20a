"""Who may change delegations and memberships: the party's own cell administrators, not
the mediator's. Every denial leaves the record and the rows exactly as they were."""

from __future__ import annotations

from typing import Any

import pytest

from coordcell.parties.models import Delegation, Membership
from coordcell.record.models import Entry
from tests.integration.api.conftest import AUTHS, NOT_ALLOWED, NOT_FOUND

pytestmark = pytest.mark.django_db

OK = "ok"

#: (persona, party whose delegation is the target, outcome).
MATRIX = [
    ("il.liaison", "il", 403),  # same party, no administrator role
    ("il.analyst", "il", 403),  # same party, no administrator role
    ("sy.liaison", "il", 403),  # other party, no role
    ("sy.admin", "il", 403),  # other party, with the role
    ("monitor", "il", 403),
    ("observer", "il", 403),
    ("donor", "il", 403),
    ("donor", "donor_a", 403),  # own (confidential) party, no administrator role
    ("il.admin", "sy", 403),
    ("il.admin", "donor_a", 404),  # a confidential donor: not even there
    ("sy.liaison", "donor_a", 404),
    ("mediator", "il", 403),  # the mediator sees every delegation, manages only its own
    ("mediator", "sy", 403),
    ("mediator", "donor_a", 403),
    ("il.admin", "il", OK),
    ("sy.admin", "sy", OK),
]
ANALYST = {"il": "il.analyst", "sy": "sy.analyst", "donor_a": "donor"}
RENAMED = {"en": "Renamed delegation", "ar": "وفد معاد تسميته"}
NAMES = {"en": "Second delegation", "he": "משלחת שנייה"}


def _delegation(party: str) -> Delegation:
    return Delegation.objects.get(party__code=party)


def _membership(party: str) -> Membership:
    return Membership.objects.get(user__username=ANALYST[party], active=True)


def _post(client: Any, path: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(path, body or {}, content_type="application/json")


def _denied(response: Any, outcome: int) -> None:
    assert response.status_code == outcome
    assert response.json() == (NOT_ALLOWED if outcome == 403 else NOT_FOUND)


def _recorded(before: int, event_type: str, username: str) -> None:
    assert Entry.objects.count() == before + 1
    entry = Entry.objects.order_by("-seq").first()
    assert entry is not None
    assert entry.event_type == event_type
    assert entry.actor_user is not None
    assert entry.actor_user.username == username


@pytest.mark.parametrize("auth", AUTHS)
@pytest.mark.parametrize(("username", "party", "outcome"), MATRIX)
def test_it_lets_only_administrators_create_a_delegation(
    username: str, party: str, outcome: Any, auth: str, api: Any, snapshot: Any
) -> None:
    client = api(username, auth)
    before = snapshot()
    response = _post(client, "/api/v1/delegations/", {"party": party, "names": NAMES})
    if outcome != OK:
        _denied(response, outcome)
        assert snapshot() == before
        return
    assert response.status_code == 201
    body = response.json()
    assert (body["party"], body["name"], body["names"]) == (party, NAMES["en"], NAMES)
    assert (body["active"], body["fictional"]) == (True, False)
    created = Delegation.objects.get(public_id=body["id"])
    assert (created.party.code, created.names) == (party, NAMES)
    _recorded(before["entries"], "parties.delegation_created", username)


@pytest.mark.parametrize("auth", AUTHS)
@pytest.mark.parametrize(("username", "party", "outcome"), MATRIX)
def test_it_lets_only_administrators_update_a_delegation(
    username: str, party: str, outcome: Any, auth: str, api: Any, snapshot: Any
) -> None:
    client = api(username, auth)
    delegation = _delegation(party)
    before = snapshot()
    response = client.put(
        f"/api/v1/delegations/{delegation.public_id}/",
        {"names": RENAMED, "active": True},
        content_type="application/json",
    )
    if outcome != OK:
        _denied(response, outcome)
        assert snapshot() == before
        return
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["party"]) == (str(delegation.public_id), party)
    assert (body["names"], body["active"]) == (RENAMED, True)
    delegation.refresh_from_db()
    assert (delegation.names, delegation.active) == (RENAMED, True)
    _recorded(before["entries"], "parties.delegation_updated", username)


@pytest.mark.parametrize("auth", AUTHS)
@pytest.mark.parametrize(("username", "party", "outcome"), MATRIX)
def test_it_lets_only_administrators_add_a_member(
    username: str, party: str, outcome: Any, auth: str, api: Any, snapshot: Any, newcomer: Any
) -> None:
    client = api(username, auth)
    delegation = _delegation(party)
    before = snapshot()
    response = _post(
        client,
        f"/api/v1/delegations/{delegation.public_id}/members/",
        {"username": "newcomer", "role": "analyst"},
    )
    if outcome != OK:
        _denied(response, outcome)
        assert snapshot() == before
        return
    assert response.status_code == 201
    body = response.json()
    assert (body["delegation"], body["username"]) == (str(delegation.public_id), "newcomer")
    assert (body["role"], body["active"], body["ended_at"]) == ("analyst", True, None)
    added = Membership.objects.get(public_id=body["id"])
    assert (added.user, added.delegation, added.role) == (newcomer, delegation, "analyst")
    _recorded(before["entries"], "parties.member_added", username)


@pytest.mark.parametrize("auth", AUTHS)
@pytest.mark.parametrize(("username", "party", "outcome"), MATRIX)
def test_it_lets_only_administrators_end_a_membership(
    username: str, party: str, outcome: Any, auth: str, api: Any, snapshot: Any
) -> None:
    client = api(username, auth)
    membership = _membership(party)
    before = snapshot()
    response = _post(client, f"/api/v1/memberships/{membership.public_id}/end/")
    if outcome != OK:
        _denied(response, outcome)
        assert snapshot() == before
        return
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["username"]) == (str(membership.public_id), ANALYST[party])
    assert body["active"] is False
    membership.refresh_from_db()
    assert membership.active is False
    assert body["ended_at"] == membership.ended_at.isoformat().replace("+00:00", "Z")
    _recorded(before["entries"], "parties.membership_ended", username)


@pytest.mark.parametrize("auth", AUTHS)
@pytest.mark.parametrize("username", ["il.liaison", "sy.admin", "monitor"])
def test_it_refuses_a_non_administrator_before_looking_up_the_user_name(
    username: str, auth: str, api: Any, snapshot: Any
) -> None:
    # A missing account and an existing one must get the same refusal, or anyone who
    # sees the delegation could enumerate the cell's user names.
    client = api(username, auth)
    path = f"/api/v1/delegations/{_delegation('il').public_id}/members/"
    before = snapshot()
    missing = _post(client, path, {"username": "no-such-person", "role": "analyst"})
    existing = _post(client, path, {"username": "outsider", "role": "analyst"})
    invalid = _post(client, path, {"username": "outsider", "role": "king"})
    assert (missing.status_code, existing.status_code, invalid.status_code) == (403, 403, 403)
    assert missing.content == existing.content == invalid.content
    assert missing.json() == NOT_ALLOWED
    assert snapshot() == before
