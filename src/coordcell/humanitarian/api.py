"""The API of detainees and missing persons: the register (paged, references and facts,
no name), one file (with its personal data, each party's version, its requests and the
links the caller reads; the reading logged), the writes on a file, its reading log, and
the counts per day and party. A file the caller may not read answers 404, like a missing
one. Writes go through ``humanitarian.services``, the same calls as the pages. Routed by
``coordcell.api.urls``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import URLPattern, URLResolver, path
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from coordcell.core.errors import PermissionDenied
from coordcell.core.input import GeometryField, OffsetDateTimeField, StrictSerializer
from coordcell.core.rest import ERRORS, ActorMixin
from coordcell.humanitarian import selectors, services
from coordcell.humanitarian.choices import RequestKindChoices, StatusChoices
from coordcell.humanitarian.services import (
    DETAILS_MAX_CHARS,
    LINK_KINDS,
    NAME_MAX_CHARS,
    STATEMENT_MAX_CHARS,
)

__all__ = ["urlpatterns"]

TAGS = ["humanitarian"]


class FileSerializer(serializers.Serializer[Any]):
    """A file in the register: references and facts, never the person's name."""

    id = serializers.UUIDField(source="public_id")
    reference = serializers.CharField()
    status = serializers.CharField()
    since = serializers.DateTimeField()
    place = serializers.JSONField()
    reporting_party = serializers.CharField(source="reporting_party.code")
    reported_at = serializers.DateTimeField()
    access_body = serializers.CharField()
    notified_at = serializers.DateTimeField(allow_null=True)
    access_granted_at = serializers.DateTimeField(allow_null=True)
    charged_at = serializers.DateTimeField(allow_null=True)
    released_at = serializers.DateTimeField(allow_null=True)
    located_at = serializers.DateTimeField(allow_null=True)
    audience = serializers.ListField(child=serializers.CharField(), source="audience_codes")
    fictional = serializers.BooleanField()


class VersionSerializer(serializers.Serializer[Any]):
    party = serializers.CharField(source="party.code")
    held_by = serializers.CharField(
        help_text="A party's code as this party states it; empty: unknown."
    )
    status = serializers.CharField()
    statement = serializers.CharField()
    stated_at = serializers.DateTimeField()


class RequestSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    reference = serializers.CharField()
    kind = serializers.CharField()
    requested_by = serializers.CharField(source="requested_by.code")
    addressee = serializers.CharField(source="addressee.code")
    requested_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    state = serializers.CharField()
    closed_at = serializers.DateTimeField(allow_null=True)
    case = serializers.UUIDField(allow_null=True)
    remedy = serializers.UUIDField(allow_null=True)
    escalation_level = serializers.CharField()


class PersonalSerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    birth_date = serializers.CharField()
    details = serializers.CharField()
    unreadable = serializers.BooleanField(
        help_text="No configured key opens the sealed personal data (a lost or wrong key): "
        "the fields are empty."
    )


class LinkSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField()
    id = serializers.UUIDField(source="public_id")
    reference = serializers.CharField()


class FileDetailSerializer(FileSerializer):
    personal = serializers.SerializerMethodField()
    versions = serializers.SerializerMethodField(help_text="Each party's latest, side by side.")
    requests = serializers.SerializerMethodField()
    links = serializers.SerializerMethodField()

    def get_personal(self, obj: Any) -> dict[str, str]:
        return dict(PersonalSerializer(selectors.personal_of(obj)).data)

    def get_versions(self, obj: Any) -> list[dict[str, Any]]:
        return list(VersionSerializer(selectors.current_versions(obj), many=True).data)

    def get_requests(self, obj: Any) -> list[dict[str, Any]]:
        return list(
            RequestSerializer(selectors.requests_of(self.context["actor"], obj), many=True).data
        )

    def get_links(self, obj: Any) -> list[dict[str, Any]]:
        actor = self.context["actor"]
        return list(LinkSerializer(selectors.links_of(actor, obj), many=True).data)


@extend_schema_serializer(component_name="HumanitarianFileIn")
class FileInSerializer(StrictSerializer):
    status = serializers.ChoiceField(choices=[StatusChoices.DETAINED, StatusChoices.MISSING])
    since = OffsetDateTimeField()
    place = GeometryField(help_text="A point or an area, WGS84.")
    name = serializers.CharField(max_length=NAME_MAX_CHARS)
    birth_date = serializers.DateField(required=False, allow_null=True, default=None)
    details = serializers.CharField(
        max_length=DETAILS_MAX_CHARS, required=False, default="", allow_blank=True
    )
    access_body = serializers.CharField(max_length=40, required=False, default="", allow_blank=True)
    held_by = serializers.CharField(max_length=40, required=False, default="", allow_blank=True)
    statement = serializers.CharField(
        max_length=STATEMENT_MAX_CHARS, required=False, default="", allow_blank=True
    )


