"""The record's API: checkpoints and cosignatures, proofs, visible entries, witnesses.

Hashes in JSON are lowercase hex; checkpoints and signatures are also given as the
C2SP signed-note text they are (``note``), which is what witnesses and verifiers check.
Reads come from ``record.selectors``, writes go through ``record.services``. Entries page
by sequence number (``?after=&limit=``), which is how a verifier walks the log; the
witnesses page like every other list. Routed by ``coordcell.api.urls``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.urls import URLPattern, URLResolver, path
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from coordcell.core.errors import NotFound
from coordcell.core.http import actor_for
from coordcell.core.input import StrictSerializer
from coordcell.core.rest import ERRORS, ActorMixin, int_param
from coordcell.record import note
from coordcell.record import selectors as record
from coordcell.record import services as record_services
from coordcell.record.keys import log_verifiers
from coordcell.record.models import Checkpoint, Entry, Witness

__all__ = [
    "CheckpointView",
    "ConsistencyView",
    "CosignatureView",
    "EntryListView",
    "EntryProofView",
    "LatestCheckpointView",
    "ViewCheckpointView",
    "ViewCosignatureView",
    "WitnessListView",
    "WitnessRetireView",
    "urlpatterns",
]

TAGS = ["record"]


class CosignatureSerializer(serializers.Serializer[Any]):
    party = serializers.CharField(source="witness.party.code")
    witness = serializers.CharField(source="witness.name")
    vkey = serializers.CharField(source="witness.vkey")
    signed_at = serializers.DateTimeField()
    line = serializers.CharField()


class CheckpointSerializer(serializers.Serializer[Any]):
    origin = serializers.CharField()
    size = serializers.IntegerField()
    root = serializers.CharField(help_text="Root hash, hex.")  # type: ignore[assignment]
    issued_at = serializers.DateTimeField()
    note = serializers.CharField(
        help_text="The checkpoint as a C2SP signed note: the log's signatures, then every "
        "witness's cosignature line."
    )
    log_keys = serializers.ListField(child=serializers.CharField())
    cosignatures = CosignatureSerializer(many=True)


def checkpoint_data(checkpoint: Checkpoint) -> dict[str, Any]:
    cosignatures = record.list_cosignatures(checkpoint)
    full = note.add_signatures(checkpoint.note, [c.line for c in cosignatures])
    return CheckpointSerializer(
        {
            "origin": checkpoint.origin,
            "size": checkpoint.size,
            "root": checkpoint.root,
            "issued_at": checkpoint.issued_at,
            "note": full,
            "log_keys": [v.vkey for v in log_verifiers()],
            "cosignatures": cosignatures,
        }
    ).data


@extend_schema(tags=TAGS, responses={200: CheckpointSerializer, **ERRORS})
class LatestCheckpointView(APIView):
    """The latest signed checkpoint of the record, with its cosignatures (404 before the first)."""

    def get(self, request: Request) -> Response:
        checkpoint = record.latest_checkpoint(actor_for(request))
        if checkpoint is None:
            raise NotFound()
        return Response(checkpoint_data(checkpoint))


@extend_schema(tags=TAGS, responses={200: CheckpointSerializer, **ERRORS})
class CheckpointView(APIView):
    """The checkpoint of a given tree size, with its cosignatures."""

    def get(self, request: Request, size: int) -> Response:
        return Response(checkpoint_data(record.get_checkpoint(actor_for(request), size)))


class CosignatureInSerializer(StrictSerializer):
    signature = serializers.CharField(
        max_length=1000,
        trim_whitespace=False,
        help_text="A C2SP tlog-cosignature line: '— <witness name> <base64>'.",
    )


@extend_schema(
    tags=TAGS,
    request=CosignatureInSerializer,
    responses={201: CosignatureSerializer, 200: CosignatureSerializer, 409: ERRORS[400], **ERRORS},
)
class CosignatureView(APIView):
    """A witness posts its cosignature of a checkpoint (409 if it signs another tree)."""

    def post(self, request: Request, size: int) -> Response:
        form = CosignatureInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        cosignature, created = record_services.add_cosignature(
            actor=actor_for(request), size=size, line=form.validated_data["signature"]
        )
        return Response(
            CosignatureSerializer(cosignature).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class ViewCheckpointSerializer(serializers.Serializer[Any]):
    size = serializers.IntegerField(source="checkpoint.size")
    reader = serializers.CharField()
    note = serializers.CharField(
        help_text="The view note (ADR 0011): the checkpoint's origin, size and root with one "
        "'view <key> <entries> <base64 root>' line for every member's view and one for the "
        "caller's party, signed by the log, then the party's witness's cosignature lines."
    )


@extend_schema(tags=TAGS, responses={200: ViewCheckpointSerializer, **ERRORS})
class ViewCheckpointView(APIView):
    """The caller's party's view of the checkpoint of a given size: how many entries the
    party may read and their root. Only that party's members get it (anyone else: 404)."""

    def get(self, request: Request, size: int) -> Response:
        view = record_services.get_view_checkpoint(actor_for(request), size)
        lines = [c.line for c in view.cosignatures.all()]
        data = {"checkpoint": view.checkpoint, "reader": view.reader,
                "note": note.add_signatures(view.note, lines)}  # fmt: skip
        return Response(ViewCheckpointSerializer(data).data)


