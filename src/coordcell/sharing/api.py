"""The API of shared items: the feed, an item with its audience and consent history,
the consent inbox, the access log, files, and the share / widen / narrow / redact /
tearline / releasability actions.

Reads come from ``sharing.selectors`` for the caller (an item outside one's audience is
the same 404 as a missing one, and absent from every list, count and facet); writes go
through ``sharing.services``, the same calls as the pages. A redacted item's JSON has
no key for a field it leaves out. Routed by ``coordcell.api.urls``.
"""

from __future__ import annotations

import json
from typing import Any

from django.urls import URLPattern, URLResolver, path
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import generics, serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from coordcell.core.audience import decode
from coordcell.core.input import GeometryField, OffsetDateTimeField, StrictSerializer
from coordcell.core.rest import ERRORS, ActorMixin
from coordcell.incidents.evidence import sealed_response
from coordcell.sharing import selectors, services
from coordcell.sharing.choices import (
    CredibilityChoices,
    LinkKind,
    ReliabilityChoices,
    Surface,
    TierChoices,
    TlpChoices,
)
from coordcell.sharing.models import Item

__all__ = ["ItemSerializer", "urlpatterns"]

TAGS = ["sharing"]


def _file(item: Item, a: Any) -> dict[str, Any]:
    return {
        "sha256": a.copy_sha256,
        "size": a.copy_size,
        "content_type": a.content_type,
        "original_sha256": a.sha256,
    }


class ItemSerializer(serializers.Serializer[Any]):
    """A shared item for the caller (``context["actor"]``). A redacted version has no key
    for the fields it leaves out (``redacted`` names them); links, the product above a
    tearline and the source of a redaction appear only if the caller may read them."""

    id = serializers.UUIDField(source="public_id")
    reference = serializers.CharField()
    originator = serializers.CharField(source="originator.code")
    title = serializers.CharField()
    text = serializers.CharField(source="body")
    geometry = serializers.SerializerMethodField()
    observed_at = serializers.DateTimeField(allow_null=True)
    source_reliability = serializers.CharField()
    information_credibility = serializers.CharField()
    tier = serializers.CharField()
    audience = serializers.SerializerMethodField()
    counterpart = serializers.CharField(source="counterpart.code", allow_null=True, default=None)
    releasability = serializers.SerializerMethodField()
    originator_control = serializers.BooleanField()
    tlp = serializers.CharField()
    created_at = serializers.DateTimeField()
    redacted = serializers.ListField(source="redacted_fields", child=serializers.CharField())
    tearline_of = serializers.SerializerMethodField()
    redaction_of = serializers.SerializerMethodField()
    links = serializers.SerializerMethodField()
    files = serializers.SerializerMethodField()

    #: JSON keys each redactable field stands for.
    REDACTED_KEYS = {
        "body": ("text",),
        "place": ("geometry",),
        "time": ("observed_at",),
        "grades": ("source_reliability", "information_credibility"),
        "links": ("links",),
        "attachments": ("files",),
    }

    def _actor(self) -> Any:
        return self.context["actor"]

    def get_geometry(self, obj: Item) -> dict[str, Any] | None:
        return dict(json.loads(obj.geometry)) if obj.geometry else None

    def get_audience(self, obj: Item) -> list[str]:
        return decode(obj.audience)

    def get_releasability(self, obj: Item) -> list[str]:
        return decode(obj.releasability)

    def get_tearline_of(self, obj: Item) -> str | None:
        source = selectors.visible_source(self._actor(), obj)["tearline_of"]
        return str(source.public_id) if source else None

    def get_redaction_of(self, obj: Item) -> str | None:
        source = selectors.visible_source(self._actor(), obj)["redaction_of"]
        return str(source.public_id) if source else None

    def get_links(self, obj: Item) -> list[dict[str, str]]:
        return [
            {"kind": link.kind, "id": str(link.target), "reference": link.label}
            for link in selectors.resolve_links(self._actor(), obj)
        ]

    def get_files(self, obj: Item) -> list[dict[str, Any]]:
        return [_file(obj, a) for a in selectors.list_attachments(obj)]

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(instance)
        for removed in instance.redacted_fields or ():
            if removed == "body" and instance.body:
                continue  # a new text written for the wider audience replaces it
            for key in self.REDACTED_KEYS.get(removed, ()):
                data.pop(key, None)
        return data


