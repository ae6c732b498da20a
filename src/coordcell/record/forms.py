"""The form a party's administrator uses to register a witness key."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class WitnessForm(forms.Form):
    vkey = forms.CharField(
        label=_("Witness verifier key"),
        max_length=400,
        help_text=_(
            "The key printed by “coordcell keygen --cosigner NAME FILE” on the witness's "
            "machine: name+key id+key."
        ),
        widget=forms.TextInput(attrs={"dir": "ltr", "autocomplete": "off", "spellcheck": "false"}),
    )
