"""Personal data sealed at rest (humanitarian.crypto): a token opens with the key that
sealed it, keeps working through a rotation, and opens with no other key."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from coordcell.humanitarian import crypto

PERSON = {"name": "Test Person (fictional)", "birth_date": "", "details": ""}


@override_settings(SECRET_KEY="first-secret", PERSONAL_DATA_KEY="", PERSONAL_DATA_OLD_KEYS=[])
def test_a_token_hides_the_name_and_salts_the_digest() -> None:
    one, two = crypto.seal(PERSON), crypto.seal(PERSON)
    assert "Test Person" not in one
    assert crypto.unseal(one)["name"] == PERSON["name"]
    # The same person sealed twice: different tokens, different digests (a fresh salt).
    assert one != two
    assert crypto.digest(one) != crypto.digest(two)


def test_a_rotation_keeps_old_tokens_open_until_they_are_sealed_again() -> None:
    with override_settings(SECRET_KEY="s", PERSONAL_DATA_KEY="old", PERSONAL_DATA_OLD_KEYS=[]):
        token = crypto.seal(PERSON)
        digest = crypto.digest(token)
    with (
        override_settings(SECRET_KEY="s", PERSONAL_DATA_KEY="new", PERSONAL_DATA_OLD_KEYS=[]),
        pytest.raises(crypto.PersonalDataError),
    ):
        crypto.unseal(token)
    with override_settings(SECRET_KEY="s", PERSONAL_DATA_KEY="new", PERSONAL_DATA_OLD_KEYS=["old"]):
        assert crypto.unseal(token)["name"] == PERSON["name"]
        rotated = crypto.rotate(token)
        assert crypto.digest(rotated) == digest  # the record's commitment still holds
    with override_settings(SECRET_KEY="s", PERSONAL_DATA_KEY="new", PERSONAL_DATA_OLD_KEYS=[]):
        assert crypto.unseal(rotated)["name"] == PERSON["name"]


def test_a_dedicated_key_still_opens_what_the_secret_key_sealed() -> None:
    with override_settings(SECRET_KEY="project", PERSONAL_DATA_KEY="", PERSONAL_DATA_OLD_KEYS=[]):
        token = crypto.seal(PERSON)
    with override_settings(
        SECRET_KEY="project", PERSONAL_DATA_KEY="dedicated", PERSONAL_DATA_OLD_KEYS=[]
    ):
        assert crypto.unseal(token)["name"] == PERSON["name"]


@override_settings(SECRET_KEY="", PERSONAL_DATA_KEY="", PERSONAL_DATA_OLD_KEYS=[])
def test_without_any_key_nothing_is_sealed() -> None:
    with pytest.raises(ImproperlyConfigured):
        crypto.seal(PERSON)
