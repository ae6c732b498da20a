"""Fixtures for the API tests: clients by persona (session or bearer token), the ids
of the demo's delegations and memberships, and a snapshot of the state a denied
request must leave untouched."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from coordcell.accounts.models import User
from coordcell.cases.models import Activation, Case
from coordcell.incidents.models import Evidence, Incident
from coordcell.parties.models import Delegation, Membership
from coordcell.record.models import Checkpoint, Entry, Witness
from tests.conftest import shared_handler
from tests.rows import Rows

#: Every persona that belongs to the cell (``outsider`` has no membership).
MEMBERS = [
    "mediator",
    "il.liaison",
    "il.analyst",
    "il.admin",
    "sy.liaison",
    "sy.analyst",
    "sy.admin",
    "monitor",
    "donor",
    "observer",
]
AUTHS = ["session", "token"]

UNAUTHENTICATED = {
    "error": {
        "code": "not_authenticated",
        "message": "Authentication credentials were not provided.",
    }
}
NOT_A_MEMBER = {
    "error": {
        "code": "permission_denied",
        "message": "You do not have permission to perform this action.",
    }
}
NOT_ALLOWED = {
    "error": {"code": "permission_denied", "message": "You do not have permission to do this."}
}
NOT_FOUND = {"error": {"code": "not_found", "message": "Not found."}}

#: The envelope of every list (``core.rest.Pagination``), and an empty one.
ENVELOPE = ["count", "next", "previous", "results"]
EMPTY_PAGE = {"count": 0, "next": None, "previous": None, "results": []}


def results(response: Any) -> list[Any]:
    """The rows of a list that fits on one page, once its envelope is checked."""
    assert response.status_code == 200
    body = response.json()
    assert sorted(body) == ENVELOPE
    assert (body["next"], body["previous"]) == (None, None)
    assert body["count"] == len(body["results"])
    rows: list[Any] = body["results"]
    return rows


@pytest.fixture
def api(client_for: Any, tokens: dict[str, str]) -> Any:
    """``api("il.admin", "token")``: a client for the persona, authenticated by the
    persona's bearer token (``"token"``, made once per session with the personas) or by a
    logged-in session (``"session"``)."""

    def make(username: str | None, auth: str = "session") -> Client:
        if auth == "session" or username is None:
            return client_for(username)
        return shared_handler(Client(headers={"Authorization": f"Bearer {tokens[username]}"}))

    return make


@pytest.fixture(scope="session")
def session_ids(django_db_setup: Any, django_db_blocker: Any) -> dict[str, str]:
    """The public ids of ``ids``, read once: the objects are made with the personas and
    every test rolls back, so they are the same for every test of the session."""
    with django_db_blocker.unblock():
        return _demo_ids()


@pytest.fixture
def ids(db: Any, session_ids: dict[str, str]) -> dict[str, str]:
    """Public ids of the demo's objects that the tests address."""
    return dict(session_ids)


def _demo_ids() -> dict[str, str]:
    def delegation(party: str) -> str:
        return str(Delegation.objects.get(party__code=party).public_id)

    def membership(username: str) -> str:
        return str(Membership.objects.get(user__username=username, active=True).public_id)

    return {
        "incident": str(Incident.objects.order_by("pk").values_list("public_id", flat=True)[0]),
        "evidence": Evidence.objects.order_by("pk").values_list("copy_sha256", flat=True)[0],
        "evidence_original": Evidence.objects.order_by("pk").values_list("sha256", flat=True)[0],
        "activation": str(Activation.objects.order_by("pk").values_list("public_id", flat=True)[0]),
        "case": str(Case.objects.order_by("pk").values_list("public_id", flat=True)[0]),
        "il_witness": str(Witness.objects.get(party__code="il").public_id),
        "checkpoint_size": str(
            Checkpoint.objects.order_by("-size").values_list("size", flat=True)[0]
        ),
        **_verification_ids(),
        "il_delegation": delegation("il"),
        "sy_delegation": delegation("sy"),
        "donor_delegation": delegation("donor_a"),
        "il_membership": membership("il.analyst"),
        "sy_membership": membership("sy.analyst"),
        "donor_membership": membership("donor"),
    }


def _verification_ids() -> dict[str, str]:
    from coordcell.verification.models import (
        AccessDenial,
        Extension,
        InspectionReport,
        InspectionRequest,
        WithdrawalStep,
    )

    def first(model: Any) -> str:
        return str(model.objects.order_by("pk").values_list("public_id", flat=True)[0])

    return {
        "withdrawal_step": first(WithdrawalStep),
        "extension": first(Extension),
        "inspection_request": first(InspectionRequest),
        "inspection_report": first(InspectionReport),
        "access_denial": first(AccessDenial),
    }


#: The record (its length and last entry) and every delegation, membership and account:
#: what a write endpoint could change (``tests/rows.py``: the SQL compiled once).
_SNAPSHOT = Rows(
    Entry,
    Entry.objects.order_by("-seq").values_list("seq", "hash")[:1],
    Delegation.objects.order_by("pk").values(
        "pk", "public_id", "party_id", "names", "active", "fictional"
    ),
    Membership.objects.order_by("pk").values(
        "pk", "public_id", "user_id", "delegation_id", "role", "active", "ended_at"
    ),
    User.objects.order_by("pk").values_list("pk", "username", "is_active"),
)


@pytest.fixture
def snapshot(db: Any) -> Any:
    """``snapshot()`` captures the record and the rows a write endpoint could change."""

    def take() -> dict[str, Any]:
        entries, last, delegations, memberships, users = _SNAPSHOT()
        return {
            "entries": entries,
            "last_entry": last[0] if last else None,
            "delegations": delegations,
            "memberships": memberships,
            "users": users,
        }

    return take


@pytest.fixture
def newcomer(db: Any) -> User:
    """An active account with no membership yet, to be added to a delegation."""
    return User.objects.create_user(username="newcomer", password="newcomer-password-123")
