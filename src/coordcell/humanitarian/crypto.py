"""Personal data at rest: sealed with Fernet (AES-128-CBC with HMAC-SHA256), never stored
in the clear.

A file's name, date of birth and identifying details are one JSON object sealed into one
token (``seal``) that only this module opens (``unseal``). The key is
``COORDCELL_PERSONAL_DATA_KEY`` when it is set, else one derived from the project's
secret key: either way through HKDF-SHA256 with this purpose as its info, so that the key
of personal data is never the key that signs sessions. Rotation (docs/humanitarian.md):
set the new secret as ``COORDCELL_PERSONAL_DATA_KEY`` and the old one in
``COORDCELL_PERSONAL_DATA_OLD_KEYS``; tokens sealed with an old key still open, and
``services.rotate_personal_data`` seals every file again with the new one.

Each sealed object also holds a random salt: ``digest`` commits the record to the
content (a SHA-256 of salt and content) without letting anyone who reads the record test
a guessed name against it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

__all__ = ["PersonalDataError", "digest", "rotate", "seal", "unseal"]

_PURPOSE = b"coordcell.humanitarian.personal-data.v1"


class PersonalDataError(Exception):
    """A token that no configured key opens (a lost or wrong key): never shown as data."""


def _fernet_key(secret: str) -> bytes:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_PURPOSE).derive(
        secret.encode("utf-8")
    )
    return base64.urlsafe_b64encode(derived)


@lru_cache(maxsize=4)
def _cipher(primary: str, old: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(_fernet_key(s)) for s in (primary, *old)])


def _current() -> MultiFernet:
    primary = getattr(settings, "PERSONAL_DATA_KEY", "") or settings.SECRET_KEY
    if not primary:
        raise ImproperlyConfigured(
            "COORDCELL_PERSONAL_DATA_KEY (or COORDCELL_SECRET_KEY) is required to seal and "
            "open personal data (docs/humanitarian.md)"
        )
    old = tuple(getattr(settings, "PERSONAL_DATA_OLD_KEYS", ()) or ())
    if getattr(settings, "PERSONAL_DATA_KEY", ""):
        # The project's secret key sealed the data before a dedicated key was set.
        old = (*old, settings.SECRET_KEY) if settings.SECRET_KEY else old
    return _cipher(primary, tuple(o for o in old if o and o != primary))


def seal(data: Mapping[str, Any]) -> str:
    """The Fernet token of ``data`` with a fresh salt (text, for a text column)."""
    body = {**data, "salt": secrets.token_hex(16)}
    plain = json.dumps(body, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return _current().encrypt(plain).decode("ascii")


def unseal(token: str) -> dict[str, Any]:
    """The sealed object (with its salt), or ``PersonalDataError``."""
    try:
        plain = _current().decrypt(token.encode("ascii"))
    except (InvalidToken, ValueError):
        raise PersonalDataError("no configured key opens this personal data") from None
    value = json.loads(plain)
    if not isinstance(value, dict):
        raise PersonalDataError("sealed personal data is not an object")
    return value


def rotate(token: str) -> str:
    """The same content sealed again with the current key (the salt kept)."""
    try:
        return _current().rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, ValueError):
        raise PersonalDataError("no configured key opens this personal data") from None


def digest(token: str) -> str:
    """SHA-256 of the sealed object's canonical JSON (salt included): the record's
    commitment to the personal data, which no guess of a name can be tested against."""
    body = unseal(token)
    plain = json.dumps(body, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(plain).hexdigest()
