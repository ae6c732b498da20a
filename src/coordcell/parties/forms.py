"""Forms of the delegation pages.

Forms only shape the input; the services decide what is allowed and valid, and
their ``ValidationFailed`` errors are put back on these forms (``DOMAIN_ALIASES``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from coordcell.accounts.models import User
from coordcell.core.actor import Actor
from coordcell.parties.choices import RoleChoices
from coordcell.parties.models import Party

__all__ = [
    "DOMAIN_ALIASES",
    "AddMemberForm",
    "CallSignForm",
    "CreatePersonForm",
    "DelegationCreateForm",
    "DelegationNamesForm",
    "InvitationForm",
]

#: Service field names → form field names.
DOMAIN_ALIASES = {
    "names.en": "name_en",
    "names.ar": "name_ar",
    "names.he": "name_he",
    "user": "username",
}


class DelegationNamesForm(forms.Form):
    """A delegation's names in the cell's three languages (English required)."""

    name_en = forms.CharField(
        label=_("Name in English"),
        max_length=200,
        widget=forms.TextInput(attrs={"lang": "en", "dir": "ltr"}),
    )
    name_ar = forms.CharField(
        label=_("Name in Arabic"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"lang": "ar", "dir": "rtl"}),
    )
    name_he = forms.CharField(
        label=_("Name in Hebrew"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"lang": "he", "dir": "rtl"}),
    )

    @classmethod
    def initial_from(cls, names: dict[str, str]) -> dict[str, str]:
        return {f"name_{lang}": value for lang, value in names.items()}

    def names(self) -> dict[str, str]:
        return {lang: self.cleaned_data[f"name_{lang}"] for lang in ("en", "ar", "he")}


class DelegationCreateForm(DelegationNamesForm):
    """A new delegation of one of the parties the actor manages.

    The party is posted by code and resolved by the view through the selectors, so a
    party the actor may not see answers 404 and one they may not manage 403, exactly
    as for every other action.
    """

    party = forms.CharField(label=_("Party"), widget=forms.Select)
    fictional = forms.BooleanField(
        label=_("Fictional exercise data"),
        required=False,
        help_text=_("Tick for a delegation that exists only for an exercise or demonstration."),
    )

    field_order = ["party", "name_en", "name_ar", "name_he", "fictional"]

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        manageable = Party.objects.restrict(actor, "manage").order_by("code")
        self.fields["party"].widget.choices = [(p.code, p.name) for p in manageable]


def _call_sign_field() -> forms.CharField:
    """The optional call sign of a new role (both ways of adding a person ask for it)."""
    return forms.CharField(
        label=_("Call sign"),
        max_length=40,
        required=False,
        help_text=_(
            "How everyone outside your party will know this person in this role, e.g. "
            "a duty position. Left empty, one is made from the party and the role."
        ),
    )


class AddMemberForm(forms.Form):
    """Give a person who already has a login a role in this delegation."""

    username = forms.CharField(
        label=_("User name"), max_length=150, widget=forms.TextInput(attrs={"dir": "ltr"})
    )
    role = forms.ChoiceField(label=_("Role"), choices=RoleChoices.choices)
    call_sign = _call_sign_field()

    def clean_username(self) -> User:
        username = self.cleaned_data["username"].strip()
        user = User.objects.filter(username__iexact=username, is_active=True).first()
        if user is None:
            raise forms.ValidationError(_("No active account has this user name."))
        return user


class CreatePersonForm(forms.Form):
    """A login for a new person, with their first role here; they set their own password."""

    username = forms.CharField(
        label=_("User name"), max_length=150, widget=forms.TextInput(attrs={"dir": "ltr"})
    )
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    email = forms.EmailField(label=_("E-mail"), required=False)
    role = forms.ChoiceField(label=_("Role"), choices=RoleChoices.choices)
    call_sign = _call_sign_field()


class CallSignForm(forms.Form):
    """A role's new call sign."""

    call_sign = forms.CharField(label=_("Call sign"), max_length=40)


class InvitationForm(forms.Form):
    """What an invited first administrator chooses: their user name and password, and —
    when the cell requires a second factor — the code their authenticator app shows."""

    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        widget=forms.TextInput(attrs={"dir": "ltr", "autocomplete": "username"}),
        help_text=_("Letters, digits and @ . + - _ only."),
    )
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 12 characters, not a common password, not only digits."),
    )
    password2 = forms.CharField(
        label=_("The same password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    code = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=10,
        widget=forms.TextInput(
            attrs={"dir": "ltr", "autocomplete": "one-time-code", "inputmode": "numeric"}
        ),
    )

    #: Service field names → form field names.
    ALIASES = {"password": "password1"}

    def __init__(self, *args: Any, require_code: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not require_code:
            del self.fields["code"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords are not the same."))
        return data
