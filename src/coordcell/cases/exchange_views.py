"""The pages of the hotline's thread (a call with its messages and commitments) and of
warnings and the warning-before-action ledger.

Reads go through ``cases.selectors`` and ``cases.exchange_selectors`` (hidden answers
404, like missing); writes through ``cases.thread`` and ``cases.warnings``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coordcell.agreements import selectors as agreements
from coordcell.agreements.engines import engine_for, kind_choices
from coordcell.cases import action_warnings, exchange_selectors, ledger, selectors, thread
from coordcell.cases.exchange_choices import CommitmentKindChoices
from coordcell.cases.exchange_forms import (
    ActionForm,
    ClaimForm,
    CloseCommitmentForm,
    ConfirmationForm,
    MessageForm,
    OutcomeForm,
    WarningForm,
)
from coordcell.core.errors import NotFound, PermissionDenied, ValidationFailed
from coordcell.core.forms import add_domain_errors
from coordcell.core.http import actor_for, member_required
from coordcell.core.paging import paginate
from coordcell.incidents import selectors as incident_selectors
from coordcell.parties import selectors as parties
from coordcell.parties.choices import PartyKindChoices, RoleChoices


def _render_call(
    request: HttpRequest, activation: Any, form: MessageForm | None = None, status: int = 200
) -> HttpResponse:
    actor = actor_for(request)
    zone = activation.version.time_zone
    side = thread.side_of(actor, activation)
    return render(
        request,
        "cases/hotline_call.html",
        {
            "call": activation,
            "items": list(exchange_selectors.list_messages(actor, activation)),
            "commitments": list(exchange_selectors.list_commitments(actor, activation)),
            "side": side,
            "warnings": list(exchange_selectors.list_warnings(actor).filter(activation=activation)),
            "may_warn": side in (thread.CALLER, thread.CALLEE) and action_warnings.may_warn(actor),
            "form": form or MessageForm(time_zone=zone),
            "close_form": CloseCommitmentForm(),
            "until_kinds": CommitmentKindChoices.UNTIL,
            "own_party_id": actor.party_id,
            "now": timezone.now(),
            "tz": zone,
        },
        status=status,
    )


@member_required
def hotline_call(request: HttpRequest, public_id: Any) -> HttpResponse:
    """One call as a thread; POST adds a message (with any commitment) to it."""
    actor = actor_for(request)
    activation = selectors.get_activation(actor, public_id)
    if request.method != "POST":
        return _render_call(request, activation)
    form = MessageForm(request.POST, time_zone=activation.version.time_zone)
    if form.is_valid():
        data = form.cleaned_data
        try:
            thread.post_message(
                actor=actor,
                activation=activation,
                text=data["text"],
                commitment=data["commitment"],
                due_at=data["due_at"],
                via_mediator=data["via_mediator"],
            )
        except ValidationFailed as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Message recorded."))
            return redirect("cases:hotline_call", public_id=activation.public_id)
    return _render_call(request, activation, form, status=400)


@member_required
@require_POST
def hotline_relay(request: HttpRequest, public_id: Any) -> HttpResponse:
    """The mediator passes a party's message on."""
    actor = actor_for(request)
    message = exchange_selectors.get_message(actor, public_id)
    try:
        thread.relay_message(actor=actor, message=message)
    except ValidationFailed as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Message relayed."))
    return redirect("cases:hotline_call", public_id=message.activation.public_id)


@member_required
@require_POST
def commitment_close(request: HttpRequest, public_id: Any, outcome: str) -> HttpResponse:
    """Report a commitment kept (its party) or broken (the other side)."""
    actor = actor_for(request)
    if outcome not in ("kept", "broken"):
        raise NotFound()
    commitment = exchange_selectors.get_commitment(actor, public_id)
    form = CloseCommitmentForm(request.POST)
    text = form.cleaned_data["text"] if form.is_valid() else ""
    try:
        thread.close_commitment(
            actor=actor, commitment=commitment, kept=outcome == "kept", text=text
        )
    except ValidationFailed as exc:
        for field_messages in exc.fields.values():
            for message in field_messages:
                messages.error(request, message)
    else:
        messages.success(request, _("Recorded."))
    return redirect("cases:hotline_call", public_id=commitment.activation.public_id)


