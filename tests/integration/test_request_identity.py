"""Whether a raw request is signed in, for the body limits (before Django handles it)."""

from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.test import Client

from coordcell.accounts.services import create_api_token
from coordcell.core.bodies import request_is_signed_in

pytestmark = pytest.mark.django_db


def _environ(**headers: str) -> dict:
    return {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/api/v1/incidents/",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "wsgi.input": io.BytesIO(),
        **headers,
    }


def test_it_knows_a_valid_token(actor) -> None:
    _, token = create_api_token(actor=actor("il.analyst"), name="script")
    assert request_is_signed_in(_environ(HTTP_AUTHORIZATION=f"Bearer {token}")) is True


def test_it_refuses_an_invalid_token(actor) -> None:
    _, token = create_api_token(actor=actor("il.analyst"), name="script")
    assert request_is_signed_in(_environ(HTTP_AUTHORIZATION=f"Bearer {token}x")) is False


def test_it_knows_a_signed_in_session(user) -> None:
    client = Client()
    client.force_login(user("il.analyst"))
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    cookie = f"{settings.SESSION_COOKIE_NAME}={key}"
    assert request_is_signed_in(_environ(HTTP_COOKIE=cookie)) is True


def test_it_refuses_an_invented_session() -> None:
    cookie = f"{settings.SESSION_COOKIE_NAME}=invented0123456789abcdefghijklmn"
    assert request_is_signed_in(_environ(HTTP_COOKIE=cookie)) is False
