"""The API of the economic zone: projects, milestones, donors, money, conditions, totals.

Reads come from ``economy.selectors`` for the caller (a hidden object is a missing one:
the one 404); a donor appears as ``selectors.donor_name`` names it for the caller, and
why a condition holds a tranche as ``selectors.visible_reasons`` shows it. Writes call
the services the pages call. Amounts are strings of exact decimals (a JSON number with a
fraction is refused). Routed by ``coordcell.api.urls`` under ``/api/v1/``.
"""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, URLResolver, path
from django.utils import timezone
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
)
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from coordcell.agreements import selectors as agreements
from coordcell.core.errors import ValidationFailed
from coordcell.core.input import GeometryField, OffsetDateTimeField, StrictSerializer
from coordcell.core.rest import ERRORS, ActorMixin
from coordcell.economy import selectors, services, totals
from coordcell.economy.choices import (
    ConditionKindChoices,
    MilestoneStatusChoices,
    ProjectStateChoices,
)
from coordcell.rules import money
from coordcell.verification import selectors as verification
from coordcell.verification.sites import record_site_check

__all__ = ["urlpatterns"]

TAGS = ["economic zone"]


class RawField(serializers.Field):  # type: ignore[type-arg]
    """A value passed to the service as sent (amounts, rates: the service checks them)."""

    def to_internal_value(self, data: Any) -> Any:
        return data

    def to_representation(self, value: Any) -> Any:
        return value


# What the service accepts of each raw value, for the schema alone (the subclasses below
# take and return the value exactly as ``RawField`` does).
_EXACT = "a string of an exact decimal or an integer, never a JSON number with a fraction"


@extend_schema_field(
    {
        "type": "string",
        "description": "An ISO 4217 currency code (upper or lower case).",
        "example": "USD",
    }
)
class CurrencyField(RawField):
    """An ISO 4217 code (``money.parse_currency``)."""


@extend_schema_field(
    {
        "oneOf": [{"type": "string", "example": "1250.50"}, {"type": "integer", "minimum": 1}],
        "description": f"An amount: {_EXACT}; more than 0, with no more decimals than the "
        "currency's minor units (USD 2, JPY 0, JOD 3).",
    }
)
class AmountField(RawField):
    """An amount in the currency sent beside it (``money.parse_amount``)."""


@extend_schema_field(
    {
        "type": "string",
        "format": "date",
        "description": f"A date, YYYY-MM-DD, within {services.DATE_RANGE_YEARS} years of today.",
    }
)
class DayField(RawField):
    """A date (``services._date``)."""


@extend_schema_field(
    {
        "oneOf": [{"type": "string", "example": "3.6725"}, {"type": "integer", "minimum": 1}],
        "description": f"A positive rate: {_EXACT}; at most 12 decimals.",
    }
)
class RateField(RawField):
    """A conversion rate (``money.parse_rate``)."""


@extend_schema_field(
    {
        "oneOf": [{"type": "string", "example": "2.5"}, {"type": "integer", "minimum": 1}],
        "description": f"Kilometres: {_EXACT}; more than 0, at most {services.MAX_RADIUS_KM}. "
        "Required for no_determined_violation.",
    }
)
class RadiusField(RawField):
    """A radius in km (``money.parse_rate``, then at most ``MAX_RADIUS_KM``)."""


@extend_schema_field(
    {
        "oneOf": [
            {"type": "integer", "minimum": 1, "maximum": services.MAX_WINDOW_DAYS},
            {"type": "string", "example": "30"},
        ],
        "description": f"Days: a whole number from 1 to {services.MAX_WINDOW_DAYS}, as an "
        "integer or a string of digits. Required for no_determined_violation.",
    }
)
class DaysField(RawField):
    """A window in days (``services._positive_int``)."""


class TextsField(serializers.DictField):
    """``{"en": …, "ar": …, "he": …}``."""

    child = serializers.CharField(allow_blank=True, max_length=services.TEXT_MAX_CHARS)


def _amount(value: Any) -> str:
    return format(value, "f")


class _Ctx(ActorMixin):
    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "actor": self.actor}  # type: ignore[misc]


# --- serializers (out) -------------------------------------------------------------------


class MilestoneSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    titles = serializers.DictField()
    due_on = serializers.DateField()
    status = serializers.CharField()
    done_on = serializers.DateField(allow_null=True)


class ConditionSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    reference = serializers.CharField()
    kind = serializers.CharField()
    party = serializers.SerializerMethodField()
    radius_km = serializers.SerializerMethodField()
    window_days = serializers.IntegerField(allow_null=True)
    step = serializers.SerializerMethodField()
    state = serializers.CharField()
    evaluated_at = serializers.DateTimeField(allow_null=True)
    holding = serializers.SerializerMethodField(
        help_text="What holds it, as the caller may read it: the security audience sees the "
        "references their own audience lets them read; the donor, those the mediator released."
    )

    def get_party(self, obj: Any) -> str | None:
        return obj.party.code if obj.party_id else None

    def get_radius_km(self, obj: Any) -> str | None:
        return _amount(obj.radius_km) if obj.radius_km is not None else None

    def get_step(self, obj: Any) -> str | None:
        if obj.step_id is None or not selectors.sees_security_traffic(self.context["actor"]):
            return None
        return str(obj.step.reference)

    def get_holding(self, obj: Any) -> list[dict[str, Any]]:
        return selectors.visible_reasons(obj, self.context["actor"])


class TrancheSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    reference = serializers.CharField()
    commitment = serializers.CharField(source="commitment.reference")
    project = serializers.UUIDField(source="commitment.pledge.project.public_id")
    donor = serializers.SerializerMethodField()
    currency = serializers.CharField()
    amount = serializers.SerializerMethodField()
    planned_on = serializers.DateField()
    state = serializers.CharField()
    disbursed_on = serializers.DateField(allow_null=True)
    conditions = serializers.SerializerMethodField()

    def get_donor(self, obj: Any) -> str:
        return selectors.donor_name(obj.commitment.pledge.donor, self.context["actor"])

    def get_amount(self, obj: Any) -> str:
        return _amount(obj.amount)

    def get_conditions(self, obj: Any) -> list[dict[str, Any]]:
        rows = selectors.list_conditions(self.context["actor"], obj)
        return ConditionSerializer(rows, many=True, context=self.context).data  # type: ignore[return-value]


class TransactionSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField()
    reference = serializers.CharField()
    project = serializers.UUIDField(source="project.public_id")
    sector = serializers.CharField(source="project.sector")
    donor = serializers.CharField(help_text="The donor's name, or its pseudonym for this caller.")
    donor_named = serializers.BooleanField()
    currency = serializers.CharField()
    amount = serializers.SerializerMethodField()
    date = serializers.DateField()

    def get_amount(self, obj: Any) -> str:
        return _amount(obj.amount)


class ProjectSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    reference = serializers.CharField()
    clause = serializers.CharField()
    sector = serializers.CharField()
    titles = serializers.DictField()
    descriptions = serializers.DictField()
    site = serializers.JSONField()
    zones = serializers.ListField(child=serializers.CharField())
    sides = serializers.ListField(child=serializers.CharField())
    budget_currency = serializers.CharField()
    budget_amount = serializers.SerializerMethodField()
    state = serializers.CharField()

    def get_budget_amount(self, obj: Any) -> str:
        return _amount(obj.budget_amount)


class ProjectDetailSerializer(ProjectSerializer):
    milestones = serializers.SerializerMethodField()
    transactions = serializers.SerializerMethodField()
    tranches = serializers.SerializerMethodField()

    def get_milestones(self, obj: Any) -> Any:
        return MilestoneSerializer(
            selectors.list_milestones(self.context["actor"], obj), many=True
        ).data

    def get_transactions(self, obj: Any) -> Any:
        rows = list(selectors.list_transactions(self.context["actor"], obj))
        return TransactionSerializer(rows, many=True).data

    def get_tranches(self, obj: Any) -> Any:
        rows = selectors.list_tranches(self.context["actor"], obj)
        return TrancheSerializer(rows, many=True, context=self.context).data


class DonorSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    name = serializers.SerializerMethodField(
        help_text="Its name, or its pseudonym for this caller."
    )
    named = serializers.BooleanField(help_text="Whether the donor chose to be named to everyone.")

    def get_name(self, obj: Any) -> str:
        return selectors.donor_name(obj, self.context["actor"])


class RateSerializer(serializers.Serializer[Any]):
    currency = serializers.CharField()
    base = serializers.CharField()
    rate = serializers.SerializerMethodField()
    valid_on = serializers.DateField()
    source = serializers.CharField()  # type: ignore[assignment]

    def get_rate(self, obj: Any) -> str:
        return _amount(obj.rate)


# --- serializers (in) --------------------------------------------------------------------


