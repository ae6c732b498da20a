"""Login rate limits per account and per real client address.

Behind the documented reverse proxy every request comes from the proxy's address; the
client's own is in ``X-Forwarded-For``, and is believed only from a configured proxy.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db

PROXY = "127.0.0.1"
TOO_MANY = "Too many failed login attempts"


@pytest.fixture(autouse=True)
def _fresh_limits():
    """The limits live in the cache: start and leave it empty, for this test and others."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def password(user):
    """``password("observer")`` sets and returns a known password for the persona."""

    def set_(username: str) -> str:
        person = user(username)
        person.set_password(f"{username}-right-password-1")
        person.save()
        return f"{username}-right-password-1"

    return set_


def _via_proxy(client_address: str) -> Client:
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=client_address)


def _login(client: Client, username: str, password: str):
    return client.post("/accounts/login/", {"login": username, "password": password})


@override_settings(TRUSTED_PROXIES=[f"{PROXY}/32"])
def test_it_does_not_lock_out_other_clients_behind_the_proxy(password) -> None:
    attacker = _via_proxy("203.0.113.7")
    for i in range(15):
        _login(attacker, "monitor", f"wrong-{i}")

    colleague = _via_proxy("198.51.100.20")
    response = _login(colleague, "observer", password("observer"))

    assert response.status_code == 302
    assert "_auth_user_id" in colleague.session


@override_settings(TRUSTED_PROXIES=[f"{PROXY}/32"])
def test_it_limits_failures_for_one_account_from_any_address(password) -> None:
    for i in range(5):
        _login(_via_proxy(f"203.0.113.{i + 1}"), "monitor", f"wrong-{i}")

    latecomer = _via_proxy("198.51.100.20")
    response = _login(latecomer, "monitor", password("monitor"))

    assert TOO_MANY in response.content.decode()
    assert "_auth_user_id" not in latecomer.session
    # Another account is not affected.
    assert _login(latecomer, "observer", password("observer")).status_code == 302


@override_settings(TRUSTED_PROXIES=[f"{PROXY}/32"])
def test_it_limits_failures_from_one_real_client_across_accounts(password) -> None:
    sprayer = _via_proxy("203.0.113.7")
    for i in range(10):
        _login(sprayer, f"nobody-{i}", "wrong")

    response = _login(sprayer, "observer", password("observer"))

    assert TOO_MANY in response.content.decode()
    assert "_auth_user_id" not in sprayer.session
    other = _via_proxy("198.51.100.20")
    assert _login(other, "observer", password("observer")).status_code == 302


@override_settings(TRUSTED_PROXIES=[])
def test_it_ignores_forwarded_addresses_from_a_client_that_is_not_a_proxy(password) -> None:
    for i in range(10):
        # A direct client inventing a new address each time still has only its own.
        spoofer = Client(REMOTE_ADDR="192.0.2.50", HTTP_X_FORWARDED_FOR=f"203.0.113.{i + 1}")
        _login(spoofer, f"nobody-{i}", "wrong")

    spoofer = Client(REMOTE_ADDR="192.0.2.50", HTTP_X_FORWARDED_FOR="198.51.100.99")
    response = _login(spoofer, "observer", password("observer"))

    assert TOO_MANY in response.content.decode()
