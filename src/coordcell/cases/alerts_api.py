"""The CAP 1.2 feed of escalation alerts (Atom) and each alert on its own.

Success is XML (``application/atom+xml`` for the feed, ``application/cap+xml`` for an
alert; ``application/xml`` is accepted for both); errors keep the API's JSON shape. The
feed pages like every list (``?page=``, ``?page_size=``), as an RFC 5005 paged feed: the
``first``, ``previous``, ``next`` and ``last`` links of each page say where the rest is.
Reads come from ``cases.alerts``. Routed by ``coordcell.api.urls``.
"""

from __future__ import annotations

from typing import Any, cast

from django.urls import URLPattern, URLResolver, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from coordcell.cases import alerts
from coordcell.cases.models import Step
from coordcell.core.rest import ERRORS, ActorMixin, JsonErrorsMixin, Pagination
from coordcell.interop import cap

__all__ = ["AlertDetailView", "AlertFeedView", "urlpatterns"]

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
    identifier = cap.identifier_of(step.case.reference, step.entry.hash)
    return request.build_absolute_uri(reverse("api:alert", kwargs={"id": identifier}))


def _case_url(request: Request, step: Step) -> str:
    return request.build_absolute_uri(
        reverse("cases:case", kwargs={"public_id": step.case.public_id})
    )


def _page_links(request: Request, paginator: Pagination) -> dict[str, str]:
    """RFC 5005 links of this page of the feed: first, previous, next, last."""
    page = paginator.page
    if page is None:
        return {}
    here = request.build_absolute_uri()
    links = {"first": remove_query_param(here, paginator.page_query_param)}
    if page.has_previous():
        links["previous"] = str(paginator.get_previous_link())
    if page.has_next():
        links["next"] = str(paginator.get_next_link())
    if page.paginator.num_pages > 1:
        links["last"] = replace_query_param(
            here, paginator.page_query_param, page.paginator.num_pages
        )
    return links


class AlertFeedView(JsonErrorsMixin, ActorMixin, generics.GenericAPIView):  # type: ignore[type-arg]
    """An Atom feed of the CAP alerts of escalations of the cases the caller may see,
    newest first, a page at a time; each entry embeds its alert."""

    renderer_classes = [AtomRenderer, XmlRenderer]

    def get_queryset(self) -> Any:
        return alerts.list_escalations(self.actor)

    @extend_schema(
        tags=TAGS,
        operation_id="v1_alerts_feed",
        parameters=[
            OpenApiParameter("page", int, description="A page number within the feed."),
            OpenApiParameter("page_size", int, description="Entries per page."),
        ],
        responses={(200, cap.ATOM_MEDIA_TYPE): OpenApiTypes.STR, **ERRORS},
    )
    def get(self, request: Request) -> Response:
        actor = self.actor
        steps = self.paginate_queryset(self.get_queryset()) or []
        paginator = cast(Pagination, self.paginator)
        escalations = alerts.escalations_of(steps, actor, web=lambda s: _case_url(request, s))
        entries = [
            cap.FeedEntry(escalation=e, url=_alert_url(request, s))
            for s, e in zip(steps, escalations, strict=True)
        ]
        feed_url = request.build_absolute_uri(reverse("api:alerts"))
        body = cap.atom_feed(
            feed_id=feed_url,
            title=_("Escalation alerts"),
            self_url=request.build_absolute_uri(),
            author=_("Joint security coordination cell"),
            updated=timezone.now(),
            entries=entries,
            links=_page_links(request, paginator),
        )
        return Response(body)


class AlertDetailView(JsonErrorsMixin, ActorMixin, generics.GenericAPIView):  # type: ignore[type-arg]
    """One CAP 1.2 alert; ``id`` is its identifier (``CASE-00001-ESC-42``: the case and
    the record entry of the escalation). A case the caller may not see is a 404."""

    renderer_classes = [CapRenderer, XmlRenderer]

    def get_queryset(self) -> Any:
        return alerts.list_escalations(self.actor)

    def get_object(self) -> Step:
        return alerts.get_escalation(self.actor, self.kwargs["id"])

    @extend_schema(
        tags=TAGS,
        operation_id="v1_alerts_retrieve",
        responses={(200, cap.CAP_MEDIA_TYPE): OpenApiTypes.STR, **ERRORS},
    )
    def get(self, request: Request, id: str) -> Response:
        step = self.get_object()
        escalation = alerts.escalation_of(step, self.actor, web=_case_url(request, step))
        return Response(cap.alert_xml(escalation))


#: Under ``/api/v1/`` (``coordcell.api.urls``), in the ``api`` namespace.
urlpatterns: list[URLPattern | URLResolver] = [
    path("alerts/", AlertFeedView.as_view(), name="alerts"),
    path("alerts/<str:id>", AlertDetailView.as_view(), name="alert"),
]
