"""The situation map: zones and places over the scenario's offline basemap.

Everything the map shows about the arrangement comes from the scenario: the layers, their
styles and legends, the names (the lexicon), the initial extent, the legend's note and
the attribution (the sources its layers cite)."""

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

#: A placeholder id the map's script replaces with a notice's own in its link.
NO_ID = "00000000-0000-0000-0000-000000000000"


@member_required
def situation_map(request: HttpRequest) -> HttpResponse:
    """The map page. Its script reads everything from this server, nothing from outside."""
    actor = actor_for(request)
    try:
        version = selectors.get_version(actor, None, None)
    except NotFound:
        return render(request, "agreements/empty.html")
    settings = selectors.map_settings(version)
    config = {
        "zonesUrl": reverse("api:zones"),
        "placesUrl": reverse("api:places"),
        "basemapUrl": reverse("situation:basemap"),
        "arrangementUrl": reverse("agreements:arrangement"),
        "sourcesUrl": reverse("agreements:sources"),
        "bbox": version.region_bbox,
        "extent": settings["extent"],
        "attribution": settings["attribution"],
        "sources": settings["sources"],
        "activities": activity_names(engine_for(version)),
        "limits": {k: str(v) for k, v in LimitChoices.choices()},
        # The notified activities the reader may read (the time slider filters them).
        "noticesUrl": reverse("api:notices-layer"),
        "noticeUrl": reverse("deconfliction:notice", args=[NO_ID]),
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
            "disputedBy": _("Disputed by: %(names)s"),
            "loadError": _("The map data could not be loaded. Reload the page to try again."),
            "unknownLocation": _("Location unknown"),
            "sources": _("Data sources and attribution"),
            "notices": _("Notified activities"),
            "late": _("Notified late"),
        },
    }
    context = {"version": version, "map_config": config, "map_note": settings["note"]}
    return render(request, "situation/map.html", context)


@member_required
def basemap(request: HttpRequest) -> JsonResponse:
    """The current version's basemap layers, in the reader's language: each with its
    legend and style from the scenario; each feature with only its lexicon label and
    whether (and by whom) it is disputed."""
    actor = actor_for(request)
    version = selectors.get_version(actor, None, None)
    return JsonResponse(selectors.basemap_layers(version))
