"""OGC API – Features, Part 1 (Core and GeoJSON) over the layers of ``layers.py``.

QGIS, GDAL's OGC API driver and OWSLib add ``/api/features`` as a source: the landing
page, ``/conformance``, ``/collections``, ``/collections/{id}``, ``/collections/{id}/items``
(``limit``/``offset`` paging with ``next`` and ``prev`` links, ``bbox`` and ``datetime``
filters) and ``/collections/{id}/items/{fid}``, in JSON and GeoJSON, in CRS84.

The doors are the API's: an API token (``Authorization: Bearer …``) or the session, with
the same second-factor rule and rate limits. Every answer holds only what the caller may
read: a layer they may not read is absent from ``/collections`` and its paths answer 404
like a missing one; a hidden feature answers 404 like a missing one; ``numberMatched``
counts only what the caller may read. The paths open as given, with or without a
trailing slash (GDAL opens a URL exactly as typed).

The items' envelope is the standard's FeatureCollection (``numberMatched``,
``numberReturned``, ``links``), not the API's list envelope (``core.rest.Pagination``):
the clients that read these paths know only the standard's.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from coordcell.agreements import selectors as agreements
from coordcell.core.errors import NotFound, ValidationFailed
from coordcell.core.rest import ActorMixin
from coordcell.situation.layers import (
    BBox,
    Interval,
    Layer,
    find_item,
    get_layer,
    readable_layers,
)

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
GREGORIAN = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"
CONFORMANCE = (
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
)
GEOJSON = "application/geo+json"
JSON = "application/json"

#: ``limit`` when none is given, and the most one page holds (a larger limit is served at
#: the maximum, as the standard asks, and ``next`` says that more follow).
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
#: The query parameters of the items; any other is refused (400), as the standard asks.
#: ``f`` (``json``/``geojson`` only) and ``crs``/``bbox-crs`` (CRS84 only: GDAL names
#: the collection's CRS in each request) are accepted because clients send them.
#: The years a ``datetime`` filter may name (further out, the database's dates overflow).
YEARS = (1900, 2200)
ITEM_PARAMETERS = frozenset({"limit", "offset", "bbox", "datetime", "f", "crs", "bbox-crs"})


class GeoJSONRenderer(JSONRenderer):
    media_type = GEOJSON
    format = "geojson"


class AlwaysJSON(BaseContentNegotiation):
    """Every answer is JSON (GeoJSON for features), whatever ``Accept`` asks: GIS clients
    send varied ``Accept`` headers and understand only JSON from this server anyway."""

    def select_parser(self, request: Any, parsers: Any) -> Any:
        return parsers[0] if parsers else None

    def select_renderer(self, request: Any, renderers: Any, format_suffix: Any = None) -> Any:
        return renderers[0], renderers[0].media_type


class OgcView(ActorMixin, APIView):
    """The API's authentication, permission (a cell member) and throttles; JSON only."""

    renderer_classes = [JSONRenderer]
    content_negotiation_class = AlwaysJSON
    # Not part of the JSON API's OpenAPI document (the standard's own paths).
    schema = None

    def base(self) -> str:
        return self.request.build_absolute_uri("/api/features")

    def check_crs(self) -> None:
        for name in ("crs", "bbox-crs"):
            value = self.request.query_params.get(name)
            if value is not None and value.strip("<>") != CRS84:
                message = _("Only CRS84 (longitude, latitude in WGS 84) is served: %(crs)s.")
                raise ValidationFailed({name: [message % {"crs": CRS84}]})

    def check_format(self) -> None:
        f = self.request.query_params.get("f")
        if f not in (None, "", "json", "geojson", "application/json", GEOJSON):
            raise ValidationFailed({"f": [_("Only JSON (f=json) is served here.")]})


def _link(href: str, rel: str, kind: str, title: str | None = None) -> dict[str, str]:
    link = {"href": href, "rel": rel, "type": kind}
    if title:
        link["title"] = title
    return link


class LandingView(OgcView):
    def get(self, request: Request) -> Response:
        self.check_format()
        base = self.base()
        return Response(
            {
                "title": _("coordcell: the situation's layers"),
                "description": _(
                    "OGC API – Features of the layers the caller may read: zones, places, "
                    "incidents and the later layers, in CRS84."
                ),
                "links": [
                    _link(base, "self", JSON, _("This document")),
                    _link(f"{base}/conformance", "conformance", JSON, _("Conformance")),
                    _link(f"{base}/collections", "data", JSON, _("Collections")),
                    _link(
                        request.build_absolute_uri("/api/docs/"),
                        "service-doc",
                        "text/html",
                        _("The API's documentation"),
                    ),
                ],
            }
        )


