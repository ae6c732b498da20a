"""Forms of the case pages: lodge a complaint (with its incident), take a step, give a version."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from coordcell.incidents.choices import ActorClaimChoices, PrecisionChoices
from coordcell.rules import localtime, taxonomy
from coordcell.rules.geojson_input import GeometryError, normalise_geometry


def _kind_choices() -> list[tuple[str, str]]:
    return [(k, gettext(taxonomy.label(k))) for k in taxonomy.KINDS]


class IncidentForm(forms.Form):
    """An incident's kind, title, time and place: reported with a complaint, or corrected."""

    title = forms.CharField(
        label=_("Incident title"), max_length=300, widget=forms.TextInput(attrs={"dir": "auto"})
    )
    kind = forms.ChoiceField(label=_("Kind of incident"))
    occurred_from = forms.DateTimeField(
        label=_("When (local time)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local", "dir": "ltr"}),
    )
    time_precision = forms.ChoiceField(
        label=_("Known to"), choices=PrecisionChoices.choices(), initial="minute"
    )
    geometry = forms.CharField(required=False, widget=forms.HiddenInput)
    lat = forms.FloatField(
        required=False,
        label=_("Latitude"),
        min_value=-90,
        max_value=90,
        widget=forms.NumberInput(attrs={"step": "any", "dir": "ltr"}),
    )
    lon = forms.FloatField(
        required=False,
        label=_("Longitude"),
        min_value=-180,
        max_value=180,
        widget=forms.NumberInput(attrs={"step": "any", "dir": "ltr"}),
    )
    uncertainty_m = forms.FloatField(
        label=_("Location uncertainty (metres)"), min_value=0, max_value=1_000_000, initial=0
    )
    actor = forms.ChoiceField(
        label=_("Reported as acting"),
        required=False,
        help_text=_(
            "Who acted, as your report says: a party, one of its forces, or an actor no "
            "party controls. It decides whether a clause's exemption applies."
        ),
    )

    def __init__(
        self,
        data: Any = None,
        *,
        time_zone: str = "UTC",
        actors: list[tuple[str, str]] | None = None,
        kinds: list[tuple[str, str]] | None = None,
        initial: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        # The time is typed in the arrangement's local time; it is stored in UTC.
        self.zone_name = time_zone
        self.zone = localtime.time_zone(time_zone)
        initial = dict(initial or {})
        moment = initial.get("occurred_from")
        if isinstance(moment, dt.datetime) and timezone.is_aware(moment):
            # Shown as the wall-clock time in the arrangement's zone (naive: no conversion).
            initial["occurred_from"] = moment.astimezone(self.zone).replace(tzinfo=None)
        super().__init__(data, initial=initial, **kwargs)
        # The built-in kinds and those the arrangement declares (``kind_choices``).
        self.fields["kind"].choices = kinds or _kind_choices()  # type: ignore[attr-defined]
        self.fields["actor"].choices = actors or [  # type: ignore[attr-defined]
            ("unknown", gettext("Not stated"))
        ]
        field = self.fields["occurred_from"]
        if time_zone == localtime.DEFAULT_TIME_ZONE:
            field.label = _("When (UTC)")
            field.help_text = _("Date and time in UTC.")
        else:
            field.help_text = format_lazy(
                _("Local time in {zone} (the arrangement's time zone); it is stored in UTC."),
                zone=time_zone,
            )

    def clean_occurred_from(self) -> dt.datetime:
        """The typed wall-clock time, read in the arrangement's zone, as a UTC instant."""
        value = self.cleaned_data["occurred_from"]
        # Django made the typed time aware in the current zone; take back what was typed.
        typed = timezone.make_naive(value) if timezone.is_aware(value) else value
        return localtime.instant(typed, self.zone)

    def clean_actor(self) -> dict[str, str]:
        """Who acted, as the service takes it: ``acted_by``, ``acting_party``, ``acting_force``."""
        value = self.cleaned_data.get("actor") or "unknown"
        kind, _sep, code = value.partition(":")
        if kind == "party":
            return {"acted_by": "party", "acting_party": code, "acting_force": ""}
        if kind == "force":
            return {"acted_by": "party", "acting_party": "", "acting_force": code}
        return {"acted_by": kind, "acting_party": "", "acting_force": ""}

    def clean(self) -> dict[str, Any]:
        """The place: a line or area drawn on the map, or a point from its coordinates."""
        data = super().clean() or {}
        drawn = (data.get("geometry") or "").strip()
        if drawn:
            try:
                geometry = json.loads(drawn)
            except (ValueError, RecursionError):
                raise forms.ValidationError(
                    _("The drawn place could not be read; draw it again.")
                ) from None
        elif data.get("lat") is None or data.get("lon") is None:
            raise forms.ValidationError(
                _("Place the incident on the map, or give its latitude and longitude.")
            )
        else:
            geometry = {"type": "Point", "coordinates": [data["lon"], data["lat"]]}
        try:  # the one normaliser of incoming geometries: a clean copy, or what is wrong
            data["geometry"] = normalise_geometry(geometry)
        except GeometryError as exc:
            raise forms.ValidationError(exc.translated(gettext)) from None
        return data


class LodgeForm(IncidentForm):
    """Report an incident and lodge a complaint about it (``cases.lodging``)."""

    respondent = forms.ChoiceField(label=_("Complaint about"))
    summary = forms.CharField(
        label=_("The complaint"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 5, "dir": "auto"}),
    )

    precedence = forms.ChoiceField(label=_("Precedence"), required=False)

    def __init__(
        self,
        *args: Any,
        respondents: list[tuple[str, str]],
        precedences: list[tuple[str, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["respondent"].choices = respondents  # type: ignore[attr-defined]
        # The door's protocol's precedences, highest first; the lowest is the default.
        precedences = precedences or []
        self.fields["precedence"].choices = precedences  # type: ignore[attr-defined]
        if precedences:
            self.fields["precedence"].initial = precedences[-1][0]
        else:
            del self.fields["precedence"]


class StepForm(forms.Form):
    """A step's text: required for the steps that need one (the answer, the determination)."""

    text = forms.CharField(
        label=_("Text"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
    )

    def __init__(self, *args: Any, needs_text: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["text"].required = needs_text
        self.fields["text"].error_messages["required"] = _("This step needs a text.")


class AccountForm(forms.Form):
    actor_claim = forms.ChoiceField(label=_("Who acted"), choices=ActorClaimChoices.choices())
    actor_text = forms.CharField(
        label=_("Actor named"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"dir": "auto"}),
    )
    casualties_low = forms.IntegerField(label=_("Casualties (low)"), required=False, min_value=0)
    casualties_best = forms.IntegerField(label=_("Casualties (best)"), required=False, min_value=0)
    casualties_high = forms.IntegerField(label=_("Casualties (high)"), required=False, min_value=0)
    narrative = forms.CharField(
        label=_("Narrative"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"}),
    )


class ActivationForm(forms.Form):
    callee = forms.ChoiceField(label=_("Call"))
    channel = forms.ChoiceField(label=_("Channel"))
    subject = forms.CharField(
        label=pgettext_lazy("hotline", "Subject"),
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
    )

    def __init__(self, *args: Any, callees: list[tuple[str, str]], **kwargs: Any) -> None:
        from coordcell.cases.choices import ChannelChoices

        super().__init__(*args, **kwargs)
        self.fields["callee"].choices = callees  # type: ignore[attr-defined]
        self.fields["channel"].choices = ChannelChoices.choices()  # type: ignore[attr-defined]


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Answer"),
        required=False,
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
    )