# Warnings ------------------------------------------------------------------------------


def _addressees(actor: Any) -> list[tuple[str, str]]:
    return [
        (p.code, p.name)
        for p in parties.list_parties(actor).filter(kind=PartyKindChoices.KIND_PARTY)
        if p.code != actor.party_code
    ]


@member_required
def warnings_page(request: HttpRequest) -> HttpResponse:
    """Warnings the reader may see, newest first; a party's officers pass one here (from a
    hotline call with ``?activation=``)."""
    actor = actor_for(request)
    version = agreements.get_version(actor, None, None)
    activation = None
    if request.GET.get("activation"):
        activation = selectors.get_activation(actor, request.GET["activation"])
    may_warn = action_warnings.may_warn(actor)
    initial = {"threat": activation.subject} if activation is not None else None
    form = WarningForm(
        request.POST or None,
        addressees=_addressees(actor),
        time_zone=version.time_zone,
        kinds=kind_choices(engine_for(version)),
        initial=initial,
    )
    status = 200
    if request.method == "POST":
        if not may_warn:
            raise PermissionDenied(_("Liaison officers and principals of a party pass warnings."))
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                warning = action_warnings.pass_warning(
                    actor=actor,
                    version=version,
                    addressee=data["addressee"],
                    geometry={"type": "Point", "coordinates": [data["lon"], data["lat"]]},
                    threat=data["threat"],
                    act_kind=data["act_kind"],
                    action_requested=data["action_requested"],
                    window_hours=data["window_hours"],
                    include_monitors=data["include_monitors"],
                    passed_at=data["passed_at"],
                    activation=activation,
                )
            except ValidationFailed as exc:
                add_domain_errors(form, exc, {"geometry": "lat"})
            else:
                messages.success(request, _("Warning %(ref)s passed.") % {"ref": warning.reference})
                return redirect("cases:warning", public_id=warning.public_id)
    pager = paginate(request, exchange_selectors.list_warnings(actor))
    return render(
        request,
        "cases/warnings.html",
        {
            "form": form,
            "may_warn": may_warn,
            "warnings": pager.items,
            "pager": pager,
            "activation": activation,
            "now": timezone.now(),
            "tz": version.time_zone,
        },
        status=status,
    )