class ConformanceView(OgcView):
    def get(self, request: Request) -> Response:
        self.check_format()
        return Response({"conformsTo": list(CONFORMANCE)})


def _collection(view: OgcView, layer: Layer, region: list[float] | None) -> dict[str, Any]:
    here = f"{view.base()}/collections/{layer.id}"
    extent: dict[str, Any] = {}
    if region:
        # The arrangement's region, the same for every reader (a reader's own extent
        # would tell where the features they may not read are not).
        extent["spatial"] = {"bbox": [list(region)], "crs": CRS84}
    if layer.temporal:
        extent["temporal"] = {"interval": [[None, None]], "trs": GREGORIAN}
    return {
        "id": layer.id,
        "title": str(layer.title),
        "description": str(layer.description),
        "itemType": "feature",
        "crs": [CRS84],
        "storageCrs": CRS84,
        "extent": extent,
        "links": [
            _link(here, "self", JSON, str(layer.title)),
            _link(f"{here}/items", "items", GEOJSON, str(layer.title)),
        ],
    }


def _region(view: OgcView) -> list[float] | None:
    try:
        version = agreements.get_version(view.actor, None, None)
    except NotFound:
        return None
    return list(version.region_bbox) if version.region_bbox else None


class CollectionsView(OgcView):
    def get(self, request: Request) -> Response:
        self.check_format()
        region = _region(self)
        base = self.base()
        return Response(
            {
                "links": [_link(f"{base}/collections", "self", JSON, _("Collections"))],
                "collections": [_collection(self, x, region) for x in readable_layers(self.actor)],
            }
        )


class CollectionView(OgcView):
    def get(self, request: Request, collection: str) -> Response:
        self.check_format()
        layer = get_layer(self.actor, collection)
        return Response(_collection(self, layer, _region(self)))


# --- the items' parameters ---------------------------------------------------------------


def parse_bbox(raw: str) -> BBox:
    """``minLon,minLat,maxLon,maxLat`` (or with heights: six numbers) in CRS84; a box
    whose west edge lies east of its east edge crosses the antimeridian."""
    parts = raw.split(",")
    message = _(
        "Give the box as four numbers: west, south, east, north (longitudes and latitudes "
        "in degrees)."
    )
    if len(parts) not in (4, 6):
        raise ValidationFailed({"bbox": [message]})
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        raise ValidationFailed({"bbox": [message]}) from None
    if not all(math.isfinite(n) for n in numbers):
        raise ValidationFailed({"bbox": [message]})
    if len(numbers) == 6:
        numbers = [numbers[0], numbers[1], numbers[3], numbers[4]]
    west, south, east, north = numbers
    if not (-180 <= west <= 180 and -180 <= east <= 180):
        raise ValidationFailed({"bbox": [_("Longitudes lie between -180 and 180.")]})
    if not (-90 <= south <= 90 and -90 <= north <= 90):
        raise ValidationFailed({"bbox": [_("Latitudes lie between -90 and 90.")]})
    if south > north:
        message = _("The south edge must not lie north of the north edge.")
        raise ValidationFailed({"bbox": [message]})
    return west, south, east, north


def _instant(raw: str, zone: ZoneInfo, *, end: bool) -> dt.datetime | None:
    if raw in ("", ".."):
        return None
    message = _(
        "Give a date (2026-05-01) or a date and time with its offset (2026-05-01T08:00:00Z)."
    )
    try:
        if "T" in raw.upper():
            moment = parse_datetime(raw)
            if moment is None or timezone.is_naive(moment):
                raise ValueError(raw)
            return _in_years(moment)
        day = parse_date(raw)
    except ValueError:
        raise ValidationFailed({"datetime": [message]}) from None
    if day is None:
        raise ValidationFailed({"datetime": [message]})
    # A date is that whole day in the arrangement's time zone.
    return _in_years(dt.datetime.combine(day, dt.time.max if end else dt.time.min, zone))


def _in_years(moment: dt.datetime) -> dt.datetime:
    """The instant, refused (400) when its UTC year lies outside :data:`YEARS`."""
    first, last = YEARS
    try:
        year = moment.astimezone(dt.UTC).year
    except OverflowError:
        year = first - 1
    if not first <= year <= last:
        message = _("Give a day between the years %(first)s and %(last)s.")
        raise ValidationFailed({"datetime": [message % {"first": first, "last": last}]})
    return moment