class ChangeSerializer(serializers.Serializer[Any]):
    from_tier = serializers.CharField()
    to_tier = serializers.CharField()
    changed_at = serializers.DateTimeField()
    consent = serializers.UUIDField(source="consent.public_id", allow_null=True, default=None)


class DecisionSerializer(serializers.Serializer[Any]):
    party = serializers.CharField(source="party.code")
    granted = serializers.BooleanField()
    note = serializers.CharField()
    decided_at = serializers.DateTimeField()


@extend_schema_serializer(component_name="ConsentRequest")
class RequestSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    item = serializers.UUIDField(source="item.public_id")
    action = serializers.CharField()
    from_tier = serializers.CharField()
    to_tier = serializers.CharField()
    counterpart = serializers.CharField(source="counterpart.code", allow_null=True, default=None)
    reason = serializers.CharField()
    consenters = serializers.SerializerMethodField()
    state = serializers.CharField()
    requested_by = serializers.CharField(source="requested_by_party.code")
    requested_at = serializers.DateTimeField()
    decisions = DecisionSerializer(many=True, source="decisions.all")

    def get_consenters(self, obj: Any) -> list[str]:
        return decode(obj.consenters)


class DetailSerializer(ItemSerializer):
    """An item with what derives from it (that the caller may read) and its history."""

    derived = serializers.SerializerMethodField()
    history = serializers.SerializerMethodField()

    def get_derived(self, obj: Item) -> list[str]:
        return [str(i.public_id) for i in selectors.derived_items(self._actor(), obj)]

    def get_history(self, obj: Item) -> dict[str, Any]:
        seen = selectors.history(self._actor(), obj)
        return {
            "changes": ChangeSerializer(seen["changes"], many=True).data,
            "requests": RequestSerializer(seen["requests"], many=True).data,
        }


@extend_schema_serializer(component_name="SharedItemLinkIn")
class LinkInSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=LinkKind.values())
    id = serializers.UUIDField()


class ItemInSerializer(StrictSerializer):
    title = serializers.CharField(max_length=services.TITLE_MAX_CHARS)
    text = serializers.CharField(
        max_length=services.BODY_MAX_CHARS, required=False, allow_blank=True, default=""
    )
    geometry = GeometryField(required=False, allow_null=True, default=None)
    observed_at = OffsetDateTimeField(required=False, allow_null=True, default=None)
    source_reliability = serializers.ChoiceField(
        choices=ReliabilityChoices.values(), required=False, allow_blank=True, default=""
    )
    information_credibility = serializers.ChoiceField(
        choices=CredibilityChoices.values(), required=False, allow_blank=True, default=""
    )
    tier = serializers.ChoiceField(choices=TierChoices.values())
    counterpart = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    releasability = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, default=list, max_length=50,
        help_text="REL: party codes of the arrangement, and \"*\" for the public.",
    )  # fmt: skip
    originator_control = serializers.BooleanField(required=False, default=False)
    tlp = serializers.ChoiceField(choices=TlpChoices.values())
    links = LinkInSerializer(many=True, required=False, default=list)

    def to_input(self) -> services.ItemInput:
        return item_input(self.validated_data)


def item_input(d: Any) -> services.ItemInput:
    """The service's input from an :class:`ItemInSerializer`'s validated data."""
    return services.ItemInput(
        title=d["title"],
        body=d["text"],
        geometry=d["geometry"],
        observed_at=d["observed_at"],
        source_reliability=d["source_reliability"],
        information_credibility=d["information_credibility"],
        tier=d["tier"],
        counterpart=d["counterpart"],
        releasability=d["releasability"],
        originator_control=d["originator_control"],
        tlp=d["tlp"],
        links=[(link["kind"], link["id"]) for link in d["links"]],
    )


class CreateInSerializer(ItemInSerializer):
    below = ItemInSerializer(
        required=False,
        help_text="The releasable part below a tearline: an item of its own.",
    )


