"""Only a party's own administrators add people to its delegation — the mediator's too.

The security test of issue 11 reproduced it: the mediator's cell administrator created an
account inside Syria's delegation and then, signed in as that account, read Syria's
private incidents. Each door (the page, the API, the service) now refuses, and nothing is
written: no account, no membership, no record entry.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from coordcell.accounts.models import User
from coordcell.accounts.services import create_api_token
from coordcell.core.errors import PermissionDenied
from coordcell.parties.models import Delegation, Membership
from coordcell.parties.services import add_member, create_delegation, create_person
from coordcell.record.models import Entry

pytestmark = pytest.mark.django_db

NOT_ALLOWED = {
    "error": {"code": "permission_denied", "message": "You do not have permission to do this."}
}


@pytest.fixture
def api(client_for: Any, actor: Any) -> Any:
    """``api("mediator", "token")``: a client by bearer token, or by session."""

    def make(username: str, auth: str) -> Client:
        if auth == "session":
            return client_for(username)
        _, clear = create_api_token(actor=actor(username), name="tests")
        return Client(headers={"Authorization": f"Bearer {clear}"})

    return make


def _state() -> tuple[Any, ...]:
    return (
        Entry.objects.count(),
        list(User.objects.order_by("pk").values_list("pk", "username")),
        list(Membership.objects.order_by("pk").values_list("pk", "user_id", "role", "active")),
        list(Delegation.objects.order_by("pk").values_list("pk", "names", "active")),
    )


def _syria() -> Delegation:
    return Delegation.objects.get(party__code="sy")


def test_it_refuses_the_mediators_administrator_a_new_account_in_syrias_delegation_on_the_page(
    client_for: Any,
) -> None:
    before = _state()
    response = client_for("mediator").post(
        f"/delegations/{_syria().public_id}/people/new/",
        {"username": "sy.plant", "full_name": "Planted (fictional)", "role": "analyst"},
    )
    assert response.status_code == 403
    assert _state() == before
    assert not User.objects.filter(username="sy.plant").exists()


@pytest.mark.parametrize("auth", ["session", "token"])
def test_it_refuses_the_mediators_administrator_a_member_of_syrias_delegation_in_the_api(
    api: Any, auth: str
) -> None:
    User.objects.create_user(username="us.plant", password="a-long-test-password-1")
    client = api("mediator", auth)
    before = _state()
    response = client.post(
        f"/api/v1/delegations/{_syria().public_id}/members/",
        {"username": "us.plant", "role": "analyst"},
        content_type="application/json",
    )
    assert (response.status_code, response.json()) == (403, NOT_ALLOWED)
    assert _state() == before


@pytest.mark.parametrize("auth", ["session", "token"])
def test_it_refuses_the_mediators_administrator_a_delegation_of_syria_in_the_api(
    api: Any, auth: str
) -> None:
    client = api("mediator", auth)
    before = _state()
    response = client.post(
        "/api/v1/delegations/",
        {"party": "sy", "names": {"en": "Planted delegation"}},
        content_type="application/json",
    )
    assert (response.status_code, response.json()) == (403, NOT_ALLOWED)
    assert _state() == before


@pytest.mark.parametrize("auth", ["session", "token"])
def test_it_refuses_the_mediators_administrator_closing_syrias_delegation_in_the_api(
    api: Any, auth: str
) -> None:
    syria = _syria()
    client = api("mediator", auth)
    before = _state()
    response = client.put(
        f"/api/v1/delegations/{syria.public_id}/",
        {"names": syria.names, "active": False},
        content_type="application/json",
    )
    assert (response.status_code, response.json()) == (403, NOT_ALLOWED)
    assert _state() == before


def test_the_services_refuse_the_mediators_administrator_in_another_partys_delegation(
    actor: Any,
) -> None:
    mediator = actor("mediator")
    outsider = User.objects.get(username="outsider")
    before = _state()
    with pytest.raises(PermissionDenied):
        create_person(
            actor=mediator,
            delegation=_syria(),
            username="sy.plant",
            full_name="",
            email="",
            role="analyst",
        )
    with pytest.raises(PermissionDenied):
        add_member(actor=mediator, delegation=_syria(), user=outsider, role="analyst")
    with pytest.raises(PermissionDenied):
        create_delegation(actor=mediator, party=_syria().party, names={"en": "Planted"})
    assert _state() == before


def test_the_mediators_administrator_still_manages_the_mediators_own_delegations(
    client_for: Any,
) -> None:
    us = Delegation.objects.get(party__code="us")
    response = client_for("mediator").post(
        f"/delegations/{us.public_id}/people/new/",
        {"username": "us.secretary", "full_name": "Secretary (fictional)", "role": "analyst"},
    )
    assert response.status_code == 200
    assert Membership.objects.get(user__username="us.secretary").delegation == us
