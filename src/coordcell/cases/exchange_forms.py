"""Forms of the hotline's thread and of warnings."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from coordcell.cases.exchange_choices import CommitmentKindChoices
from coordcell.cases.forms import ActivationForm
from coordcell.rules import localtime


class CallForm(ActivationForm):
    """A call or message, optionally a bilateral one with the mediator."""

    bilateral = forms.BooleanField(
        label=_("Bilateral with the mediator (no one else sees it)"), required=False
    )


class LocalTimeField(forms.DateTimeField):
    widget = forms.DateTimeInput(attrs={"type": "datetime-local", "dir": "ltr"})


def local_instant(value: dt.datetime | None, zone_name: str) -> dt.datetime | None:
    """A typed wall-clock time in the arrangement's zone, as a UTC instant."""
    if value is None:
        return None
    typed = timezone.make_naive(value) if timezone.is_aware(value) else value
    return localtime.instant(typed, localtime.time_zone(zone_name))


def _zone_help(zone_name: str) -> Any:
    return format_lazy(_("Local time in {zone} (the arrangement's time zone)."), zone=zone_name)


class MessageForm(forms.Form):
    text = forms.CharField(
        label=_("Message"),
        max_length=5_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
    )
    commitment = forms.ChoiceField(label=_("Commitment"), required=False)
    due_at = LocalTimeField(label=_("Commitment's time"), required=False)
    via_mediator = forms.BooleanField(label=_("Ask the mediator to pass it on"), required=False)

    def __init__(self, *args: Any, time_zone: str = "UTC", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.zone_name = time_zone
        self.fields["commitment"].choices = [  # type: ignore[attr-defined]
            ("", _("None")),
            *CommitmentKindChoices.choices(),
        ]
        self.fields["due_at"].help_text = _zone_help(time_zone)

    def clean_due_at(self) -> dt.datetime | None:
        return local_instant(self.cleaned_data.get("due_at"), self.zone_name)


class CloseCommitmentForm(forms.Form):
    text = forms.CharField(
        label=_("Note"),
        max_length=5_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
    )


class WarningForm(forms.Form):
    """A warning: to whom, where, what is threatened, the act, the action asked, the window."""

    addressee = forms.ChoiceField(label=_("Warn"))
    lat = forms.FloatField(
        label=_("Latitude"),
        min_value=-90,
        max_value=90,
        widget=forms.NumberInput(attrs={"step": "any", "dir": "ltr"}),
    )
    lon = forms.FloatField(
        label=_("Longitude"),
        min_value=-180,
        max_value=180,
        widget=forms.NumberInput(attrs={"step": "any", "dir": "ltr"}),
    )
    act_kind = forms.ChoiceField(label=_("Kind of act threatened"))
    threat = forms.CharField(
        label=_("What is threatened"),
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
    )
    action_requested = forms.CharField(
        label=_("Action requested"),
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
    )
    window_hours = forms.FloatField(label=_("Act within (hours)"), min_value=0, initial=2)
    passed_at = LocalTimeField(
        label=_("Given at (if before now)"),
        required=False,
    )
    include_monitors = forms.BooleanField(label=_("Share with the monitors"), required=False)

    def __init__(
        self,
        *args: Any,
        addressees: list[tuple[str, str]],
        time_zone: str = "UTC",
        kinds: list[tuple[str, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        from django.utils.translation import gettext

        from coordcell.rules import taxonomy

        super().__init__(*args, **kwargs)
        self.zone_name = time_zone
        self.fields["addressee"].choices = addressees  # type: ignore[attr-defined]
        # The arrangement's kinds (built-in and declared), else the built-in ones.
        self.fields["act_kind"].choices = kinds or [  # type: ignore[attr-defined]
            (k, gettext(taxonomy.label(k))) for k in taxonomy.KINDS
        ]
        self.fields["passed_at"].help_text = _zone_help(time_zone)

    def clean_passed_at(self) -> dt.datetime | None:
        return local_instant(self.cleaned_data.get("passed_at"), self.zone_name)


class ActionForm(forms.Form):
    text = forms.CharField(
        label=_("Action taken"),
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
    )
    acted_at = LocalTimeField(label=_("Done at (if before now)"), required=False)

    def __init__(self, *args: Any, time_zone: str = "UTC", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.zone_name = time_zone
        self.fields["acted_at"].help_text = _zone_help(time_zone)

    def clean_acted_at(self) -> dt.datetime | None:
        return local_instant(self.cleaned_data.get("acted_at"), self.zone_name)


class ConfirmationForm(forms.Form):
    result = forms.ChoiceField(label=_("Finding"))
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from coordcell.cases.exchange_choices import ConfirmationChoices

        super().__init__(*args, **kwargs)
        self.fields["result"].choices = ConfirmationChoices.choices()  # type: ignore[attr-defined]


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"))
    incident = forms.CharField(
        label=_("Incident of the unilateral action (reference)"), required=False, max_length=40
    )
    text = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from coordcell.cases.exchange_choices import OutcomeChoices

        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = OutcomeChoices.choices()  # type: ignore[attr-defined]


class ClaimForm(forms.Form):
    """A use of force one's party reported, stated as self-defence, and its prior warning."""

    incident = forms.ChoiceField(label=_("Use of force your party reported"))
    warning = forms.ChoiceField(label=_("Prior warning through the cell"))
    statement = forms.CharField(
        label=_("Statement"),
        required=False,
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
    )

    NONE = "none"

    def __init__(
        self,
        *args: Any,
        incidents: list[tuple[str, str]],
        warnings: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["incident"].choices = incidents  # type: ignore[attr-defined]
        self.fields["warning"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            (self.NONE, _("No prior warning through the cell")),
            *warnings,
        ]


class ShiftForm(forms.Form):
    """A shift on the party's own duty roster (times typed in the arrangement's zone)."""

    call_sign = forms.ChoiceField(label=_("Call sign"))
    tier = forms.TypedChoiceField(
        label=_("Contact order"),
        coerce=int,
        choices=[
            (1, _("1 — duty officer")),
            (2, _("2 — deputy")),
            (3, _("3 — principal")),
        ],
    )
    channel = forms.ChoiceField(label=_("Channel"))
    contact = forms.CharField(
        label=_("Contact details"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"dir": "ltr"}),
    )
    shared = forms.BooleanField(
        label=_("Show the contact details to the other parties while on duty"), required=False
    )
    starts_at = LocalTimeField(label=_("Shift starts"))
    ends_at = LocalTimeField(label=_("Shift ends"))

    def __init__(
        self,
        *args: Any,
        call_signs: list[str],
        channels: list[tuple[str, Any]],
        time_zone: str = "UTC",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.zone_name = time_zone
        self.fields["call_sign"].choices = [(c, c) for c in call_signs]  # type: ignore[attr-defined]
        self.fields["channel"].choices = channels  # type: ignore[attr-defined]
        self.fields["starts_at"].help_text = _zone_help(time_zone)
        self.fields["ends_at"].help_text = _zone_help(time_zone)

    def clean_starts_at(self) -> dt.datetime | None:
        return local_instant(self.cleaned_data.get("starts_at"), self.zone_name)

    def clean_ends_at(self) -> dt.datetime | None:
        return local_instant(self.cleaned_data.get("ends_at"), self.zone_name)


class HandoverForm(forms.Form):
    """The outgoing duty officer's handover note."""

    incoming_call_sign = forms.ChoiceField(label=_("Incoming duty officer"))
    text = forms.CharField(
        label=_("Handover note"),
        max_length=5_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"}),
    )

    def __init__(self, *args: Any, call_signs: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["incoming_call_sign"].choices = [(c, c) for c in call_signs]  # type: ignore[attr-defined]


class CheckForm(forms.Form):
    """A communications check to the other end of a link."""

    to_party = forms.ChoiceField(label=_("Other end of the link"))

    def __init__(self, *args: Any, targets: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_party"].choices = targets  # type: ignore[attr-defined]
