"""The API of parties, delegations and memberships: reads from ``parties.selectors``,
writes through ``parties.services``. Routed by ``coordcell.api.urls``."""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, URLResolver, include, path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from coordcell.accounts import selectors as accounts
from coordcell.core.errors import PermissionDenied, ValidationFailed
from coordcell.core.input import StrictSerializer
from coordcell.core.rest import ERRORS, ActorMixin
from coordcell.parties import selectors as parties
from coordcell.parties import services
from coordcell.parties.choices import RoleChoices
from coordcell.parties.models import Delegation, Membership, Party
from coordcell.rules.vocabulary import LANGUAGES

__all__ = [
    "DelegationViewSet",
    "MembershipCallSignView",
    "MembershipEndView",
    "PartyViewSet",
    "urlpatterns",
]


class NamesField(serializers.DictField):
    """Names in each interface language: ``{"en": …, "ar": …, "he": …}``."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(child=serializers.CharField(max_length=200, allow_blank=True), **kwargs)

    def to_internal_value(self, data: Any) -> dict[str, str]:
        value: dict[str, str] = super().to_internal_value(data)
        unknown = sorted(set(value) - set(LANGUAGES))
        if unknown:
            raise serializers.ValidationError(f"unknown language(s): {', '.join(unknown)}")
        return value


class PartySerializer(serializers.ModelSerializer[Party]):
    id = serializers.CharField(source="code", read_only=True)
    name = serializers.CharField(read_only=True)
    names = NamesField(read_only=True)

    class Meta:
        model = Party
        fields = ["id", "kind", "name", "names", "fictional"]


class MembershipSerializer(serializers.ModelSerializer[Membership]):
    """A role in a delegation. Everyone who may see it reads its ``call_sign``; only the
    party's own members read the person's ``username`` and ``full_name`` (null for
    everyone else, the mediator included)."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    call_sign = serializers.CharField(read_only=True)
    username = serializers.SerializerMethodField()
    full_name = serializers.SerializerMethodField()
    delegation = serializers.UUIDField(source="delegation.public_id", read_only=True)

    class Meta:
        model = Membership
        fields = [
            "id",
            "delegation",
            "call_sign",
            "username",
            "full_name",
            "role",
            "active",
            "started_at",
            "ended_at",
        ]

    def _knows(self, membership: Membership) -> bool:
        actor = self.context.get("actor")
        return actor is not None and parties.may_know_names(actor, membership.delegation.party_id)

    def get_username(self, membership: Membership) -> str | None:
        return membership.user.username if self._knows(membership) else None

    def get_full_name(self, membership: Membership) -> str | None:
        return membership.user.full_name if self._knows(membership) else None


class DelegationSerializer(serializers.ModelSerializer[Delegation]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    party = serializers.CharField(source="party.code", read_only=True)
    name = serializers.CharField(read_only=True)
    names = NamesField(read_only=True)

    class Meta:
        model = Delegation
        fields = ["id", "party", "name", "names", "active", "fictional", "created_at"]


class DelegationCreateSerializer(StrictSerializer):
    party = serializers.SlugField(help_text="The party's code, e.g. `il`.")
    names = NamesField()


class DelegationUpdateSerializer(StrictSerializer):
    names = NamesField()
    active = serializers.BooleanField()


class MemberAddSerializer(StrictSerializer):
    username = serializers.CharField(max_length=150)
    role = serializers.ChoiceField(choices=RoleChoices.choices())
    call_sign = serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        help_text="The role's call sign; generated (e.g. `SY LO-2`) when absent.",
    )


class CallSignSerializer(StrictSerializer):
    call_sign = serializers.CharField(max_length=40)


@extend_schema(tags=["parties"], responses={200: PartySerializer, **ERRORS})
class PartyViewSet(ActorMixin, viewsets.ReadOnlyModelViewSet):  # type: ignore[type-arg]
    """Parties to the arrangement, the mediator, monitors, donors and observers.

    A donor's identity is confidential: other parties do not see it at all.
    """

    serializer_class = PartySerializer
    lookup_field = "code"

    def get_queryset(self) -> Any:
        return parties.list_parties(self.actor)

    def get_object(self) -> Party:
        return parties.access_party(self.actor, self.kwargs["code"])