def parse_datetime_filter(raw: str, zone: ZoneInfo) -> Interval:
    """An instant, a date, or an interval ``start/end`` whose ends may be open (``..``)."""
    if raw.count("/") > 1:
        raise ValidationFailed({"datetime": [_("Give one instant or one interval start/end.")]})
    if "/" in raw:
        first, last = raw.split("/")
        if first in ("", "..") and last in ("", ".."):
            raise ValidationFailed({"datetime": [_("An interval needs at least one end.")]})
        start = _instant(first, zone, end=False)
        stop = _instant(last, zone, end=True)
    else:
        if raw in ("", ".."):
            raise ValidationFailed({"datetime": [_("Give one instant or one interval.")]})
        start = _instant(raw, zone, end=False)
        stop = _instant(raw, zone, end=True)
    if start is not None and stop is not None and stop < start:
        raise ValidationFailed({"datetime": [_("The interval must not end before it starts.")]})
    return start, stop


def _whole(raw: str | None, name: str, default: int, least: int) -> int:
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        value = least - 1
    if value < least:
        message = _("Enter a whole number of at least %(least)s.") % {"least": least}
        raise ValidationFailed({name: [message]})
    return value


def _page_link(href: str, params: dict[str, str], offset: int, rel: str) -> dict[str, str]:
    query = {**params, "offset": str(offset)}
    return _link(f"{href}?{urlencode(query)}", rel, GEOJSON)


class ItemsView(OgcView):
    renderer_classes = [GeoJSONRenderer]

    def get(self, request: Request, collection: str) -> Response:
        layer = get_layer(self.actor, collection)
        query = request.query_params
        unknown = sorted(set(query) - ITEM_PARAMETERS)
        if unknown:
            message = _("Unknown parameter: %(names)s.") % {"names": ", ".join(unknown)}
            raise ValidationFailed({unknown[0]: [message]})
        self.check_format()
        self.check_crs()
        limit = min(_whole(query.get("limit"), "limit", DEFAULT_LIMIT, 1), MAX_LIMIT)
        offset = _whole(query.get("offset"), "offset", 0, 0)
        bbox = parse_bbox(query["bbox"]) if query.get("bbox") is not None else None
        interval = None
        if query.get("datetime") is not None:
            zone = ZoneInfo(agreements.current_time_zone(self.actor))
            interval = parse_datetime_filter(query["datetime"], zone)
        found = layer.items(self.actor, bbox, interval if layer.temporal else None)
        matched = len(found)
        # Past the last item the page is empty whatever the offset: a huge one must not
        # reach the database (it overflows its integers).
        offset = min(offset, matched)
        page = list(found[offset : offset + limit])
        href = f"{self.base()}/collections/{layer.id}/items"
        params = {k: query[k] for k in ("bbox", "datetime") if query.get(k) is not None}
        params["limit"] = str(limit)
        links = [
            _page_link(href, params, offset, "self"),
            _link(f"{self.base()}/collections/{layer.id}", "collection", JSON),
        ]
        if offset + len(page) < matched:
            links.append(_page_link(href, params, offset + limit, "next"))
        if offset > 0:
            links.append(_page_link(href, params, max(0, offset - limit), "prev"))
        return Response(
            {
                "type": "FeatureCollection",
                "features": [item.feature for item in page],
                "numberMatched": matched,
                "numberReturned": len(page),
                "timeStamp": timezone.now().isoformat().replace("+00:00", "Z"),
                "links": links,
            },
            content_type=GEOJSON,
            headers={"Content-Crs": f"<{CRS84}>"},
        )


class ItemView(OgcView):
    renderer_classes = [GeoJSONRenderer]

    def get(self, request: Request, collection: str, fid: str) -> Response:
        self.check_format()
        self.check_crs()
        layer = get_layer(self.actor, collection)
        item = find_item(layer, self.actor, fid)
        here = f"{self.base()}/collections/{layer.id}"
        feature = {
            **item.feature,
            "links": [
                _link(f"{here}/items/{fid}", "self", GEOJSON),
                _link(here, "collection", JSON),
            ],
        }
        return Response(feature, content_type=GEOJSON, headers={"Content-Crs": f"<{CRS84}>"})
