"""The API of the withdrawal timeline and of inspections.

Reads come from ``verification.selectors`` for the caller (a hidden object is a missing
one: the one 404); writes call the services the pages call (``verification.timeline``,
``verification.inspections``). Routed by ``coordcell.api.urls`` under ``/api/v1/``.
"""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, URLResolver, path
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from coordcell.agreements import selectors as agreements
from coordcell.core.input import GeometryField, OffsetDateTimeField, StrictSerializer
from coordcell.core.rest import ERRORS, ActorMixin
from coordcell.verification import burndown, inspections, selectors, timeline
from coordcell.verification.choices import DenialKindChoices, OutcomeChoices
from coordcell.verification.findings import explainer
from coordcell.verification.positions_link import positions_shown, shown_positions

__all__ = ["urlpatterns"]

TIMELINE = ["withdrawal"]
INSPECTIONS = ["inspections"]


class DeadlineSerializer(serializers.Serializer[Any]):
    due_at = serializers.DateTimeField()
    opened_at = serializers.DateTimeField()
    outcome = serializers.CharField(
        help_text=(
            "Empty while the deadline runs; then met, met_in_part, extended, suspended or missed."
        )
    )
    decided_at = serializers.DateTimeField(allow_null=True)
    decided_by = serializers.SerializerMethodField(
        help_text="The party that set the outcome (none: the worker)."
    )
    call_sign = serializers.CharField()
    note = serializers.CharField()
    positions_vacated = serializers.SerializerMethodField(
        help_text="Only for the declaring party and the mediators; null for anyone else."
    )
    report = serializers.SerializerMethodField()

    def get_decided_by(self, obj: Any) -> str | None:
        return obj.decided_party.code if obj.decided_party_id else None

    def get_positions_vacated(self, obj: Any) -> int | None:
        """Only for those who may see the step's positions (a count of them says something)."""
        if not positions_shown(self.context["actor"], obj.step):
            return None
        return len(obj.vacated or ())

    def get_report(self, obj: Any) -> str | None:
        return str(obj.report.public_id) if obj.report_id else None


@extend_schema_serializer(component_name="WithdrawalStepExtension")
class ExtensionSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    new_due_at = serializers.DateTimeField()
    reason = serializers.CharField()
    proposed_by = serializers.CharField(source="proposed_party.code")
    proposed_at = serializers.DateTimeField()
    state = serializers.CharField()
    signed_by = serializers.SerializerMethodField()

    def get_signed_by(self, obj: Any) -> list[str]:
        return sorted(s.party.code for s in obj.signatures.all())


@extend_schema_serializer(component_name="WithdrawalStep")
class StepSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    reference = serializers.CharField()
    clause = serializers.CharField()
    origin = serializers.CharField(help_text="arrangement (its text) or cell (agreed in the cell).")
    party = serializers.CharField(source="party.code")
    sequence = serializers.IntegerField()
    title = serializers.CharField(
        source="name",
        help_text="In the caller's language when the arrangement's text gives it in several.",
    )
    areas = serializers.ListField(source="zones", child=serializers.CharField())
    positions = serializers.SerializerMethodField(
        help_text="Only for the declaring party and the mediators; empty for anyone else."
    )
    linked_to = serializers.SerializerMethodField()
    verifier = serializers.SerializerMethodField()
    due_at = serializers.DateTimeField()
    state = serializers.CharField()
    countersigned_by = serializers.SerializerMethodField()

    def get_positions(self, obj: Any) -> list[dict[str, Any]]:
        return shown_positions(self.context["actor"], obj)

    def get_linked_to(self, obj: Any) -> str | None:
        return str(obj.linked.public_id) if obj.linked_id else None

    def get_verifier(self, obj: Any) -> str | None:
        return obj.verifier.code if obj.verifier_id else None

    def get_countersigned_by(self, obj: Any) -> list[str]:
        return sorted({s.party.code for s in obj.signatures.all() if s.extension_id is None})


# Its own name, kept: a subclass would take its base's component_name.
@extend_schema_serializer(component_name="StepDetail")
class StepDetailSerializer(StepSerializer):
    deadlines = serializers.SerializerMethodField(help_text="The outcome history, oldest first.")
    extensions = serializers.SerializerMethodField()

    def get_deadlines(self, obj: Any) -> list[Any]:
        history = selectors.outcome_history(obj)
        return list(DeadlineSerializer(history, many=True, context=self.context).data)

    def get_extensions(self, obj: Any) -> list[Any]:
        return list(ExtensionSerializer(selectors.extensions_of(obj), many=True).data)


