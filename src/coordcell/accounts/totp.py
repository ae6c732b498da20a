"""The second factor set up before an account exists (a first administrator's invitation).

allauth enrols TOTP for a person who is already signed in. An invited administrator
instead scans the code on the invitation page and proves it with a code *before* the
account is created, so that the account never exists without its second factor. These
helpers wrap allauth's own TOTP pieces (the same secret format, codes and storage), so the
authenticator made here is one allauth's login asks for like any other.
"""

from __future__ import annotations

import base64

from allauth.mfa.adapter import get_adapter
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret, validate_totp_code

from coordcell.accounts.models import User

__all__ = ["code_is_valid", "enrol", "new_secret", "qr_code_data_uri"]


def new_secret() -> str:
    """A fresh TOTP secret (base32), as allauth makes them."""
    return str(generate_totp_secret())


def qr_code_data_uri(label: str, secret: str) -> tuple[str, str]:
    """The ``otpauth://`` URL of ``secret`` under ``label``, and its QR code as a data URI
    (the page's Content Security Policy allows ``data:`` images, nothing from elsewhere)."""
    adapter = get_adapter()
    url = adapter.build_totp_url(User(username=label), secret)
    svg = adapter.build_totp_svg(url)
    return url, "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def code_is_valid(secret: str, code: str) -> bool:
    """Whether ``code`` is the current code of ``secret``."""
    return bool(code) and validate_totp_code(secret, code.strip().replace(" ", ""))


def enrol(user: User, secret: str) -> None:
    """Give ``user`` the TOTP authenticator of ``secret`` and recovery codes.

    Called inside the service that creates the account, whose record event covers it.
    """
    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)
