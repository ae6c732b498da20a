"""The API of advance notification: notices (a dry run, submission with ``confirm``, the
receipt, the withdrawal), the map's layer of notices, missing notices, the sensitive days and the
humanitarian actors. Writes go through ``deconfliction.services``, the same calls as the
pages. Routed by ``coordcell.api.urls``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import django_filters
from django.urls import URLPattern, URLResolver, path
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from coordcell.agreements import selectors as agreements
from coordcell.core.errors import PermissionDenied
from coordcell.core.http import actor_for
from coordcell.core.input import GeometryField, OffsetDateTimeField, StrictSerializer
from coordcell.core.rest import ERRORS, ActorMixin, FlagFilter
from coordcell.deconfliction import access_api, selectors, services, texts
from coordcell.rules import deconfliction as rules

__all__ = ["urlpatterns"]

TAGS = ["deconfliction"]
#: The widest span of the map's layer and of the calendar, in days.
MAX_SPAN_DAYS = 400
#: The years a range may name (it stays far from the calendar's ends, 1 and 9999).
RANGE_YEARS = (1900, 2100)


class ReceiptSerializer(serializers.Serializer[Any]):
    party = serializers.CharField(source="party.code")
    acknowledged_at = serializers.DateTimeField(allow_null=True)


class NoticeSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    reference = serializers.CharField()
    activity = serializers.CharField()
    list_version = serializers.CharField()
    party = serializers.CharField(source="party.code")
    humanitarian = serializers.UUIDField(source="humanitarian.public_id", allow_null=True)
    submitted_at = serializers.DateTimeField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    geometry = serializers.JSONField(allow_null=True)
    description = serializers.CharField()
    audience = serializers.ListField(child=serializers.CharField(), source="audience_codes")
    lead_hours = serializers.FloatField()
    late = serializers.BooleanField(help_text="Less lead time than the activity requires.")
    warnings = serializers.SerializerMethodField(
        help_text="What the author was shown and confirmed before submitting."
    )
    receipts = serializers.SerializerMethodField()
    receipts_due_at = serializers.DateTimeField(source="receipt_due_at", allow_null=True)
    escalated_at = serializers.DateTimeField(allow_null=True)
    escalation_level = serializers.CharField()
    withdrawn_at = serializers.DateTimeField(
        allow_null=True, help_text="When its party withdrew it (null: not withdrawn)."
    )
    withdrawal_reason = serializers.CharField(help_text="The reason its party gave (or empty).")

    def get_warnings(self, obj: Any) -> list[dict[str, Any]]:
        return texts.describe_warnings(obj.warnings, obj.version)

    def get_receipts(self, obj: Any) -> list[dict[str, Any]]:
        return list(ReceiptSerializer(selectors.receipts_of(obj), many=True).data)


class NoticeInSerializer(StrictSerializer):
    activity = serializers.CharField(max_length=40, help_text="An id of the agreed list.")
    starts_at = OffsetDateTimeField()
    ends_at = OffsetDateTimeField()
    geometry = GeometryField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The route (LineString) or the site or area (Point, Polygon), WGS84.",
    )
    description = serializers.CharField(max_length=services.DESCRIPTION_MAX_CHARS)
    audience = serializers.ListField(
        child=serializers.CharField(max_length=40),
        required=False,
        default=list,
        max_length=20,
        help_text="Parties added to the default audience (the author's party, the mediators).",
    )
    humanitarian = serializers.UUIDField(
        required=False, allow_null=True, default=None, help_text="The mediator's: whose notice."
    )


class NoticeSubmitSerializer(NoticeInSerializer):
    confirm = serializers.BooleanField(
        required=False,
        default=False,
        help_text="True once the author has seen the warnings of the dry run "
        "(required when there are any).",
    )


@extend_schema_serializer(component_name="NoticeCheckWarning")
class WarningSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField(help_text="late, clause or sensitive_day.")
    text = serializers.CharField()


@extend_schema_serializer(component_name="NoticeCheck")
class CheckSerializer(serializers.Serializer[Any]):
    late = serializers.BooleanField()
    lead_hours = serializers.FloatField()
    audience = serializers.ListField(child=serializers.CharField())
    addressees = serializers.ListField(child=serializers.CharField())
    warnings = WarningSerializer(many=True)


class NoticeFilter(django_filters.FilterSet):  # type: ignore[misc]
    awaiting_receipt = FlagFilter(
        method="filter_awaiting",
        help_text="Yes: only the notices still awaiting the caller's party's receipt.",
    )

    def filter_awaiting(self, queryset: Any, name: str, value: bool) -> Any:
        if not value:
            return queryset
        return selectors.awaiting_receipt(actor_for(self.request), queryset)


def _inputs(view: Any, data: dict[str, Any]) -> dict[str, Any]:
    """The services' arguments from validated input (the humanitarian actor looked up)."""
    actor_id = data.pop("humanitarian", None)
    data["humanitarian"] = (
        selectors.get_humanitarian(view.actor, actor_id) if actor_id is not None else None
    )
    return data


