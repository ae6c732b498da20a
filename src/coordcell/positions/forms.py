"""The forms of the positions pages; the services check everything again."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from coordcell.positions import services
from coordcell.positions.choices import CATEGORY_LABELS
from coordcell.rules.geojson_input import GeometryError, normalise_geometry


class _PlaceMixin(forms.Form):
    """A point from its coordinates, or a line or an area drawn on the map (picker.js)."""

    lat = forms.FloatField(label=_("Latitude"), required=False, min_value=-90, max_value=90)
    lon = forms.FloatField(label=_("Longitude"), required=False, min_value=-180, max_value=180)
    geometry = forms.CharField(required=False, widget=forms.HiddenInput, max_length=400_000)
    place_required = True

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        drawn = (data.get("geometry") or "").strip()
        if drawn:
            try:
                geometry = json.loads(drawn)
            except (ValueError, RecursionError):
                raise forms.ValidationError(_("The drawn site could not be read.")) from None
        elif data.get("lat") is None or data.get("lon") is None:
            if self.place_required:
                raise forms.ValidationError(
                    _("Place the site on the map, or give its coordinates.")
                )
            data["geometry"] = None
            return data
        else:
            geometry = {"type": "Point", "coordinates": [data["lon"], data["lat"]]}
        try:
            data["geometry"] = normalise_geometry(geometry)
        except GeometryError as exc:
            raise forms.ValidationError(exc.translated(gettext)) from None
        return data


def _holding_fields(form: forms.Form) -> None:
    for category in services.CATEGORIES:
        form.fields[f"h_{category}"] = forms.IntegerField(
            label=CATEGORY_LABELS[category], required=False, min_value=0,
            max_value=services.COUNT_MAX,
        )  # fmt: skip
    form.fields["h_range_km"] = forms.FloatField(
        label=_("Artillery range (km)"), required=False, min_value=0.001,
        max_value=services.RANGE_MAX_KM,
    )  # fmt: skip


def holdings_of(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The form's holding fields as the service takes them."""
    result = []
    for category in services.CATEGORIES:
        count = data.get(f"h_{category}")
        if count is not None:
            result.append(
                {
                    "category": category,
                    "count": count,
                    "range_km": data.get("h_range_km") if category == "artillery_pieces" else None,
                }
            )
    return result


class PositionForm(_PlaceMixin):
    name = forms.CharField(label=_("Name"), max_length=services.NAME_MAX)
    kind = forms.ChoiceField(label=_("Kind"))
    established = forms.DateField(label=_("Established"), help_text=_("YYYY-MM-DD"))

    def __init__(self, *args: Any, kinds: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kinds  # type: ignore[attr-defined]
        _holding_fields(self)
        self.order_fields(["name", "kind", "established", "lat", "lon"])

    def holding_fields(self) -> list[Any]:
        return [self[name] for name in self.fields if name.startswith("h_")]


class ChangeForm(_PlaceMixin):
    place_required = False
    change = forms.ChoiceField(
        label=_("Change"),
        choices=[
            ("moved", _("Moved")),
            ("holdings", _("Holdings changed")),
            ("vacated", _("Vacated")),
        ],
    )
    effective = forms.DateField(label=_("Takes effect"), help_text=_("YYYY-MM-DD"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _holding_fields(self)

    def holding_fields(self) -> list[Any]:
        return [self[name] for name in self.fields if name.startswith("h_")]


class ImportForm(forms.Form):
    file = forms.FileField(label=_("GeoJSON file"))


class DisputeForm(_PlaceMixin):
    place_required = False
    against = forms.ChoiceField(label=_("Positions of"))
    claim = forms.CharField(label=_("Claim"), widget=forms.Textarea, max_length=services.CLAIM_MAX)

    def __init__(self, *args: Any, parties: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["against"].choices = parties  # type: ignore[attr-defined]
        self.order_fields(["against", "claim", "lat", "lon"])


class AgreeForm(forms.Form):
    note = forms.CharField(
        label=_("How both parties consented"), widget=forms.Textarea, max_length=services.CLAIM_MAX
    )
