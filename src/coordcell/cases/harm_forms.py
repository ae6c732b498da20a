"""The forms of civilian harm and property on the case page (one casualty figure, a
property record or a party's version of one). The services validate everything again
(``incidents.harm``): these forms only turn the posted text into values."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from coordcell.incidents.choices import (
    AgeBandChoices,
    CasualtyCategoryChoices,
    CasualtyOutcomeChoices,
    LandUseChoices,
    PropertyKindChoices,
    SexBandChoices,
)
from coordcell.incidents.harm import MAX_AREA_M2, MAX_ESTIMATE, MAX_STRUCTURES, NOTE_MAX_CHARS

__all__ = ["CasualtyForm", "PropertyForm", "PropertyVersionForm"]


class CasualtyForm(forms.Form):
    category = forms.ChoiceField(label=_("Who"), choices=CasualtyCategoryChoices.choices())
    outcome = forms.ChoiceField(label=_("Outcome"), choices=CasualtyOutcomeChoices.choices())
    age_band = forms.ChoiceField(label=_("Age"), choices=AgeBandChoices.choices())
    sex = forms.ChoiceField(label=_("Sex"), choices=SexBandChoices.choices())
    low = forms.IntegerField(
        label=_("Low estimate"), required=False, min_value=0, max_value=MAX_ESTIMATE
    )
    best = forms.IntegerField(label=_("Best estimate"), min_value=0, max_value=MAX_ESTIMATE)
    high = forms.IntegerField(
        label=_("High estimate"), required=False, min_value=0, max_value=MAX_ESTIMATE
    )

    def figure(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class PropertyVersionForm(forms.Form):
    area_m2 = forms.FloatField(
        label=_("Area (m²)"), required=False, min_value=0, max_value=MAX_AREA_M2
    )
    structures = forms.IntegerField(
        label=_("Structures"), required=False, min_value=0, max_value=MAX_STRUCTURES
    )
    land_use = forms.ChoiceField(
        label=_("Land use"), required=False, choices=[("", "—"), *LandUseChoices.choices()]
    )
    geometry = forms.CharField(
        label=_("Extent (GeoJSON point or polygon)"),
        required=False,
        max_length=200_000,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "ltr", "class": "mono"}),
    )
    position = forms.UUIDField(
        label=_("Declared position nearby (its id)"),
        required=False,
        help_text=_("Shown only to those who may see that position."),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=NOTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
    )

    def clean_geometry(self) -> Any:
        text = (self.cleaned_data.get("geometry") or "").strip()
        if not text:
            return None
        try:
            return json.loads(text)
        except (ValueError, RecursionError):  # "[[[[…" nested past the parser's depth
            raise forms.ValidationError(_("Give the extent as GeoJSON.")) from None

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("kind", None)
        data["position"] = str(data["position"]) if data.get("position") else None
        return data


class PropertyForm(PropertyVersionForm):
    kind = forms.ChoiceField(label=_("What was done"), choices=PropertyKindChoices.choices())
    field_order = ["kind"]