@extend_schema(tags=TAGS)
class NoticeListView(ActorMixin, generics.ListAPIView):  # type: ignore[type-arg]
    """The notices the caller may read (a notice not shared with the caller is not here),
    latest window first; submit one (``confirm`` once its warnings were seen)."""

    serializer_class = NoticeSerializer
    filterset_class = NoticeFilter

    def get_queryset(self) -> Any:
        return selectors.list_notices(self.actor).select_related("version")

    @extend_schema(responses={200: NoticeSerializer(many=True), **ERRORS})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(request=NoticeSubmitSerializer, responses={201: NoticeSerializer, **ERRORS})
    def post(self, request: Request) -> Response:
        form = NoticeSubmitSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        notice = services.submit_notice(
            actor=self.actor, **_inputs(self, dict(form.validated_data))
        )
        return Response(NoticeSerializer(notice).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=TAGS, request=NoticeInSerializer, responses={200: CheckSerializer, **ERRORS})
class NoticeCheckView(ActorMixin, generics.GenericAPIView):  # type: ignore[type-arg]
    """The dry run: check a notice as it would be submitted, store nothing, and answer
    with its warnings (late, the clauses it would break, the sensitive days)."""

    serializer_class = CheckSerializer

    def post(self, request: Request) -> Response:
        form = NoticeInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        draft = services.check_notice(self.actor, **_inputs(self, dict(form.validated_data)))
        body = {
            "late": draft.late,
            "lead_hours": round(draft.lead_hours, 2),
            "audience": draft.audience,
            "addressees": [p.code for p in draft.addressees],
            "warnings": texts.describe_warnings(draft.warnings, draft.version),
        }
        return Response(CheckSerializer(body).data)


@extend_schema(tags=TAGS, responses={200: NoticeSerializer, **ERRORS})
class NoticeDetailView(ActorMixin, generics.RetrieveAPIView):  # type: ignore[type-arg]
    """One notice (404 when the caller may not read it, as when it does not exist)."""

    serializer_class = NoticeSerializer

    def get_object(self) -> Any:
        return selectors.get_notice(self.actor, self.kwargs["id"])


@extend_schema(tags=TAGS, request=None, responses={200: NoticeSerializer, **ERRORS})
class NoticeReceiptView(ActorMixin, generics.GenericAPIView):  # type: ignore[type-arg]
    """The caller's party acknowledges the notice (its receipt)."""

    serializer_class = NoticeSerializer

    def post(self, request: Request, id: str) -> Response:
        notice = selectors.get_notice(self.actor, id)
        services.acknowledge(actor=self.actor, notice=notice)
        return Response(NoticeSerializer(selectors.get_notice(self.actor, id)).data)


class WithdrawSerializer(StrictSerializer):
    # Blank passes here: the service answers it (the view checks permission first).
    reason = serializers.CharField(
        max_length=services.WITHDRAWAL_REASON_MAX_CHARS,
        allow_blank=True,
        help_text="Why the notice is withdrawn (the activity will not take place).",
    )


@extend_schema(tags=TAGS, request=WithdrawSerializer, responses={200: NoticeSerializer, **ERRORS})
class NoticeWithdrawView(ActorMixin, generics.GenericAPIView):  # type: ignore[type-arg]
    """The notifying party withdraws its notice, with its reason (before its window
    ends; once: 409 when already withdrawn)."""

    serializer_class = NoticeSerializer

    def post(self, request: Request, id: str) -> Response:
        notice = selectors.get_notice(self.actor, id)
        if not services.may_withdraw(self.actor, notice):  # before the body, as the page
            raise PermissionDenied(services.MAY_NOT_WITHDRAW)
        form = WithdrawSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.withdraw_notice(
            actor=self.actor, notice=notice, reason=form.validated_data["reason"]
        )
        return Response(NoticeSerializer(selectors.get_notice(self.actor, id)).data)


class RangeSerializer(serializers.Serializer[Any]):
    start = serializers.DateField(required=False, help_text="First day (default: 30 days ago).")
    end = serializers.DateField(required=False, help_text="Last day (default: in 60 days).")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        today = timezone.now().date()
        start = attrs.get("start") or today - dt.timedelta(days=30)
        end = attrs.get("end") or today + dt.timedelta(days=60)
        first, last = RANGE_YEARS
        for name, day in (("start", start), ("end", end)):
            if not first <= day.year <= last:
                message = _("Give a day between the years %(first)s and %(last)s.")
                raise serializers.ValidationError(
                    {name: [message % {"first": first, "last": last}]}
                )
        if end < start or (end - start).days > MAX_SPAN_DAYS:
            message = _("The end follows the start, within %(days)s days.")
            raise serializers.ValidationError({"end": [message % {"days": MAX_SPAN_DAYS}]})
        return {"start": start, "end": end}


