"""The situation map: zones and places over an offline basemap drawn from Natural Earth."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from coordcell.agreements import selectors
from coordcell.agreements.choices import LimitChoices
from coordcell.agreements.engines import activity_names, engine_for
from coordcell.core.errors import NotFound
from coordcell.core.http import actor_for, member_required


@member_required
def situation_map(request: HttpRequest) -> HttpResponse:
    """The map page. Its script reads everything from this server, nothing from outside."""
    actor = actor_for(request)
    try:
        version = selectors.get_version(actor, None, None)
    except NotFound:
        return render(request, "agreements/empty.html")
    config = {
        "zonesUrl": reverse("api:zones"),
        "placesUrl": reverse("api:places"),
        "basemapUrl": reverse("situation:basemap"),
        "arrangementUrl": reverse("agreements:arrangement"),
        "sourcesUrl": reverse("agreements:sources"),
        "bbox": version.region_bbox,
        "activities": activity_names(engine_for(version)),
        "limits": {k: str(v) for k, v in LimitChoices.choices()},
        "text": {
            "prohibited": _("Prohibited"),
            "limits": _("Limits"),
            "clauses": _("Clauses"),
            "noClause": _("No clause cites this zone."),
            "derived": _(
                "Approximate geometry derived from reference data (see the arrangement's "
                "sources); not an official delineation."
            ),
            "illustrative": _("Illustrative: no agreed delineation exists."),
            "zones": _("Zones"),
            "places": _("Places of the scenario"),
            "countries": _("Countries (Natural Earth)"),
            "boundaries": _("Boundary and ceasefire lines (Natural Earth)"),
            "water": _("Lakes, rivers and summits"),
            "towns": _("Towns (Natural Earth)"),
            "loadError": _("The map data could not be loaded. Reload the page to try again."),
            "unknownLocation": _("Location unknown"),
            "sources": _("Data sources and attribution"),
        },
    }
    return render(request, "situation/map.html", {"version": version, "map_config": config})


@member_required
def basemap(request: HttpRequest) -> JsonResponse:
    """The bundled basemap layers of the current version (Natural Earth, public domain)."""
    actor = actor_for(request)
    version = selectors.get_version(actor, None, None)
    return JsonResponse(version.basemap)