class SideInSerializer(StrictSerializer):
    party = serializers.CharField(max_length=40)
    sequence = serializers.IntegerField(min_value=1, max_value=999)
    title = serializers.CharField(max_length=timeline.TITLE_MAX_CHARS)
    due_at = OffsetDateTimeField()
    areas = serializers.ListField(
        child=serializers.CharField(max_length=80),
        required=False,
        default=list,
        max_length=timeline.ZONES_MAX,
    )
    positions = serializers.ListField(
        child=serializers.UUIDField(),
        required=False,
        default=list,
        max_length=50,
        help_text="Declared positions of the party (the mediator names them).",
    )
    verifier = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")


class ProposeInSerializer(StrictSerializer):
    clause = serializers.CharField(max_length=40)
    first = SideInSerializer()
    second = SideInSerializer()


def _side(data: dict[str, Any]) -> timeline.StepInput:
    return timeline.StepInput(
        party=data["party"],
        sequence=data["sequence"],
        title=data["title"],
        due_at=data["due_at"],
        zones=list(data["areas"]),
        positions=[str(p) for p in data["positions"]],
        verifier=data["verifier"],
    )


class _StepContext(ActorMixin):
    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "actor": self.actor}  # type: ignore[misc]


@extend_schema(tags=TIMELINE)
class StepListView(_StepContext, generics.ListAPIView):  # type: ignore[type-arg]
    """The withdrawal timeline's steps the caller may read (both parties, the mediator,
    the monitors), by deadline; the mediator proposes a linked pair."""

    serializer_class = StepSerializer

    def get_queryset(self) -> Any:
        return selectors.list_steps(self.actor).prefetch_related("signatures__party")

    @extend_schema(responses={200: StepSerializer(many=True), **ERRORS})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=ProposeInSerializer, responses={201: StepSerializer(many=True), **ERRORS}
    )
    def post(self, request: Request) -> Response:
        form = ProposeInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        pair = timeline.propose_steps(
            actor=self.actor,
            version=agreements.get_version(self.actor, None, None),
            clause=data["clause"],
            first=_side(data["first"]),
            second=_side(data["second"]),
        )
        context = {"actor": self.actor}
        return Response(
            StepSerializer(pair, many=True, context=context).data, status=status.HTTP_201_CREATED
        )


@extend_schema(tags=TIMELINE, responses={200: StepDetailSerializer, **ERRORS})
class StepDetailView(_StepContext, generics.RetrieveAPIView):  # type: ignore[type-arg]
    """One step with its outcome history and extensions (hidden: the 404)."""

    serializer_class = StepDetailSerializer

    def get_object(self) -> Any:
        return selectors.get_step(self.actor, self.kwargs["id"])


def _detail(view: Any, step: Any) -> Response:
    return Response(StepDetailSerializer(step, context={"actor": view.actor}).data)


@extend_schema(tags=TIMELINE, request=None, responses={200: StepDetailSerializer, **ERRORS})
class StepCountersignView(ActorMixin, generics.GenericAPIView):  # type: ignore[type-arg]
    """A party of the pair countersigns proposed steps; both signatures bind them."""

    serializer_class = StepDetailSerializer

    def post(self, request: Request, id: str) -> Response:
        step = timeline.countersign_steps(actor=self.actor, step=selectors.get_step(self.actor, id))
        return _detail(self, step)


class VerifyInSerializer(StrictSerializer):
    outcome = serializers.ChoiceField(choices=list(OutcomeChoices.VERIFIED))
    note = serializers.CharField(
        max_length=timeline.NOTE_MAX_CHARS, required=False, allow_blank=True, default=""
    )
    vacated = serializers.ListField(
        child=serializers.UUIDField(), required=False, default=list, max_length=50
    )
    report = serializers.UUIDField(required=False, allow_null=True, default=None)


@extend_schema(
    tags=TIMELINE, request=VerifyInSerializer, responses={200: StepDetailSerializer, **ERRORS}
)
class StepVerifyView(ActorMixin, generics.GenericAPIView):  # type: ignore[type-arg]
    """A monitor verifies a binding step before its deadline: met, or met in part."""

    serializer_class = StepDetailSerializer

    def post(self, request: Request, id: str) -> Response:
        step = selectors.get_step(self.actor, id)
        form = VerifyInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        report = selectors.get_report(self.actor, data["report"]) if data["report"] else None
        step = timeline.verify_step(
            actor=self.actor,
            step=step,
            outcome=data["outcome"],
            note=data["note"],
            vacated=[str(v) for v in data["vacated"]],
            report=report,
        )
        return _detail(self, step)


