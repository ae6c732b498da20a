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
from coordcell.core.errors import NotFound, ValidationFailed
from coordcell.core.http import actor_for, member_required
from coordcell.core.models import localized_now
from coordcell.core.roles import PartyKindChoices
from coordcell.positions.selectors import position_kinds
from coordcell.situation import geosearch
from coordcell.situation import maplayers as layers

#: A placeholder id the map's script replaces with a notice's own in its link.
NO_ID = "00000000-0000-0000-0000-000000000000"

#: The kinds of party whose members may read some declared positions (positions.models).
POSITION_READERS = (PartyKindChoices.KIND_PARTY, PartyKindChoices.KIND_MEDIATOR)


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
        # The incidents the reader may read, clustered by the server for each viewport.
        "incidentsUrl": reverse("situation:incidents"),
        "projectsUrl": reverse("situation:projects"),
        "denialsUrl": reverse("situation:denials"),
        # The zones' names come with the zones (zonesUrl), not in the page.
        "filters": {k: v for k, v in layers.filter_options(actor, version).items() if k != "zones"},
        "text": {},
    }
    if actor.party_kind in POSITION_READERS:
        # Declared positions, for those who may read some: the declaring party its own,
        # the mediator every party's (the escrow); the server sends nobody anything else.
        config["positionsUrl"] = reverse("api:positions-export")
        config["positionUrl"] = reverse("positions:detail", args=[NO_ID])
        config["positionKinds"] = {
            k.id: localized_now(dict(k.name)) for k in position_kinds(version)
        }
    config["text"] = {
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
        "withdrawn": _("Withdrawn by its party: this activity will not take place."),
        "positions": _("Declared positions"),
        "established": _("Established"),
        "vacated": _("Vacated"),
        **incident_text(),
    }
    context = {"version": version, "map_config": config, "map_note": settings["note"]}
    return render(request, "situation/map.html", context)


def incident_text() -> dict[str, str]:
    """The incidents layer's words (incidentlayer.js), in the reader's language."""
    return {
        "incidents": _("Incidents"),
        "cluster": _("%(count)s incidents here: zoom in to see them."),
        "shown": _("%(count)s incidents in view"),
        "openCase": _("Open the case"),
        "state": _("Case state"),
        "projects": _("Projects in the economic zone"),
        "denials": _("Access denied to the monitors"),
    }


def _bad_request(exc: ValidationFailed) -> JsonResponse:
    """The API's error shape (api/errors.py) for a map request with a bad parameter."""
    body = {"code": exc.code, "message": str(exc), "fields": exc.fields}
    return JsonResponse({"error": body}, status=400)


@member_required
def incidents(request: HttpRequest) -> JsonResponse:
    """The incidents of one viewport, clustered (situation.maplayers), for the reader alone."""
    actor = actor_for(request)
    version = selectors.get_version(actor, None, None)
    try:
        filters = layers.read_filters(request.GET, actor, version)
    except ValidationFailed as exc:
        return _bad_request(exc)
    return JsonResponse(layers.clustered_incidents(actor, filters))


@member_required
def projects(request: HttpRequest) -> JsonResponse:
    """The economic zone's projects the reader may read."""
    return JsonResponse(layers.projects(actor_for(request)))


@member_required
def denials(request: HttpRequest) -> JsonResponse:
    """The monitors' reports of access denied that the reader may read."""
    return JsonResponse(layers.denials(actor_for(request)))


@member_required
def mgrs(request: HttpRequest) -> JsonResponse:
    """An MGRS reference read into latitude and longitude (the square's centre), within
    the arrangement's region; 400 with a message for anything else."""
    actor = actor_for(request)
    version = selectors.get_version(actor, None, None)
    try:
        return JsonResponse(geosearch.read_mgrs(request.GET.get("ref", ""), version))
    except ValidationFailed as exc:
        return _bad_request(exc)


@member_required
def gazetteer(request: HttpRequest) -> JsonResponse:
    """The scenario's places whose name (in any language of the lexicon, or the
    gazetteer's own spelling) contains the query."""
    actor = actor_for(request)
    version = selectors.get_version(actor, None, None)
    try:
        return JsonResponse(geosearch.search_places(actor, version, request.GET.get("q", "")))
    except ValidationFailed as exc:
        return _bad_request(exc)


@member_required
def basemap(request: HttpRequest) -> JsonResponse:
    """The current version's basemap layers, in the reader's language: each with its
    legend and style from the scenario; each feature with only its lexicon label and
    whether (and by whom) it is disputed."""
    actor = actor_for(request)
    version = selectors.get_version(actor, None, None)
    return JsonResponse(selectors.basemap_layers(version))
