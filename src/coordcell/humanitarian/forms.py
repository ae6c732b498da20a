"""The forms of detainees and missing persons: a new file, a party's version, a change of
status, a dated fact (the detention's notification, access granted), a share, a request
and a link. Times are typed in the arrangement's zone; the services validate everything
again."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from coordcell.humanitarian.choices import RequestKindChoices, StatusChoices
from coordcell.humanitarian.services import (
    DETAILS_MAX_CHARS,
    LINK_KINDS,
    NAME_MAX_CHARS,
    STATEMENT_MAX_CHARS,
)
from coordcell.rules import localtime
from coordcell.rules.geojson_input import GeometryError, normalise_geometry

__all__ = [
    "DateForm",
    "FileForm",
    "LinkForm",
    "RequestForm",
    "ShareForm",
    "StatusForm",
    "VersionForm",
]

_UNKNOWN = ("", _("Unknown"))


class LocalTimeField(forms.DateTimeField):
    widget = forms.DateTimeInput(attrs={"type": "datetime-local", "dir": "ltr"})


class _Zoned(forms.Form):
    """A form whose date-times are local times of the arrangement's zone."""

    TIME_FIELDS: tuple[str, ...] = ()

    def __init__(self, *args: Any, time_zone: str = "UTC", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.zone_name = time_zone
        for name in self.TIME_FIELDS:
            self.fields[name].help_text = format_lazy(
                _("Local time in {zone} (the arrangement's time zone)."), zone=time_zone
            )

    def _instant(self, name: str) -> dt.datetime | None:
        value = self.cleaned_data.get(name)
        if value is None:
            return None
        try:
            return localtime.instant(
                value.replace(tzinfo=None), localtime.time_zone(self.zone_name)
            )
        except OverflowError:
            raise forms.ValidationError(_("Give a date and time with its time zone.")) from None


class FileForm(_Zoned):
    """A new file: the person (sealed at rest), since when and where, the access body."""

    TIME_FIELDS = ("since",)

    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            (StatusChoices.DETAINED, StatusChoices.label(StatusChoices.DETAINED)),
            (StatusChoices.MISSING, StatusChoices.label(StatusChoices.MISSING)),
        ],
    )
    since = LocalTimeField(label=_("Since"))
    place = forms.CharField(
        label=_("Where (GeoJSON geometry)"),
        max_length=200_000,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "ltr", "class": "mono"}),
        help_text=_(
            'A point or an area in WGS84 longitude and latitude, e.g. {"type": "Point", '
            '"coordinates": [35.82, 33.12]}.'
        ),
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=NAME_MAX_CHARS,
        widget=forms.TextInput(attrs={"dir": "auto", "autocomplete": "off"}),
        help_text=_("Sealed at rest; shown only to the file's readers, never outside the file."),
    )
    birth_date = forms.DateField(
        label=_("Date of birth"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "dir": "ltr"}),
    )
    details = forms.CharField(
        label=_("Identifying details"),
        required=False,
        max_length=DETAILS_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
        help_text=_("Only what identifies the person: keep it to the minimum."),
    )
    access_body = forms.ChoiceField(label=_("Access body"), required=False)
    held_by = forms.ChoiceField(label=_("Held by (as your party states it)"), required=False)
    statement = forms.CharField(
        label=_("Your party's version"),
        required=False,
        max_length=STATEMENT_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
    )

    def __init__(
        self,
        *args: Any,
        bodies: list[tuple[str, str]],
        parties: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["access_body"].choices = [("", _("None")), *bodies]  # type: ignore[attr-defined]
        self.fields["held_by"].choices = [_UNKNOWN, *parties]  # type: ignore[attr-defined]

    def clean_since(self) -> dt.datetime | None:
        return self._instant("since")

    def clean_place(self) -> dict[str, Any]:
        text = (self.cleaned_data.get("place") or "").strip()
        try:
            return normalise_geometry(json.loads(text))
        except (ValueError, RecursionError):
            raise forms.ValidationError(_("This is not GeoJSON.")) from None
        except GeometryError as exc:
            raise forms.ValidationError(exc.translated(gettext)) from None


class VersionForm(forms.Form):
    held_by = forms.ChoiceField(label=_("Held by (as your party states it)"), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=StatusChoices.choices())
    statement = forms.CharField(
        label=_("Your party's version"),
        max_length=STATEMENT_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
    )

    def __init__(self, *args: Any, parties: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["held_by"].choices = [_UNKNOWN, *parties]  # type: ignore[attr-defined]


class StatusForm(_Zoned):
    TIME_FIELDS = ("at",)

    status = forms.ChoiceField(label=_("New status"), choices=StatusChoices.choices())
    at = LocalTimeField(label=_("When"))

    def clean_at(self) -> dt.datetime | None:
        return self._instant("at")


class DateForm(_Zoned):
    TIME_FIELDS = ("at",)

    at = LocalTimeField(label=_("When"))

    def clean_at(self) -> dt.datetime | None:
        return self._instant("at")


class ShareForm(forms.Form):
    party = forms.ChoiceField(label=_("Share the file with"))

    def __init__(self, *args: Any, parties: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["party"].choices = parties  # type: ignore[attr-defined]


class RequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Request"), choices=RequestKindChoices.choices())
    addressee = forms.ChoiceField(label=_("Of"))
    within_hours = forms.FloatField(
        label=_("Within (hours)"),
        required=False,
        min_value=1,
        max_value=720,
        help_text=_("Empty: the arrangement's default deadline."),
    )

    def __init__(self, *args: Any, parties: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["addressee"].choices = parties  # type: ignore[attr-defined]


class LinkForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Link to"),
        choices=[(k, {"incident": _("Incident"), "case": _("Case")}[k]) for k in LINK_KINDS],
    )
    target = forms.UUIDField(label=_("Its id"))