@extend_schema(tags=["parties"], responses={**ERRORS})
@extend_schema_view(
    list=extend_schema(responses={200: DelegationSerializer(many=True), **ERRORS}),
    retrieve=extend_schema(responses={200: DelegationSerializer, **ERRORS}),
)
class DelegationViewSet(
    ActorMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    """Delegations and their members. Cell administrators create and change them."""

    serializer_class = DelegationSerializer
    lookup_field = "public_id"
    lookup_url_kwarg = "id"

    def get_queryset(self) -> Any:
        return parties.list_delegations(self.actor)

    def get_object(self) -> Delegation:
        return parties.access_delegation(self.actor, self.kwargs["id"])

    @extend_schema(
        request=DelegationCreateSerializer, responses={201: DelegationSerializer, **ERRORS}
    )
    def create(self, request: Request) -> Response:
        form = DelegationCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        party = parties.access_party(self.actor, form.validated_data["party"])
        delegation = services.create_delegation(
            actor=self.actor, party=party, names=form.validated_data["names"]
        )
        return Response(DelegationSerializer(delegation).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=DelegationUpdateSerializer, responses={200: DelegationSerializer, **ERRORS}
    )
    def update(self, request: Request, id: str) -> Response:
        delegation = self.get_object()
        form = DelegationUpdateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        delegation = services.update_delegation(
            actor=self.actor, delegation=delegation, **form.validated_data
        )
        return Response(DelegationSerializer(delegation).data)

    @extend_schema(responses={200: MembershipSerializer(many=True), **ERRORS})
    @action(detail=True, methods=["get"], serializer_class=MembershipSerializer)
    def members(self, request: Request, id: str) -> Response:
        """Memberships of the delegation, active first."""
        delegation = self.get_object()
        page = self.paginate_queryset(parties.list_members(self.actor, delegation))
        return self.get_paginated_response(
            MembershipSerializer(page, many=True, context={"actor": self.actor}).data
        )

    @extend_schema(request=MemberAddSerializer, responses={201: MembershipSerializer, **ERRORS})
    @members.mapping.post
    def add_member(self, request: Request, id: str) -> Response:
        delegation = self.get_object()
        # Refuse before looking the user name up: otherwise anyone who may see the
        # delegation could tell existing accounts (403) from missing ones (400).
        if not parties.may_manage(self.actor, delegation):
            raise PermissionDenied()
        form = MemberAddSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        user = accounts.find_active_user(form.validated_data["username"])
        if user is None:
            raise ValidationFailed({"username": [_("No active account has this user name.")]})
        membership = services.add_member(
            actor=self.actor,
            delegation=delegation,
            user=user,
            role=form.validated_data["role"],
            call_sign=form.validated_data.get("call_sign", ""),
        )
        return Response(
            MembershipSerializer(membership, context={"actor": self.actor}).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema(tags=["parties"])
class MembershipEndView(ActorMixin, APIView):
    """End a membership (the person keeps their account; the role ends)."""

    @extend_schema(request=None, responses={200: MembershipSerializer, **ERRORS})
    def post(self, request: Request, id: str) -> Response:
        membership = parties.access_membership(self.actor, id)
        membership = services.end_membership(actor=self.actor, membership=membership)
        return Response(MembershipSerializer(membership, context={"actor": self.actor}).data)


@extend_schema(tags=["parties"])
class MembershipCallSignView(ActorMixin, APIView):
    """Give a role a new call sign (the party's own cell administrators only; recorded)."""

    @extend_schema(request=CallSignSerializer, responses={200: MembershipSerializer, **ERRORS})
    def post(self, request: Request, id: str) -> Response:
        membership = parties.access_membership(self.actor, id)
        if not parties.may_manage(self.actor, membership.delegation):
            raise PermissionDenied()
        form = CallSignSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        membership = services.set_call_sign(
            actor=self.actor, membership=membership, call_sign=form.validated_data["call_sign"]
        )
        return Response(MembershipSerializer(membership, context={"actor": self.actor}).data)


_router = SimpleRouter(trailing_slash=True)
_router.register("parties", PartyViewSet, basename="party")
_router.register("delegations", DelegationViewSet, basename="delegation")

#: Under ``/api/v1/`` (``coordcell.api.urls``), in the ``api`` namespace.
urlpatterns: list[URLPattern | URLResolver] = [
    path("", include(_router.urls)),
    path("memberships/<str:id>/end/", MembershipEndView.as_view(), name="membership-end"),
    path(
        "memberships/<str:id>/call-sign/",
        MembershipCallSignView.as_view(),
        name="membership-call-sign",
    ),
]
