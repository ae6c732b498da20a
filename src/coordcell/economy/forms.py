"""The forms of the economic zone's pages. They only collect the input: the services
(the same ones the API calls) validate everything and their errors come back onto the
form through ``core.forms.add_domain_errors``."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from coordcell.economy import services
from coordcell.economy.choices import MilestoneStatusChoices, ProjectStateChoices

_LANGUAGE_LABELS = {"en": _("English"), "ar": _("Arabic"), "he": _("Hebrew")}
_DATE = forms.TextInput(attrs={"type": "date"})


def _amount() -> forms.CharField:
    return forms.CharField(
        label=_("Amount"), max_length=40, help_text=_('A decimal string, e.g. "1250.50"')
    )


def _currency() -> forms.CharField:
    return forms.CharField(label=_("Currency"), max_length=10, help_text=_("ISO 4217, e.g. USD"))


class _Texts(forms.Form):
    """A text in each of the project's languages: ``<prefix>_en``, ``_ar``, ``_he``."""

    def _text_fields(self, prefix: str, label: Any, limit: int, textarea: bool = False) -> None:
        for lang in services.LANGUAGES:
            self.fields[f"{prefix}_{lang}"] = forms.CharField(
                label=f"{label} ({_LANGUAGE_LABELS[lang]})",
                max_length=limit,
                widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"})
                if textarea
                else forms.TextInput(attrs={"dir": "auto"}),
            )

    def texts(self, prefix: str) -> dict[str, str]:
        return {lang: self.cleaned_data.get(f"{prefix}_{lang}", "") for lang in services.LANGUAGES}


class ProjectForm(_Texts):
    sector = forms.ChoiceField(label=_("Sector"))
    lat = forms.FloatField(label=_("Latitude"), required=False, min_value=-90, max_value=90)
    lon = forms.FloatField(label=_("Longitude"), required=False, min_value=-180, max_value=180)
    site = forms.CharField(
        label=_("Site (GeoJSON geometry)"),
        required=False,
        max_length=400_000,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "ltr"}),
        help_text=_("Give the coordinates of a point, or a GeoJSON geometry."),
    )
    budget_currency = _currency()
    budget_amount = _amount()
    state = forms.ChoiceField(label=_("State"), choices=ProjectStateChoices.choices())

    def __init__(self, *args: Any, sectors: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sector"].choices = sectors  # type: ignore[attr-defined]
        self._text_fields("title", _("Title"), services.TITLE_MAX_CHARS)
        self._text_fields("description", _("Description"), services.TEXT_MAX_CHARS, True)
        self.order_fields(["sector", *(f"title_{x}" for x in services.LANGUAGES)])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        text = (data.get("site") or "").strip()
        if text:
            try:
                data["site_value"] = json.loads(text)
            except (ValueError, RecursionError):
                self.add_error("site", _("The site could not be read as GeoJSON."))
        elif data.get("lat") is not None and data.get("lon") is not None:
            data["site_value"] = {"type": "Point", "coordinates": [data["lon"], data["lat"]]}
        else:
            self.add_error("site", _("Give the coordinates of a point, or a GeoJSON geometry."))
        return data


class MilestoneForm(_Texts):
    due_on = forms.CharField(label=_("Due on"), max_length=20, widget=_DATE)
    status = forms.ChoiceField(label=_("Status"), choices=MilestoneStatusChoices.choices())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_milestone_%s")
        super().__init__(*args, **kwargs)
        self._text_fields("title", _("Title"), services.TITLE_MAX_CHARS)
        self.order_fields([f"title_{x}" for x in services.LANGUAGES])


class MilestoneStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=MilestoneStatusChoices.choices())


class _Money(forms.Form):
    parent = forms.ChoiceField()
    currency = _currency()
    amount = _amount()

    kind = "money"
    parent_label: Any = ""

    def __init__(self, *args: Any, parents: list[tuple[str, str]], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"id_{self.kind}_%s")
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = parents  # type: ignore[attr-defined]
        self.fields["parent"].label = self.parent_label


class PledgeForm(_Money):
    kind = "pledge"
    parent_label = _("Donor")
    pledged_on = forms.CharField(label=_("Pledged on"), max_length=20, widget=_DATE)


class CommitmentForm(_Money):
    kind = "commitment"
    parent_label = _("Pledge")
    committed_on = forms.CharField(label=_("Committed on"), max_length=20, widget=_DATE)


class TrancheForm(_Money):
    kind = "tranche"
    parent_label = _("Commitment")
    planned_on = forms.CharField(label=_("Planned for"), max_length=20, widget=_DATE)
