"""A new person's account: created by an administrator, password set by the person."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.test import Client

from coordcell.accounts.models import User
from coordcell.parties.services import create_person
from coordcell.record.models import Entry
from tests.integration.ui.conftest import last_entry

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "correct-horse-battery-77"


def _create(client: Client, delegation: Any, username: str = "il.newcomer") -> tuple[Any, str]:
    response = client.post(
        f"/delegations/{delegation.public_id}/people/new/",
        {
            "username": username,
            "full_name": "Newcomer (fictional)",
            "email": "newcomer@example.org",
            "role": "liaison_officer",
        },
    )
    body = html.unescape(response.content.decode())
    match = re.search(
        r'<p class="secret"[^>]*>(http://testserver(/accounts/setup/[^<]+))</p>', body
    )
    assert match is not None, body
    return response, match.group(2)


@pytest.mark.parametrize(("persona", "code"), [("il.admin", "il"), ("sy.admin", "sy")])
def test_it_creates_a_person_and_shows_the_setup_link_once(
    client_for: Any, delegation: Any, persona: str, code: str
) -> None:
    client = client_for(persona)
    head = last_entry().seq
    response, _link = _create(client, delegation(code), f"{code}.newcomer")
    assert response.status_code == 200
    user = User.objects.get(username=f"{code}.newcomer")
    assert (user.full_name, user.email, user.has_usable_password()) == (
        "Newcomer (fictional)",
        "newcomer@example.org",
        False,
    )
    assert user.memberships.get().role == "liaison_officer"
    entries = list(Entry.objects.filter(seq__gt=head).order_by("seq"))
    assert [(e.event_type, e.party_code, e.audience_codes) for e in entries] == [
        ("accounts.user_created", code, ["*"]),
        ("parties.member_added", code, ["*"]),
    ]
    again = client.get(f"/delegations/{delegation(code).public_id}/").content.decode()
    assert "/accounts/setup/" not in again
    assert f"{code}.newcomer" in again


def test_it_records_a_donor_person_only_for_the_donor_and_the_mediator(
    console: Any, delegation: Any
) -> None:
    # The donor's own administrators (here the console) add its people, not the mediator.
    head = last_entry().seq
    create_person(
        actor=console,
        delegation=delegation("donor_a"),
        username="donor.newcomer",
        full_name="Newcomer (fictional)",
        email="",
        role="donor_representative",
    )
    entries = list(Entry.objects.filter(seq__gt=head).order_by("seq"))
    assert [(e.event_type, e.audience_codes) for e in entries] == [
        ("accounts.user_created", ["donor_a", "us"]),
        ("parties.member_added", ["donor_a", "us"]),
    ]


def test_it_lets_the_person_set_their_password_once_and_sign_in(
    client_for: Any, delegation: Any
) -> None:
    _response, link = _create(client_for("il.admin"), delegation("il"))
    person = Client()
    landing = person.get(link)
    assert landing.status_code == 302
    form_url = landing["Location"]
    assert form_url.endswith("/set-password/")
    form = person.get(form_url)
    assert form.status_code == 200
    assert "Set your password" in form.content.decode()
    mismatch = person.post(
        form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD + "x"}
    )
    assert mismatch.status_code == 200
    assert "didn’t match" in html.unescape(mismatch.content.decode())
    done = person.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert done["Location"] == "/accounts/login/"
    assert Client().login(username="il.newcomer", password=NEW_PASSWORD)
    reused = Client().get(link, follow=True)
    assert "This link is not valid" in reused.content.decode()


def test_it_refuses_a_tampered_setup_link(client_for: Any, delegation: Any) -> None:
    _response, link = _create(client_for("il.admin"), delegation("il"))
    tampered = link.rstrip("/")[:-3] + "abc/"
    response = Client().get(tampered, follow=True)
    assert "This link is not valid" in response.content.decode()
    assert not User.objects.get(username="il.newcomer").has_usable_password()
