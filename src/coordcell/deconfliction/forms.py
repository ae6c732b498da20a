"""The notice form (two steps: check, then confirm its warnings), its withdrawal and the
humanitarian actor's registration form."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from coordcell.deconfliction.services import (
    DESCRIPTION_MAX_CHARS,
    NAME_MAX_CHARS,
    WINDOW_BOUND_MESSAGE,
    WITHDRAWAL_REASON_MAX_CHARS,
)
from coordcell.rules import localtime
from coordcell.rules.geojson_input import GeometryError, normalise_geometry

__all__ = ["HumanitarianForm", "NoticeForm", "WithdrawForm"]


class LocalTimeField(forms.DateTimeField):
    widget = forms.DateTimeInput(attrs={"type": "datetime-local", "dir": "ltr"})


def _local_instant(value: dt.datetime | None, zone_name: str) -> dt.datetime | None:
    if value is None:
        return None
    typed = value.replace(tzinfo=None)
    try:
        return localtime.instant(typed, localtime.time_zone(zone_name))
    except OverflowError:  # a local time at the calendar's edge has no UTC instant
        raise forms.ValidationError(WINDOW_BOUND_MESSAGE) from None


class NoticeForm(forms.Form):
    """A notice, its times typed in the arrangement's zone, its route or area as GeoJSON."""

    activity = forms.ChoiceField(label=_("Activity"))
    humanitarian = forms.ChoiceField(label=_("Humanitarian actor"), required=False)
    starts_at = LocalTimeField(label=_("Window starts"))
    ends_at = LocalTimeField(label=_("Window ends"))
    geometry = forms.CharField(
        label=_("Route or area (GeoJSON geometry)"),
        required=False,
        max_length=200_000,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "ltr", "class": "mono"}),
        help_text=_(
            "A route as a LineString, a site as a Point, an area as a Polygon, in WGS84 "
            'longitude and latitude, e.g. {"type": "Point", "coordinates": [35.82, 33.12]}.'
        ),
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=DESCRIPTION_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"}),
    )
    audience = forms.MultipleChoiceField(
        label=_("Also notify"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "By default only your party and the mediator read a notice. Choose who else is "
            "notified: each party you add acknowledges it with a receipt."
        ),
    )
    confirm = forms.BooleanField(
        label=_("I have seen these warnings: submit the notice"), required=False
    )

    def __init__(
        self,
        *args: Any,
        activities: list[tuple[str, str]],
        humanitarians: list[tuple[str, str]],
        parties: list[tuple[str, str]],
        time_zone: str = "UTC",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.zone_name = time_zone
        self.fields["activity"].choices = activities  # type: ignore[attr-defined]
        if humanitarians:
            self.fields["humanitarian"].choices = [("", "—"), *humanitarians]  # type: ignore[attr-defined]
        else:
            del self.fields["humanitarian"]
        self.fields["audience"].choices = parties  # type: ignore[attr-defined]
        zone_help = format_lazy(
            _("Local time in {zone} (the arrangement's time zone)."), zone=time_zone
        )
        self.fields["starts_at"].help_text = zone_help
        self.fields["ends_at"].help_text = zone_help

    def clean_starts_at(self) -> dt.datetime | None:
        return _local_instant(self.cleaned_data.get("starts_at"), self.zone_name)

    def clean_ends_at(self) -> dt.datetime | None:
        return _local_instant(self.cleaned_data.get("ends_at"), self.zone_name)

    def clean_geometry(self) -> dict[str, Any] | None:
        text = (self.cleaned_data.get("geometry") or "").strip()
        if not text:
            return None
        try:
            return normalise_geometry(json.loads(text))
        except (ValueError, RecursionError):  # RecursionError: nested too deep to decode
            raise forms.ValidationError(_("This is not GeoJSON.")) from None
        except GeometryError as exc:
            raise forms.ValidationError(exc.translated(gettext)) from None


class WithdrawForm(forms.Form):
    """The notifying party withdraws its notice: why (the service checks the rest)."""

    reason = forms.CharField(
        label=_("Reason for the withdrawal"),
        max_length=WITHDRAWAL_REASON_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
        help_text=_("The parties that read the notice see it withdrawn, with this reason."),
    )


class HumanitarianForm(forms.Form):
    name_en = forms.CharField(label=_("Name (English)"), max_length=NAME_MAX_CHARS)
    name_ar = forms.CharField(
        label=_("Name (Arabic)"),
        max_length=NAME_MAX_CHARS,
        required=False,
        widget=forms.TextInput(attrs={"dir": "rtl", "lang": "ar"}),
    )
    name_he = forms.CharField(
        label=_("Name (Hebrew)"),
        max_length=NAME_MAX_CHARS,
        required=False,
        widget=forms.TextInput(attrs={"dir": "rtl", "lang": "he"}),
    )