class NoteInSerializer(StrictSerializer):
    note = serializers.CharField(max_length=timeline.NOTE_MAX_CHARS)


@extend_schema(
    tags=TIMELINE, request=NoteInSerializer, responses={200: StepDetailSerializer, **ERRORS}
)
class StepSuspendView(ActorMixin, generics.GenericAPIView):  # type: ignore[type-arg]
    """The mediator suspends a step's deadline pending the linked step."""

    serializer_class = StepDetailSerializer

    def post(self, request: Request, id: str) -> Response:
        step = selectors.get_step(self.actor, id)
        form = NoteInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return _detail(
            self, timeline.suspend_step(actor=self.actor, step=step, **form.validated_data)
        )


@extend_schema_serializer(component_name="WithdrawalStepExtensionIn")
class ExtensionInSerializer(StrictSerializer):
    new_due_at = OffsetDateTimeField()
    reason = serializers.CharField(max_length=timeline.NOTE_MAX_CHARS)


@extend_schema(
    tags=TIMELINE, request=ExtensionInSerializer, responses={201: ExtensionSerializer, **ERRORS}
)
class ExtensionProposeView(ActorMixin, generics.GenericAPIView):  # type: ignore[type-arg]
    """A party of the pair (which countersigns at once) or the mediator proposes a new
    date; it binds only with both parties' countersignatures."""

    serializer_class = ExtensionSerializer

    def post(self, request: Request, id: str) -> Response:
        step = selectors.get_step(self.actor, id)
        form = ExtensionInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        extension = timeline.propose_extension(actor=self.actor, step=step, **form.validated_data)
        return Response(ExtensionSerializer(extension).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=TIMELINE, request=None, responses={200: ExtensionSerializer, **ERRORS})
class ExtensionCountersignView(ActorMixin, generics.GenericAPIView):  # type: ignore[type-arg]
    """The other party countersigns an extension; with both, the deadline is extended."""

    serializer_class = ExtensionSerializer

    def post(self, request: Request, id: str, extension: str) -> Response:
        found = selectors.get_extension(self.actor, id, extension)
        return Response(
            ExtensionSerializer(
                timeline.countersign_extension(actor=self.actor, extension=found)
            ).data
        )


class BurndownSerializer(serializers.Serializer[Any]):
    party = serializers.CharField(source="party_code")
    steps_total = serializers.IntegerField(source="total_steps")
    steps_met = serializers.IntegerField(source="met_steps")
    positions_total = serializers.IntegerField(
        source="total_positions",
        allow_null=True,
        help_text="Only for the declaring party and the mediators; null for anyone else.",
    )
    positions_vacated = serializers.IntegerField(source="vacated_positions", allow_null=True)


@extend_schema(tags=TIMELINE)
class BurndownView(ActorMixin, generics.ListAPIView):  # type: ignore[type-arg]
    """Per party: steps met against the timeline, and positions vacated (for those who
    may see the positions)."""

    serializer_class = BurndownSerializer

    def get_queryset(self) -> Any:
        return burndown.charts(self.actor, selectors.list_steps(self.actor))

    @extend_schema(responses={200: BurndownSerializer(many=True), **ERRORS})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


# --- inspections ---------------------------------------------------------------------------


class ScheduleSerializer(serializers.Serializer[Any]):
    zone = serializers.CharField()
    clause = serializers.CharField()
    interval_days = serializers.FloatField(allow_null=True)
    last_inspected_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField()
    status = serializers.CharField(help_text="overdue, due (within 72 hours) or scheduled.")


@extend_schema(tags=INSPECTIONS)
class ScheduleView(ActorMixin, generics.ListAPIView):  # type: ignore[type-arg]
    """Each zone the arrangement inspects at an interval: when the next inspection is due."""

    serializer_class = ScheduleSerializer

    def get_queryset(self) -> Any:
        return selectors.schedule(self.actor, agreements.get_version(self.actor, None, None))

    @extend_schema(responses={200: ScheduleSerializer(many=True), **ERRORS})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


