"""Profile and API-token pages, and the allauth pages rendered in the cell's layout."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.test import Client

from coordcell.accounts.models import ApiToken
from coordcell.accounts.services import create_api_token
from coordcell.record.models import Entry
from tests.integration.ui.conftest import MISSING, last_entry, snapshot

pytestmark = pytest.mark.django_db


def _text(response: Any) -> str:
    return html.unescape(response.content.decode())


def _create_token(client: Client, name: str = "analysis script") -> str:
    response = client.post("/accounts/tokens/", {"name": name})
    assert response.status_code == 200
    match = re.search(r'<p class="secret"[^>]*>(cc_[^<]+)</p>', response.content.decode())
    assert match is not None
    return match.group(1)


def _api(token: str) -> Any:
    return Client().get("/api/v1/parties/", HTTP_AUTHORIZATION=f"Bearer {token}")


# Who may open the pages -------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/accounts/profile/"),
        ("get", "/accounts/tokens/"),
        ("post", "/accounts/tokens/"),
        ("post", f"/accounts/tokens/{MISSING}/revoke/"),
    ],
)
def test_it_sends_anonymous_visitors_to_sign_in(method: str, path: str) -> None:
    before = snapshot()
    response = getattr(Client(), method)(path, {"name": "x"} if method == "post" else {})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert snapshot() == before


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/accounts/tokens/"), ("post", "/accounts/tokens/")],
)
def test_it_keeps_api_tokens_for_members_of_the_cell(
    client_for: Any, method: str, path: str
) -> None:
    before = snapshot()
    response = getattr(client_for("outsider"), method)(path, {"name": "x"})
    assert response.status_code == 403
    assert "No active membership" in response.content.decode()
    assert snapshot() == before


def test_it_shows_an_outsider_the_no_membership_page_on_revoke(client_for: Any, actor: Any) -> None:
    token, _clear = create_api_token(actor=actor("il.analyst"), name="someone else's")
    before = snapshot()
    response = client_for("outsider").post(f"/accounts/tokens/{token.public_id}/revoke/")
    assert response.status_code == 403
    assert snapshot() == before


def test_it_shows_a_person_without_membership_their_profile(client_for: Any) -> None:
    response = client_for("outsider").get("/accounts/profile/")
    assert response.status_code == 200
    body = _text(response)
    assert "You do not hold an active role in any delegation." in body
    assert "/accounts/tokens/" not in body


@pytest.mark.parametrize(
    ("persona", "party", "roles"),
    [
        ("mediator", "United States", "Cell administrator, Principal"),
        ("il.liaison", "Israel", "Liaison officer"),
        ("sy.liaison", "Syria", "Liaison officer"),
        ("donor", "Donor A (fictional)", "Donor representative"),
    ],
)
def test_it_shows_a_members_party_roles_and_sign_in_settings(
    client_for: Any, persona: str, party: str, roles: str
) -> None:
    response = client_for(persona).get("/accounts/profile/")
    assert response.status_code == 200
    body = _text(response)
    assert party in body
    assert f"<dd>{roles}</dd>" in body
    assert 'href="/accounts/2fa/"' in body
    assert 'href="/accounts/password/change/"' in body
    assert "not set up" in body
    assert f'<dd class="mono">{persona}</dd>' in body


def test_it_shows_an_active_authenticator_on_the_profile(client_for: Any, user: Any) -> None:
    from allauth.mfa.models import Authenticator

    Authenticator.objects.create(user=user("il.liaison"), type=Authenticator.Type.TOTP, data={})
    body = _text(client_for("il.liaison").get("/accounts/profile/"))
    assert "not set up" not in body


# Tokens ---------------------------------------------------------------------------


def test_it_creates_a_token_that_works_with_the_api(client_for: Any, user: Any) -> None:
    client = client_for("il.analyst")
    head = last_entry().seq
    clear = _create_token(client)
    token = ApiToken.objects.get(user=user("il.analyst"), name="analysis script")
    assert clear.startswith(f"cc_{token.prefix}_")
    [entry] = Entry.objects.filter(seq__gt=head)
    assert (entry.event_type, entry.party_code, entry.audience_codes) == (
        "accounts.api_token_created",
        "il",
        ["il"],
    )
    response = _api(clear)
    assert response.status_code == 200
    codes = {p["id"] for p in response.json()["results"]}
    assert "il" in codes
    assert "donor_a" not in codes
    listing = client.get("/accounts/tokens/").content.decode()
    assert clear not in listing
    assert "analysis script" in listing


def test_it_revokes_a_token_so_the_api_refuses_it(client_for: Any, user: Any) -> None:
    client = client_for("sy.analyst")
    clear = _create_token(client)
    token = ApiToken.objects.get(user=user("sy.analyst"), name="analysis script")
    head = last_entry().seq
    response = client.post(f"/accounts/tokens/{token.public_id}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    [entry] = Entry.objects.filter(seq__gt=head)
    assert (entry.event_type, entry.audience_codes) == ("accounts.api_token_revoked", ["sy"])
    refused = _api(clear)
    assert refused.status_code in (401, 403)
    body = refused.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == "authentication_failed"
    assert body["error"]["message"] == "Invalid token."


def test_it_refuses_to_revoke_a_token_twice(client_for: Any, user: Any) -> None:
    client = client_for("sy.analyst")
    _create_token(client)
    token = ApiToken.objects.get(user=user("sy.analyst"), name="analysis script")
    client.post(f"/accounts/tokens/{token.public_id}/revoke/")
    before = snapshot()
    response = client.post(f"/accounts/tokens/{token.public_id}/revoke/", follow=True)
    assert "This token is already revoked." in _text(response)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("owner", "persona"),
    [("il.analyst", "sy.analyst"), ("sy.analyst", "il.analyst"), ("donor", "mediator")],
)
def test_it_answers_404_for_someone_elses_token_as_for_a_missing_one(
    client_for: Any, actor: Any, owner: str, persona: str
) -> None:
    token, _clear = create_api_token(actor=actor(owner), name="private token")
    client = client_for(persona)
    before = snapshot()
    response = client.post(f"/accounts/tokens/{token.public_id}/revoke/")
    assert response.status_code == 404
    assert response.content == client.post(f"/accounts/tokens/{MISSING}/revoke/").content
    assert "private token" not in client.get("/accounts/tokens/").content.decode()
    assert snapshot() == before


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "This field is required."),
        ("   ", "This field is required."),
        ("x" * 101, "Ensure this value has at most 100 characters (it has 101)."),
    ],
)
def test_it_shows_an_invalid_token_name_on_the_form(
    client_for: Any, name: str, message: str
) -> None:
    before = snapshot()
    response = client_for("il.analyst").post("/accounts/tokens/", {"name": name})
    assert response.status_code == 400
    assert message in _text(response)
    assert 'class="secret"' not in response.content.decode()
    assert snapshot() == before


def test_it_shows_the_active_token_cap_on_the_form(client_for: Any, actor: Any) -> None:
    for i in range(20 - ApiToken.objects.filter(user__username="il.analyst").count()):
        create_api_token(actor=actor("il.analyst"), name=f"token {i}")
    before = snapshot()
    response = client_for("il.analyst").post("/accounts/tokens/", {"name": "one too many"})
    assert response.status_code == 400
    assert "You have 20 active tokens; revoke one first." in _text(response)
    assert snapshot() == before


def test_it_answers_404_for_a_malformed_token_id(client_for: Any) -> None:
    assert client_for("il.analyst").post("/accounts/tokens/not-a-uuid/revoke/").status_code == 404


# allauth pages in the cell's layout ----------------------------------------------------


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/accounts/logout/", "Sign out"),
        ("/accounts/password/change/", "Change your password"),
        ("/accounts/2fa/", "Two-factor authentication"),
    ],
)
def test_it_renders_account_pages_in_the_cells_layout(
    client_for: Any, path: str, heading: str
) -> None:
    response = client_for("il.liaison").get(path)
    assert response.status_code == 200
    body = _text(response)
    assert f"<h1>{heading}</h1>" in body
    assert 'class="topbar"' in body
    assert "sign up" not in body.lower()
    assert "signup" not in body.lower()


def test_it_asks_for_the_password_again_before_activating_an_authenticator(
    client_for: Any,
) -> None:
    client = client_for("il.liaison")
    response = client.get("/accounts/2fa/totp/activate/", follow=True)
    assert response.status_code == 200
    assert "<h1>Confirm it is you</h1>" in _text(response)
    assert 'class="topbar"' in _text(response)


def test_it_renders_the_authenticator_activation_page(client_for: Any, user: Any) -> None:
    person = user("il.liaison")
    person.set_password("a-known-password-123")
    person.save()
    client = client_for("il.liaison")
    reauth = client.post("/accounts/reauthenticate/", {"password": "a-known-password-123"})
    assert reauth.status_code == 302
    response = client.get("/accounts/2fa/totp/activate/")
    assert response.status_code == 200
    body = _text(response)
    assert "<h1>Activate an authenticator app</h1>" in body
    assert 'src="data:image/svg+xml;base64,' in body
    assert 'class="topbar"' in body
    assert "<h1>" in body
    assert "style=" not in body
    assert "<script>" not in body


def test_it_shows_no_sign_up_link_on_the_sign_in_page() -> None:
    body = Client().get("/accounts/login/").content.decode().lower()
    assert "sign up" not in body
    assert "signup" not in body


def test_it_shows_the_recovery_codes_left_on_the_two_factor_page(
    client_for: Any, user: Any
) -> None:
    from allauth.mfa.models import Authenticator
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    person = user("sy.liaison")
    TOTP.activate(person, generate_totp_secret())
    RecoveryCodes.activate(person)
    assert Authenticator.objects.filter(user=person).count() == 2
    body = _text(client_for("sy.liaison").get("/accounts/2fa/"))
    assert "10 of 10 recovery codes are unused." in body
    assert 'href="/accounts/2fa/totp/deactivate/"' in body


def test_the_profile_shows_a_person_their_own_call_sign(client_for: Any, user: Any) -> None:
    from coordcell.parties.models import Membership

    membership = Membership.objects.get(user=user("sy.liaison"), active=True)
    page = client_for("sy.liaison").get("/accounts/profile/")
    assert page.status_code == 200
    assert f'<bdi class="mono">{membership.call_sign}</bdi>' in page.content.decode()
