"""The page a first administrator's invitation link opens (``coordcell cell init``).

The person chooses a user name and password and, when the cell requires a second factor,
proves the TOTP code they scanned; the account is made with all of it at once, or not at
all. A used, expired, replaced or unknown link shows a page that says so, never a form
and never a server error.
"""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.test import Client, override_settings
from django.utils import timezone

from coordcell.accounts.models import User
from coordcell.core.actor import Actor
from coordcell.parties.models import Invitation
from coordcell.parties.services import init_cell
from coordcell.record.models import Entry
from tests.integration.ui.conftest import snapshot

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-77"
FORM = {
    "username": "jo.admin",
    "full_name": "Administrator JO (fictional)",
    "password1": PASSWORD,
    "password2": PASSWORD,
}


def _text(response: Any) -> str:
    return html.unescape(response.content.decode())


def _state() -> tuple[Any, ...]:
    return (
        *snapshot(),
        list(Invitation.objects.order_by("pk").values_list("pk", "used_at", "user_id")),
        Authenticator.objects.count(),
    )


@pytest.fixture
def invite(console: Any) -> Any:
    """``invite("jo")`` → the path of a fresh invitation for that party's first administrator."""

    def make(code: str) -> str:
        [setup] = init_cell(actor=console, party_codes=[code], reissue=[code])
        return f"/accounts/invitation/{setup.token}/"

    return make


def _code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(timezone.now().timestamp()) // 30))


def _secret(page: Any) -> str:
    match = re.search(r'id="authenticator_secret" type="text" value="([A-Z2-7]+)"', _text(page))
    assert match is not None
    return match.group(1)


def test_it_creates_the_first_administrator_and_the_link_then_works_no_more(invite: Any) -> None:
    link = invite("jo")
    client = Client()
    page = client.get(link)
    assert page.status_code == 200
    body = _text(page)
    assert "First cell administrator of Jordan" in body
    assert "Jordan (host country) observers" in body  # the delegation the demo gave Jordan
    assert 'name="code"' not in body  # the suite runs without the second-factor rule
    head = Entry.objects.order_by("-seq").values_list("seq", flat=True).first()

    done = client.post(link, FORM)
    assert done.status_code == 302
    assert done["Location"] == "/accounts/login/"
    user = User.objects.get(username="jo.admin")
    assert (user.full_name, user.check_password(PASSWORD)) == (FORM["full_name"], True)
    actor = Actor.from_user(user)
    assert (actor.party_code, actor.roles) == ("jo", frozenset({"cell_administrator"}))
    invitation = Invitation.objects.get(party__code="jo", revoked_at__isnull=True)
    assert invitation.user == user
    assert invitation.used_at is not None
    [entry] = Entry.objects.filter(seq__gt=head)
    assert (entry.event_type, entry.audience_codes, entry.party_code) == (
        "parties.invitation_accepted",
        ["*"],
        "jo",
    )
    assert entry.actor_user == user
    # The record says the call sign, never the user name or the full name.
    assert entry.data == {
        "party": "jo",
        "call_sign": user.memberships.get().call_sign,
        "role": "cell_administrator",
    }
    assert entry.actor_name == user.memberships.get().call_sign
    assert "is ready" in _text(client.get("/accounts/login/"))

    before = _state()
    again = Client().post(link, {**FORM, "username": "jo.second"})
    assert again.status_code == 410
    assert "It has been used already" in _text(again)
    assert Client().get(link).status_code == 410
    assert _state() == before


def test_the_new_administrator_adds_people_to_their_own_delegation_only(
    invite: Any, delegation: Any
) -> None:
    Client().post(invite("jo"), FORM)
    admin = Client()
    admin.force_login(User.objects.get(username="jo.admin"))
    jordan = delegation("jo")
    created = admin.post(
        f"/delegations/{jordan.public_id}/people/new/",
        {"username": "jo.observer2", "full_name": "Observer (fictional)", "role": "observer"},
    )
    assert created.status_code == 200
    assert User.objects.get(username="jo.observer2").memberships.get().delegation == jordan
    refused = admin.post(
        f"/delegations/{delegation('il').public_id}/people/new/",
        {"username": "il.plant", "full_name": "", "role": "analyst"},
    )
    assert refused.status_code == 403
    assert not User.objects.filter(username="il.plant").exists()


@override_settings(REQUIRE_MFA=True)
def test_with_the_second_factor_rule_the_account_is_made_with_its_totp(invite: Any) -> None:
    link = invite("undof")
    client = Client()
    page = client.get(link)
    assert page.status_code == 200
    assert 'src="data:image/svg+xml;base64,' in _text(page)
    secret = _secret(page)
    assert _secret(client.get(link)) == secret  # the same code until the account is made

    before = _state()
    wrong = client.post(link, {**FORM, "username": "undof.admin", "code": "000000"})
    assert wrong.status_code == 400
    assert "This code is not right" in _text(wrong)
    assert _secret(wrong) == secret
    assert _state() == before

    done = client.post(link, {**FORM, "username": "undof.admin", "code": _code(secret)})
    assert done.status_code == 302
    user = User.objects.get(username="undof.admin")
    types = set(Authenticator.objects.filter(user=user).values_list("type", flat=True))
    assert types == {Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES}

    # Signing in asks for the code from the app before the person is in.
    login = Client()
    step = login.post("/accounts/login/", {"login": "undof.admin", "password": PASSWORD})
    assert (step.status_code, step["Location"]) == (302, "/accounts/2fa/authenticate/")
    assert "_auth_user_id" not in login.session


