"""The API of the talks: tracks, meetings (agenda, attendees, minutes with approvals and
objections, chair's summary, own notes, media line), requests for meetings and the
lexicon's amendments. Reads come from ``talks.selectors`` for the caller (hidden is
missing: the one 404); writes call the services the pages call. Routed by
``coordcell.api.urls`` under ``/api/v1/``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.urls import URLPattern, path
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from coordcell.agreements import official
from coordcell.agreements import selectors as agreements
from coordcell.core.input import OffsetDateTimeField, StrictSerializer
from coordcell.core.rest import ERRORS, ActorMixin
from coordcell.rules import vocabulary
from coordcell.talks import selectors, services
from coordcell.talks.models import Meeting

__all__ = ["urlpatterns"]

TAGS = ["talks"]


class _Ctx(ActorMixin):
    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "actor": self.actor}  # type: ignore[misc]


# --- serializers (out) ---------------------------------------------------------------------


class TrackSerializer(serializers.Serializer[Any]):
    id = serializers.CharField()
    name = serializers.DictField(child=serializers.CharField())


class MeetingSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    reference = serializers.CharField()
    title = serializers.CharField()
    tracks = serializers.ListField(child=serializers.CharField())
    parties = serializers.ListField(child=serializers.CharField())
    venue = serializers.CharField(help_text="A place id of the arrangement.")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    state = serializers.CharField()


class AgendaItemSerializer(serializers.Serializer[Any]):
    position = serializers.IntegerField(
        source="number", help_text="Its number among the agenda items the reader may read."
    )
    kind = serializers.CharField()
    key = serializers.CharField()
    titles = serializers.DictField(child=serializers.CharField())
    state = serializers.CharField()
    outcome = serializers.CharField()
    link = serializers.CharField()
    carried_from = serializers.SerializerMethodField()

    def get_carried_from(self, obj: Any) -> str | None:
        return obj.carried_from.meeting.reference if obj.carried_from_id else None


class TranslationSerializer(serializers.Serializer[Any]):
    language = serializers.CharField()
    text = serializers.CharField(source="body")
    sha256 = serializers.CharField()
    status = serializers.CharField()
    translator = serializers.CharField()
    checked_by = serializers.CharField()
    certified_by = serializers.CharField()


class ApprovalSerializer(serializers.Serializer[Any]):
    party = serializers.CharField(source="party_code")
    revision = serializers.IntegerField()
    objection = serializers.CharField()
    at = serializers.DateTimeField()
    record_entry = serializers.IntegerField(source="entry_seq")


class MediaLineSerializer(serializers.Serializer[Any]):
    text = serializers.CharField()
    next_meeting_on = serializers.DateField(allow_null=True)
    embargo_until = serializers.DateTimeField(allow_null=True)
    embargoed = serializers.BooleanField()


class MeetingDetailSerializer(MeetingSerializer):
    logistics = serializers.CharField()
    chair_summary = serializers.CharField()
    attendees = serializers.SerializerMethodField()
    agenda = serializers.SerializerMethodField()
    minutes = serializers.SerializerMethodField()
    notes = serializers.SerializerMethodField(help_text="Your delegation's own notes.")
    media_line = serializers.SerializerMethodField()

    def get_attendees(self, obj: Meeting) -> list[dict[str, str]]:
        return selectors.participants_of(self.context["actor"], obj)

    def get_agenda(self, obj: Meeting) -> Any:
        return AgendaItemSerializer(
            selectors.numbered_agenda(self.context["actor"], obj), many=True
        ).data

    def get_minutes(self, obj: Meeting) -> dict[str, Any] | None:
        actor = self.context["actor"]
        minutes = selectors.minutes_of(actor, obj)
        if minutes is None:
            return None
        return {
            "state": minutes.state,
            "revision": minutes.text.revision,
            "authoritative_language": minutes.text.authoritative_language,
            "texts": TranslationSerializer(
                agreements.translations_of(actor, minutes.text_id), many=True
            ).data,
            "approvals": ApprovalSerializer(selectors.approvals_of(minutes), many=True).data,
            "agreed_at": minutes.agreed_at,
        }

    def get_notes(self, obj: Meeting) -> str | None:
        note = selectors.notes_of(self.context["actor"], obj)
        return note.text if note else None

    def get_media_line(self, obj: Meeting) -> Any:
        line = selectors.media_line_of(self.context["actor"], obj)
        return MediaLineSerializer(line).data if line else None


@extend_schema_serializer(component_name="MeetingRequest")
class RequestSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    reference = serializers.CharField()
    party = serializers.CharField(source="party_code")
    tracks = serializers.ListField(child=serializers.CharField())
    reason = serializers.CharField()
    requested_at = serializers.DateTimeField()
    answer_due_at = serializers.DateTimeField()
    state = serializers.CharField()
    answer = serializers.CharField()


class AmendmentSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    entry = serializers.SerializerMethodField()
    current = serializers.DictField(child=serializers.CharField())
    proposed = serializers.DictField(child=serializers.CharField())
    reason = serializers.CharField()
    required = serializers.ListField(child=serializers.CharField())  # type: ignore[assignment]
    state = serializers.CharField()
    proposed_by = serializers.CharField(source="proposed_by_party")
    decisions = serializers.SerializerMethodField()

    def get_entry(self, obj: Any) -> str:
        return f"{obj.section}.{obj.key}"

    def get_decisions(self, obj: Any) -> list[dict[str, Any]]:
        return [
            {
                "party": a.party_code,
                "decision": a.decision,
                "note": a.note,
                "record_entry": a.entry_seq,
            }
            for a in obj.approvals.all()
        ]


# --- serializers (in) ------------------------------------------------------------------------

_CODES = serializers.ListField(child=serializers.CharField(max_length=40), max_length=20)


class MeetingInSerializer(StrictSerializer):
    title = serializers.CharField(max_length=services.TITLE_MAX_CHARS)
    tracks = serializers.ListField(child=serializers.CharField(max_length=40), max_length=20)
    parties = serializers.ListField(child=serializers.CharField(max_length=40), max_length=20)
    starts_at = OffsetDateTimeField()
    ends_at = OffsetDateTimeField()
    logistics = serializers.CharField(required=False, allow_blank=True, max_length=4_000)


class TextInSerializer(StrictSerializer):
    text = serializers.CharField(max_length=official.OFFICIAL_TEXT_MAX_CHARS)


class MinutesInSerializer(TextInSerializer):
    language = serializers.ChoiceField(choices=list(vocabulary.LANGUAGES))


class ObjectionInSerializer(StrictSerializer):
    objection = serializers.CharField(required=False, allow_blank=True, max_length=4_000)


class NotesInSerializer(StrictSerializer):
    text = serializers.CharField(allow_blank=True, max_length=services.TEXT_MAX_CHARS)


class MediaLineInSerializer(StrictSerializer):
    text = serializers.CharField(max_length=2_000)
    next_meeting_on = serializers.DateField(required=False, allow_null=True)
    embargo_until = OffsetDateTimeField(required=False, allow_null=True)


class AgendaInSerializer(StrictSerializer):
    title = serializers.CharField(max_length=services.TITLE_MAX_CHARS)


@extend_schema_serializer(component_name="AgendaItemOutcomeIn")
class OutcomeInSerializer(StrictSerializer):
    outcome = serializers.CharField(required=False, allow_blank=True, max_length=4_000)


class AttendeesInSerializer(StrictSerializer):
    members = serializers.ListField(
        child=serializers.CharField(max_length=150), max_length=services.MAX_PARTICIPANTS
    )


@extend_schema_serializer(component_name="MeetingRequestIn")
class RequestInSerializer(StrictSerializer):
    tracks = serializers.ListField(child=serializers.CharField(max_length=40), max_length=20)
    reason = serializers.CharField(max_length=4_000)


@extend_schema_serializer(component_name="MeetingRequestAnswerIn")
class AnswerInSerializer(StrictSerializer):
    answer = serializers.CharField(required=False, allow_blank=True, max_length=4_000)
    schedule = MeetingInSerializer(required=False, allow_null=True)


class AmendmentInSerializer(StrictSerializer):
    entry = serializers.CharField(max_length=120)
    proposed = serializers.DictField(child=serializers.CharField(max_length=200))
    reason = serializers.CharField(max_length=2_000)


class DecisionInSerializer(StrictSerializer):
    decision = serializers.ChoiceField(choices=["approve", "refuse"])
    note = serializers.CharField(required=False, allow_blank=True, max_length=2_000)


# --- views ---------------------------------------------------------------------------------------


@extend_schema(tags=TAGS, responses={200: TrackSerializer(many=True), **ERRORS})
class TrackListView(_Ctx, generics.ListAPIView):  # type: ignore[type-arg]
    """The tracks of the talks, as the current arrangement states them."""

    serializer_class = TrackSerializer

    def get_queryset(self) -> Any:
        _version, spec = selectors.current_spec(self.actor)
        return [{"id": t.id, "name": dict(t.name)} for t in spec.tracks] if spec else []


class MeetingListView(_Ctx, generics.ListAPIView):  # type: ignore[type-arg]
    """The meetings the caller may see (``track``: of one track); the mediator schedules one."""

    serializer_class = MeetingSerializer

    def get_queryset(self) -> Any:
        return selectors.list_meetings(
            self.actor, track=str(self.request.query_params.get("track", ""))[:40]
        )

    @extend_schema(
        tags=TAGS,
        parameters=[OpenApiParameter("track", str, required=False)],
        responses={200: MeetingSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=TAGS, request=MeetingInSerializer, responses={201: MeetingDetailSerializer, **ERRORS}
    )
    def post(self, request: Request) -> Response:
        form = MeetingInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        meeting = services.schedule_meeting(
            actor=self.actor,
            version=agreements.get_version(self.actor, None, None),
            title=data["title"],
            tracks=data["tracks"],
            parties_attending=data["parties"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            logistics=data.get("logistics", ""),
        )
        return Response(
            MeetingDetailSerializer(meeting, context={"actor": self.actor}).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema(tags=TAGS, responses={200: MeetingDetailSerializer, **ERRORS})
class MeetingDetailView(_Ctx, generics.RetrieveAPIView):  # type: ignore[type-arg]
    """A meeting with what the caller may read of it."""

    serializer_class = MeetingDetailSerializer

    def get_object(self) -> Any:
        return selectors.get_meeting(self.actor, self.kwargs["id"])


def _meeting_write(
    in_serializer: type[serializers.Serializer[Any]] | None,
    act: Callable[[Any, Meeting, dict[str, Any]], Any],
    doc: str,
) -> Any:
    """A POST on a meeting: the input checked, the service called, the meeting returned."""

    @extend_schema(
        tags=TAGS, request=in_serializer, responses={200: MeetingDetailSerializer, **ERRORS}
    )
    class View(_Ctx, generics.GenericAPIView):  # type: ignore[type-arg]
        serializer_class = MeetingDetailSerializer

        def post(self, request: Request, id: str, **kwargs: Any) -> Response:
            meeting = selectors.get_meeting(self.actor, id)
            data: dict[str, Any] = {}
            if in_serializer is not None:
                form = in_serializer(data=request.data)
                form.is_valid(raise_exception=True)
                data = dict(form.validated_data)
            act(self.actor, meeting, {**data, **kwargs})
            meeting = selectors.get_meeting(self.actor, id)
            return Response(MeetingDetailSerializer(meeting, context={"actor": self.actor}).data)

    View.__doc__ = doc
    return View.as_view()


def _close(actor: Any, meeting: Meeting, data: dict[str, Any]) -> None:
    item = selectors.agenda_item_numbered(actor, meeting, data["position"])
    services.close_agenda_item(actor=actor, item=item, outcome=data.get("outcome", ""))


class RequestListView(_Ctx, generics.ListAPIView):  # type: ignore[type-arg]
    """Requests for a meeting the caller may read; a party's principal or liaison
    officer requests one at short notice."""

    serializer_class = RequestSerializer

    def get_queryset(self) -> Any:
        return selectors.list_requests(self.actor)

    @extend_schema(tags=TAGS, responses={200: RequestSerializer(many=True), **ERRORS})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=TAGS, request=RequestInSerializer, responses={201: RequestSerializer, **ERRORS}
    )
    def post(self, request: Request) -> Response:
        form = RequestInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        made = services.request_meeting(
            actor=self.actor,
            version=agreements.get_version(self.actor, None, None),
            **form.validated_data,
        )
        return Response(RequestSerializer(made).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=TAGS, request=AnswerInSerializer, responses={200: RequestSerializer, **ERRORS})
class RequestAnswerView(_Ctx, generics.GenericAPIView):  # type: ignore[type-arg]
    """The mediator schedules the meeting asked for (``schedule``), or declines (``answer``)."""

    serializer_class = RequestSerializer

    def post(self, request: Request, id: str) -> Response:
        meeting_request = selectors.get_request(self.actor, id)
        form = AnswerInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        schedule = data.get("schedule")
        answered = services.answer_request(
            actor=self.actor,
            request=meeting_request,
            answer=data.get("answer", ""),
            schedule=(
                {
                    "title": schedule["title"],
                    "tracks": schedule["tracks"],
                    "parties_attending": schedule["parties"],
                    "starts_at": schedule["starts_at"],
                    "ends_at": schedule["ends_at"],
                    "logistics": schedule.get("logistics", ""),
                }
                if schedule
                else None
            ),
        )
        return Response(RequestSerializer(answered).data)


class AmendmentListView(_Ctx, generics.ListAPIView):  # type: ignore[type-arg]
    """Amendments of the agreed lexicon (every member reads them); anyone in the cell
    proposes one (``entry``: ``section.key``; ``proposed``: en, ar and he)."""

    serializer_class = AmendmentSerializer

    def get_queryset(self) -> Any:
        return agreements.list_amendments(self.actor)

    @extend_schema(tags=TAGS, responses={200: AmendmentSerializer(many=True), **ERRORS})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=TAGS, request=AmendmentInSerializer, responses={201: AmendmentSerializer, **ERRORS}
    )
    def post(self, request: Request) -> Response:
        form = AmendmentInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        amendment = official.propose_amendment(
            actor=self.actor,
            version=agreements.get_version(self.actor, None, None),
            reference=data["entry"],
            proposed=data["proposed"],
            reason=data["reason"],
        )
        return Response(AmendmentSerializer(amendment).data, status=status.HTTP_201_CREATED)


@extend_schema(
    tags=TAGS, request=DecisionInSerializer, responses={200: AmendmentSerializer, **ERRORS}
)
class AmendmentDecisionView(_Ctx, generics.GenericAPIView):  # type: ignore[type-arg]
    """A party's (or the mediator's) approval or refusal of an amendment, on the record."""

    serializer_class = AmendmentSerializer

    def post(self, request: Request, id: str) -> Response:
        amendment = agreements.get_amendment(self.actor, id)
        form = DecisionInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        decided = official.decide_amendment(
            actor=self.actor, amendment=amendment, **form.validated_data
        )
        return Response(AmendmentSerializer(decided).data)


_M = "talks/meetings/<uuid:id>/"

urlpatterns: list[URLPattern] = [
    path("talks/tracks/", TrackListView.as_view(), name="talks-tracks"),
    path("talks/meetings/", MeetingListView.as_view(), name="talks-meetings"),
    path(_M, MeetingDetailView.as_view(), name="talks-meeting"),
    path(
        f"{_M}attendees/",
        _meeting_write(
            AttendeesInSerializer,
            lambda a, m, d: services.set_participants(actor=a, meeting=m, usernames=d["members"]),
            "A party names who attends for it (its own members).",
        ),
        name="talks-attendees",
    ),
    path(
        f"{_M}agenda/",
        _meeting_write(
            AgendaInSerializer,
            lambda a, m, d: services.add_agenda_item(actor=a, meeting=m, title=d["title"]),
            "The mediator adds an agenda item.",
        ),
        name="talks-agenda",
    ),
    path(
        f"{_M}agenda/<int:position>/close/",
        _meeting_write(OutcomeInSerializer, _close, "The mediator closes an agenda item."),
        name="talks-agenda-close",
    ),
    path(
        f"{_M}minutes/",
        _meeting_write(
            MinutesInSerializer,
            lambda a, m, d: services.draft_minutes(
                actor=a, meeting=m, text=d["text"], language=d["language"]
            ),
            "The mediator drafts or revises the minutes.",
        ),
        name="talks-minutes",
    ),
    path(
        f"{_M}minutes/circulate/",
        _meeting_write(
            None,
            lambda a, m, d: services.circulate_minutes(actor=a, meeting=m),
            "The mediator circulates the draft for approval.",
        ),
        name="talks-minutes-circulate",
    ),
    path(
        f"{_M}minutes/approve/",
        _meeting_write(
            ObjectionInSerializer,
            lambda a, m, d: services.approve_minutes(
                actor=a, meeting=m, objection=d.get("objection", "")
            ),
            "An attending party approves the minutes, with any objection beside the text.",
        ),
        name="talks-minutes-approve",
    ),
    path(
        f"{_M}summary/",
        _meeting_write(
            TextInSerializer,
            lambda a, m, d: services.set_chair_summary(actor=a, meeting=m, text=d["text"]),
            "The chair's own summary.",
        ),
        name="talks-summary",
    ),
    path(
        f"{_M}notes/",
        _meeting_write(
            NotesInSerializer,
            lambda a, m, d: services.save_notes(actor=a, meeting=m, text=d["text"]),
            "Your delegation's own notes (read by your party alone).",
        ),
        name="talks-notes",
    ),
    path(
        f"{_M}media-line/",
        _meeting_write(
            MediaLineInSerializer,
            lambda a, m, d: services.agree_media_line(
                actor=a,
                meeting=m,
                text=d["text"],
                next_meeting_on=d.get("next_meeting_on"),
                embargo_until=d.get("embargo_until"),
            ),
            "The agreed press line, the next meeting's date and any embargo.",
        ),
        name="talks-media-line",
    ),
    path(
        f"{_M}held/",
        _meeting_write(
            None, lambda a, m, d: services.record_held(actor=a, meeting=m), "Record as held."
        ),
        name="talks-held",
    ),
    path(
        f"{_M}cancel/",
        _meeting_write(
            None, lambda a, m, d: services.cancel_meeting(actor=a, meeting=m), "Cancel."
        ),
        name="talks-cancel",
    ),
    path("talks/requests/", RequestListView.as_view(), name="talks-requests"),
    path(
        "talks/requests/<uuid:id>/answer/", RequestAnswerView.as_view(), name="talks-request-answer"
    ),
    path("talks/lexicon-amendments/", AmendmentListView.as_view(), name="talks-amendments"),
    path(
        "talks/lexicon-amendments/<uuid:id>/decision/",
        AmendmentDecisionView.as_view(),
        name="talks-amendment-decision",
    ),
]
