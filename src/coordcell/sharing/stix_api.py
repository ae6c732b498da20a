"""STIX 2.1 export and import, and a read-only TAXII 2.1 server, for MISP and OpenCTI.

- ``GET /api/v1/sharing/stix/``: a STIX 2.1 bundle of every item the caller may read
  (``since``, ``tlp``, ``tier`` narrow it); ``POST`` the same path imports a bundle
  (``{"bundle": {...}, "tier": ..., "tlp": ..., "counterpart": ..., "releasability": [...]}``),
  all or nothing, the validator's reasons in a 400.
- ``/api/taxii2/``: TAXII 2.1 discovery, one API root (``cell``), one collection per
  audience the caller belongs to, its objects (and one object by id) and its manifest,
  paged by ``limit`` and ``next``. Responses are ``application/taxii+json;version=2.1``.

Every view is a DRF view with the API's defaults: bearer token or session, the second
factor the cell requires, an active membership, the API's rate limits and its one error
shape (a hidden collection is the same 404 as a missing one).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.urls import URLPattern, URLResolver, path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from coordcell.core.actor import Actor
from coordcell.core.errors import NotFound
from coordcell.core.input import StrictSerializer
from coordcell.core.rest import ERRORS, ActorMixin
from coordcell.sharing import services, stix_services
from coordcell.sharing import stix_selectors as stix_sel
from coordcell.sharing.choices import Surface, TierChoices, TlpChoices

__all__ = ["taxii_urlpatterns", "urlpatterns"]

TAGS = ["sharing"]
TAXII_MEDIA_TYPE = "application/taxii+json;version=2.1"
STIX_MEDIA_TYPE = "application/stix+json;version=2.1"
#: The most objects on one TAXII page (a larger ``limit`` is served at this).
TAXII_MAX_PAGE = 100
API_ROOT = "cell"


def _log_export(actor: Actor, items: Iterable[Any]) -> None:
    for item in items:
        services.log_access(actor=actor, item=item, surface=Surface.EXPORT)


# --- export and import ----------------------------------------------------------------------------


class ExportQuerySerializer(StrictSerializer):
    since = serializers.DateTimeField(required=False)
    tlp = serializers.MultipleChoiceField(choices=TlpChoices.values(), required=False)
    tier = serializers.MultipleChoiceField(choices=TierChoices.values(), required=False)


class ImportSerializer(StrictSerializer):
    bundle = serializers.JSONField()
    tier = serializers.ChoiceField(choices=TierChoices.values())
    tlp = serializers.ChoiceField(choices=TlpChoices.values(), required=False, default="")
    counterpart = serializers.CharField(required=False, default="", max_length=40)
    releasability = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, default=list, max_length=40
    )


class ImportResultSerializer(serializers.Serializer):  # type: ignore[type-arg]
    created = serializers.ListField(child=serializers.CharField())
    skipped = serializers.ListField(child=serializers.CharField())


@extend_schema(tags=TAGS)
class StixView(ActorMixin, generics.GenericAPIView):  # type: ignore[type-arg]
    """A STIX 2.1 bundle of what the caller may read; import a bundle (all or nothing)."""

    serializer_class = ImportSerializer

    @extend_schema(
        parameters=[ExportQuerySerializer], responses={200: OpenApiTypes.OBJECT, **ERRORS}
    )
    def get(self, request: Request) -> Response:
        query = ExportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        items = list(
            stix_sel.export_items(
                self.actor,
                since=data.get("since"),
                tlp=sorted(data.get("tlp", ())),
                tier=sorted(data.get("tier", ())),
            )
        )
        document = stix_sel.export_document(self.actor, items)
        _log_export(self.actor, items)
        response = Response(document)
        response["Content-Disposition"] = 'attachment; filename="coordcell-stix.json"'
        return response

    @extend_schema(request=ImportSerializer, responses={201: ImportResultSerializer, **ERRORS})
    def post(self, request: Request) -> Response:
        form = ImportSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        result = stix_services.import_bundle(
            actor=self.actor,
            document=data["bundle"] if isinstance(data["bundle"], dict) else str(data["bundle"]),
            tier=data["tier"],
            tlp=data["tlp"],
            counterpart=data["counterpart"],
            releasability=data["releasability"],
        )
        body = {
            "created": [str(item.public_id) for item in result.created],
            "skipped": result.skipped,
        }
        return Response(body, status=status.HTTP_201_CREATED)


urlpatterns: list[URLPattern | URLResolver] = [
    path("sharing/stix/", StixView.as_view(), name="sharing-stix"),
]


# --- TAXII 2.1 ------------------------------------------------------------------------------


class TaxiiRenderer(JSONRenderer):
    """JSON as ``application/taxii+json;version=2.1``."""

    media_type = TAXII_MEDIA_TYPE
    format = "taxii"


class TaxiiView(ActorMixin, generics.GenericAPIView):  # type: ignore[type-arg]
    """TAXII answers in its media type; errors keep the API's one shape, in JSON."""

    renderer_classes = [TaxiiRenderer, JSONRenderer]
    serializer_class = None

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        if response.status_code >= 400 and isinstance(response, Response):
            # The API's errors are JSON, whatever the client asked for (the TAXII clients
            # read the status code).
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = "application/json"
        return super().finalize_response(request, response, *args, **kwargs)


