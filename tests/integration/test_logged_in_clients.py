"""``client_for`` logs a client in as ``Client.force_login`` does, more cheaply
(``tests/conftest.py``, ``log_in``): the same session, a session of its own per client."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.django_db


def test_client_for_leaves_the_session_and_cookie_force_login_leaves(
    client_for: Any, user: Any
) -> None:
    ours = client_for("il.liaison")
    theirs = Client(enforce_csrf_checks=False)
    theirs.force_login(user("il.liaison"))
    assert dict(ours.session.items()) == dict(theirs.session.items())
    assert ours.session.get_expiry_age() == theirs.session.get_expiry_age()
    name = settings.SESSION_COOKIE_NAME
    attributes = ("path", "domain", "secure", "max-age", "samesite", "httponly")
    assert [ours.cookies[name][a] for a in attributes] == [
        theirs.cookies[name][a] for a in attributes
    ]
    assert ours.get("/accounts/profile/").status_code == 200


def test_each_client_has_a_session_of_its_own(client_for: Any) -> None:
    first, second = client_for("sy.liaison"), client_for("sy.liaison")
    assert first.session.session_key != second.session.session_key
    first.logout()
    assert first.get("/accounts/profile/").status_code == 302
    assert second.get("/accounts/profile/").status_code == 200


def test_clients_share_their_middleware_until_a_setting_changes(client_for: Any) -> None:
    from django.test import override_settings

    from tests.conftest import _HANDLER

    first, second = client_for(None), client_for("il.liaison")
    assert "Content-Security-Policy" in first.get("/accounts/login/")
    assert second.get("/accounts/profile/").status_code == 200
    (shared,) = _HANDLER
    without_csp = [m for m in settings.MIDDLEWARE if "ContentSecurityPolicy" not in m]
    with override_settings(MIDDLEWARE=without_csp):
        assert "Content-Security-Policy" not in first.get("/accounts/login/")
        assert "Content-Security-Policy" not in client_for(None).get("/accounts/login/")
    assert "Content-Security-Policy" in first.get("/accounts/login/")
    assert _HANDLER[0] is not shared
