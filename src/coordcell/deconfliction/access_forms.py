"""The forms of access requests: a request (times typed in the arrangement's zone, the
land as GeoJSON) and the answering party's answer. ``deconfliction.access`` checks
everything again."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from coordcell.deconfliction.access import DESCRIPTION_MAX_CHARS, REASON_MAX_CHARS
from coordcell.deconfliction.choices import (
    AccessAnswerChoices,
    AccessPurposeChoices,
    RequesterKindChoices,
)
from coordcell.deconfliction.forms import LocalTimeField, _local_instant
from coordcell.rules.geojson_input import GeometryError, normalise_geometry

__all__ = ["AccessAnswerForm", "AccessRequestForm"]


def _zone_help(zone: str) -> Any:
    return format_lazy(_("Local time in {zone} (the arrangement's time zone)."), zone=zone)


class AccessRequestForm(forms.Form):
    answering_party = forms.ChoiceField(label=_("Asked of"))
    requester_kind = forms.ChoiceField(label=_("Who asks"), choices=RequesterKindChoices.choices())
    requester_ref = forms.CharField(
        label=_("Your party's reference for the person"),
        max_length=32,
        widget=forms.TextInput(attrs={"dir": "ltr", "class": "mono"}),
        help_text=_("A code with a digit, e.g. FARM-0042: never a name."),
    )
    purpose = forms.ChoiceField(label=_("Purpose"), choices=AccessPurposeChoices.choices())
    geometry = forms.CharField(
        label=_("The land (GeoJSON point or polygon)"),
        max_length=200_000,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "ltr", "class": "mono"}),
        help_text=_(
            "In WGS84 longitude and latitude, inside a zone of the arrangement, e.g. "
            '{"type": "Point", "coordinates": [35.82, 33.12]}.'
        ),
    )
    starts_at = LocalTimeField(label=_("Window starts"))
    ends_at = LocalTimeField(label=_("Window ends"))
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=DESCRIPTION_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
        help_text=_("Read by the other party, the mediator and the monitors: name no one."),
    )

    def __init__(
        self, *args: Any, parties: list[tuple[str, str]], time_zone: str = "UTC", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.zone_name = time_zone
        self.fields["answering_party"].choices = parties  # type: ignore[attr-defined]
        self.fields["starts_at"].help_text = _zone_help(time_zone)
        self.fields["ends_at"].help_text = _zone_help(time_zone)

    def clean_starts_at(self) -> dt.datetime | None:
        return _local_instant(self.cleaned_data.get("starts_at"), self.zone_name)

    def clean_ends_at(self) -> dt.datetime | None:
        return _local_instant(self.cleaned_data.get("ends_at"), self.zone_name)

    def clean_geometry(self) -> dict[str, Any]:
        text = (self.cleaned_data.get("geometry") or "").strip()
        try:
            return normalise_geometry(json.loads(text))
        except (ValueError, RecursionError):
            raise forms.ValidationError(_("This is not GeoJSON.")) from None
        except GeometryError as exc:
            raise forms.ValidationError(exc.translated(gettext)) from None


class AccessAnswerForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("Answer"), choices=AccessAnswerChoices.choices(), widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Reason (required for a denial)"),
        required=False,
        max_length=REASON_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
    )
    window_starts_at = LocalTimeField(label=_("Escorted window starts"), required=False)
    window_ends_at = LocalTimeField(label=_("Escorted window ends"), required=False)
    escort_by = forms.ChoiceField(label=_("Escorted by"), required=False)

    def __init__(
        self, *args: Any, escorts: list[tuple[str, str]], time_zone: str = "UTC", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.zone_name = time_zone
        self.fields["escort_by"].choices = [("", "—"), *escorts]  # type: ignore[attr-defined]
        self.fields["window_starts_at"].help_text = _zone_help(time_zone)
        self.fields["window_ends_at"].help_text = _zone_help(time_zone)

    def clean_window_starts_at(self) -> dt.datetime | None:
        return _local_instant(self.cleaned_data.get("window_starts_at"), self.zone_name)

    def clean_window_ends_at(self) -> dt.datetime | None:
        return _local_instant(self.cleaned_data.get("window_ends_at"), self.zone_name)
