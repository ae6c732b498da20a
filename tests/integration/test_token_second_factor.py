"""An API token is no way around the second factor: none is minted without it when it
is required, and the API refuses the tokens of people who lack it."""

from __future__ import annotations

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.test import Client, override_settings

from coordcell.accounts.models import ApiToken
from coordcell.accounts.services import create_api_token
from coordcell.core.errors import PermissionDenied

pytestmark = pytest.mark.django_db

SECOND_FACTOR_REQUIRED = {
    "error": {"code": "second_factor_required", "message": "Set up a second factor first."}
}


@override_settings(REQUIRE_MFA=True)
def test_it_mints_no_token_for_a_password_only_session(client_for, user) -> None:
    client = client_for("il.analyst")
    before = ApiToken.objects.filter(user=user("il.analyst")).count()

    response = client.post("/accounts/tokens/", {"name": "script"})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"
    assert ApiToken.objects.filter(user=user("il.analyst")).count() == before
    assert client.get("/accounts/tokens/")["Location"] == "/accounts/2fa/totp/activate/"


@override_settings(REQUIRE_MFA=True)
def test_the_service_mints_no_token_without_a_required_second_factor(actor) -> None:
    with pytest.raises(PermissionDenied, match="Set up a second factor"):
        create_api_token(actor=actor("il.analyst"), name="script")


@override_settings(REQUIRE_MFA=True)
def test_it_mints_a_token_once_the_second_factor_is_set_up(client_for, user) -> None:
    TOTP.activate(user("il.analyst"), generate_totp_secret())
    response = client_for("il.analyst").post("/accounts/tokens/", {"name": "script"})
    assert response.status_code == 200
    assert "cc_" in response.content.decode()


def test_the_api_refuses_a_token_whose_owner_lacks_a_required_second_factor(actor) -> None:
    _, token = create_api_token(actor=actor("il.analyst"), name="minted before the rule")
    with override_settings(REQUIRE_MFA=True):
        response = Client().get("/api/v1/zones/", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 403
    assert response.json() == SECOND_FACTOR_REQUIRED


def test_the_api_takes_the_token_once_its_owner_has_the_second_factor(actor, user) -> None:
    _, token = create_api_token(actor=actor("il.analyst"), name="script")
    TOTP.activate(user("il.analyst"), generate_totp_secret())
    with override_settings(REQUIRE_MFA=True):
        response = Client().get("/api/v1/zones/", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200


def test_the_api_takes_tokens_without_a_second_factor_when_none_is_required(actor) -> None:
    _, token = create_api_token(actor=actor("il.analyst"), name="script")
    response = Client().get("/api/v1/zones/", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