class FeedQuerySerializer(serializers.Serializer[Any]):
    q = serializers.CharField(required=False, allow_blank=True, max_length=selectors.Q_MAX_CHARS)
    tier = serializers.ChoiceField(choices=TierChoices.values(), required=False)


class _ItemView(ActorMixin, generics.GenericAPIView):  # type: ignore[type-arg]
    serializer_class: type[serializers.Serializer[Any]] = DetailSerializer

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "actor": self.actor}

    def get_object(self) -> Any:
        return selectors.get_item(self.actor, self.kwargs["id"])

    def detail(self, item: Item, code: int = 200) -> Response:
        fresh = selectors.get_item(self.actor, item.public_id)
        return Response(DetailSerializer(fresh, context={"actor": self.actor}).data, status=code)


@extend_schema(tags=TAGS)
class ItemListView(_ItemView, generics.ListAPIView):  # type: ignore[type-arg]
    """The caller's feed: the items they may read, newest first (``q`` searches the
    reference, title and text; ``tier`` filters). Share an item (with ``below``: a
    product and its releasable part below the tearline)."""

    serializer_class = ItemSerializer

    def get_queryset(self) -> Any:
        query = FeedQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        qs = selectors.search(
            selectors.items_visible_to(self.actor), query.validated_data.get("q", "")
        )
        if query.validated_data.get("tier"):
            qs = qs.filter(tier=query.validated_data["tier"])
        return qs

    @extend_schema(
        parameters=[FeedQuerySerializer], responses={200: ItemSerializer(many=True), **ERRORS}
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(request=CreateInSerializer, responses={201: DetailSerializer, **ERRORS})
    def post(self, request: Request) -> Response:
        form = CreateInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.to_input()
        if form.validated_data.get("below"):
            item, _part = services.create_with_tearline(
                actor=self.actor, product=data, below=item_input(form.validated_data["below"])
            )
        else:
            item = services.create_item(actor=self.actor, data=data)
        return self.detail(item, status.HTTP_201_CREATED)


class FacetsSerializer(serializers.Serializer[Any]):
    tier = serializers.DictField(child=serializers.IntegerField())
    tlp = serializers.DictField(child=serializers.IntegerField())


@extend_schema(
    tags=TAGS, parameters=[FeedQuerySerializer], responses={200: FacetsSerializer, **ERRORS}
)
class FacetsView(_ItemView):
    """How many of the items the caller may read (matching ``q``) there are by audience
    tier and by TLP: counts of what one reads, never of what one does not."""

    serializer_class = FacetsSerializer

    def get(self, request: Request) -> Response:
        query = FeedQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        qs = selectors.search(
            selectors.items_visible_to(self.actor), query.validated_data.get("q", "")
        )
        return Response(selectors.facets(qs))


@extend_schema(tags=TAGS, responses={200: DetailSerializer, **ERRORS})
class ItemDetailView(_ItemView):
    """An item the caller may read, with its audience and consent history (opening it is
    logged for its originator)."""

    def get(self, request: Request, id: str) -> Response:
        item = self.get_object()
        services.log_access(actor=self.actor, item=item, surface=Surface.API)
        return Response(DetailSerializer(item, context={"actor": self.actor}).data)


@extend_schema_serializer(component_name="SharedItemAccess")
class AccessSerializer(serializers.Serializer[Any]):
    reader = serializers.CharField()
    party = serializers.CharField(source="party.code", allow_null=True, default=None)
    surface = serializers.CharField()
    opened_at = serializers.DateTimeField()


@extend_schema(tags=TAGS)
class AccessLogView(_ItemView, generics.ListAPIView):  # type: ignore[type-arg]
    """Who opened the item, newest first: for the originator's people alone (anyone
    else: the 404 of a missing item)."""

    serializer_class = AccessSerializer

    def get_queryset(self) -> Any:
        return selectors.access_log(self.actor, self.get_object()).select_related("party")

    @extend_schema(responses={200: AccessSerializer(many=True), **ERRORS})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


@extend_schema_serializer(component_name="SharedItemFileIn")
class FileInSerializer(StrictSerializer):
    file = serializers.FileField()


@extend_schema(
    tags=TAGS, request={"multipart/form-data": FileInSerializer},
    responses={201: DetailSerializer, **ERRORS},
)  # fmt: skip
class FileUploadView(_ItemView):
    """Attach a file (multipart field ``file``) to an item of the caller's party: the
    evidence rules apply (size, type from the content, scrubbed copy, hashes)."""

    parser_classes = [MultiPartParser]

    def post(self, request: Request, id: str) -> Response:
        item = self.get_object()
        form = FileInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        upload = form.validated_data["file"]
        services.add_attachment(actor=self.actor, item=item, upload=upload, filename=upload.name)
        return self.detail(item, status.HTTP_201_CREATED)


@extend_schema(tags=TAGS, responses={(200, "application/octet-stream"): bytes, **ERRORS})
class FileDownloadView(_ItemView):
    """The released copy of an item's file by its SHA-256 (the item's audience)."""

    def get(self, request: Request, id: str, sha256: str) -> Any:
        item = self.get_object()
        found, handle = selectors.open_attachment(self.actor, item, sha256)
        services.log_access(actor=self.actor, item=item, surface=Surface.EXPORT)
        return sealed_response(found.copy_sha256, found.content_type, handle)


class WidenInSerializer(StrictSerializer):
    to_tier = serializers.ChoiceField(choices=TierChoices.values())
    counterpart = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    reason = serializers.CharField(
        max_length=services.REASON_MAX_CHARS, required=False, allow_blank=True, default=""
    )


@extend_schema(tags=TAGS, request=WidenInSerializer, responses={201: RequestSerializer, **ERRORS})
class WidenView(_ItemView):
    """Ask to widen the item's audience. The originator's own request is its consent
    (public release also waits for every party's); anyone else's waits in the
    originator's consent inbox, and is refused under originator control."""

    def post(self, request: Request, id: str) -> Response:
        form = WidenInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        made = services.request_widening(
            actor=self.actor, item=self.get_object(), **form.validated_data
        )
        return Response(RequestSerializer(made).data, status=status.HTTP_201_CREATED)


class NarrowInSerializer(StrictSerializer):
    to_tier = serializers.ChoiceField(choices=TierChoices.values())
    counterpart = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")


@extend_schema(tags=TAGS, request=NarrowInSerializer, responses={200: DetailSerializer, **ERRORS})
class NarrowView(_ItemView):
    """The originator narrows the item's audience (recorded; nothing more is delivered
    to those left out, who keep what they saw)."""

    def post(self, request: Request, id: str) -> Response:
        form = NarrowInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        item = self.get_object()
        services.narrow_item(actor=self.actor, item=item, **form.validated_data)
        return self.detail(item)


class RedactInSerializer(StrictSerializer):
    remove = serializers.ListField(
        child=serializers.ChoiceField(choices=list(services.REDACTABLE_FIELDS)), min_length=1
    )
    title = serializers.CharField(
        max_length=services.TITLE_MAX_CHARS, required=False, allow_blank=True, default=""
    )
    text = serializers.CharField(
        max_length=services.BODY_MAX_CHARS, required=False, allow_blank=True, default=None,
        allow_null=True,
    )  # fmt: skip
    tier = serializers.ChoiceField(choices=TierChoices.values())
    counterpart = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    releasability = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, allow_null=True, default=None,
        max_length=50,
    )  # fmt: skip
    tlp = serializers.ChoiceField(choices=TlpChoices.values())


