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
