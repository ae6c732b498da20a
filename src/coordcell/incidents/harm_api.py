"""The API of civilian harm and property: each party's casualty figures of an incident
side by side (and their revisions, paged), its property records with each party's
version side by side (paged). Writes go through ``incidents.harm``, the same calls as
the pages; an incident the caller may not read answers 404 like a missing one. Routed
by ``coordcell.api.urls`` (through ``incidents.api``).
"""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, URLResolver, path
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_serializer
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from coordcell.core.errors import NotFound
from coordcell.core.input import GeometryField, StrictSerializer
from coordcell.core.rest import ERRORS, ActorMixin
from coordcell.incidents import harm, selectors
from coordcell.incidents.choices import (
    AgeBandChoices,
    CasualtyCategoryChoices,
    CasualtyOutcomeChoices,
    LandUseChoices,
    PropertyKindChoices,
    SexBandChoices,
)
from coordcell.incidents.models import CasualtyFigure, Incident, PropertyDamage

__all__ = ["urlpatterns"]

TAGS = ["cases"]


class EstimateSerializer(serializers.Serializer[Any]):
    low = serializers.IntegerField()
    best = serializers.IntegerField()
    high = serializers.IntegerField()
    given_at = serializers.DateTimeField()


class CellSerializer(serializers.Serializer[Any]):
    category = serializers.CharField()
    outcome = serializers.CharField()
    age_band = serializers.CharField()
    sex = serializers.CharField()
    versions = serializers.DictField(
        child=EstimateSerializer(allow_null=True),
        help_text="Each party's current figure by party code (null: that party gave none).",
    )
    differ = serializers.BooleanField(help_text="The parties' figures differ.")


class CasualtyTableSerializer(serializers.Serializer[Any]):
    parties = serializers.ListField(child=serializers.CharField())
    cells = CellSerializer(many=True)


class FigureInSerializer(StrictSerializer):
    category = serializers.ChoiceField(choices=CasualtyCategoryChoices.values())
    outcome = serializers.ChoiceField(choices=CasualtyOutcomeChoices.values())
    age_band = serializers.ChoiceField(
        choices=AgeBandChoices.values(), required=False, default=AgeBandChoices.UNKNOWN
    )
    sex = serializers.ChoiceField(
        choices=SexBandChoices.values(), required=False, default=SexBandChoices.UNKNOWN
    )
    low = serializers.IntegerField(
        min_value=0, max_value=harm.MAX_ESTIMATE, required=False, allow_null=True, default=None
    )
    best = serializers.IntegerField(min_value=0, max_value=harm.MAX_ESTIMATE)
    high = serializers.IntegerField(
        min_value=0, max_value=harm.MAX_ESTIMATE, required=False, allow_null=True, default=None
    )


@extend_schema_serializer(component_name="CasualtyFiguresIn")
class CasualtiesInSerializer(StrictSerializer):
    figures = serializers.ListField(
        child=FigureInSerializer(), max_length=harm.MAX_FIGURES, allow_empty=False
    )


class _IncidentView(ActorMixin, generics.GenericAPIView):  # type: ignore[type-arg]
    def incident(self) -> Incident:
        return selectors.get_incident(self.actor, self.kwargs["id"])


def _table(incident: Incident) -> dict[str, Any]:
    parties, rows = selectors.casualty_table(incident)
    codes = [p.code for p in parties]
    return {
        "parties": codes,
        "cells": [
            {
                "category": row.category,
                "outcome": row.outcome,
                "age_band": row.age_band,
                "sex": row.sex,
                "versions": dict(zip(codes, row.figures, strict=True)),
                "differ": row.differ,
            }
            for row in rows
        ],
    }


@extend_schema(tags=TAGS)
class CasualtiesView(_IncidentView):
    """Each party's current casualty figures of the incident, side by side by cell
    (category, outcome, age band, sex); give or revise one's party's figures."""

    serializer_class = CasualtyTableSerializer

    @extend_schema(responses={200: CasualtyTableSerializer, **ERRORS})
    def get(self, request: Request, id: str) -> Response:
        return Response(CasualtyTableSerializer(_table(self.incident())).data)

    @extend_schema(
        request=CasualtiesInSerializer, responses={200: CasualtyTableSerializer, **ERRORS}
    )
    def post(self, request: Request, id: str) -> Response:
        incident = self.incident()
        form = CasualtiesInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        harm.give_casualties(
            actor=self.actor, incident=incident, figures=form.validated_data["figures"]
        )
        return Response(CasualtyTableSerializer(_table(incident)).data)


class RevisionSerializer(serializers.Serializer[Any]):
    party = serializers.CharField(source="party.code")
    category = serializers.CharField()
    outcome = serializers.CharField()
    age_band = serializers.CharField()
    sex = serializers.CharField()
    low = serializers.IntegerField()
    best = serializers.IntegerField()
    high = serializers.IntegerField()
    given_at = serializers.DateTimeField()


