"""The forms of the sharing pages; the services check everything again."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from coordcell.rules.geojson_input import GeometryError, normalise_geometry
from coordcell.sharing import services
from coordcell.sharing.choices import (
    CredibilityChoices,
    ReliabilityChoices,
    TierChoices,
    TlpChoices,
)

_BLANK = [("", "—")]
_REDACTABLE_LABELS = {
    "body": _("Text"),
    "place": _("Place"),
    "time": _("Time"),
    "grades": _("Admiralty grades"),
    "links": _("Links"),
    "attachments": _("Files"),
}


def _codes(raw: str) -> list[str]:
    return [c for c in raw.replace(",", " ").split() if c]


class ItemForm(forms.Form):
    """A new item (and, with ``below_title``, the releasable part below its tearline)."""

    title = forms.CharField(label=_("Title"), max_length=services.TITLE_MAX_CHARS)
    body = forms.CharField(
        label=_("Text"), required=False, max_length=services.BODY_MAX_CHARS, widget=forms.Textarea
    )
    lat = forms.FloatField(label=_("Latitude"), required=False, min_value=-90, max_value=90)
    lon = forms.FloatField(label=_("Longitude"), required=False, min_value=-180, max_value=180)
    observed_at = forms.DateTimeField(
        label=_("Time (UTC)"), required=False, help_text=_("YYYY-MM-DD HH:MM, in UTC.")
    )
    source_reliability = forms.ChoiceField(
        label=_("Source reliability"), required=False,
        choices=_BLANK + ReliabilityChoices.choices(),
    )  # fmt: skip
    information_credibility = forms.ChoiceField(
        label=_("Information credibility"), required=False,
        choices=_BLANK + CredibilityChoices.choices(),
    )  # fmt: skip
    tier = forms.ChoiceField(label=_("Audience"), choices=TierChoices.choices())
    counterpart = forms.CharField(
        label=_("The named party (bilateral)"), required=False, max_length=40
    )
    releasability = forms.CharField(
        label=_("Releasable to (REL)"), required=False, max_length=400,
        help_text=_("Party codes separated by spaces; * for the public."),
    )  # fmt: skip
    originator_control = forms.BooleanField(label=_("Originator control"), required=False)
    tlp = forms.ChoiceField(label=_("TLP"), choices=TlpChoices.choices())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        lat, lon = data.get("lat"), data.get("lon")
        data["geometry"] = None
        if (lat is None) != (lon is None):
            raise forms.ValidationError(_("Give both coordinates, or neither."))
        if lat is not None and lon is not None:
            try:
                data["geometry"] = normalise_geometry({"type": "Point", "coordinates": [lon, lat]})
            except GeometryError as exc:
                raise forms.ValidationError(exc.translated(gettext)) from None
        return data

    def to_input(self, prefix: str = "") -> services.ItemInput:
        d = self.cleaned_data
        observed = d.get(f"{prefix}observed_at")
        return services.ItemInput(
            title=d[f"{prefix}title"],
            body=d.get(f"{prefix}body", ""),
            geometry=d.get("geometry") if not prefix else None,
            observed_at=observed,
            source_reliability=d.get(f"{prefix}source_reliability", ""),
            information_credibility=d.get(f"{prefix}information_credibility", ""),
            tier=d[f"{prefix}tier"],
            counterpart=d.get(f"{prefix}counterpart", ""),
            releasability=_codes(d.get(f"{prefix}releasability", "")),
            originator_control=bool(d.get(f"{prefix}originator_control")),
            tlp=d[f"{prefix}tlp"],
        )


class BelowForm(forms.Form):
    """The part below the tearline: a title, a text, its own audience and markings."""

    title = forms.CharField(label=_("Title"), max_length=services.TITLE_MAX_CHARS)
    body = forms.CharField(
        label=_("Text"), required=False, max_length=services.BODY_MAX_CHARS, widget=forms.Textarea
    )
    tier = forms.ChoiceField(
        label=_("Audience"),
        choices=[c for c in TierChoices.choices() if c[0] != TierChoices.PUBLIC],
    )
    counterpart = forms.CharField(
        label=_("The named party (bilateral)"), required=False, max_length=40
    )
    releasability = forms.CharField(label=_("Releasable to (REL)"), required=False, max_length=400)
    tlp = forms.ChoiceField(label=_("TLP"), choices=TlpChoices.choices())

    def to_input(self, orcon: bool = False) -> services.ItemInput:
        d = self.cleaned_data
        return services.ItemInput(
            title=d["title"],
            body=d.get("body", ""),
            tier=d["tier"],
            counterpart=d.get("counterpart", ""),
            releasability=_codes(d.get("releasability", "")),
            originator_control=orcon,
            tlp=d["tlp"],
        )


class TierForm(forms.Form):
    to_tier = forms.ChoiceField(label=_("Audience"), choices=TierChoices.choices())
    counterpart = forms.CharField(
        label=_("The named party (bilateral)"), required=False, max_length=40
    )
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=services.REASON_MAX_CHARS
    )


class RedactForm(forms.Form):
    remove = forms.MultipleChoiceField(
        label=_("Leave out"),
        choices=[(f, _REDACTABLE_LABELS[f]) for f in services.REDACTABLE_FIELDS],
        widget=forms.CheckboxSelectMultiple,
    )
    title = forms.CharField(
        label=_("New title"), required=False, max_length=services.TITLE_MAX_CHARS
    )
    body = forms.CharField(
        label=_("New text (replaces the text left out)"), required=False,
        max_length=services.BODY_MAX_CHARS, widget=forms.Textarea,
    )  # fmt: skip
    tier = forms.ChoiceField(
        label=_("Audience"),
        choices=[c for c in TierChoices.choices() if c[0] != TierChoices.PUBLIC],
    )
    counterpart = forms.CharField(
        label=_("The named party (bilateral)"), required=False, max_length=40
    )
    releasability = forms.CharField(label=_("Releasable to (REL)"), required=False, max_length=400)
    tlp = forms.ChoiceField(label=_("TLP"), choices=TlpChoices.choices())


class ReleasabilityForm(forms.Form):
    releasability = forms.CharField(label=_("Releasable to (REL)"), required=False, max_length=400)
    originator_control = forms.BooleanField(label=_("Originator control"), required=False)


class DecideForm(forms.Form):
    granted = forms.TypedChoiceField(
        label=_("Answer"),
        choices=[("yes", _("Give consent")), ("no", _("Refuse"))],
        coerce=lambda v: v == "yes",
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=services.REASON_MAX_CHARS)


class FileForm(forms.Form):
    file = forms.FileField(label=_("File"))


def rel_text(codes: list[str]) -> str:
    return " ".join(codes)


def geometry_json(value: str) -> Any:
    return json.loads(value) if value else None