class ProjectInSerializer(StrictSerializer):
    sector = serializers.CharField(max_length=40)
    titles = TextsField()
    descriptions = TextsField()
    site = GeometryField()
    budget_currency = CurrencyField()
    budget_amount = AmountField()
    state = serializers.ChoiceField(
        choices=ProjectStateChoices.values(), required=False, default="planned"
    )


class MilestoneInSerializer(StrictSerializer):
    titles = TextsField()
    due_on = DayField()
    status = serializers.ChoiceField(
        choices=MilestoneStatusChoices.values(), required=False, default="planned"
    )


class MilestoneStatusInSerializer(StrictSerializer):
    status = serializers.ChoiceField(choices=MilestoneStatusChoices.values())


class DonorInSerializer(StrictSerializer):
    party = serializers.CharField(max_length=40)
    named = serializers.BooleanField(required=False, default=False)


class NamingInSerializer(StrictSerializer):
    named = serializers.BooleanField()


class PledgeInSerializer(StrictSerializer):
    project = serializers.UUIDField()
    donor = serializers.UUIDField()
    currency = CurrencyField()
    amount = AmountField()
    pledged_on = DayField()


@extend_schema_serializer(component_name="EconomyCommitmentIn")
class CommitmentInSerializer(StrictSerializer):
    pledge = serializers.UUIDField()
    currency = CurrencyField()
    amount = AmountField()
    committed_on = DayField()


class TrancheInSerializer(StrictSerializer):
    commitment = serializers.UUIDField()
    currency = CurrencyField()
    amount = AmountField()
    planned_on = DayField()


class DisburseInSerializer(StrictSerializer):
    disbursed_on = DayField()


class ConditionInSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=ConditionKindChoices.values())
    party = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    step = serializers.UUIDField(required=False, allow_null=True, default=None)
    radius_km = RadiusField(required=False, default=None)
    window_days = DaysField(required=False, default=None)


class RateInSerializer(StrictSerializer):
    currency = CurrencyField()
    base = CurrencyField()
    rate = RateField()
    valid_on = DayField()
    source = serializers.CharField(max_length=300)  # type: ignore[assignment]


class SiteCheckInSerializer(StrictSerializer):
    checked_at = OffsetDateTimeField()
    military_presence = serializers.BooleanField()
    party = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class SiteCheckSerializer(serializers.Serializer[Any]):
    reference = serializers.CharField()
    checked_at = serializers.DateTimeField()
    military_presence = serializers.BooleanField()
    party = serializers.SerializerMethodField()
    monitor = serializers.CharField(source="monitor.code")
    note = serializers.CharField()

    def get_party(self, obj: Any) -> str | None:
        return obj.party.code if obj.party_id else None


# --- views -------------------------------------------------------------------------------