@override_settings(REQUIRE_MFA=True)
def test_without_a_code_no_account_is_made(invite: Any) -> None:
    link = invite("undof")
    client = Client()
    client.get(link)
    before = _state()
    response = client.post(link, {**FORM, "username": "undof.admin"})
    assert response.status_code == 400
    assert "This field is required." in _text(response)
    assert _state() == before


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"password2": PASSWORD + "x"}, "The two passwords are not the same."),
        ({"password1": "password", "password2": "password"}, "This password is too short."),
        ({"password1": "1234567890123", "password2": "1234567890123"}, "entirely numeric"),
        ({"username": "il.admin"}, "This user name is taken."),
        ({"username": "IL.ADMIN"}, "This user name is taken."),
        ({"username": "no spaces"}, "Use only letters, digits and the characters"),
        ({"username": "x" * 151}, "at most 150 characters"),
        ({"full_name": ""}, "This field is required."),
    ],
)
def test_it_shows_why_the_account_cannot_be_made_and_makes_nothing(
    invite: Any, change: dict[str, str], message: str
) -> None:
    link = invite("jo")
    before = _state()
    response = Client().post(link, {**FORM, **change})
    assert response.status_code == 400
    assert message in _text(response)
    assert _state() == before
    assert Client().get(link).status_code == 200  # the link still works


def test_an_expired_link_says_so(invite: Any) -> None:
    link = invite("jo")
    Invitation.objects.filter(party__code="jo").update(expires_at=timezone.now())
    before = _state()
    for response in (Client().get(link), Client().post(link, FORM)):
        assert response.status_code == 410
        assert "It has expired, or a newer link has replaced it." in _text(response)
    assert _state() == before


def test_a_replaced_link_says_so(invite: Any) -> None:
    old = invite("jo")
    new = invite("jo")
    assert Client().get(old).status_code == 410
    assert Client().get(new).status_code == 200


@pytest.mark.parametrize(
    "token",
    [
        "A" * 43,  # well-formed, but no invitation has it
        "short",
        "x" * 500,
        "not a token",
        "..%2E..%2Eetc",
        "é" * 30,
    ],
)
def test_an_unknown_link_says_so_and_never_fails(token: str) -> None:
    before = _state()
    for response in (
        Client().get(f"/accounts/invitation/{token}/"),
        Client().post(f"/accounts/invitation/{token}/", FORM),
    ):
        assert response.status_code == 404
        assert "No invitation has this link." in _text(response)
    assert _state() == before


def test_a_link_with_nul_characters_is_refused_before_any_view() -> None:
    # NUL in a path is refused at the edge (ui.safe_input) with the 400 page, never a 500.
    before = _state()
    for response in (
        Client().get("/accounts/invitation/%00%00/"),
        Client().post("/accounts/invitation/%00%00/", FORM),
    ):
        assert response.status_code == 400
    assert _state() == before


def test_someone_signed_in_is_asked_to_sign_out_first(invite: Any, client_for: Any) -> None:
    link = invite("jo")
    client = client_for("il.liaison")
    before = _state()
    for response in (client.get(link), client.post(link, FORM)):
        assert response.status_code == 200
        assert "You are signed in as il.liaison. Sign out first" in _text(response)
        assert 'name="password1"' not in _text(response)
    assert _state() == before


def test_a_donor_administrator_joining_is_recorded_only_for_the_donor_and_the_mediator(
    console: Any,
) -> None:
    [setup] = init_cell(actor=console, party_codes=["donor_a"])
    issued = Entry.objects.order_by("-seq").first()
    assert (issued.event_type, issued.audience_codes) == ("parties.invitation_issued", ["donor_a"])
    Client().post(f"/accounts/invitation/{setup.token}/", {**FORM, "username": "donor.admin"})
    accepted = Entry.objects.order_by("-seq").first()
    assert accepted.event_type == "parties.invitation_accepted"
    assert accepted.audience_codes == ["donor_a", "us"]


def test_the_invitation_page_is_never_cached(invite: Any) -> None:
    response = Client().get(invite("jo"))
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    ("language", "title"),
    [("ar", "أول مسؤول إدارة خلية لدى"), ("he", "מנהל התא הראשון של")],
)
def test_the_invitation_page_speaks_the_persons_language(
    invite: Any, language: str, title: str
) -> None:
    body = _text(Client().get(invite("jo"), HTTP_ACCEPT_LANGUAGE=language))
    assert f'<html lang="{language}" dir="rtl">' in body
    assert title in body