@extend_schema(tags=TAGS, request=RedactInSerializer, responses={201: DetailSerializer, **ERRORS})
class RedactView(_ItemView):
    """The originator makes a redacted version for a wider audience: an item of its own
    without the removed fields (in its row, its record entries and here)."""

    def post(self, request: Request, id: str) -> Response:
        form = RedactInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = dict(form.validated_data)
        d["body"] = d.pop("text")
        made = services.redact_item(actor=self.actor, item=self.get_object(), **d)
        return self.detail(made, status.HTTP_201_CREATED)


@extend_schema(tags=TAGS, request=ItemInSerializer, responses={201: DetailSerializer, **ERRORS})
class TearlineView(_ItemView):
    """The originator releases the part below the product's tearline as an item of its
    own; the product above the line keeps its audience."""

    def post(self, request: Request, id: str) -> Response:
        form = ItemInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        made = services.make_tearline(
            actor=self.actor, item=self.get_object(), below=form.to_input()
        )
        return self.detail(made, status.HTTP_201_CREATED)


class ReleasabilityInSerializer(StrictSerializer):
    releasability = serializers.ListField(
        child=serializers.CharField(max_length=40), max_length=50, allow_empty=True
    )
    originator_control = serializers.BooleanField()


@extend_schema(
    tags=TAGS, request=ReleasabilityInSerializer, responses={200: DetailSerializer, **ERRORS}
)
class ReleasabilityView(_ItemView):
    """The originator changes the REL marking and originator control."""

    def post(self, request: Request, id: str) -> Response:
        form = ReleasabilityInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        item = services.set_releasability(
            actor=self.actor, item=self.get_object(), **form.validated_data
        )
        return self.detail(item)