class ViewCosignatureSerializer(serializers.Serializer[Any]):
    witness = serializers.CharField(source="witness.name")
    signed_at = serializers.DateTimeField()
    line = serializers.CharField()


@extend_schema(
    tags=TAGS,
    request=CosignatureInSerializer,
    responses={
        201: ViewCosignatureSerializer, 200: ViewCosignatureSerializer, 409: ERRORS[400],
        **ERRORS,
    },
)  # fmt: skip
class ViewCosignatureView(APIView):
    """A witness posts its cosignature of its own party's view (409 if it signs another)."""

    def post(self, request: Request, size: int) -> Response:
        form = CosignatureInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        cosignature, created = record_services.add_view_cosignature(
            actor=actor_for(request), size=size, line=form.validated_data["signature"]
        )
        return Response(
            ViewCosignatureSerializer(cosignature).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


PROOF = inline_serializer(
    "ConsistencyProof",
    {
        "from": serializers.IntegerField(),
        "to": serializers.IntegerField(),
        "proof": serializers.ListField(child=serializers.CharField()),
    },
)


@extend_schema(
    tags=TAGS,
    parameters=[
        OpenApiParameter("from", int, required=True, description="The older tree size."),
        OpenApiParameter("to", int, description="The newer size (default: latest checkpoint)."),
    ],
    responses={200: PROOF, **ERRORS},
)
class ConsistencyView(APIView):
    """An RFC 9162 consistency proof between two sizes of the record's tree."""

    def get(self, request: Request) -> Response:
        old, new, proof = record.get_consistency_proof(
            actor_for(request), request.query_params.get("from"), request.query_params.get("to")
        )
        return Response({"from": old, "to": new, "proof": [h.hex() for h in proof]})


class EntrySerializer(serializers.Serializer[Any]):
    seq = serializers.IntegerField()
    leaf_index = serializers.SerializerMethodField()
    event_type = serializers.CharField()
    occurred_at = serializers.DateTimeField()
    salt = serializers.SerializerMethodField(help_text="The leaf's salt, hex.")
    canonical = serializers.CharField(help_text="The event's RFC 8785 canonical JSON.")
    hash = serializers.CharField(help_text="The hash chain's value after this entry, hex.")

    def get_leaf_index(self, entry: Entry) -> int:
        return entry.seq - 1

    def get_salt(self, entry: Entry) -> str:
        return bytes(entry.leaf.salt).hex()


@extend_schema(
    tags=TAGS,
    parameters=[
        OpenApiParameter("after", int, description="Only entries with a larger seq."),
        OpenApiParameter("limit", int, description="At most this many (default 100, max 1000)."),
    ],
    responses={200: EntrySerializer(many=True), **ERRORS},
)
class EntryListView(APIView):
    """The record entries the caller may read, each with its leaf index and salt, in
    order. A full answer has a ``Link: <…?after=SEQ&limit=N>; rel="next"`` header: ask
    again from the last ``seq`` until an answer is not full."""

    def get(self, request: Request) -> Response:
        after = int_param(request, "after", 0)
        limit = int_param(request, "limit", 100, 1000)
        entries = record.list_visible_entries(actor_for(request), after=after, limit=limit)
        response = Response(EntrySerializer(entries, many=True).data)
        if entries and len(entries) == limit:
            query = urlencode({"after": entries[-1].seq, "limit": limit})
            url = request.build_absolute_uri(f"{request.path}?{query}")
            response["Link"] = f'<{url}>; rel="next"'
        return response


INCLUSION = inline_serializer(
    "InclusionProof",
    {
        "seq": serializers.IntegerField(),
        "leaf_index": serializers.IntegerField(),
        "salt": serializers.CharField(),
        "canonical": serializers.CharField(),
        "leaf_hash": serializers.CharField(),
        "tree_size": serializers.IntegerField(),
        "root": serializers.CharField(),
        "proof": serializers.ListField(child=serializers.CharField()),
        "checkpoint": serializers.CharField(allow_null=True),
    },
)


@extend_schema(
    tags=TAGS,
    parameters=[
        OpenApiParameter("size", int, description="Tree size (default: latest checkpoint).")
    ],
    responses={200: INCLUSION, **ERRORS},
)
class EntryProofView(APIView):
    """The inclusion proof of an entry the caller may read (404 for any other)."""

    def get(self, request: Request, seq: int) -> Response:
        proof = record.get_entry_proof(actor_for(request), seq, request.query_params.get("size"))
        return Response(
            {
                "seq": proof.entry.seq,
                "leaf_index": proof.leaf_index,
                "salt": proof.salt.hex(),
                "canonical": proof.entry.canonical,
                "leaf_hash": proof.leaf_hash.hex(),
                "tree_size": proof.tree_size,
                "root": proof.root.hex(),
                "proof": [h.hex() for h in proof.path],
                "checkpoint": checkpoint_data(proof.checkpoint)["note"]
                if proof.checkpoint is not None
                else None,
            }
        )


class WitnessSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    party = serializers.CharField(source="party.code")
    name = serializers.CharField()
    vkey = serializers.CharField()
    registered_at = serializers.DateTimeField()
    retired_at = serializers.DateTimeField(allow_null=True)
    last_size = serializers.IntegerField(allow_null=True, default=None)


class WitnessInSerializer(StrictSerializer):
    vkey = serializers.CharField(max_length=400, help_text="The witness's cosignature vkey.")


@extend_schema(tags=TAGS)
class WitnessListView(ActorMixin, generics.ListAPIView):  # type: ignore[type-arg]
    """The cell's witnesses, by party; a party's cell administrators register their own."""

    serializer_class = WitnessSerializer

    def get_queryset(self) -> Any:
        return record.list_witnesses(self.actor)

    @extend_schema(responses={200: WitnessSerializer(many=True), **ERRORS})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(request=WitnessInSerializer, responses={201: WitnessSerializer, **ERRORS})
    def post(self, request: Request) -> Response:
        form = WitnessInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        witness = record_services.register_witness(
            actor=self.actor, vkey=form.validated_data["vkey"]
        )
        return Response(WitnessSerializer(witness).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=TAGS, request=None, responses={200: WitnessSerializer, **ERRORS})
class WitnessRetireView(ActorMixin, generics.GenericAPIView):  # type: ignore[type-arg]
    """Retire a witness of one's own party (its past cosignatures stay)."""

    serializer_class = WitnessSerializer
    lookup_field = "public_id"
    lookup_url_kwarg = "id"

    def get_queryset(self) -> Any:
        return record.list_witnesses(self.actor)

    def get_object(self) -> Witness:
        return record.get_witness(self.actor, self.kwargs["id"])

    def post(self, request: Request, id: str) -> Response:
        witness = record_services.retire_witness(actor=self.actor, witness=self.get_object())
        return Response(WitnessSerializer(witness).data)


#: Under ``/api/v1/`` (``coordcell.api.urls``), in the ``api`` namespace.
urlpatterns: list[URLPattern | URLResolver] = [
    path("record/checkpoint", LatestCheckpointView.as_view(), name="record-checkpoint"),
    path("record/checkpoints/<int:size>", CheckpointView.as_view(), name="record-checkpoint-size"),
    path(
        "record/checkpoints/<int:size>/cosignatures",
        CosignatureView.as_view(),
        name="record-cosignatures",
    ),
    path(
        "record/checkpoints/<int:size>/view",
        ViewCheckpointView.as_view(),
        name="record-view-checkpoint",
    ),
    path(
        "record/checkpoints/<int:size>/view/cosignatures",
        ViewCosignatureView.as_view(),
        name="record-view-cosignatures",
    ),
    path("record/consistency", ConsistencyView.as_view(), name="record-consistency"),
    path("record/entries", EntryListView.as_view(), name="record-entries"),
    path("record/entries/<int:seq>/proof", EntryProofView.as_view(), name="record-entry-proof"),
    path("record/witnesses", WitnessListView.as_view(), name="record-witnesses"),
    path(
        "record/witnesses/<str:id>/retire",
        WitnessRetireView.as_view(),
        name="record-witness-retire",
    ),
]
