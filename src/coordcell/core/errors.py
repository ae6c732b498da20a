"""Domain errors raised by services and selectors.

Views and the API translate them into responses in one place each, so a service never
needs to know whether it was called from a form, an endpoint or the command line.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.utils.translation import gettext_lazy as _

__all__ = ["Conflict", "DomainError", "NotFound", "PermissionDenied", "ValidationFailed"]


class DomainError(Exception):
    """Base class: a request that the domain refuses, with a stable code."""

    code = "domain_error"
    default_message = _("The request cannot be carried out.")

    def __init__(self, message: object = None) -> None:
        self.message = message if message is not None else self.default_message
        super().__init__(str(self.message))


class NotFound(DomainError):
    """The object does not exist *or the caller may not see it*: the two look the same."""

    code = "not_found"
    default_message = _("Not found.")


class PermissionDenied(DomainError):
    """The caller may see the object but may not do this to it."""

    code = "permission_denied"
    default_message = _("You do not have permission to do this.")


class ValidationFailed(DomainError):
    """The input is invalid. ``fields`` maps a field name ("" for the whole) to messages."""

    code = "invalid"
    default_message = _("The input is invalid.")

    def __init__(self, fields: Mapping[str, Sequence[object]] | str) -> None:
        if isinstance(fields, str):
            fields = {"": [fields]}
        self.fields = {key: [str(m) for m in messages] for key, messages in fields.items()}
        first = next((m for ms in self.fields.values() for m in ms), None)
        super().__init__(first or self.default_message)


class Conflict(DomainError):
    """The request contradicts the current state (a cosignature of another tree, say)."""

    code = "conflict"
    default_message = _("The request conflicts with the current state.")
