"""The record page: the latest checkpoint, who cosigned it, the witnesses, how to verify.

Reads go through ``record.selectors``; registering and retiring a witness go through
``record.services`` (a party's own cell administrators only).
"""

from __future__ import annotations

import base64
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coordcell.core.errors import PermissionDenied, ValidationFailed
from coordcell.core.forms import add_domain_errors
from coordcell.core.http import actor_for, member_required
from coordcell.core.roles import PartyKindChoices, RoleChoices
from coordcell.record import selectors, services
from coordcell.record.forms import WitnessForm
from coordcell.record.keys import log_verifiers
from coordcell.record.models import Checkpoint


def _may_manage_witnesses(actor: Any) -> bool:
    return bool(
        actor.party_id
        and actor.has_role(RoleChoices.CELL_ADMINISTRATOR)
        and actor.party_kind != PartyKindChoices.KIND_DONOR
    )


def _render(
    request: HttpRequest, form: WitnessForm | None = None, status: int = 200
) -> HttpResponse:
    actor = actor_for(request)
    latest = selectors.latest_checkpoint(actor)
    cosignatures = selectors.list_cosignatures(latest) if latest is not None else []
    cosigned_by = {c.witness_id for c in cosignatures}
    witnesses = list(selectors.list_witnesses(actor))
    recent = list(
        Checkpoint.objects.order_by("-size").prefetch_related("cosignatures__witness__party")[:10]
    )
    manage = _may_manage_witnesses(actor)
    context = {
        "latest": latest,
        "latest_root_b64": base64.b64encode(bytes.fromhex(latest.root)).decode()
        if latest is not None
        else "",
        "cosignatures": cosignatures,
        "not_cosigned": [w for w in witnesses if w.retired_at is None and w.pk not in cosigned_by],
        "witnesses": witnesses,
        "recent": recent,
        "tree_size": selectors.tree_size(),
        "log_keys": [v.vkey for v in log_verifiers()],
        "may_manage": manage,
        "own_party_id": actor.party_id,
        "form": form or (WitnessForm() if manage else None),
    }
    return render(request, "record/record.html", context, status=status)


@member_required
def record_page(request: HttpRequest) -> HttpResponse:
    return _render(request)


@member_required
@require_POST
def witness_register(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    if not _may_manage_witnesses(actor):
        raise PermissionDenied()
    form = WitnessForm(request.POST)
    if form.is_valid():
        try:
            witness = services.register_witness(actor=actor, vkey=form.cleaned_data["vkey"])
        except ValidationFailed as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Witness %(name)s registered.") % {"name": witness.name})
            return redirect("record:record")
    return _render(request, form, status=400)


@member_required
@require_POST
def witness_retire(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = actor_for(request)
    witness = selectors.get_witness(actor, str(public_id))
    try:
        services.retire_witness(actor=actor, witness=witness)
    except ValidationFailed as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Witness %(name)s retired.") % {"name": witness.name})
    return redirect("record:record")
