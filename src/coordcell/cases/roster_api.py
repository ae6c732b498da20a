"""The API of the hotline desks' duty rosters (a party's own roster, who is on duty) and
shift handovers, and the links' communications checks.

Writes go through ``cases.roster``, ``cases.handover`` and ``cases.comms``, the same
calls as the pages. Routed by ``coordcell.api.urls``.
"""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, URLResolver, path
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from coordcell.agreements import selectors as agreements
from coordcell.cases import comms, handover, roster
from coordcell.core.input import StrictSerializer
from coordcell.core.rest import ERRORS, ActorMixin
from coordcell.parties import selectors as parties
from coordcell.rules import vocabulary

__all__ = ["urlpatterns"]

HOTLINE = ["hotline"]


class ShiftSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    party = serializers.CharField(source="party.code")
    call_sign = serializers.CharField()
    tier = serializers.IntegerField(
        help_text="Place in the contact tree: 1 duty officer, 2 deputy, 3 principal."
    )
    channel = serializers.CharField()
    contact = serializers.CharField()
    shared = serializers.BooleanField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()


class ShiftInSerializer(StrictSerializer):
    call_sign = serializers.CharField(max_length=40)
    tier = serializers.ChoiceField(choices=list(roster.TIERS))
    channel = serializers.ChoiceField(choices=list(vocabulary.HOTLINE_CHANNELS))
    contact = serializers.CharField(
        max_length=roster.CONTACT_MAX_CHARS, required=False, allow_blank=True, default=""
    )
    shared = serializers.BooleanField(required=False, default=False)
    starts_at = serializers.DateTimeField(help_text="With its time zone.")
    ends_at = serializers.DateTimeField(help_text="With its time zone.")


class OnDutySerializer(serializers.Serializer[Any]):
    party = serializers.CharField(source="party_code")
    call_sign = serializers.CharField()
    tier = serializers.IntegerField()
    channel = serializers.CharField()
    contact = serializers.CharField(help_text="Empty unless the party shares it.")
    ends_at = serializers.DateTimeField()


@extend_schema(tags=HOTLINE)
class ShiftListView(ActorMixin, generics.ListAPIView):  # type: ignore[type-arg]
    """The caller's own party's duty roster (no one else's); add a shift (its cell
    administrators and principals)."""

    serializer_class = ShiftSerializer

    def get_queryset(self) -> Any:
        return roster.list_shifts(self.actor).select_related("party")

    @extend_schema(responses={200: ShiftSerializer(many=True), **ERRORS})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(request=ShiftInSerializer, responses={201: ShiftSerializer, **ERRORS})
    def post(self, request: Request) -> Response:
        form = ShiftInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        shift = roster.set_shift(actor=self.actor, **form.validated_data)
        return Response(ShiftSerializer(shift).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=HOTLINE, request=None, responses={200: ShiftSerializer, **ERRORS})
class ShiftRemoveView(ActorMixin, generics.GenericAPIView):  # type: ignore[type-arg]
    """Take a shift off the caller's own party's roster (another party's: 404)."""

    serializer_class = ShiftSerializer

    def post(self, request: Request, id: str) -> Response:
        shift = roster.remove_shift(actor=self.actor, shift=roster.get_shift(self.actor, id))
        return Response(ShiftSerializer(shift).data)


@extend_schema(tags=HOTLINE)
class OnDutyView(ActorMixin, generics.ListAPIView):  # type: ignore[type-arg]
    """Who is on duty now on each hotline desk the caller may see, in contact order."""

    serializer_class = OnDutySerializer

    def get_queryset(self) -> Any:
        return roster.on_duty_now(self.actor)

    @extend_schema(responses={200: OnDutySerializer(many=True), **ERRORS})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class HandoverSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    party = serializers.CharField(source="party.code")
    outgoing = serializers.CharField(source="outgoing_call_sign")
    incoming = serializers.CharField(source="incoming_call_sign")
    at = serializers.DateTimeField()
    text = serializers.CharField()
    open_calls = serializers.JSONField()
    open_commitments = serializers.JSONField()
    acknowledged_at = serializers.DateTimeField(allow_null=True)


class HandoverInSerializer(StrictSerializer):
    incoming_call_sign = serializers.CharField(max_length=40)
    text = serializers.CharField(
        max_length=handover.TEXT_MAX_CHARS, required=False, allow_blank=True, default=""
    )


