"""The exports' downloads (API doors: a token or the session) and the operators' page
that lists them with the OGC API's address for QGIS."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from rest_framework.request import Request

from coordcell.core.errors import NotFound
from coordcell.core.http import actor_for, member_required
from coordcell.situation import gis_exports
from coordcell.situation.layers import get_layer, readable_layers
from coordcell.situation.ogc import OgcView


def _download(body: bytes, fmt: str, stem: str) -> HttpResponse:
    content_type, suffix = gis_exports.FORMATS[fmt]
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="coordcell-{stem}.{suffix}"'
    return response


class LayerExportView(OgcView):
    """One layer the caller may read as GeoJSON, KML or GeoPackage (404 for any other)."""

    def get(self, request: Request, collection: str, fmt: str) -> HttpResponse:
        layer = get_layer(self.actor, collection)
        if fmt == "geojson":
            body = gis_exports.geojson(layer, self.actor)
        elif fmt == "kml":
            language = (translation.get_language() or "en")[:2]
            body = gis_exports.kml(layer, self.actor, language)
        elif fmt == "gpkg":
            body = gis_exports.geopackage([layer], self.actor)
        else:
            raise NotFound()
        return _download(body, fmt, layer.id)


class AllLayersView(OgcView):
    """Every layer the caller may read in one GeoPackage, a table each."""

    def get(self, request: Request) -> HttpResponse:
        body = gis_exports.geopackage(readable_layers(self.actor), self.actor)
        return _download(body, "gpkg", "layers")


@member_required
def exports_page(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    layers = [
        {
            "id": layer.id,
            "title": layer.title,
            "description": layer.description,
            "links": [
                (fmt, reverse("gis-api:export", args=[layer.id, fmt]))
                for fmt in gis_exports.FORMATS
            ],
        }
        for layer in readable_layers(actor)
    ]
    context = {
        "layers": layers,
        "all_url": reverse("gis-api:export-all"),
        "features_url": request.build_absolute_uri(reverse("gis-api:landing")),
    }
    return render(request, "situation/exports.html", context)