@extend_schema_serializer(component_name="HumanitarianFileVersionIn")
class VersionInSerializer(StrictSerializer):
    held_by = serializers.CharField(max_length=40, required=False, default="", allow_blank=True)
    status = serializers.ChoiceField(choices=StatusChoices.values())
    statement = serializers.CharField(max_length=STATEMENT_MAX_CHARS)


class StatusInSerializer(StrictSerializer):
    status = serializers.ChoiceField(choices=StatusChoices.values())
    at = OffsetDateTimeField()


class DateInSerializer(StrictSerializer):
    at = OffsetDateTimeField()


class ShareInSerializer(StrictSerializer):
    party = serializers.CharField(max_length=40)


@extend_schema_serializer(component_name="HumanitarianRequestIn")
class RequestInSerializer(StrictSerializer):
    kind = serializers.ChoiceField(
        choices=RequestKindChoices.values(),
        required=False,
        default="",
        help_text="Required unless a remedy is named whose words say it (release, access).",
    )
    addressee = serializers.CharField(max_length=40)
    within_hours = serializers.FloatField(
        required=False, allow_null=True, default=None, min_value=1, max_value=720
    )
    case = serializers.UUIDField(required=False, allow_null=True, default=None)
    remedy = serializers.UUIDField(required=False, allow_null=True, default=None)


@extend_schema_serializer(component_name="HumanitarianFileLinkIn")
class LinkInSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=list(LINK_KINDS))
    target = serializers.UUIDField()


class ReadingSerializer(serializers.Serializer[Any]):
    reader = serializers.CharField()
    party = serializers.CharField(source="party_code")
    surface = serializers.CharField()
    at = serializers.DateTimeField()


class CountRowSerializer(serializers.Serializer[Any]):
    day = serializers.DateField()
    party = serializers.CharField()
    detained = serializers.IntegerField()
    missing = serializers.IntegerField()
    released = serializers.IntegerField()


class CountSerializer(serializers.Serializer[Any]):
    since = serializers.DateField()
    until = serializers.DateField()
    rows = CountRowSerializer(many=True, help_text="Days and parties with nothing are left out.")


def _detail(view: Any, file: Any) -> dict[str, Any]:
    return dict(FileDetailSerializer(file, context={"actor": view.actor}).data)


@extend_schema(tags=TAGS)
class FileListView(ActorMixin, generics.ListAPIView):  # type: ignore[type-arg]
    """The files the caller may read (a file not shared with the caller is not here),
    latest first, without names; open one (``POST``)."""

    serializer_class = FileSerializer

    def get_queryset(self) -> Any:
        status_filter = self.request.query_params.get("status", "")
        if status_filter not in StatusChoices.values():
            status_filter = ""
        return selectors.list_files(self.actor, status=status_filter)

    @extend_schema(responses={200: FileSerializer(many=True), **ERRORS})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(request=FileInSerializer, responses={201: FileDetailSerializer, **ERRORS})
    def post(self, request: Request) -> Response:
        form = FileInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        file = services.open_file(actor=self.actor, **form.validated_data)
        return Response(_detail(self, file), status=status.HTTP_201_CREATED)


@extend_schema(tags=TAGS, responses={200: FileDetailSerializer, **ERRORS})
class FileDetailView(ActorMixin, generics.GenericAPIView):  # type: ignore[type-arg]
    """One file with its personal data, each party's version, its requests and links
    (404 when the caller may not read it, as when it does not exist); the reading is
    logged."""

    serializer_class = FileDetailSerializer

    def get(self, request: Request, id: str) -> Response:
        file = services.read_file(self.actor, id, surface="api")
        return Response(_detail(self, file))


def _action(
    serializer: type[serializers.Serializer[Any]], call: Any, doc: str, created: bool = False
) -> Any:
    """A POST on a file: validate, call the service, answer with the file (logged)."""

    @extend_schema(tags=TAGS, request=serializer, responses={200: FileDetailSerializer, **ERRORS})
    class View(ActorMixin, generics.GenericAPIView):  # type: ignore[type-arg]
        serializer_class = FileDetailSerializer

        def post(self, request: Request, id: str) -> Response:
            file = selectors.get_file(self.actor, id)
            form = serializer(data=request.data)
            form.is_valid(raise_exception=True)
            call(self.actor, file, dict(form.validated_data))
            fresh = services.read_file(self.actor, id, surface="api")
            code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
            return Response(_detail(self, fresh), status=code)

    View.__doc__ = doc
    return View