@extend_schema(tags=HOTLINE)
class HandoverListView(ActorMixin, generics.ListAPIView):  # type: ignore[type-arg]
    """The shift handovers of the caller's own party (no one else's), newest first; hand
    the desk over (its liaison officers and principals)."""

    serializer_class = HandoverSerializer

    def get_queryset(self) -> Any:
        return handover.list_handovers(self.actor)

    @extend_schema(responses={200: HandoverSerializer(many=True), **ERRORS})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(request=HandoverInSerializer, responses={201: HandoverSerializer, **ERRORS})
    def post(self, request: Request) -> Response:
        form = HandoverInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        note = handover.hand_over(actor=self.actor, **form.validated_data)
        return Response(HandoverSerializer(note).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=HOTLINE, request=None, responses={200: HandoverSerializer, **ERRORS})
class HandoverAcknowledgeView(ActorMixin, generics.GenericAPIView):  # type: ignore[type-arg]
    """The incoming duty officer acknowledges the handover (another party's: 404)."""

    serializer_class = HandoverSerializer

    def post(self, request: Request, id: str) -> Response:
        note = handover.acknowledge(
            actor=self.actor, handover=handover.get_handover(self.actor, id)
        )
        return Response(HandoverSerializer(note).data)


@extend_schema_serializer(component_name="CommsCheck")
class CheckSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    sender = serializers.CharField(source="from_party.code")
    receiver = serializers.CharField(source="to_party.code")
    sent_at = serializers.DateTimeField()
    answer_due_at = serializers.DateTimeField()
    answered_at = serializers.DateTimeField(allow_null=True)
    state = serializers.CharField(help_text="sent, answered or failed.")


class CheckInSerializer(StrictSerializer):
    to_party = serializers.CharField(max_length=40, help_text="A party's code, or the mediator's.")


class CheckFilterSerializer(serializers.Serializer[Any]):
    day = serializers.DateField(required=False, help_text="Only the checks sent that UTC day.")


@extend_schema(tags=HOTLINE)
class CheckListView(ActorMixin, generics.ListAPIView):  # type: ignore[type-arg]
    """Communications checks of the links the caller is an end of (the mediators: every
    link), newest first; send one to the other end of a link."""

    serializer_class = CheckSerializer

    def get_queryset(self) -> Any:
        query = CheckFilterSerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return comms.list_checks(self.actor, query.validated_data.get("day"))

    @extend_schema(
        parameters=[CheckFilterSerializer], responses={200: CheckSerializer(many=True), **ERRORS}
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(request=CheckInSerializer, responses={201: CheckSerializer, **ERRORS})
    def post(self, request: Request) -> Response:
        form = CheckInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        check = comms.send_check(
            actor=self.actor,
            to_party=parties.access_party(self.actor, form.validated_data["to_party"]),
            version=agreements.get_version(self.actor, None, None),
        )
        return Response(CheckSerializer(check).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=HOTLINE, request=None, responses={200: CheckSerializer, **ERRORS})
class CheckAnswerView(ActorMixin, generics.GenericAPIView):  # type: ignore[type-arg]
    """The other end of the link answers the check, in time."""

    serializer_class = CheckSerializer

    def post(self, request: Request, id: str) -> Response:
        check = comms.answer_check(actor=self.actor, check=comms.get_check(self.actor, id))
        return Response(CheckSerializer(check).data)


#: Under ``/api/v1/`` (``coordcell.api.urls``), in the ``api`` namespace.
urlpatterns: list[URLPattern | URLResolver] = [
    path("roster/", ShiftListView.as_view(), name="roster"),
    path("roster/<str:id>/remove/", ShiftRemoveView.as_view(), name="roster-remove"),
    path("on-duty/", OnDutyView.as_view(), name="on-duty"),
    path("handovers/", HandoverListView.as_view(), name="handovers"),
    path("comms-checks/", CheckListView.as_view(), name="comms-checks"),
    path("comms-checks/<str:id>/answer/", CheckAnswerView.as_view(), name="comms-check-answer"),
    path(
        "handovers/<str:id>/acknowledge/",
        HandoverAcknowledgeView.as_view(),
        name="handover-acknowledge",
    ),
]
