"""allauth adapter: accounts are created by cell administrators, never by sign-up; the
login rate limits count per real client address (behind the proxy, not the proxy's)."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from coordcell.core.http import client_ip


class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]
    def is_open_for_signup(self, request: Any) -> bool:
        return False

    def get_client_ip(self, request: HttpRequest) -> str:
        """The address the "ip" rate limits count: the client's, from a trusted proxy."""
        address = client_ip(request)
        if not address:
            raise PermissionDenied("Unable to determine the client's address")
        return address
