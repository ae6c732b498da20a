"""API representations. Objects are addressed by public codes, never row ids."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from coordcell.agreements.models import Arrangement, ArrangementVersion, Clause, Protocol
from coordcell.api.input import StrictSerializer
from coordcell.parties.choices import RoleChoices
from coordcell.parties.models import Delegation, Membership, Party
from coordcell.rules.vocabulary import LANGUAGES


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
    id = serializers.UUIDField(source="public_id", read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)
    full_name = serializers.CharField(source="user.full_name", read_only=True)
    delegation = serializers.UUIDField(source="delegation.public_id", read_only=True)

    class Meta:
        model = Membership
        fields = [
            "id",
            "delegation",
            "username",
            "full_name",
            "role",
            "active",
            "started_at",
            "ended_at",
        ]


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


class VersionSerializer(serializers.ModelSerializer[ArrangementVersion]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    title = serializers.CharField(read_only=True)

    class Meta:
        model = ArrangementVersion
        fields = [
            "id",
            "number",
            "title",
            "content_hash",
            "valid_from",
            "valid_until",
            "region_crs",
            "region_bbox",
            "loaded_at",
            "loaded_by",
            "is_current",
        ]


class ArrangementSerializer(serializers.ModelSerializer[Arrangement]):
    id = serializers.CharField(source="key", read_only=True)
    current_version = serializers.SerializerMethodField()
    versions = VersionSerializer(many=True, read_only=True)

    class Meta:
        model = Arrangement
        fields = ["id", "current_version", "versions"]

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_current_version(self, obj: Arrangement) -> int | None:
        current = next((v for v in obj.versions.all() if v.is_current), None)
        return current.number if current else None


class ClauseSerializer(serializers.ModelSerializer[Clause]):
    id = serializers.CharField(source="clause_id", read_only=True)
    arrangement = serializers.CharField(source="version.arrangement.key", read_only=True)
    version = serializers.IntegerField(source="version.number", read_only=True)
    title = serializers.CharField(read_only=True)
    zones = serializers.ListField(source="zone_ids", child=serializers.CharField())
    parties = serializers.ListField(source="party_codes", child=serializers.CharField())

    class Meta:
        model = Clause
        fields = [
            "id",
            "arrangement",
            "version",
            "kind",
            "title",
            "titles",
            "text",
            "source",
            "zones",
            "parties",
            "prohibited",
            "limits",
            "parameters",
            "effective_from",
            "effective_until",
            "amends",
        ]


class ProtocolSerializer(serializers.ModelSerializer[Protocol]):
    id = serializers.CharField(source="protocol_id", read_only=True)
    title = serializers.CharField(read_only=True)

    class Meta:
        model = Protocol
        fields = [
            "id",
            "title",
            "titles",
            "acknowledge_within_hours",
            "answer_within_hours",
            "verification_within_hours",
            "ladder",
        ]
