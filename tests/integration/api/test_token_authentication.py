"""Bearer tokens: a bad header, an unknown or revoked token, or a deactivated owner
each get 401 with the error shape, and never fall back to the session."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from coordcell.accounts.models import ApiToken
from coordcell.accounts.services import create_api_token, revoke_api_token

pytestmark = pytest.mark.django_db

MALFORMED = {
    "error": {"code": "authentication_failed", "message": "Malformed Authorization header."}
}
INVALID_TOKEN = {"error": {"code": "authentication_failed", "message": "Invalid token."}}


def _get(authorization: str, client: Client | None = None) -> Any:
    return (client or Client()).get("/api/v1/parties/", HTTP_AUTHORIZATION=authorization)


def _assert_401(response: Any, body: dict[str, Any]) -> None:
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response.json() == body


@pytest.mark.parametrize(
    "authorization", ["Bearer", "Token", "bearer  ", "Bearer cc_a_b extra", "Token a b c"]
)
def test_it_refuses_a_malformed_authorization_header(authorization: str) -> None:
    _assert_401(_get(authorization), MALFORMED)


@pytest.mark.parametrize(
    "authorization",
    ["Bearer cc_deadbeef_secret", "Bearer not-a-token", "Token cc__", "Bearer cc_"],
)
def test_it_refuses_an_unknown_token(authorization: str) -> None:
    _assert_401(_get(authorization), INVALID_TOKEN)


def test_it_refuses_a_token_whose_secret_is_wrong(actor: Any) -> None:
    token, clear = create_api_token(actor=actor("il.liaison"), name="laptop")
    _assert_401(_get(f"Bearer cc_{token.prefix}_wrong-secret"), INVALID_TOKEN)
    assert _get(f"Bearer {clear}").status_code == 200


def test_it_refuses_a_revoked_token(actor: Any) -> None:
    token, clear = create_api_token(actor=actor("il.liaison"), name="laptop")
    assert _get(f"Bearer {clear}").status_code == 200
    revoke_api_token(actor=actor("il.liaison"), token=token)
    _assert_401(_get(f"Bearer {clear}"), INVALID_TOKEN)


def test_it_refuses_the_token_of_a_deactivated_person(actor: Any, user: Any) -> None:
    _, clear = create_api_token(actor=actor("il.liaison"), name="laptop")
    person = user("il.liaison")
    person.is_active = False
    person.save(update_fields=["is_active"])
    _assert_401(_get(f"Bearer {clear}"), INVALID_TOKEN)


def test_it_accepts_the_token_keyword_as_well_as_bearer(actor: Any) -> None:
    _, clear = create_api_token(actor=actor("il.liaison"), name="laptop")
    assert _get(f"Token {clear}").status_code == 200
    assert _get(f"bearer {clear}").status_code == 200


def test_it_does_not_fall_back_to_the_session_when_the_token_is_bad(client_for: Any) -> None:
    # A logged-in browser sending a bad token is refused, not served as the session user.
    _assert_401(_get("Bearer cc_deadbeef_secret", client_for("mediator")), INVALID_TOKEN)


def test_it_treats_another_scheme_as_no_credentials(client_for: Any) -> None:
    response = _get("Basic bWVkaWF0b3I6cGFzc3dvcmQ=")
    _assert_401(
        response,
        {
            "error": {
                "code": "not_authenticated",
                "message": "Authentication credentials were not provided.",
            }
        },
    )


def test_it_acts_with_the_token_owners_party(actor: Any) -> None:
    _, clear = create_api_token(actor=actor("donor"), name="laptop")
    parties = _get(f"Bearer {clear}").json()
    assert [p["id"] for p in parties["results"]] == [
        "donor_a",
        "icrc",
        "il",
        "jo",
        "sy",
        "undof",
        "us",
    ]


def test_it_notes_when_a_token_was_last_used(actor: Any) -> None:
    token, clear = create_api_token(actor=actor("il.liaison"), name="laptop")
    assert token.last_used_at is None
    _get(f"Bearer {clear}")
    assert ApiToken.objects.get(pk=token.pk).last_used_at is not None