def _stamp(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _root_url(request: Request) -> str:
    return request.build_absolute_uri(f"/api/taxii2/{API_ROOT}/")


def _collection_body(collection: stix_sel.Collection, names: dict[str, str]) -> dict[str, Any]:
    if collection.codes == ("*",):
        title = _("Everyone in the cell")
    else:
        shown = ", ".join(names.get(code, code) for code in collection.codes)
        title = _("Shared with: %(parties)s") % {"parties": shown}
    return {
        "id": collection.id,
        "title": title,
        "can_read": True,
        "can_write": False,
        "media_types": [STIX_MEDIA_TYPE],
    }


@extend_schema(exclude=True)  # TAXII 2.1 is specified by OASIS (docs/stix-taxii.md)
class DiscoveryView(TaxiiView):
    """TAXII 2.1 discovery: the one API root."""

    def get(self, request: Request) -> Response:
        root = _root_url(request)
        return Response(
            {
                "title": "coordcell",
                "description": _(
                    "The items you may read, as STIX 2.1, one collection per audience."
                ),
                "default": root,
                "api_roots": [root],
            }
        )


@extend_schema(exclude=True)  # TAXII 2.1 is specified by OASIS (docs/stix-taxii.md)
class ApiRootView(TaxiiView):
    """The API root's information."""

    def get(self, request: Request) -> Response:
        return Response(
            {
                "title": "coordcell",
                "versions": [TAXII_MEDIA_TYPE],
                "max_content_length": 0,
            }
        )


def _names(actor: Actor, collections: Iterable[stix_sel.Collection]) -> dict[str, str]:
    return stix_sel.party_names(actor, {c for col in collections for c in col.codes})


@extend_schema(exclude=True)  # TAXII 2.1 is specified by OASIS (docs/stix-taxii.md)
class CollectionsView(TaxiiView):
    """The caller's collections: one per audience it belongs to."""

    def get(self, request: Request) -> Response:
        collections = stix_sel.collections_of(self.actor)
        names = _names(self.actor, collections)
        return Response({"collections": [_collection_body(c, names) for c in collections]})


@extend_schema(exclude=True)  # TAXII 2.1 is specified by OASIS (docs/stix-taxii.md)
class CollectionView(TaxiiView):
    """One of the caller's collections (any other id: 404)."""

    def get(self, request: Request, collection: str) -> Response:
        found = stix_sel.get_collection(self.actor, collection)
        return Response(_collection_body(found, _names(self.actor, [found])))


class _Page:
    """One collection's objects with their ``date_added``, filtered and paged."""

    def __init__(self, request: Request, actor: Actor, collection_id: str) -> None:
        collection = stix_sel.get_collection(actor, collection_id)
        items = list(stix_sel.collection_items(actor, collection))
        document = stix_sel.export_document(actor, items)
        added = {}
        for item in items:
            for obj_id in stix_sel.object_ids(item):
                added[obj_id] = item.created_at
        first = min((item.created_at for item in items), default=None)
        rows = []
        for obj in document.get("objects", []):
            # markings and identities: when the collection's first item came
            rows.append((added.get(obj["id"], first), obj))
        self.items = items
        self.rows = self._filtered(request, rows)

    @staticmethod
    def _filtered(request: Request, rows: list[tuple[Any, dict[str, Any]]]) -> list[Any]:
        params = request.query_params
        after = params.get("added_after")
        if after:
            try:
                moment = dt.datetime.fromisoformat(after.replace("Z", "+00:00"))
            except ValueError:
                raise serializers.ValidationError(
                    {"added_after": [_("Give a date and time (RFC 3339).")]}
                ) from None
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=dt.UTC)
            rows = [row for row in rows if row[0] is not None and row[0] > moment]
        for key, prop in (("match[type]", "type"), ("match[id]", "id")):
            wanted = {v for raw in params.getlist(key) for v in raw.split(",") if v}
            if wanted:
                rows = [row for row in rows if row[1][prop] in wanted]
        rows.sort(key=lambda row: (row[0] or dt.datetime.min.replace(tzinfo=dt.UTC), row[1]["id"]))
        return rows

    def page(self, request: Request) -> tuple[list[Any], dict[str, Any]]:
        params = request.query_params
        try:
            # 0 or none: the server's page size (taxii2-client's ``as_pages`` sends 0)
            limit = int(params.get("limit") or TAXII_MAX_PAGE) or TAXII_MAX_PAGE
            start = int(params.get("next") or 0)
        except ValueError:
            raise serializers.ValidationError(
                {"limit": [_("Give a whole number of at least 1.")]}
            ) from None
        if limit < 1 or start < 0:
            raise serializers.ValidationError({"limit": [_("Give a whole number of at least 1.")]})
        limit = min(limit, TAXII_MAX_PAGE)
        chunk = self.rows[start : start + limit]
        more = start + limit < len(self.rows)
        envelope: dict[str, Any] = {"more": more}
        if more:
            envelope["next"] = str(start + limit)
        return chunk, envelope