FileVersionView = _action(
    VersionInSerializer,
    lambda a, f, d: services.state_version(actor=a, file=f, **d),
    "The caller's party states its version of the file.",
    created=True,
)
FileStatusView = _action(
    StatusInSerializer,
    lambda a, f, d: services.change_status(actor=a, file=f, **d),
    "A change of status with its date (charged, released, detained, located).",
)
FileNotifiedView = _action(
    DateInSerializer,
    lambda a, f, d: services.record_notification(actor=a, file=f, **d),
    "The date the detention was notified.",
)
FileAccessView = _action(
    DateInSerializer,
    lambda a, f, d: services.grant_access(actor=a, file=f, **d),
    "The date the agreed access body visited the person.",
)
FileShareView = _action(
    ShareInSerializer,
    lambda a, f, d: services.share_file(actor=a, file=f, **d),
    "The reporting party shares its file with another party, on the record.",
)
FileRequestView = _action(
    RequestInSerializer,
    lambda a, f, d: services.open_request(actor=a, file=f, **d),
    "A release or access request of a party reading the file, due at a deadline.",
    created=True,
)
FileLinkView = _action(
    LinkInSerializer,
    lambda a, f, d: services.add_link(actor=a, file=f, **d),
    "Link the file to an incident or a case the caller reads.",
    created=True,
)


@extend_schema(tags=TAGS, responses={200: ReadingSerializer(many=True), **ERRORS})
class ReadingListView(ActorMixin, generics.ListAPIView):  # type: ignore[type-arg]
    """Who read the file, latest first: for its reporting party and the mediators (403
    for its other readers; 404 for anyone who may not read the file)."""

    serializer_class = ReadingSerializer

    def get_queryset(self) -> Any:
        file = selectors.get_file(self.actor, self.kwargs["id"])
        if not selectors.may_read_log(self.actor, file):
            raise PermissionDenied(_("Only the reporting party and the mediator read this log."))
        return selectors.readings_of(self.actor, file)


class CountQuerySerializer(serializers.Serializer[Any]):
    since = serializers.DateField(required=False, help_text="First day (default: 30 days ago).")
    until = serializers.DateField(required=False, help_text="Last day (default: today).")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        first, last = selectors.COUNT_YEARS
        for name in ("since", "until"):
            day = attrs.get(name)
            if day is not None and not first <= day.year <= last:
                message = _("Give a day between the years %(first)s and %(last)s.")
                raise serializers.ValidationError(
                    {name: [message % {"first": first, "last": last}]}
                )
        today = timezone.now().date()
        until = attrs.get("until") or today
        since = attrs.get("since") or until - dt.timedelta(days=30)
        if until < since or (until - since).days > selectors.MAX_COUNT_DAYS:
            raise serializers.ValidationError(
                {"until": [_("The last day follows the first, within 400 days.")]}
            )
        return {"since": since, "until": until}


@extend_schema(
    tags=TAGS,
    parameters=[CountQuerySerializer],
    responses={200: CountSerializer, **ERRORS},
)
class CountView(ActorMixin, generics.GenericAPIView):  # type: ignore[type-arg]
    """Detained, missing and released persons per day and reporting party, counted from
    the files the caller may read only (a file outside its audience counts nothing)."""

    serializer_class = CountSerializer

    def get(self, request: Request) -> Response:
        query = CountQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows = selectors.counts(self.actor, **query.validated_data)
        return Response(CountSerializer({**query.validated_data, "rows": rows}).data)


urlpatterns: list[URLPattern | URLResolver] = [
    path("humanitarian/files/", FileListView.as_view(), name="humanitarian-files"),
    path("humanitarian/counts/", CountView.as_view(), name="humanitarian-counts"),
    path("humanitarian/files/<str:id>/", FileDetailView.as_view(), name="humanitarian-file"),
    path(
        "humanitarian/files/<str:id>/versions/",
        FileVersionView.as_view(),
        name="humanitarian-versions",
    ),
    path(
        "humanitarian/files/<str:id>/status/", FileStatusView.as_view(), name="humanitarian-status"
    ),
    path(
        "humanitarian/files/<str:id>/notified/",
        FileNotifiedView.as_view(),
        name="humanitarian-notified",
    ),
    path(
        "humanitarian/files/<str:id>/access/", FileAccessView.as_view(), name="humanitarian-access"
    ),
    path("humanitarian/files/<str:id>/share/", FileShareView.as_view(), name="humanitarian-share"),
    path(
        "humanitarian/files/<str:id>/requests/",
        FileRequestView.as_view(),
        name="humanitarian-requests",
    ),
    path("humanitarian/files/<str:id>/links/", FileLinkView.as_view(), name="humanitarian-links"),
    path(
        "humanitarian/files/<str:id>/readings/",
        ReadingListView.as_view(),
        name="humanitarian-readings",
    ),
]
