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

from coordcell.cases import exchange_selectors, selectors, thread
from coordcell.cases.exchange_choices import CommitmentKindChoices
from coordcell.cases.exchange_forms import CloseCommitmentForm, MessageForm
from coordcell.core.errors import NotFound, ValidationFailed
from coordcell.core.forms import add_domain_errors
from coordcell.core.http import actor_for, member_required


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
