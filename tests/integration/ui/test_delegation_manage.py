"""Managing delegations from their pages: what each action writes, and what bad input shows."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest

from coordcell.accounts.models import User
from coordcell.parties.models import Delegation, Membership, Party
from coordcell.parties.services import create_delegation, end_membership, update_delegation
from coordcell.record.models import Entry
from tests.integration.ui.conftest import last_entry, snapshot

pytestmark = pytest.mark.django_db


def _text(response: Any) -> str:
    return html.unescape(response.content.decode())


def _new_entries(since: int) -> list[Entry]:
    return list(Entry.objects.filter(seq__gt=since).order_by("seq"))


def _head() -> int:
    return last_entry().seq


# Happy paths ----------------------------------------------------------------------


def test_it_creates_a_delegation_and_records_it_for_everyone(client_for: Any) -> None:
    head = _head()
    response = client_for("il.admin").post(
        "/delegations/new/",
        {"party": "il", "name_en": "Hotline desk", "name_ar": "مكتب الخط الساخن", "name_he": ""},
    )
    created = Delegation.objects.get(names__en="Hotline desk")
    assert response.status_code == 302
    assert response["Location"] == f"/delegations/{created.public_id}/"
    assert created.party.code == "il"
    assert created.names == {"en": "Hotline desk", "ar": "مكتب الخط الساخن"}
    assert (created.active, created.fictional) == (True, False)
    [entry] = _new_entries(head)
    assert entry.event_type == "parties.delegation_created"
    assert (entry.party_code, entry.audience_codes) == ("il", ["*"])
    assert entry.subjects == [
        {"type": "parties.delegation", "id": str(created.public_id), "label": "Hotline desk"}
    ]


def test_it_records_a_donor_delegation_only_for_the_donor_and_the_mediator(
    console: Any,
) -> None:
    # Nobody but the donor's own administrators (or the console) sets up its delegations.
    head = _head()
    donor = Party.objects.get(code="donor_a")
    created = create_delegation(
        actor=console, party=donor, names={"en": "Donor A desk"}, fictional=True
    )
    assert created.fictional is True
    [entry] = _new_entries(head)
    assert entry.event_type == "parties.delegation_created"
    assert entry.audience_codes == ["donor_a", "us"]


def test_it_renames_a_delegation(client_for: Any, delegation: Any) -> None:
    il = delegation("il")
    head = _head()
    response = client_for("il.admin").post(
        f"/delegations/{il.public_id}/rename/",
        {"name_en": "Israel delegation to the cell", "name_ar": "وفد إسرائيل", "name_he": ""},
    )
    assert response.status_code == 302
    il.refresh_from_db()
    assert il.names == {"en": "Israel delegation to the cell", "ar": "وفد إسرائيل"}
    [entry] = _new_entries(head)
    assert entry.event_type == "parties.delegation_updated"
    assert entry.data["names"] == il.names
    assert entry.data["active"] is True


def test_it_closes_and_reopens_a_delegation(client_for: Any, console: Any) -> None:
    desk = create_delegation(
        actor=console, party=Party.objects.get(code="sy"), names={"en": "Hotline desk"}
    )
    client = client_for("sy.admin")
    head = _head()
    assert client.post(f"/delegations/{desk.public_id}/close/").status_code == 302
    desk.refresh_from_db()
    assert desk.active is False
    assert client.post(f"/delegations/{desk.public_id}/reopen/").status_code == 302
    desk.refresh_from_db()
    assert desk.active is True
    entries = _new_entries(head)
    assert [(e.event_type, e.data["active"], e.party_code) for e in entries] == [
        ("parties.delegation_updated", False, "sy"),
        ("parties.delegation_updated", True, "sy"),
    ]


def test_it_adds_an_existing_person_with_a_role(client_for: Any, delegation: Any) -> None:
    sy = delegation("sy")
    head = _head()
    response = client_for("sy.admin").post(
        f"/delegations/{sy.public_id}/members/add/", {"username": "Outsider", "role": "analyst"}
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user__username="outsider")
    assert (membership.delegation, membership.role, membership.active) == (sy, "analyst", True)
    [entry] = _new_entries(head)
    assert entry.event_type == "parties.member_added"
    assert entry.data == {"party": "sy", "call_sign": membership.call_sign, "role": "analyst"}
    assert membership.call_sign == "SY AN-2"  # generated: party, duty position, number
    assert entry.audience_codes == ["*"]


def test_it_ends_a_membership_after_confirmation(
    client_for: Any, membership: Any, delegation: Any
) -> None:
    target = membership("il.analyst")
    client = client_for("il.admin")
    confirm = client.get(f"/delegations/memberships/{target.public_id}/end/")
    assert confirm.status_code == 200
    assert "End the role of Exercise Analyst IL (fictional) (il.analyst) as Analyst" in _text(
        confirm
    )
    head = _head()
    response = client.post(f"/delegations/memberships/{target.public_id}/end/")
    assert response.status_code == 302
    assert response["Location"] == f"/delegations/{delegation('il').public_id}/"
    target.refresh_from_db()
    assert target.active is False
    assert target.ended_at is not None
    [entry] = _new_entries(head)
    assert entry.event_type == "parties.membership_ended"
    assert entry.data == {"party": "il", "call_sign": target.call_sign, "role": "analyst"}


def test_it_shows_names_in_three_languages_and_the_members(
    client_for: Any, delegation: Any
) -> None:
    body = _text(client_for("il.analyst").get(f"/delegations/{delegation('il').public_id}/"))
    assert '<dd lang="ar" dir="rtl">وفد إسرائيل</dd>' in body
    assert '<dd lang="he" dir="rtl">משלחת ישראל</dd>' in body
    # The party's own people read its directory: call signs, user names, real names.
    for text in ("IL LO-1", "il.liaison", "Exercise Liaison IL (fictional)", "Liaison officer"):
        assert text in body


# Bad input ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name_en": ""}, "This field is required."),
        ({"name_en": "   "}, "This field is required."),
        ({"name_en": "x" * 201}, "Ensure this value has at most 200 characters (it has 201)."),
        (
            {"name_en": "Fine", "name_he": "x" * 201},
            "Ensure this value has at most 200 characters (it has 201).",
        ),
    ],
)
def test_it_shows_invalid_names_on_the_form_and_changes_nothing(
    client_for: Any, delegation: Any, data: dict[str, str], message: str
) -> None:
    il = delegation("il")
    before = snapshot()
    response = client_for("il.admin").post(f"/delegations/{il.public_id}/rename/", data)
    assert response.status_code == 400
    assert message in _text(response)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"party": "il", "name_en": ""}, "This field is required."),
        (
            {"party": "il", "name_en": "x" * 201},
            "Ensure this value has at most 200 characters (it has 201).",
        ),
    ],
)
def test_it_shows_an_invalid_new_delegation_on_the_form(
    client_for: Any, data: dict[str, str], message: str
) -> None:
    before = snapshot()
    response = client_for("il.admin").post("/delegations/new/", data)
    assert response.status_code == 400
    assert message in _text(response)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"username": "il.liaison", "role": "liaison_officer"}, "already has this role here"),
        (
            {"username": "sy.liaison", "role": "analyst"},
            "This person already belongs to another party's delegation.",
        ),
        ({"username": "nobody.here", "role": "analyst"}, "No active account has this user name."),
        ({"username": "outsider", "role": "overlord"}, "Select a valid choice."),
        ({"username": "", "role": "analyst"}, "This field is required."),
    ],
)
def test_it_shows_why_a_person_cannot_be_added(
    client_for: Any, delegation: Any, data: dict[str, str], message: str
) -> None:
    before = snapshot()
    response = client_for("il.admin").post(
        f"/delegations/{delegation('il').public_id}/members/add/", data
    )
    assert response.status_code == 400
    assert message in _text(response)
    assert snapshot() == before


def test_it_refuses_to_add_people_to_a_closed_delegation(
    client_for: Any, delegation: Any, console: Any
) -> None:
    desk = create_delegation(
        actor=console, party=Party.objects.get(code="il"), names={"en": "Hotline desk"}
    )
    update_delegation(actor=console, delegation=desk, names=desk.names, active=False)
    before = snapshot()
    response = client_for("il.admin").post(
        f"/delegations/{desk.public_id}/members/add/", {"username": "outsider", "role": "analyst"}
    )
    assert response.status_code == 400
    assert "This delegation is closed." in _text(response)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"username": "il.liaison"}, "This user name is taken."),
        ({"username": "IL.LIAISON"}, "This user name is taken."),
        ({"username": "new.person", "role": "overlord"}, "Select a valid choice."),
        ({"username": "new.person", "email": "not-an-address"}, "Enter a valid email address."),
        ({"username": "x" * 151}, "Ensure this value has at most 150 characters"),
        ({"username": "new.person", "full_name": "x" * 201}, "at most 200 characters"),
    ],
)
def test_it_shows_why_an_account_cannot_be_created(
    client_for: Any, delegation: Any, data: dict[str, str], message: str
) -> None:
    form = {"username": "", "full_name": "New Person (fictional)", "email": "", "role": "analyst"}
    before = snapshot()
    response = client_for("il.admin").post(
        f"/delegations/{delegation('il').public_id}/people/new/", {**form, **data}
    )
    assert response.status_code == 400
    assert message in _text(response)
    assert "/accounts/setup/" not in _text(response)
    assert snapshot() == before
    assert not User.objects.filter(username="new.person").exists()


def test_it_refuses_to_end_a_membership_twice(
    client_for: Any, membership: Any, console: Any
) -> None:
    target = membership("sy.analyst")
    end_membership(actor=console, membership=target)
    before = snapshot()
    response = client_for("sy.admin").post(f"/delegations/memberships/{target.public_id}/end/")
    assert response.status_code == 400
    assert "This membership has already ended." in _text(response)
    assert snapshot() == before


def test_it_shows_no_end_action_for_an_ended_membership(
    client_for: Any, membership: Any, console: Any
) -> None:
    target = membership("sy.analyst")
    end_membership(actor=console, membership=target)
    body = _text(client_for("sy.admin").get(f"/delegations/{target.delegation.public_id}/"))
    assert f"/memberships/{target.public_id}/end/" not in body
    assert re.search(r"sy\.analyst</td>.*?ended", body, re.S)