@extend_schema_serializer(component_name="InspectionRequest")
class RequestSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    clause = serializers.CharField()
    zone = serializers.CharField()
    party = serializers.CharField(source="party.code")
    requested_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField(allow_null=True)
    reason = serializers.CharField()
    report = serializers.SerializerMethodField()

    def get_report(self, obj: Any) -> str | None:
        return str(obj.report.public_id) if obj.report_id else None


@extend_schema_serializer(component_name="InspectionRequestIn")
class RequestInSerializer(StrictSerializer):
    zone = serializers.CharField(max_length=80)
    reason = serializers.CharField(max_length=inspections.TEXT_MAX_CHARS)


@extend_schema(tags=INSPECTIONS)
class RequestListView(ActorMixin, generics.ListAPIView):  # type: ignore[type-arg]
    """Inspection requests, newest first; a party requests one."""

    serializer_class = RequestSerializer

    def get_queryset(self) -> Any:
        return selectors.list_requests(self.actor)

    @extend_schema(responses={200: RequestSerializer(many=True), **ERRORS})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(request=RequestInSerializer, responses={201: RequestSerializer, **ERRORS})
    def post(self, request: Request) -> Response:
        form = RequestInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        found = inspections.request_inspection(
            actor=self.actor,
            version=agreements.get_version(self.actor, None, None),
            **form.validated_data,
        )
        return Response(RequestSerializer(found).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=INSPECTIONS, responses={200: RequestSerializer, **ERRORS})
class RequestDetailView(ActorMixin, generics.RetrieveAPIView):  # type: ignore[type-arg]
    serializer_class = RequestSerializer

    def get_object(self) -> Any:
        return selectors.get_request(self.actor, self.kwargs["id"])


class ElementSerializer(StrictSerializer):
    party = serializers.CharField(max_length=40)
    category = serializers.ChoiceField(choices=list(inspections.CATEGORIES))
    count = serializers.FloatField(min_value=0, max_value=inspections.COUNT_MAX)


class FindingSerializer(serializers.Serializer[Any]):
    clause = serializers.CharField()
    zone = serializers.CharField(allow_null=True)
    party = serializers.CharField()
    rule = serializers.CharField()
    status = serializers.CharField(
        help_text="The clause's status: agreed, disputed or illustrative."
    )
    severity = serializers.CharField(
        allow_null=True, help_text="None under a clause that is not agreed."
    )
    message = serializers.SerializerMethodField()

    def get_message(self, obj: Any) -> str:
        return str(self.context["explain"](obj))


class ReportSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    reference = serializers.CharField()
    clause = serializers.CharField()
    zone = serializers.CharField()
    monitor = serializers.CharField(source="monitor.code")
    call_sign = serializers.CharField()
    inspected_at = serializers.DateTimeField()
    filed_at = serializers.DateTimeField()
    summary = serializers.CharField()
    holdings = serializers.JSONField()
    findings = serializers.SerializerMethodField()

    def get_findings(self, obj: Any) -> list[Any]:
        context = {"explain": explainer(obj)}
        return list(FindingSerializer(obj.findings, many=True, context=context).data)


@extend_schema_serializer(component_name="InspectionReportIn")
class ReportInSerializer(StrictSerializer):
    zone = serializers.CharField(max_length=80)
    inspected_at = OffsetDateTimeField()
    holdings = serializers.ListField(child=ElementSerializer(), max_length=inspections.HOLDINGS_MAX)
    summary = serializers.CharField(
        max_length=inspections.TEXT_MAX_CHARS, required=False, allow_blank=True, default=""
    )
    request = serializers.UUIDField(required=False, allow_null=True, default=None)


@extend_schema(tags=INSPECTIONS)
class ReportListView(ActorMixin, generics.ListAPIView):  # type: ignore[type-arg]
    """Inspection reports with their findings, newest first; a monitor files one."""

    serializer_class = ReportSerializer

    def get_queryset(self) -> Any:
        return selectors.list_reports(self.actor)

    @extend_schema(responses={200: ReportSerializer(many=True), **ERRORS})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(request=ReportInSerializer, responses={201: ReportSerializer, **ERRORS})
    def post(self, request: Request) -> Response:
        form = ReportInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        found = (
            selectors.get_request(self.actor, data.pop("request")) if data.get("request") else None
        )
        data.pop("request", None)
        report = inspections.file_report(
            actor=self.actor,
            version=agreements.get_version(self.actor, None, None),
            request=found,
            **data,
        )
        return Response(ReportSerializer(report).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=INSPECTIONS, responses={200: ReportSerializer, **ERRORS})