def _headers(response: Response, chunk: list[Any]) -> Response:
    stamps = [row[0] for row in chunk if row[0] is not None]
    if stamps:
        response["X-TAXII-Date-Added-First"] = _stamp(min(stamps))
        response["X-TAXII-Date-Added-Last"] = _stamp(max(stamps))
    return response


@extend_schema(exclude=True)  # TAXII 2.1 is specified by OASIS (docs/stix-taxii.md)
class ObjectsView(TaxiiView):
    """A collection's STIX objects, in a TAXII envelope, oldest first."""

    def get(self, request: Request, collection: str) -> Response:
        page = _Page(request, self.actor, collection)
        chunk, envelope = page.page(request)
        _log_export(self.actor, page.items)
        if chunk:
            envelope["objects"] = [row[1] for row in chunk]
        return _headers(Response(envelope), chunk)


@extend_schema(exclude=True)  # TAXII 2.1 is specified by OASIS (docs/stix-taxii.md)
class ObjectView(TaxiiView):
    """One object of a collection, by its STIX id (absent: the 404)."""

    def get(self, request: Request, collection: str, object_id: str) -> Response:
        page = _Page(request, self.actor, collection)
        rows = [row for row in page.rows if row[1]["id"] == object_id]
        if not rows:
            raise NotFound()
        _log_export(self.actor, page.items)
        return _headers(Response({"more": False, "objects": [rows[0][1]]}), rows)


@extend_schema(exclude=True)  # TAXII 2.1 is specified by OASIS (docs/stix-taxii.md)
class ManifestView(TaxiiView):
    """What a collection holds: each object's id, when it was added, its version."""

    def get(self, request: Request, collection: str) -> Response:
        page = _Page(request, self.actor, collection)
        chunk, envelope = page.page(request)
        if chunk:
            envelope["objects"] = [
                {
                    "id": obj["id"],
                    "date_added": _stamp(added),
                    "version": obj.get("modified") or obj.get("created"),
                    "media_type": STIX_MEDIA_TYPE,
                }
                for added, obj in chunk
            ]
        return _headers(Response(envelope), chunk)


_COLLECTION = f"{API_ROOT}/collections/<str:collection>/"
taxii_urlpatterns: list[URLPattern | URLResolver] = [
    path("", DiscoveryView.as_view(), name="taxii-discovery"),
    path(f"{API_ROOT}/", ApiRootView.as_view(), name="taxii-root"),
    path(f"{API_ROOT}/collections/", CollectionsView.as_view(), name="taxii-collections"),
    path(_COLLECTION, CollectionView.as_view(), name="taxii-collection"),
    path(f"{_COLLECTION}objects/", ObjectsView.as_view(), name="taxii-objects"),
    path(f"{_COLLECTION}objects/<str:object_id>/", ObjectView.as_view(), name="taxii-object"),
    path(f"{_COLLECTION}manifest/", ManifestView.as_view(), name="taxii-manifest"),
]