@extend_schema(tags=TAGS)
class InboxView(ActorMixin, generics.ListAPIView):  # type: ignore[type-arg]
    """The consent inbox: pending requests waiting for the caller's party's answer."""

    serializer_class = RequestSerializer

    def get_queryset(self) -> Any:
        return selectors.consent_inbox(self.actor).prefetch_related("decisions__party")

    @extend_schema(responses={200: RequestSerializer(many=True), **ERRORS})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class DecideInSerializer(StrictSerializer):
    granted = serializers.BooleanField()
    note = serializers.CharField(
        max_length=services.REASON_MAX_CHARS, required=False, allow_blank=True, default=""
    )


@extend_schema(tags=TAGS, request=DecideInSerializer, responses={200: RequestSerializer, **ERRORS})
class DecideView(ActorMixin, generics.GenericAPIView):  # type: ignore[type-arg]
    """Give or refuse the caller's party's consent (a principal or liaison officer)."""

    serializer_class = RequestSerializer

    def post(self, request: Request, id: str) -> Response:
        form = DecideInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        found = selectors.get_consent_request(self.actor, id)
        services.decide_consent(actor=self.actor, request=found, **form.validated_data)
        return Response(RequestSerializer(selectors.get_consent_request(self.actor, id)).data)


@extend_schema(tags=TAGS, request=None, responses={200: RequestSerializer, **ERRORS})
class WithdrawView(ActorMixin, generics.GenericAPIView):  # type: ignore[type-arg]
    """The requesting party withdraws its pending request."""

    serializer_class = RequestSerializer

    def post(self, request: Request, id: str) -> Response:
        found = selectors.get_consent_request(self.actor, id)
        made = services.withdraw_request(actor=self.actor, request=found)
        return Response(RequestSerializer(made).data)


#: Under ``/api/v1/`` (``coordcell.api.urls``), in the ``api`` namespace.
urlpatterns: list[URLPattern | URLResolver] = [
    path("shared-items/", ItemListView.as_view(), name="shared-items"),
    path("shared-items/facets/", FacetsView.as_view(), name="shared-item-facets"),
    path("shared-items/<str:id>/", ItemDetailView.as_view(), name="shared-item"),
    path("shared-items/<str:id>/access-log/", AccessLogView.as_view(), name="shared-item-access"),
    path("shared-items/<str:id>/files/", FileUploadView.as_view(), name="shared-item-files"),
    path(
        "shared-items/<str:id>/files/<str:sha256>",
        FileDownloadView.as_view(),
        name="shared-item-file",
    ),
    path("shared-items/<str:id>/widen/", WidenView.as_view(), name="shared-item-widen"),
    path("shared-items/<str:id>/narrow/", NarrowView.as_view(), name="shared-item-narrow"),
    path("shared-items/<str:id>/redact/", RedactView.as_view(), name="shared-item-redact"),
    path("shared-items/<str:id>/tearline/", TearlineView.as_view(), name="shared-item-tearline"),
    path(
        "shared-items/<str:id>/releasability/",
        ReleasabilityView.as_view(),
        name="shared-item-releasability",
    ),
    path("consent-requests/", InboxView.as_view(), name="consent-requests"),
    path("consent-requests/<str:id>/decide/", DecideView.as_view(), name="consent-decide"),
    path("consent-requests/<str:id>/withdraw/", WithdrawView.as_view(), name="consent-withdraw"),
]
