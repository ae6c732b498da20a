"""Security at the edge: headers, the second factor, login rate limits."""

from __future__ import annotations

import re

import pytest
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db

PAGES = ["/", "/map/", "/arrangement/", "/arrangement/sources/", "/accounts/profile/"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_allows_only_its_own_origin(client_for, path: str) -> None:
    response = client_for("il.liaison").get(path)
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("path", [*PAGES, "/accounts/login/"])
def test_no_page_loads_anything_from_another_host(client_for, path: str) -> None:
    client = client_for(None if path == "/accounts/login/" else "sy.analyst")
    html = client.get(path).content.decode()
    external = re.findall(r'(?:src|href)="(https?://[^"]+)"', html)
    assert external == []
    assert "<script>" not in html.replace("<script src=", "")  # no inline scripts


def test_login_asks_for_the_second_factor_when_one_is_set_up(user) -> None:
    person = user("sy.liaison")
    person.set_password("a-long-test-password")
    person.save()
    secret = generate_totp_secret()
    TOTP.activate(person, secret)
    client = Client()

    response = client.post(
        "/accounts/login/", {"login": "sy.liaison", "password": "a-long-test-password"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session  # not logged in yet

    wrong = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert wrong.status_code == 200
    assert "_auth_user_id" not in client.session

    counters = list(yield_hotp_counters_from_time())
    code = format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))
    done = client.post("/accounts/2fa/authenticate/", {"code": code})
    assert done.status_code == 302
    assert client.session["_auth_user_id"] == str(person.pk)


@override_settings(REQUIRE_MFA=True)
def test_without_a_second_factor_every_page_sends_to_enrolment(client_for, user) -> None:
    client = client_for("il.analyst")
    response = client.get("/map/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"
    TOTP.activate(user("il.analyst"), generate_totp_secret())
    assert client.get("/map/").status_code == 200


@override_settings(REQUIRE_MFA=True)
def test_enrolment_itself_stays_reachable(client_for) -> None:
    # allauth first asks for the password again (a recent login), then shows the form.
    response = client_for("il.analyst").get("/accounts/2fa/totp/activate/", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0].startswith("/accounts/reauthenticate/")


def test_failed_logins_are_rate_limited(user) -> None:
    client = Client()
    responses = [
        client.post("/accounts/login/", {"login": "monitor", "password": f"wrong-{i}"})
        for i in range(6)
    ]
    assert [r.status_code for r in responses] == [200] * 6  # the form again, with an error
    assert all("Too many failed login attempts" not in r.content.decode() for r in responses[:5])
    assert "Too many failed login attempts" in responses[5].content.decode()
    # Even the right password is refused while the limit holds.
    person = user("monitor")
    person.set_password("the-right-password-1")
    person.save()
    right = client.post(
        "/accounts/login/", {"login": "monitor", "password": "the-right-password-1"}
    )
    assert right.status_code == 200
    assert "_auth_user_id" not in client.session


@override_settings(REQUIRE_MFA=True)
def test_a_password_only_session_cannot_use_the_api(client_for) -> None:
    response = client_for("il.analyst").get("/api/v1/zones/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "second_factor_required"


@override_settings(REQUIRE_MFA=True)
def test_a_bearer_token_still_works_without_a_session(actor, user) -> None:
    from coordcell.accounts.services import create_api_token

    TOTP.activate(user("il.analyst"), generate_totp_secret())
    _, token = create_api_token(actor=actor("il.analyst"), name="script")
    response = Client().get("/api/v1/zones/", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
