"""Forms of the verification pages: a proposed pair of steps, a verification, a
suspension, an extension, an inspection request, a report by element, an access denial.
They collect and convert; the services check everything (``core.forms.add_domain_errors``
shows their errors on the form)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from coordcell.rules import localtime
from coordcell.verification import inspections, timeline
from coordcell.verification.choices import CategoryChoices, DenialKindChoices, OutcomeChoices

#: Rows of elements on the report form (party, category, count).
ELEMENT_ROWS = 8


class LocalTimeField(forms.DateTimeField):
    widget = forms.DateTimeInput(attrs={"type": "datetime-local", "dir": "ltr"})


def local_instant(value: dt.datetime | None, zone_name: str) -> dt.datetime | None:
    """A typed wall-clock time in the arrangement's zone, as a UTC instant."""
    if value is None:
        return None
    typed = timezone.make_naive(value) if timezone.is_aware(value) else value
    return localtime.instant(typed, localtime.time_zone(zone_name))


class _Zoned(forms.Form):
    """A form with local times in the arrangement's zone (``time_fields``)."""

    time_fields: tuple[str, ...] = ()

    def __init__(self, *args: Any, time_zone: str = "UTC", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.zone_name = time_zone
        for name in self.time_fields:
            self.fields[name].help_text = format_lazy(
                _("Local time in {zone} (the arrangement's time zone)."), zone=time_zone
            )

    def instant(self, name: str) -> dt.datetime | None:
        return local_instant(self.cleaned_data.get(name), self.zone_name)


class ProposeForm(_Zoned):
    """The mediator's proposal: one step of each party, linked."""

    time_fields = ("first_due_at", "second_due_at")
    clause = forms.ChoiceField(label=_("Withdrawal clause"))
    first_party = forms.ChoiceField(label=_("First party"))
    first_sequence = forms.IntegerField(label=_("Its step number"), min_value=1, max_value=999)
    first_title = forms.CharField(label=_("Its step"), max_length=timeline.TITLE_MAX_CHARS)
    first_zones = forms.MultipleChoiceField(label=_("Its areas"), required=False)
    first_positions = forms.MultipleChoiceField(label=_("Its positions"), required=False)
    first_due_at = LocalTimeField(label=_("Its deadline"))
    second_party = forms.ChoiceField(label=_("Second party"))
    second_sequence = forms.IntegerField(label=_("Its step number"), min_value=1, max_value=999)
    second_title = forms.CharField(label=_("Its step"), max_length=timeline.TITLE_MAX_CHARS)
    second_zones = forms.MultipleChoiceField(label=_("Its areas"), required=False)
    second_positions = forms.MultipleChoiceField(label=_("Its positions"), required=False)
    second_due_at = LocalTimeField(label=_("Its deadline"))
    verifier = forms.ChoiceField(label=_("Verified by"), required=False)

    def __init__(
        self,
        *args: Any,
        clauses: list[tuple[str, str]],
        parties: list[tuple[str, str]],
        zones: list[tuple[str, str]],
        positions: list[tuple[str, str]],
        monitors: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["clause"].choices = clauses  # type: ignore[attr-defined]
        for side in ("first", "second"):
            self.fields[f"{side}_party"].choices = parties  # type: ignore[attr-defined]
            self.fields[f"{side}_zones"].choices = zones  # type: ignore[attr-defined]
            self.fields[f"{side}_positions"].choices = positions  # type: ignore[attr-defined]
        self.fields["verifier"].choices = [("", _("Any monitor")), *monitors]  # type: ignore[attr-defined]

    def side(self, side: str) -> timeline.StepInput:
        data = self.cleaned_data
        return timeline.StepInput(
            party=data[f"{side}_party"],
            sequence=data[f"{side}_sequence"],
            title=data[f"{side}_title"],
            due_at=self.instant(f"{side}_due_at"),  # type: ignore[arg-type]
            zones=list(data[f"{side}_zones"]),
            positions=list(data[f"{side}_positions"]),
            verifier=data["verifier"],
        )


class VerifyForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[(c, OutcomeChoices.label(c)) for c in OutcomeChoices.VERIFIED],
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=timeline.NOTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
    )  # fmt: skip
    report = forms.ChoiceField(label=_("Inspection report"), required=False)

    def __init__(self, *args: Any, reports: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["report"].choices = [("", _("None")), *reports]  # type: ignore[attr-defined]


class SuspendForm(forms.Form):
    note = forms.CharField(
        label=_("Why the step waits for the linked one"), max_length=timeline.NOTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
    )  # fmt: skip


class ExtensionForm(_Zoned):
    time_fields = ("new_due_at",)
    new_due_at = LocalTimeField(label=_("New deadline"))
    reason = forms.CharField(
        label=_("Reason"), max_length=timeline.NOTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
    )  # fmt: skip


class RequestForm(forms.Form):
    zone = forms.ChoiceField(label=_("Zone"))
    reason = forms.CharField(
        label=_("Reason"), max_length=inspections.TEXT_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
    )  # fmt: skip

    def __init__(self, *args: Any, zones: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["zone"].choices = zones  # type: ignore[attr-defined]


class ReportForm(_Zoned):
    """A report by element: up to ``ELEMENT_ROWS`` rows of party, category and count."""

    time_fields = ("inspected_at",)
    zone = forms.ChoiceField(label=_("Zone"))
    inspected_at = LocalTimeField(label=_("Inspected at"))
    request = forms.ChoiceField(label=_("Answers the request"), required=False)
    summary = forms.CharField(
        label=_("Summary"), required=False, max_length=inspections.TEXT_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
    )  # fmt: skip

    def __init__(
        self,
        *args: Any,
        zones: list[tuple[str, str]],
        parties: list[tuple[str, str]],
        requests: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["zone"].choices = zones  # type: ignore[attr-defined]
        self.fields["request"].choices = [("", _("None")), *requests]  # type: ignore[attr-defined]
        for i in range(ELEMENT_ROWS):
            self.fields[f"party_{i}"] = forms.ChoiceField(
                label=_("Party"), required=False, choices=[("", "—"), *parties]
            )
            self.fields[f"category_{i}"] = forms.ChoiceField(
                label=_("Category"), required=False, choices=[("", "—"), *CategoryChoices.choices()]
            )
            self.fields[f"count_{i}"] = forms.FloatField(
                label=_("Count"), required=False, min_value=0,
                widget=forms.NumberInput(attrs={"dir": "ltr", "step": "any"}),
            )  # fmt: skip

    @property
    def element_rows(self) -> list[tuple[Any, Any, Any]]:
        return [
            (self[f"party_{i}"], self[f"category_{i}"], self[f"count_{i}"])
            for i in range(ELEMENT_ROWS)
        ]

    @property
    def head_fields(self) -> list[Any]:
        return [self[name] for name in ("zone", "inspected_at", "request", "summary")]

    def holdings(self) -> list[dict[str, Any]]:
        data = self.cleaned_data
        rows = []
        for i in range(ELEMENT_ROWS):
            party, category, count = (
                data.get(f"party_{i}"),
                data.get(f"category_{i}"),
                data.get(f"count_{i}"),
            )
            if party or category or count is not None:
                rows.append({"party": party, "category": category, "count": count})
        return rows


class DenialForm(_Zoned):
    time_fields = ("occurred_at",)
    kind = forms.ChoiceField(label=_("What happened"), choices=DenialKindChoices.choices())
    occurred_at = LocalTimeField(label=_("When"))
    lon = forms.FloatField(
        label=_("Longitude (WGS84)"), widget=forms.NumberInput(attrs={"dir": "ltr", "step": "any"})
    )
    lat = forms.FloatField(
        label=_("Latitude (WGS84)"), widget=forms.NumberInput(attrs={"dir": "ltr", "step": "any"})
    )
    party = forms.ChoiceField(label=_("Party the monitors report it was"), required=False)
    description = forms.CharField(
        label=_("What the monitors saw"), max_length=inspections.TEXT_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
    )  # fmt: skip

    def __init__(self, *args: Any, parties: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["party"].choices = [("", _("Not stated")), *parties]  # type: ignore[attr-defined]
