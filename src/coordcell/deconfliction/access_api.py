"""The API of access requests: civilians' access to land near the lines (list, request,
one request, its receipt, its answer). Writes go through ``deconfliction.access``, the
same calls as the pages; a request the caller may not read answers 404 like a missing
one. Routed by ``coordcell.api.urls`` (through ``deconfliction.api``).
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.urls import URLPattern, URLResolver, path
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from coordcell.core.http import actor_for
from coordcell.core.input import GeometryField, OffsetDateTimeField, StrictSerializer
from coordcell.core.rest import ERRORS, ActorMixin, FlagFilter
from coordcell.deconfliction import access, selectors
from coordcell.deconfliction.choices import (
    AccessAnswerChoices,
    AccessPurposeChoices,
    RequesterKindChoices,
)

__all__ = ["urlpatterns"]

TAGS = ["deconfliction"]


@extend_schema_serializer(component_name="LandAccessRequest")
class AccessSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    reference = serializers.CharField()
    party = serializers.CharField(source="party.code")
    answering_party = serializers.CharField(source="answering_party.code")
    requester_kind = serializers.CharField()
    requester_ref = serializers.CharField(
        help_text="The requesting party's reference of the person (never a name)."
    )
    purpose = serializers.CharField()
    geometry = serializers.JSONField()
    zones = serializers.ListField(child=serializers.CharField())
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    description = serializers.CharField()
    audience = serializers.ListField(child=serializers.CharField(), source="audience_codes")
    submitted_at = serializers.DateTimeField()
    answer_due_at = serializers.DateTimeField()
    received_at = serializers.DateTimeField(allow_null=True)
    answer = serializers.CharField(help_text="granted, granted_escorted, denied; empty: none.")
    answer_reason = serializers.CharField()
    window_starts_at = serializers.DateTimeField(allow_null=True)
    window_ends_at = serializers.DateTimeField(allow_null=True)
    escort_by = serializers.CharField()
    answered_at = serializers.DateTimeField(allow_null=True)
    escalated_at = serializers.DateTimeField(allow_null=True)
    escalation_level = serializers.CharField()
    fictional = serializers.BooleanField()


class AccessInSerializer(StrictSerializer):
    answering_party = serializers.CharField(max_length=40)
    requester_kind = serializers.ChoiceField(choices=RequesterKindChoices.values())
    requester_ref = serializers.CharField(
        max_length=32, help_text="Your party's reference of the person, with a digit; no name."
    )
    purpose = serializers.ChoiceField(choices=AccessPurposeChoices.values())
    geometry = GeometryField(help_text="The site (Point) or the land (Polygon), WGS84.")
    starts_at = OffsetDateTimeField()
    ends_at = OffsetDateTimeField()
    description = serializers.CharField(
        max_length=access.DESCRIPTION_MAX_CHARS, required=False, allow_blank=True, default=""
    )


@extend_schema_serializer(component_name="LandAccessAnswerIn")
class AnswerInSerializer(StrictSerializer):
    answer = serializers.ChoiceField(choices=AccessAnswerChoices.values())
    reason = serializers.CharField(
        max_length=access.REASON_MAX_CHARS, required=False, allow_blank=True, default=""
    )
    window_starts_at = OffsetDateTimeField(required=False, allow_null=True, default=None)
    window_ends_at = OffsetDateTimeField(required=False, allow_null=True, default=None)
    escort_by = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")


class AccessFilter(django_filters.FilterSet):  # type: ignore[misc]
    awaiting_answer = FlagFilter(
        method="filter_awaiting",
        help_text="Yes: only the requests the caller's party is asked to answer and has not.",
    )

    def filter_awaiting(self, queryset: Any, name: str, value: bool) -> Any:
        if not value:
            return queryset
        return queryset.filter(pk__in=selectors.awaiting_answer(actor_for(self.request)))


@extend_schema(tags=TAGS)
class AccessListView(ActorMixin, generics.ListAPIView):  # type: ignore[type-arg]
    """The access requests the caller may read, newest first; request access (a party's
    liaison officer or principal, for one of its civilians)."""

    serializer_class = AccessSerializer
    filterset_class = AccessFilter

    def get_queryset(self) -> Any:
        return selectors.list_access(self.actor)

    @extend_schema(responses={200: AccessSerializer(many=True), **ERRORS})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(request=AccessInSerializer, responses={201: AccessSerializer, **ERRORS})
    def post(self, request: Request) -> Response:
        form = AccessInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        row = access.request_access(actor=self.actor, **form.validated_data)
        return Response(
            AccessSerializer(selectors.get_access(self.actor, row.public_id)).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema(tags=TAGS, responses={200: AccessSerializer, **ERRORS})
class AccessDetailView(ActorMixin, generics.RetrieveAPIView):  # type: ignore[type-arg]
    """One access request (404 when the caller may not read it, as when it does not exist)."""

    serializer_class = AccessSerializer

    def get_object(self) -> Any:
        return selectors.get_access(self.actor, self.kwargs["id"])


@extend_schema(tags=TAGS, request=None, responses={200: AccessSerializer, **ERRORS})
class AccessReceiptView(ActorMixin, generics.GenericAPIView):  # type: ignore[type-arg]
    """The answering party acknowledges the request (its receipt)."""

    serializer_class = AccessSerializer

    def post(self, request: Request, id: str) -> Response:
        row = selectors.get_access(self.actor, id)
        access.acknowledge_access(actor=self.actor, request=row)
        return Response(AccessSerializer(selectors.get_access(self.actor, id)).data)


@extend_schema(tags=TAGS, request=AnswerInSerializer, responses={200: AccessSerializer, **ERRORS})
class AccessAnswerView(ActorMixin, generics.GenericAPIView):  # type: ignore[type-arg]
    """The answering party answers, once: granted, granted with an escorted access window
    (``window_starts_at``, ``window_ends_at``, ``escort_by``), or denied with a reason."""

    serializer_class = AccessSerializer

    def post(self, request: Request, id: str) -> Response:
        row = selectors.get_access(self.actor, id)
        form = AnswerInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        access.answer_access(actor=self.actor, request=row, **form.validated_data)
        return Response(AccessSerializer(selectors.get_access(self.actor, id)).data)


#: Under ``/api/v1/`` (``coordcell.api.urls``), in the ``api`` namespace.
urlpatterns: list[URLPattern | URLResolver] = [
    path("access-requests/", AccessListView.as_view(), name="access-requests"),
    path("access-requests/<str:id>/", AccessDetailView.as_view(), name="access-request"),
    path(
        "access-requests/<str:id>/receipt/",
        AccessReceiptView.as_view(),
        name="access-request-receipt",
    ),
    path(
        "access-requests/<str:id>/answer/", AccessAnswerView.as_view(), name="access-request-answer"
    ),
]
