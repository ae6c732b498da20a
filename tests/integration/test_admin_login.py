"""One login for every door: the admin has no login of its own, and no way around the
second factor or the login rate limits."""

from __future__ import annotations

import pytest
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.contrib import admin
from django.test import Client, RequestFactory, override_settings

pytestmark = pytest.mark.django_db

PASSWORD = "root-password-123-long"


def _code(secret: str) -> str:
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


@pytest.fixture
def root(django_user_model):
    """A superuser with TOTP set up; returns (user, TOTP secret)."""
    user = django_user_model.objects.create_superuser("root", password=PASSWORD)
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return user, secret


def test_it_sends_the_admins_login_page_to_the_one_login() -> None:
    response = Client().get("/admin/login/?next=/admin/record/entry/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2Frecord%2Fentry%2F"


def test_it_keeps_the_next_address_on_this_site() -> None:
    response = Client().get("/admin/login/?next=https://attacker.example/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"


def test_it_does_not_sign_in_with_the_password_alone_at_the_admin(root) -> None:
    client = Client()
    response = client.post("/admin/login/", {"username": "root", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


def test_it_opens_the_admin_after_the_password_and_the_second_factor(root) -> None:
    _, secret = root
    client = Client()
    response = client.post(
        "/accounts/login/?next=/admin/", {"login": "root", "password": PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/authenticate/"
    done = client.post("/accounts/2fa/authenticate/", {"code": _code(secret)})
    assert done.status_code == 302
    assert done["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_it_refuses_the_admin_to_a_session_that_skipped_the_second_factor(root) -> None:
    # As a session opened by the admin's own login form used to be: the password only.
    client = Client()
    client.force_login(root[0])
    response = client.get("/admin/record/entry/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/admin/record/entry/"
    refused = client.get(response["Location"])
    assert refused.status_code == 403
    assert "Sign in again with your second factor" in refused.content.decode()


def test_the_admins_login_is_limited_like_every_login(root) -> None:
    client = Client()
    for i in range(6):
        client.post("/accounts/login/", {"login": "root", "password": f"wrong-{i}"})
    response = client.post("/admin/login/", {"username": "root", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    refused = client.post(response["Location"], {"login": "root", "password": PASSWORD})
    assert "Too many failed login attempts" in refused.content.decode()
    assert "_auth_user_id" not in client.session


@override_settings(REQUIRE_MFA=True)
def test_it_refuses_staff_without_a_second_factor_when_one_is_required(django_user_model) -> None:
    staff = django_user_model.objects.create_superuser("root2", password=PASSWORD)
    request = RequestFactory().get("/admin/")
    request.user = staff
    request.session = {}
    assert admin.site.has_permission(request) is False


@override_settings(REQUIRE_MFA=False)
def test_it_lets_staff_without_a_second_factor_in_when_none_is_required(
    django_user_model,
) -> None:
    staff = django_user_model.objects.create_superuser("root3", password=PASSWORD)
    client = Client()
    client.force_login(staff)
    assert client.get("/admin/").status_code == 200
