"""Officers are known outside their party by call sign alone (issue 11, point 15).

A donor, an observer, the mediator and the other party read pages, API answers and record
entries about a party's people; none of them may carry a real name or a user name of a
party they do not belong to. The party's own members read its directory with names.
Every role has a call sign (generated from the party's code, the role and a number),
which only the party's own administrators change, through a recorded service.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from coordcell.agreements.selectors import get_version
from coordcell.cases import hotline, lodging
from coordcell.cases.services import act
from coordcell.core.errors import NotFound, PermissionDenied, ValidationFailed
from coordcell.incidents.services import IncidentInput
from coordcell.parties.models import Delegation, Membership, Party
from coordcell.parties.services import create_person, end_membership
from coordcell.record.models import Entry

pytestmark = pytest.mark.django_db

IN_AOS = {"type": "Point", "coordinates": [35.82461, 33.12595]}


def _names_of(party: str) -> set[str]:
    """The real names of the party's people, and their user names that are not plain
    words a page could hold for another reason (``il.liaison``, not ``mediator``)."""
    names: set[str] = set()
    for m in Membership.objects.filter(delegation__party__code=party).select_related("user"):
        if m.user.full_name:
            names.add(m.user.full_name)
        if "." in m.user.username:
            names.add(m.user.username)
    return names


def _story(actor: Any) -> int:
    """People and case events of every kind, written now; returns the head before them."""
    head = Entry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    sy = Delegation.objects.filter(party__code="sy", active=True).order_by("created_at").first()
    assert sy is not None
    _user, membership = create_person(
        actor=actor("sy.admin"),
        delegation=sy,
        username="sy.duty",
        full_name="Duty Officer SY (fictional)",
        email="",
        role="liaison_officer",
    )
    end_membership(actor=actor("sy.admin"), membership=membership)
    who = actor("sy.liaison")
    activation = hotline.activate(
        actor=who,
        callee=Party.objects.get(code="il"),
        channel="message",
        subject_text="Smoke (fictional).",
        version=get_version(who, None, None),
    )
    case = lodging.report_and_lodge(
        actor=who,
        activation=activation,
        version=activation.version,
        incident=IncidentInput(
            kind="looting_destruction",
            title="Fire (fictional)",
            occurred_from=dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC),
            geometry=IN_AOS,
        ),
        respondent="il",
        summary="Fire (fictional).",
    )
    act(actor=actor("il.liaison"), case=case, action="answer", text="Answer (fictional).")
    act(
        actor=actor("mediator"),
        case=case,
        action="determine",
        text="Decided (fictional).",
        content={"outcome": "not_established"},
    )
    return head


def _pages(client: Any, head: int) -> str:
    """Everything a member reads of the cell's people: the delegations and their members
    (pages and API), the home page and the record entries written since ``head``."""
    parts = [client.get("/").content.decode(), client.get("/delegations/").content.decode()]
    for d in client.get("/api/v1/delegations/?page_size=100").json()["results"]:
        parts.append(client.get(f"/delegations/{d['id']}/").content.decode())
        parts.append(client.get(f"/api/v1/delegations/{d['id']}/members/").content.decode())
    parts.append(client.get(f"/api/v1/record/entries?after={head}&limit=1000").content.decode())
    for case in client.get("/api/v1/cases/?all=1").json()["results"]:
        parts.append(client.get(f"/cases/{case['id']}/").content.decode())
        parts.append(json.dumps(client.get(f"/api/v1/cases/{case['id']}/chain/").json()))
    return "\n".join(parts)


@pytest.mark.parametrize(
    ("reader", "own"),
    [("donor", "donor_a"), ("observer", "jo"), ("mediator", "us"), ("sy.liaison", "sy")],
)
def test_no_one_reads_the_names_of_another_partys_people(
    reader: str, own: str, actor: Any, client_for: Any
) -> None:
    head = _story(actor)
    seen = _pages(client_for(reader), head)
    others = set().union(*(_names_of(p.code) for p in Party.objects.exclude(code=own)))
    assert others
    leaked = sorted(name for name in others if name in seen)
    assert leaked == []
    assert "Duty Officer SY (fictional)" in seen or own != "sy"  # its own directory
    assert "SY LO-" in seen  # the call signs are there instead
    # The record's people events say the call sign (new entries), never who it is.
    for entry in Entry.objects.filter(seq__gt=head):
        text = entry.canonical
        assert not any(n in text for n in _names_of("sy") | _names_of("us") | _names_of("il"))


def test_the_api_gives_names_to_the_partys_own_members_only(client_for: Any, actor: Any) -> None:
    il = Delegation.objects.filter(party__code="il").order_by("created_at").first()
    assert il is not None
    url = f"/api/v1/delegations/{il.public_id}/members/"
    own = client_for("il.analyst").get(url).json()["results"]
    other = client_for("mediator").get(url).json()["results"]
    assert {m["username"] for m in own} >= {"il.liaison", "il.admin"}
    assert all(m["call_sign"].startswith("IL ") for m in own + other)
    assert [(m["username"], m["full_name"]) for m in other] == [(None, None)] * len(other)


def test_the_actor_of_an_entry_is_the_call_sign(actor: Any) -> None:
    case_head = Entry.objects.order_by("-seq").first()
    assert case_head is not None
    who = actor("sy.liaison")
    activation = hotline.activate(
        actor=who,
        callee=Party.objects.get(code="il"),
        channel="call",
        subject_text="x (fictional)",
        version=get_version(who, None, None),
    )
    entry = Entry.objects.order_by("-seq").first()
    assert entry is not None
    assert entry.data["activation"] == activation.reference
    membership = Membership.objects.get(user__username="sy.liaison", role="liaison_officer")
    assert entry.actor_name == membership.call_sign
    assert json.loads(entry.canonical)["actor"]["name"] == membership.call_sign


def test_only_the_partys_own_administrators_change_a_call_sign(actor: Any) -> None:
    from coordcell.parties.services import set_call_sign

    membership = Membership.objects.get(user__username="sy.liaison", role="liaison_officer")
    for username in ("mediator", "il.admin", "sy.liaison"):
        with pytest.raises((PermissionDenied, NotFound)):
            set_call_sign(actor=actor(username), membership=membership, call_sign="SY desk 9")
    other = Membership.objects.get(user__username="sy.analyst", role="analyst")
    for bad in ("", "   ", "x" * 41, "a<b", other.call_sign.lower()):
        with pytest.raises(ValidationFailed):
            set_call_sign(actor=actor("sy.admin"), membership=membership, call_sign=bad)
    old = membership.call_sign
    set_call_sign(actor=actor("sy.admin"), membership=membership, call_sign="SY desk 9")
    membership.refresh_from_db()
    assert membership.call_sign == "SY desk 9"
    entry = Entry.objects.order_by("-seq").first()
    assert entry is not None
    assert entry.event_type == "parties.call_sign_changed"
    assert entry.data == {"party": "sy", "role": "liaison_officer", "from": old, "to": "SY desk 9"}
    assert actor("sy.liaison").name == "SY desk 9"


def test_the_call_sign_page_and_api(client_for: Any, actor: Any) -> None:
    membership = Membership.objects.get(user__username="sy.analyst", role="analyst")
    page = f"/delegations/memberships/{membership.public_id}/call-sign/"
    assert client_for("mediator").get(page).status_code == 403
    assert client_for("sy.admin").get(page).status_code == 200
    assert client_for("sy.admin").post(page, {"call_sign": ""}).status_code == 400
    response = client_for("sy.admin").post(page, {"call_sign": "SY watch 1"})
    assert response.status_code == 302
    api = f"/api/v1/memberships/{membership.public_id}/call-sign/"
    refused = client_for("mediator").post(
        api, {"call_sign": "SY x"}, content_type="application/json"
    )
    assert refused.status_code == 403
    done = client_for("sy.admin").post(
        api, {"call_sign": "SY watch 2"}, content_type="application/json"
    )
    assert (done.status_code, done.json()["call_sign"]) == (200, "SY watch 2")
    membership.refresh_from_db()
    assert membership.call_sign == "SY watch 2"
