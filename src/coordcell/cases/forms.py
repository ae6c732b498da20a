"""Forms of the case pages: lodge a complaint (with its incident), take a step, give a version."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from coordcell.cases.choices import (
    ElementChoices,
    FindingChoices,
    LinkChoices,
    NatureChoices,
    OutcomeChoices,
    ReasonChoices,
)
from coordcell.incidents.choices import ActorClaimChoices, PrecisionChoices
from coordcell.rules import localtime, taxonomy
from coordcell.rules.geojson_input import GeometryError, normalise_geometry


def _kind_choices() -> list[tuple[str, str]]:
    return [(k, gettext(taxonomy.label(k))) for k in taxonomy.KINDS]


class IncidentForm(forms.Form):
    """An incident's kind, title, time and place: reported with a complaint, or corrected."""

    title = forms.CharField(
        label=_("Incident title"),
        help_text=_(
            "Your party's title, shown as its version beside the other party's. Every "
            "reader sees a generated headline instead: kind, place and local time."
        ),
        max_length=300,
        widget=forms.TextInput(attrs={"dir": "auto"}),
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
    nature = forms.ChoiceField(
        label=_("What you ask"),
        choices=NatureChoices.choices(),
        initial="complaint",
        required=False,
        help_text=_(
            "A request to act asks the party that controls the territory to act, without "
            "alleging that it is responsible."
        ),
    )
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

    #: With a determination or a proposal: what it found (for the scorecard of compliance).
    outcome = forms.ChoiceField(
        label=_("What the determination found"),
        required=False,
        choices=[("", _("Not stated")), *OutcomeChoices.choices()],
    )

    def __init__(self, *args: Any, needs_text: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["text"].required = needs_text
        self.fields["text"].error_messages["required"] = _("This step needs a text.")


#: Remedy rows the determination form offers (the API takes up to 20).
REMEDY_ROWS = 3


class DeterminationForm(StepForm):
    """A determination (or its joint proposal): its text, what it found, the clauses it
    cites and up to :data:`REMEDY_ROWS` remedies (a row left without "what" is none).

    Deadlines are entered in UTC. The service checks the content against the case."""

    outcome = forms.ChoiceField(label=_("Outcome"))
    clauses = forms.MultipleChoiceField(
        label=_("Clauses cited"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(
        self,
        *args: Any,
        clauses: Sequence[tuple[str, str]] = (),
        owners: Sequence[tuple[str, str]] = (),
        verifiers: Sequence[tuple[str, str]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, needs_text=True, **kwargs)
        outcome = self.fields["outcome"]
        cited = self.fields["clauses"]
        assert isinstance(outcome, forms.ChoiceField)
        assert isinstance(cited, forms.MultipleChoiceField)
        outcome.choices = [("", "—"), *OutcomeChoices.choices()]
        cited.choices = list(clauses)
        for i in range(REMEDY_ROWS):
            self.fields[f"remedy_{i}_what"] = forms.CharField(
                label=_("Remedy %(n)s: what is to be done") % {"n": i + 1},
                required=False,
                max_length=2_000,
                widget=forms.TextInput(attrs={"dir": "auto"}),
            )
            self.fields[f"remedy_{i}_owner"] = forms.ChoiceField(
                label=_("by"), required=False, choices=[("", "—"), *owners]
            )
            self.fields[f"remedy_{i}_due"] = forms.DateTimeField(
                label=_("deadline (UTC)"),
                required=False,
                widget=forms.DateTimeInput(attrs={"type": "datetime-local", "dir": "ltr"}),
            )
            self.fields[f"remedy_{i}_verifier"] = forms.ChoiceField(
                label=_("verified by"), required=False, choices=[("", "—"), *verifiers]
            )

    def remedy_rows(self) -> list[list[Any]]:
        """The remedy fields, row by row, for the template."""
        names = ("what", "owner", "due", "verifier")
        return [[self[f"remedy_{i}_{n}"] for n in names] for i in range(REMEDY_ROWS)]

    def content(self) -> dict[str, Any]:
        """The structured content for ``cases.services.act``."""
        data = self.cleaned_data
        remedies = []
        for i in range(REMEDY_ROWS):
            if not (data.get(f"remedy_{i}_what") or "").strip():
                continue
            due = data.get(f"remedy_{i}_due")
            if isinstance(due, dt.datetime) and timezone.is_naive(due):
                due = due.replace(tzinfo=dt.UTC)
            remedies.append(
                {
                    "what": data[f"remedy_{i}_what"],
                    "owner": data.get(f"remedy_{i}_owner") or "",
                    "due_at": due,
                    "verifier": data.get(f"remedy_{i}_verifier") or "",
                }
            )
        return {
            "outcome": data.get("outcome", ""),
            "clauses": list(data.get("clauses") or []),
            "remedies": remedies,
        }


class InquiryForm(forms.Form):
    """The mediator or a monitor opens an inquiry of its own motion about an incident."""

    incident = forms.ChoiceField(label=_("Incident"))
    respondent = forms.ChoiceField(label=_("Party concerned"))
    summary = forms.CharField(
        label=_("What the inquiry is about"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 5, "dir": "auto"}),
    )

    def __init__(
        self,
        *args: Any,
        incidents: Sequence[tuple[str, str]] = (),
        respondents: Sequence[tuple[str, str]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        incident = self.fields["incident"]
        respondent = self.fields["respondent"]
        assert isinstance(incident, forms.ChoiceField)
        assert isinstance(respondent, forms.ChoiceField)
        incident.choices = list(incidents)
        respondent.choices = list(respondents)


class LinkForm(StepForm):
    """Link the case to another, as its duplicate or its counter-complaint."""

    case = forms.CharField(
        label=_("The other case's reference"),
        max_length=40,
        widget=forms.TextInput(attrs={"dir": "ltr"}),
    )
    relation = forms.ChoiceField(label=_("This case is"), choices=LinkChoices.choices())

    def content(self) -> dict[str, Any]:
        return {"case": self.cleaned_data["case"], "relation": self.cleaned_data["relation"]}


class VerificationForm(StepForm):
    """A verification result by element: for each element assessed, what was found and,
    where it was not (fully) verified, why (an access denial names the party that denied
    it). An element left without a finding was not assessed."""

    def __init__(self, *args: Any, parties: Sequence[tuple[str, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, label in ElementChoices.choices():
            self.fields[f"{code}_finding"] = forms.ChoiceField(
                label=label, required=False, choices=[("", "—"), *FindingChoices.choices()]
            )
            self.fields[f"{code}_reason"] = forms.ChoiceField(
                label=_("reason"), required=False, choices=[("", "—"), *ReasonChoices.choices()]
            )
            self.fields[f"{code}_denied_by"] = forms.ChoiceField(
                label=_("access denied by"), required=False, choices=[("", "—"), *parties]
            )
            self.fields[f"{code}_reason_text"] = forms.CharField(
                label=_("reason in words"),
                required=False,
                max_length=1_000,
                widget=forms.TextInput(attrs={"dir": "auto"}),
            )

    def element_rows(self) -> list[list[Any]]:
        """The element fields, row by row, for the template."""
        names = ("finding", "reason", "denied_by", "reason_text")
        return [[self[f"{code}_{n}"] for n in names] for code in ElementChoices.values()]

    def content(self) -> dict[str, Any]:
        """The elements for ``cases.services.act``."""
        data = self.cleaned_data
        return {
            "elements": [
                {
                    "element": code,
                    "finding": data[f"{code}_finding"],
                    "reason": data.get(f"{code}_reason") or "",
                    "denied_by": data.get(f"{code}_denied_by") or "",
                    "reason_text": data.get(f"{code}_reason_text") or "",
                }
                for code in ElementChoices.values()
                if data.get(f"{code}_finding")
            ]
        }


class AccountForm(forms.Form):
    title = forms.CharField(
        label=_("Your party's title of the incident"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"dir": "auto"}),
    )
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
