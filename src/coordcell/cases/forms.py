"""Forms of the case pages: lodge a complaint (with its incident), take a step, give a version."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from coordcell.incidents.choices import ActorClaimChoices, PrecisionChoices
from coordcell.rules import taxonomy


def _kind_choices() -> list[tuple[str, str]]:
    return [(k, gettext(taxonomy.label(k))) for k in taxonomy.KINDS]


class LodgeForm(forms.Form):
    respondent = forms.ChoiceField(label=_("Complaint about"))
    title = forms.CharField(label=_("Incident title"), max_length=300)
    kind = forms.ChoiceField(label=_("Kind of incident"))
    occurred_from = forms.DateTimeField(
        label=_("When (UTC)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local", "dir": "ltr"}),
        help_text=_("Date and time in UTC."),
    )
    time_precision = forms.ChoiceField(
        label=_("Known to"), choices=PrecisionChoices.choices(), initial="minute"
    )
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
    uncertainty_m = forms.FloatField(
        label=_("Location uncertainty (metres)"), min_value=0, max_value=100_000, initial=0
    )
    summary = forms.CharField(
        label=_("The complaint"), max_length=10_000, widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, *args: Any, respondents: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["respondent"].choices = respondents  # type: ignore[attr-defined]
        self.fields["kind"].choices = _kind_choices()  # type: ignore[attr-defined]


class StepForm(forms.Form):
    text = forms.CharField(
        label=_("Text"), required=False, max_length=20_000, widget=forms.Textarea(attrs={"rows": 3})
    )


class AccountForm(forms.Form):
    actor_claim = forms.ChoiceField(label=_("Who acted"), choices=ActorClaimChoices.choices())
    actor_text = forms.CharField(label=_("Actor named"), required=False, max_length=300)
    casualties_low = forms.IntegerField(label=_("Casualties (low)"), required=False, min_value=0)
    casualties_best = forms.IntegerField(label=_("Casualties (best)"), required=False, min_value=0)
    casualties_high = forms.IntegerField(label=_("Casualties (high)"), required=False, min_value=0)
    narrative = forms.CharField(
        label=_("Narrative"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
