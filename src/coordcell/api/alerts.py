"""The CAP 1.2 feed of escalation alerts (Atom) and each alert on its own.

Success is XML (``application/atom+xml`` for the feed, ``application/cap+xml`` for an
alert; ``application/xml`` is accepted for both); errors keep the API's JSON shape.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from coordcell.api.views import ERRORS, _JsonErrors
from coordcell.cases import alerts
from coordcell.cases.models import Step
from coordcell.core.http import actor_for
from coordcell.interop import cap

__all__ = ["AlertDetailView", "AlertFeedView"]

TAGS = ["alerts"]


class _XmlRenderer(BaseRenderer):
    """Passes the view's ready-made XML bytes through."""

    charset = None

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Any = None,
    ) -> Any:
        return data


class CapRenderer(_XmlRenderer):
    media_type = cap.CAP_MEDIA_TYPE
    format = "cap"


class AtomRenderer(_XmlRenderer):
    media_type = cap.ATOM_MEDIA_TYPE
    format = "atom"


class XmlRenderer(_XmlRenderer):
    media_type = "application/xml"
    format = "xml"


def _alert_url(request: Request, step: Step) -> str:
    identifier = cap.identifier_of(step.case.reference, step.entry.seq)
    return request.build_absolute_uri(reverse("api:alert", kwargs={"id": identifier}))


def _case_url(request: Request, step: Step) -> str:
    return request.build_absolute_uri(
        reverse("cases:case", kwargs={"public_id": step.case.public_id})
    )


class AlertFeedView(_JsonErrors, APIView):
    """An Atom feed of the CAP alerts of escalations of the cases the caller may see,
    newest first (at most 200); each entry embeds its alert."""

    renderer_classes = [AtomRenderer, XmlRenderer]

    @extend_schema(
        tags=TAGS,
        operation_id="v1_alerts_feed",
        responses={(200, cap.ATOM_MEDIA_TYPE): OpenApiTypes.STR, **ERRORS},
    )
    def get(self, request: Request) -> Response:
        actor = actor_for(request)
        steps = list(alerts.list_escalations(actor)[: alerts.FEED_LIMIT])
        escalations = alerts.escalations_of(steps, actor, web=lambda s: _case_url(request, s))
        entries = [
            cap.FeedEntry(escalation=e, url=_alert_url(request, s))
            for s, e in zip(steps, escalations, strict=True)
        ]
        feed_url = request.build_absolute_uri(reverse("api:alerts"))
        body = cap.atom_feed(
            feed_id=feed_url,
            title=_("Escalation alerts"),
            self_url=feed_url,
            author=_("Joint security coordination cell"),
            updated=timezone.now(),
            entries=entries,
        )
        return Response(body)


class AlertDetailView(_JsonErrors, APIView):
    """One CAP 1.2 alert; ``id`` is its identifier (``CASE-00001-ESC-42``: the case and
    the record entry of the escalation). A case the caller may not see is a 404."""

    renderer_classes = [CapRenderer, XmlRenderer]

    @extend_schema(
        tags=TAGS,
        operation_id="v1_alerts_retrieve",
        responses={(200, cap.CAP_MEDIA_TYPE): OpenApiTypes.STR, **ERRORS},
    )
    def get(self, request: Request, id: str) -> Response:
        actor = actor_for(request)
        step = alerts.get_escalation(actor, id)
        escalation = alerts.escalation_of(step, actor, web=_case_url(request, step))
        return Response(cap.alert_xml(escalation))