@extend_schema(tags=TAGS)
class CasualtyRevisionsView(ActorMixin, generics.ListAPIView):  # type: ignore[type-arg]
    """Every revision of every party's casualty figures of the incident, oldest first."""

    serializer_class = RevisionSerializer

    def get_queryset(self) -> Any:
        incident = selectors.get_incident(self.actor, self.kwargs["id"])
        return (
            CasualtyFigure.objects.filter(incident=incident)
            .select_related("party")
            .order_by("given_at", "pk")
        )

    @extend_schema(responses={200: RevisionSerializer(many=True), **ERRORS})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class PropertyVersionSerializer(serializers.Serializer[Any]):
    geometry = serializers.JSONField(allow_null=True)
    area_m2 = serializers.FloatField(allow_null=True)
    structures = serializers.IntegerField(allow_null=True)
    land_use = serializers.CharField()
    note = serializers.CharField()
    given_at = serializers.DateTimeField()


class PropertySerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    reference = serializers.CharField()
    kind = serializers.CharField()
    party = serializers.CharField(source="party.code", help_text="Who opened the record.")
    recorded_at = serializers.DateTimeField()
    versions = serializers.SerializerMethodField(
        help_text="Each party's current version by party code, with the declared position "
        "it links to where the caller may see it."
    )

    @extend_schema_field(serializers.DictField(child=serializers.DictField()))
    def get_versions(self, damage: PropertyDamage) -> dict[str, Any]:
        actor = self.context["actor"]
        _parties, rows = selectors.property_of(actor, damage.incident, damages=[damage])
        out: dict[str, Any] = {}
        for row in rows:
            for version, position in zip(row.versions, row.positions, strict=True):
                if version is None:
                    continue
                out[version.party.code] = {
                    **PropertyVersionSerializer(version).data,
                    "position": (
                        {"id": str(position.public_id), "reference": position.reference}
                        if position is not None
                        else None
                    ),
                }
        return out


class PropertyVersionInSerializer(StrictSerializer):
    geometry = GeometryField(required=False, allow_null=True, default=None)
    area_m2 = serializers.FloatField(
        min_value=0, max_value=harm.MAX_AREA_M2, required=False, allow_null=True, default=None
    )
    structures = serializers.IntegerField(
        min_value=0, max_value=harm.MAX_STRUCTURES, required=False, allow_null=True, default=None
    )
    land_use = serializers.ChoiceField(
        choices=["", *LandUseChoices.values()], required=False, default=""
    )
    position = serializers.UUIDField(required=False, allow_null=True, default=None)
    note = serializers.CharField(
        max_length=harm.NOTE_MAX_CHARS, required=False, allow_blank=True, default=""
    )


class PropertyInSerializer(PropertyVersionInSerializer):
    kind = serializers.ChoiceField(choices=PropertyKindChoices.values())


@extend_schema(tags=TAGS)
class PropertyListView(ActorMixin, generics.ListAPIView):  # type: ignore[type-arg]
    """The incident's property records, each with every party's current version side by
    side; open one with one's party's version."""

    serializer_class = PropertySerializer

    def get_queryset(self) -> Any:
        incident = selectors.get_incident(self.actor, self.kwargs["id"])
        return (
            PropertyDamage.objects.filter(incident=incident)
            .select_related("party", "incident")
            .order_by("recorded_at", "pk")
        )

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "actor": self.actor}

    @extend_schema(responses={200: PropertySerializer(many=True), **ERRORS})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(request=PropertyInSerializer, responses={201: PropertySerializer, **ERRORS})
    def post(self, request: Request, id: str) -> Response:
        incident = selectors.get_incident(self.actor, id)
        form = PropertyInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        damage = harm.record_property(actor=self.actor, incident=incident, **form.validated_data)
        body = PropertySerializer(damage, context={"actor": self.actor}).data
        return Response(body, status=status.HTTP_201_CREATED)


@extend_schema(tags=TAGS)
class PropertyVersionView(ActorMixin, generics.GenericAPIView):  # type: ignore[type-arg]
    """Give or revise one's party's version of a property record of the incident."""

    serializer_class = PropertySerializer

    @extend_schema(
        request=PropertyVersionInSerializer, responses={200: PropertySerializer, **ERRORS}
    )
    def post(self, request: Request, id: str, record: str) -> Response:
        incident = selectors.get_incident(self.actor, id)
        damage = selectors.get_property(incident, record)
        if damage is None:
            raise NotFound()
        form = PropertyVersionInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        harm.give_property_version(actor=self.actor, damage=damage, **form.validated_data)
        return Response(PropertySerializer(damage, context={"actor": self.actor}).data)


#: Under ``/api/v1/`` (``coordcell.api.urls``), in the ``api`` namespace.
urlpatterns: list[URLPattern | URLResolver] = [
    path("incidents/<str:id>/casualties/", CasualtiesView.as_view(), name="incident-casualties"),
    path(
        "incidents/<str:id>/casualties/revisions/",
        CasualtyRevisionsView.as_view(),
        name="incident-casualty-revisions",
    ),
    path("incidents/<str:id>/property/", PropertyListView.as_view(), name="incident-property"),
    path(
        "incidents/<str:id>/property/<str:record>/versions/",
        PropertyVersionView.as_view(),
        name="incident-property-version",
    ),
]