class ReportDetailView(ActorMixin, generics.RetrieveAPIView):  # type: ignore[type-arg]
    serializer_class = ReportSerializer

    def get_object(self) -> Any:
        return selectors.get_report(self.actor, self.kwargs["id"])


class DenialSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    reference = serializers.CharField()
    kind = serializers.CharField(help_text="denial or restriction.")
    monitor = serializers.CharField(source="monitor.code")
    party = serializers.SerializerMethodField(
        help_text="The party the monitors report it was, if they say."
    )
    call_sign = serializers.CharField()
    occurred_at = serializers.DateTimeField()
    recorded_at = serializers.DateTimeField()
    place = serializers.JSONField()
    zones = serializers.JSONField()
    description = serializers.CharField()

    def get_party(self, obj: Any) -> str | None:
        return obj.party.code if obj.party_id else None


class DenialInSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=DenialKindChoices.values())
    place = GeometryField()
    occurred_at = OffsetDateTimeField()
    description = serializers.CharField(max_length=inspections.TEXT_MAX_CHARS)
    party = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    report = serializers.UUIDField(required=False, allow_null=True, default=None)


@extend_schema(tags=INSPECTIONS)
class DenialListView(ActorMixin, generics.ListAPIView):  # type: ignore[type-arg]
    """Access denials and restrictions of movement, newest first; a monitor records one."""

    serializer_class = DenialSerializer

    def get_queryset(self) -> Any:
        return selectors.list_denials(self.actor)

    @extend_schema(responses={200: DenialSerializer(many=True), **ERRORS})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(request=DenialInSerializer, responses={201: DenialSerializer, **ERRORS})
    def post(self, request: Request) -> Response:
        form = DenialInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        report_id = data.pop("report")
        denial = inspections.record_denial(
            actor=self.actor,
            version=agreements.get_version(self.actor, None, None),
            report=selectors.get_report(self.actor, report_id) if report_id else None,
            **data,
        )
        return Response(DenialSerializer(denial).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=INSPECTIONS, responses={200: DenialSerializer, **ERRORS})
class DenialDetailView(ActorMixin, generics.RetrieveAPIView):  # type: ignore[type-arg]
    serializer_class = DenialSerializer

    def get_object(self) -> Any:
        return selectors.get_denial(self.actor, self.kwargs["id"])


#: Under ``/api/v1/`` (``coordcell.api.urls``), in the ``api`` namespace.
urlpatterns: list[URLPattern | URLResolver] = [
    path("withdrawal-steps/", StepListView.as_view(), name="withdrawal-steps"),
    path("withdrawal-burndown/", BurndownView.as_view(), name="withdrawal-burndown"),
    path("withdrawal-steps/<str:id>/", StepDetailView.as_view(), name="withdrawal-step"),
    path(
        "withdrawal-steps/<str:id>/countersign/",
        StepCountersignView.as_view(),
        name="withdrawal-step-countersign",
    ),
    path(
        "withdrawal-steps/<str:id>/verify/", StepVerifyView.as_view(), name="withdrawal-step-verify"
    ),
    path(
        "withdrawal-steps/<str:id>/suspend/",
        StepSuspendView.as_view(),
        name="withdrawal-step-suspend",
    ),
    path(
        "withdrawal-steps/<str:id>/extensions/",
        ExtensionProposeView.as_view(),
        name="withdrawal-step-extensions",
    ),
    path(
        "withdrawal-steps/<str:id>/extensions/<str:extension>/countersign/",
        ExtensionCountersignView.as_view(),
        name="withdrawal-extension-countersign",
    ),
    path("inspections/schedule/", ScheduleView.as_view(), name="inspection-schedule"),
    path("inspection-requests/", RequestListView.as_view(), name="inspection-requests"),
    path("inspection-requests/<str:id>/", RequestDetailView.as_view(), name="inspection-request"),
    path("inspection-reports/", ReportListView.as_view(), name="inspection-reports"),
    path("inspection-reports/<str:id>/", ReportDetailView.as_view(), name="inspection-report"),
    path("access-denials/", DenialListView.as_view(), name="access-denials"),
    path("access-denials/<str:id>/", DenialDetailView.as_view(), name="access-denial"),
]
