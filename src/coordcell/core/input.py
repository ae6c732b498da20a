"""Input serializers' building blocks, shared by every app's ``api.py``: refuse unknown
fields, take geometries through the one normaliser (``rules.geojson_input``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from coordcell.rules.geojson_input import (
    GEOMETRY_TYPES,
    MAX_POSITIONS,
    GeometryError,
    normalise_geometry,
)

__all__ = ["GEOMETRY_SCHEMA", "GeometryField", "StrictSerializer"]

#: At most this many unknown fields are named in one answer.
_NAMED = 20


class StrictSerializer(serializers.Serializer[Any]):
    """An input serializer that refuses members it does not declare (400, each one named
    ``"Unknown field."``), so that nothing unasked-for is stored or echoed."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            known = {name for name, field in self.fields.items() if not field.read_only}
            unknown = sorted(str(key) for key in data if key not in known)
            if unknown:
                raise serializers.ValidationError(
                    {_short(name): [_("Unknown field.")] for name in unknown[:_NAMED]}
                )
        return super().to_internal_value(data)


def _short(name: str) -> str:
    return name if len(name) <= 60 else name[:57] + "..."


GEOMETRY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": (
        "A GeoJSON geometry (RFC 7946), WGS84 [longitude, latitude]: numbers only, at most "
        f"{MAX_POSITIONS:,} positions, a valid shape; members other than type, coordinates "
        "and bbox are refused, bbox is dropped."
    ),
    "required": ["type", "coordinates"],
    "properties": {
        "type": {"type": "string", "enum": list(GEOMETRY_TYPES)},
        "coordinates": {"type": "array", "items": {}},
        "bbox": {"type": "array", "items": {"type": "number"}},
    },
    "additionalProperties": False,
    "example": {"type": "Point", "coordinates": [35.82461, 33.12595]},
}


@extend_schema_field(GEOMETRY_SCHEMA)
class GeometryField(serializers.Field):  # type: ignore[type-arg]
    """A geometry, returned as the normaliser's clean copy (never the request's object)."""

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        try:
            return normalise_geometry(data)
        except GeometryError as exc:
            raise serializers.ValidationError(exc.translated(gettext)) from None

    def to_representation(self, value: Any) -> Any:
        return value


class OffsetDateTimeField(serializers.DateTimeField):
    """An ISO 8601 date-time that must carry its offset (``Z`` or ``+03:00``).

    A time without one is refused (400), never guessed: the API does not read a naive
    time as UTC, nor as the arrangement's local time (docs/api.md).
    """

    default_error_messages = {
        "naive": _(
            "Give the date and time with its UTC offset, e.g. 2026-03-01T04:00+03:00 "
            "or 2026-03-01T01:00Z."
        ),
    }

    def to_internal_value(self, value: Any) -> Any:
        if isinstance(value, str):
            parsed = parse_datetime(value.strip())
            if parsed is not None and parsed.tzinfo is None:
                self.fail("naive")
        return super().to_internal_value(value)
