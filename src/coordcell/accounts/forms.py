"""Forms of the account pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

__all__ = ["ApiTokenForm"]


class ApiTokenForm(forms.Form):
    """Name a new API token (the service checks the length and the active-token cap)."""

    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, e.g. the script or tool that uses it."),
    )