def _render_warning(
    request: HttpRequest, warning: Any, forms: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    actor = actor_for(request)
    zone = warning.version.time_zone
    incident = warning.outcome_incident
    if (
        incident is not None
        and not incident_selectors.list_incidents(actor).filter(pk=incident.pk).exists()
    ):
        incident = None
    own = actor.party_id
    acting = action_warnings.may_warn(actor)
    context = {
        "warning": warning,
        "confirmations": list(exchange_selectors.list_confirmations(actor, warning)),
        "call": warning.activation
        if exchange_selectors.call_visible(actor, warning.activation)
        else None,
        "incident": incident,
        "is_addressee": acting and own == warning.addressee_id,
        "is_warner": acting and own == warning.warner_id,
        "is_monitor": actor.party_kind == PartyKindChoices.KIND_MONITOR
        and actor.has_role(RoleChoices.MONITOR),
        "action_form": ActionForm(time_zone=zone),
        "confirmation_form": ConfirmationForm(),
        "outcome_form": OutcomeForm(),
        "now": timezone.now(),
        "tz": zone,
        **(forms or {}),
    }
    return render(request, "cases/warning.html", context, status=status)


@member_required
def warning_page(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = actor_for(request)
    return _render_warning(request, exchange_selectors.get_warning(actor, public_id))


@member_required
@require_POST
def warning_step(request: HttpRequest, public_id: Any, step: str) -> HttpResponse:
    """acknowledge, action, confirmation, outcome: each calls its one service."""
    actor = actor_for(request)
    warning = exchange_selectors.get_warning(actor, public_id)
    zone = warning.version.time_zone
    form: Any
    if step == "acknowledge":
        try:
            action_warnings.acknowledge(actor=actor, warning=warning)
        except ValidationFailed as exc:
            messages.error(request, str(exc))
        return redirect("cases:warning", public_id=warning.public_id)
    if step == "action":
        form, name = ActionForm(request.POST, time_zone=zone), "action_form"
    elif step == "confirmation":
        form, name = ConfirmationForm(request.POST), "confirmation_form"
    elif step == "outcome":
        form, name = OutcomeForm(request.POST), "outcome_form"
    else:
        raise NotFound()
    if form.is_valid():
        data = form.cleaned_data
        try:
            if step == "action":
                action_warnings.report_action(
                    actor=actor, warning=warning, text=data["text"], acted_at=data["acted_at"]
                )
            elif step == "confirmation":
                action_warnings.confirm_action(
                    actor=actor, warning=warning, result=data["result"], reason=data["reason"]
                )
            else:
                action_warnings.record_outcome(
                    actor=actor,
                    warning=warning,
                    outcome=data["outcome"],
                    text=data["text"],
                    incident=_incident_by_reference(actor, data["incident"], form),
                )
        except ValidationFailed as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Recorded."))
            return redirect("cases:warning", public_id=warning.public_id)
    return _render_warning(request, warning, {name: form}, status=400)


def _incident_by_reference(actor: Any, reference: str, form: Any) -> Any:
    reference = (reference or "").strip()
    if not reference:
        return None
    incident = incident_selectors.list_incidents(actor).filter(reference=reference).first()
    if incident is None:
        raise ValidationFailed({"incident": [_("Unknown incident.")]})
    return incident


# The warning-before-action ledger ---------------------------------------------------------


def _with_headlines(claims: list[Any]) -> list[Any]:
    """Each claim's incident named by its generated headline (kind · place · local time),
    never by the reporting party's own title: the ledger is read by both parties."""
    headlines = incident_selectors.Headlines()
    for claim in claims:
        claim.headline = headlines.html(claim.incident)
    return claims


@member_required
def ledger_page(request: HttpRequest) -> HttpResponse:
    """The ledger's shares per party; a party states a use of force as self-defence here."""
    actor = actor_for(request)
    own_incidents = [
        (str(i.public_id), f"{i.reference} — {i.title}")
        for i in incident_selectors.list_incidents(actor).filter(source_party_id=actor.party_id)[
            :200
        ]
        if ledger.is_use_of_force(i.kind, engine_for(i.version))
    ]
    own_warnings = [
        (str(w.public_id), f"{w.reference} — {w.threat[:60]}")
        for w in exchange_selectors.list_warnings(actor).filter(warner_id=actor.party_id)[:200]
    ]
    may_claim = action_warnings.may_warn(actor)
    form = ClaimForm(request.POST or None, incidents=own_incidents, warnings=own_warnings)
    status = 200
    if request.method == "POST":
        if not may_claim:
            raise PermissionDenied(_("Liaison officers and principals of a party state this."))
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                ledger.claim_self_defence(
                    actor=actor,
                    incident=incident_selectors.get_incident(actor, data["incident"]),
                    warning=exchange_selectors.get_warning(actor, data["warning"])
                    if data["warning"] not in ("", ClaimForm.NONE)
                    else None,
                    no_prior_warning=data["warning"] == ClaimForm.NONE,
                    statement=data["statement"],
                )
            except ValidationFailed as exc:
                add_domain_errors(form, exc)
            else:
                messages.success(request, _("Recorded."))
                return redirect("cases:ledger")
    return render(
        request,
        "cases/ledger.html",
        {
            "card": ledger.ledger(actor),
            "claims": _with_headlines(list(exchange_selectors.list_force_claims(actor)[:200])),
            "form": form,
            "may_claim": may_claim,
        },
        status=status,
    )
