"""The bridge from a service's validation errors to the form that collected the input."""

from __future__ import annotations

from collections.abc import Mapping

from django import forms

from coordcell.core.errors import ValidationFailed

__all__ = ["add_domain_errors"]


def add_domain_errors(
    form: forms.Form, exc: ValidationFailed, aliases: Mapping[str, str] | None = None
) -> None:
    """Show a service's ``ValidationFailed`` on the form that collected the input.

    Services name fields in their own terms (``names.en``, ``user``); ``aliases`` maps
    those to the form's fields. A key the form does not have becomes a form-wide error.
    """
    aliases = aliases or {}
    for key, messages in exc.fields.items():
        name = aliases.get(key, key)
        field = name if name in form.fields else None
        for message in messages:
            form.add_error(field, message)