def _range(view: Any) -> tuple[dt.date, dt.date]:
    query = RangeSerializer(data=view.request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data["start"], query.validated_data["end"]


def _instants(view: Any, start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = ZoneInfo(agreements.current_time_zone(view.actor))
    return (
        dt.datetime.combine(start, dt.time.min, zone),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, zone),
    )


@extend_schema(tags=TAGS, parameters=[RangeSerializer], responses={200: dict, **ERRORS})
class NoticeLayerView(ActorMixin, generics.GenericAPIView):  # type: ignore[type-arg]
    """The notices the caller may read whose window meets the days ``start``..``end``
    (local days of the arrangement), as a GeoJSON FeatureCollection: the map's layer and
    the export."""

    def get(self, request: Request) -> Response:
        start, end = _range(self)
        since, until = _instants(self, start, end)
        version = agreements.get_version(self.actor, None, None)
        spec = services.spec_of(version)
        notices = selectors.notices_in_window(self.actor, since, until).order_by("starts_at", "pk")
        features = [texts.feature_of(n, spec) for n in notices[:2000]]
        return Response({"type": "FeatureCollection", "features": features})


class MissingSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    incident = serializers.CharField(source="incident.reference")
    incident_id = serializers.UUIDField(source="incident.public_id")
    activity = serializers.CharField()
    party = serializers.CharField(source="party_code")
    flagged_at = serializers.DateTimeField()


@extend_schema(tags=TAGS)
class MissingListView(ActorMixin, generics.ListAPIView):  # type: ignore[type-arg]
    """Missing notices flagged on incidents the caller may read, newest first."""

    serializer_class = MissingSerializer

    def get_queryset(self) -> Any:
        return selectors.list_missing(self.actor)

    @extend_schema(responses={200: MissingSerializer(many=True), **ERRORS})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


@extend_schema(tags=TAGS, parameters=[RangeSerializer], responses={200: dict, **ERRORS})
class SensitiveDaysView(ActorMixin, generics.GenericAPIView):  # type: ignore[type-arg]
    """The arrangement's sensitive days that fall between ``start`` and ``end``, with the
    agreed list's version (one object: bounded by the scenario and the span)."""

    def get(self, request: Request) -> Response:
        start, end = _range(self)
        version = agreements.get_version(self.actor, None, None)
        spec = services.spec_of(version)
        days = list(rules.occurrences(spec.sensitive_days, start, end)) if spec else []
        return Response(
            {
                "list_version": spec.list_version if spec else "",
                "start": start,
                "end": end,
                "days": [texts.occurrence_row(o) for o in days],
            }
        )


class HumanitarianSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    names = serializers.JSONField()
    registered_at = serializers.DateTimeField()


class HumanitarianInSerializer(StrictSerializer):
    name_en = serializers.CharField(max_length=services.NAME_MAX_CHARS)
    name_ar = serializers.CharField(
        max_length=services.NAME_MAX_CHARS, required=False, allow_blank=True, default=""
    )
    name_he = serializers.CharField(
        max_length=services.NAME_MAX_CHARS, required=False, allow_blank=True, default=""
    )


@extend_schema(tags=TAGS)
class HumanitarianListView(ActorMixin, generics.ListAPIView):  # type: ignore[type-arg]
    """The humanitarian actors the cell registered; register one (the mediator)."""

    serializer_class = HumanitarianSerializer

    def get_queryset(self) -> Any:
        return selectors.list_humanitarians(self.actor)

    @extend_schema(responses={200: HumanitarianSerializer(many=True), **ERRORS})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=HumanitarianInSerializer, responses={201: HumanitarianSerializer, **ERRORS}
    )
    def post(self, request: Request) -> Response:
        form = HumanitarianInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        row = services.register_humanitarian(
            actor=self.actor,
            names={"en": data["name_en"], "ar": data["name_ar"], "he": data["name_he"]},
        )
        return Response(HumanitarianSerializer(row).data, status=status.HTTP_201_CREATED)


#: Under ``/api/v1/`` (``coordcell.api.urls``), in the ``api`` namespace; access requests
#: (``deconfliction.access_api``) beside the notices.
urlpatterns: list[URLPattern | URLResolver] = [
    *access_api.urlpatterns,
    path("notices/", NoticeListView.as_view(), name="notices"),
    path("notices/check/", NoticeCheckView.as_view(), name="notices-check"),
    path("notices/layer/", NoticeLayerView.as_view(), name="notices-layer"),
    path("notices/<str:id>/", NoticeDetailView.as_view(), name="notice"),
    path("notices/<str:id>/receipt/", NoticeReceiptView.as_view(), name="notice-receipt"),
    path("notices/<str:id>/withdraw/", NoticeWithdrawView.as_view(), name="notice-withdraw"),
    path("missing-notices/", MissingListView.as_view(), name="missing-notices"),
    path("sensitive-days/", SensitiveDaysView.as_view(), name="sensitive-days"),
    path("humanitarian-actors/", HumanitarianListView.as_view(), name="humanitarian-actors"),
]