@extend_schema(tags=TAGS)
class ProjectListView(_Ctx, generics.ListAPIView):  # type: ignore[type-arg]
    """The zone's projects the caller reads; the mediator registers one (its site must lie
    inside the economic zone: 400 with the distance otherwise)."""

    serializer_class = ProjectSerializer

    def get_queryset(self) -> Any:
        return selectors.list_projects(self.actor)

    @extend_schema(responses={200: ProjectSerializer(many=True), **ERRORS})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(request=ProjectInSerializer, responses={201: ProjectDetailSerializer, **ERRORS})
    def post(self, request: Request) -> Response:
        form = ProjectInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        project = services.register_project(
            actor=self.actor,
            version=agreements.get_version(self.actor, None, None),
            **form.validated_data,
        )
        return Response(
            ProjectDetailSerializer(project, context={"actor": self.actor}).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema(tags=TAGS, responses={200: ProjectDetailSerializer, **ERRORS})
class ProjectDetailView(_Ctx, generics.RetrieveAPIView):  # type: ignore[type-arg]
    """A project with its milestones, money and tranches with their conditions."""

    serializer_class = ProjectDetailSerializer

    def get_object(self) -> Any:
        return selectors.get_project(self.actor, self.kwargs["id"])


@extend_schema(
    tags=TAGS, request=MilestoneInSerializer, responses={201: MilestoneSerializer, **ERRORS}
)
class MilestoneCreateView(_Ctx, generics.GenericAPIView):  # type: ignore[type-arg]
    """The mediator adds a dated milestone to a project."""

    serializer_class = MilestoneSerializer

    def post(self, request: Request, id: str) -> Response:
        project = selectors.get_project(self.actor, id)
        form = MilestoneInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        milestone = services.add_milestone(actor=self.actor, project=project, **form.validated_data)
        return Response(MilestoneSerializer(milestone).data, status=status.HTTP_201_CREATED)


@extend_schema(
    tags=TAGS, request=MilestoneStatusInSerializer, responses={200: MilestoneSerializer, **ERRORS}
)
class MilestoneStatusView(_Ctx, generics.GenericAPIView):  # type: ignore[type-arg]
    """The mediator sets a milestone's status."""

    serializer_class = MilestoneSerializer

    def post(self, request: Request, id: str) -> Response:
        milestone = selectors.get_milestone(self.actor, id)
        form = MilestoneStatusInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        milestone = services.set_milestone_status(
            actor=self.actor, milestone=milestone, status=form.validated_data["status"]
        )
        return Response(MilestoneSerializer(milestone).data)


@extend_schema(tags=TAGS)
class SiteCheckView(_Ctx, generics.ListAPIView):  # type: ignore[type-arg]
    """The monitors' checks of a project's site (read by both parties, the mediators and
    the monitors); a monitor records one (``verification.sites``)."""

    serializer_class = SiteCheckSerializer

    def get_queryset(self) -> Any:
        project = selectors.get_project(self.actor, self.kwargs["id"])
        return verification.list_site_checks(self.actor, project.reference)

    @extend_schema(responses={200: SiteCheckSerializer(many=True), **ERRORS})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(request=SiteCheckInSerializer, responses={201: SiteCheckSerializer, **ERRORS})
    def post(self, request: Request, id: str) -> Response:
        project = selectors.get_project(self.actor, id)
        form = SiteCheckInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        check = record_site_check(
            actor=self.actor,
            version=project.version,
            site_key=project.reference,
            site=project.site,
            **form.validated_data,
        )
        return Response(SiteCheckSerializer(check).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=TAGS, responses={200: TransactionSerializer(many=True), **ERRORS})
class TransactionListView(_Ctx, generics.ListAPIView):  # type: ignore[type-arg]
    """Pledges, commitments and disbursements the caller reads, by date; each donor as the
    caller may name it."""

    serializer_class = TransactionSerializer

    def get_queryset(self) -> Any:
        return list(selectors.list_transactions(self.actor))


@extend_schema(tags=TAGS)
class DonorListView(_Ctx, generics.ListAPIView):  # type: ignore[type-arg]
    """The donors, each by the name the caller may know it by; the mediator registers one."""

    serializer_class = DonorSerializer

    def get_queryset(self) -> Any:
        from coordcell.economy.models import Donor

        return Donor.objects.restrict(self.actor).select_related("party").order_by("pseudonym")

    @extend_schema(responses={200: DonorSerializer(many=True), **ERRORS})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(request=DonorInSerializer, responses={201: DonorSerializer, **ERRORS})
    def post(self, request: Request) -> Response:
        form = DonorInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        donor = services.register_donor(
            actor=self.actor,
            party_code=form.validated_data["party"],
            named=form.validated_data["named"],
        )
        return Response(
            DonorSerializer(donor, context={"actor": self.actor}).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema(tags=TAGS, request=NamingInSerializer, responses={200: DonorSerializer, **ERRORS})
class DonorNamingView(_Ctx, generics.GenericAPIView):  # type: ignore[type-arg]
    """The donor's representatives choose whether the donor is named to everyone."""

    serializer_class = DonorSerializer

    def post(self, request: Request, id: str) -> Response:
        donor = selectors.get_donor(self.actor, id)
        form = NamingInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        donor = services.set_donor_naming(
            actor=self.actor, donor=donor, named=form.validated_data["named"]
        )
        return Response(DonorSerializer(donor, context={"actor": self.actor}).data)


@extend_schema(
    tags=TAGS, request=PledgeInSerializer, responses={201: TransactionSerializer, **ERRORS}
)
class PledgeCreateView(_Ctx, generics.GenericAPIView):  # type: ignore[type-arg]
    """A donor's pledge to a project (the donor's representatives, or the mediator)."""

    serializer_class = TransactionSerializer

    def post(self, request: Request) -> Response:
        form = PledgeInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        pledge = services.record_pledge(
            actor=self.actor,
            project=selectors.get_project(self.actor, data["project"]),
            donor=selectors.get_donor(self.actor, data["donor"]),
            currency=data["currency"],
            amount=data["amount"],
            pledged_on=data["pledged_on"],
        )
        return _created(self, "pledge", pledge, pledge.pledged_on)


@extend_schema(
    tags=TAGS, request=CommitmentInSerializer, responses={201: TransactionSerializer, **ERRORS}
)
class CommitmentCreateView(_Ctx, generics.GenericAPIView):  # type: ignore[type-arg]
    """A pledge committed (in its currency, at most what is left of it)."""

    serializer_class = TransactionSerializer

    def post(self, request: Request) -> Response:
        form = CommitmentInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        commitment = services.record_commitment(
            actor=self.actor,
            pledge=selectors.get_pledge(self.actor, data["pledge"]),
            currency=data["currency"],
            amount=data["amount"],
            committed_on=data["committed_on"],
        )
        return _created(self, "commitment", commitment, commitment.committed_on)


def _created(view: Any, kind: str, obj: Any, date: Any) -> Response:
    pledge = obj if kind == "pledge" else obj.pledge
    row = selectors.Transaction(
        kind=kind,
        reference=obj.reference,
        project=pledge.project,
        donor=selectors.donor_name(pledge.donor, view.actor),
        donor_named=selectors.knows_donor(view.actor, pledge.donor),
        currency=obj.currency,
        amount=obj.amount,
        date=date,
    )
    return Response(TransactionSerializer(row).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=TAGS, request=TrancheInSerializer, responses={201: TrancheSerializer, **ERRORS})
class TrancheCreateView(_Ctx, generics.GenericAPIView):  # type: ignore[type-arg]
    """A tranche of a commitment, planned for a date."""

    serializer_class = TrancheSerializer

    def post(self, request: Request) -> Response:
        form = TrancheInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        tranche = services.schedule_tranche(
            actor=self.actor,
            commitment=selectors.get_commitment(self.actor, data["commitment"]),
            currency=data["currency"],
            amount=data["amount"],
            planned_on=data["planned_on"],
        )
        return Response(
            TrancheSerializer(tranche, context={"actor": self.actor}).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema(tags=TAGS, responses={200: TrancheSerializer, **ERRORS})
class TrancheDetailView(_Ctx, generics.RetrieveAPIView):  # type: ignore[type-arg]
    """A tranche with its conditions' state (and what holds them, as the caller may read)."""

    serializer_class = TrancheSerializer

    def get_object(self) -> Any:
        return selectors.get_tranche(self.actor, self.kwargs["id"])


@extend_schema(
    tags=TAGS, request=DisburseInSerializer, responses={200: TrancheSerializer, **ERRORS}
)
class TrancheDisburseView(_Ctx, generics.GenericAPIView):  # type: ignore[type-arg]
    """A scheduled tranche whose conditions all hold is disbursed (409 while held)."""

    serializer_class = TrancheSerializer

    def post(self, request: Request, id: str) -> Response:
        tranche = selectors.get_tranche(self.actor, id)
        form = DisburseInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        tranche = services.disburse_tranche(
            actor=self.actor, tranche=tranche, disbursed_on=form.validated_data["disbursed_on"]
        )
        return Response(TrancheSerializer(tranche, context={"actor": self.actor}).data)


@extend_schema(
    tags=TAGS, request=ConditionInSerializer, responses={201: ConditionSerializer, **ERRORS}
)
class ConditionCreateView(_Ctx, generics.GenericAPIView):  # type: ignore[type-arg]
    """The mediator ties a tranche to a specific, attributable obligation."""

    serializer_class = ConditionSerializer

    def post(self, request: Request, id: str) -> Response:
        tranche = selectors.get_tranche(self.actor, id)
        form = ConditionInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        step = None
        if data["step"] is not None:
            try:
                step = verification.get_step(self.actor, data["step"])
            except Exception:
                raise ValidationFailed({"step": ["Choose a withdrawal step."]}) from None
        condition = services.add_condition(
            actor=self.actor,
            tranche=tranche,
            kind=data["kind"],
            party=data["party"],
            step=step,
            radius_km=data["radius_km"],
            window_days=data["window_days"],
        )
        return Response(
            ConditionSerializer(condition, context={"actor": self.actor}).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema(tags=TAGS, request=None, responses={200: ConditionSerializer, **ERRORS})
class ConditionReleaseView(_Ctx, generics.GenericAPIView):  # type: ignore[type-arg]
    """The mediator releases to the donor the references that now hold a condition."""

    serializer_class = ConditionSerializer

    def post(self, request: Request, id: str) -> Response:
        condition = selectors.get_condition(self.actor, id)
        condition = services.release_references(actor=self.actor, condition=condition)
        return Response(ConditionSerializer(condition, context={"actor": self.actor}).data)


@extend_schema(tags=TAGS)
class RateListView(_Ctx, generics.ListAPIView):  # type: ignore[type-arg]
    """The dated conversion rates used for totals; the mediator records one."""

    serializer_class = RateSerializer

    def get_queryset(self) -> Any:
        return selectors.list_rates(self.actor)

    @extend_schema(responses={200: RateSerializer(many=True), **ERRORS})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(request=RateInSerializer, responses={201: RateSerializer, **ERRORS})
    def post(self, request: Request) -> Response:
        form = RateInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        row = services.record_rate(actor=self.actor, **form.validated_data)
        return Response(RateSerializer(row).data, status=status.HTTP_201_CREATED)


class TotalsSerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    pledged = serializers.SerializerMethodField()
    committed = serializers.SerializerMethodField()
    disbursed = serializers.SerializerMethodField()
    unconverted = serializers.IntegerField(help_text="Amounts left out: no rate for their day.")

    def get_pledged(self, obj: Any) -> str:
        return _amount(obj.pledged)

    def get_committed(self, obj: Any) -> str:
        return _amount(obj.committed)

    def get_disbursed(self, obj: Any) -> str:
        return _amount(obj.disbursed)


KEYS = {
    "project": totals.project_key,
    "sector": totals.sector_key,
    "side": totals.side_key,
    "donor": totals.donor_key,
}


@extend_schema(
    tags=TAGS,
    parameters=[
        OpenApiParameter("by", str, enum=list(KEYS), description="project, sector, side or donor"),
        OpenApiParameter("currency", str, description="ISO 4217 code of the totals (USD)"),
    ],
    responses={200: TotalsSerializer(many=True), **ERRORS},
)
class TotalsView(_Ctx, generics.ListAPIView):  # type: ignore[type-arg]
    """Pledged, committed and disbursed per project, sector, side or donor, converted at
    the latest rate dated on or before today."""

    serializer_class = TotalsSerializer

    def get_queryset(self) -> Any:
        by = self.request.query_params.get("by", "sector")
        if by not in KEYS:
            raise ValidationFailed({"by": ["Choose project, sector, side or donor."]})
        try:
            base = money.parse_currency(self.request.query_params.get("currency", "USD"))
        except money.MoneyError as exc:
            raise ValidationFailed({"currency": [services.money_error(exc)]}) from None
        rows, _used = totals.totals_by(
            selectors.list_transactions(self.actor),
            KEYS[by],
            base=base,
            on=timezone.now().date(),
            known_rates=totals.rates(self.actor),
        )
        return rows


urlpatterns: list[URLPattern | URLResolver] = [
    path("economy/projects/", ProjectListView.as_view(), name="economy-projects"),
    path("economy/projects/<str:id>/", ProjectDetailView.as_view(), name="economy-project"),
    path(
        "economy/projects/<str:id>/milestones/",
        MilestoneCreateView.as_view(),
        name="economy-milestones",
    ),
    path(
        "economy/projects/<str:id>/site-checks/",
        SiteCheckView.as_view(),
        name="economy-site-checks",
    ),
    path(
        "economy/milestones/<str:id>/status/",
        MilestoneStatusView.as_view(),
        name="economy-milestone-status",
    ),
    path("economy/transactions/", TransactionListView.as_view(), name="economy-transactions"),
    path("economy/totals/", TotalsView.as_view(), name="economy-totals"),
    path("economy/donors/", DonorListView.as_view(), name="economy-donors"),
    path("economy/donors/<str:id>/naming/", DonorNamingView.as_view(), name="economy-naming"),
    path("economy/pledges/", PledgeCreateView.as_view(), name="economy-pledges"),
    path("economy/commitments/", CommitmentCreateView.as_view(), name="economy-commitments"),
    path("economy/tranches/", TrancheCreateView.as_view(), name="economy-tranches"),
    path("economy/tranches/<str:id>/", TrancheDetailView.as_view(), name="economy-tranche"),
    path(
        "economy/tranches/<str:id>/disburse/",
        TrancheDisburseView.as_view(),
        name="economy-disburse",
    ),
    path(
        "economy/tranches/<str:id>/conditions/",
        ConditionCreateView.as_view(),
        name="economy-conditions",
    ),
    path(
        "economy/conditions/<str:id>/release/",
        ConditionReleaseView.as_view(),
        name="economy-release",
    ),
    path("economy/rates/", RateListView.as_view(), name="economy-rates"),
]
