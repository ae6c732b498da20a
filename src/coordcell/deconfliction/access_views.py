"""The pages of access requests: the list (those awaiting the reader's party's answer
first), a new request, one request with its receipt and its answer. Reads go through
``deconfliction.selectors`` (a request the reader may not read answers 404 like a
missing one), writes through ``deconfliction.access`` (the API's calls)."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coordcell.agreements import selectors as agreements
from coordcell.core.errors import PermissionDenied, ValidationFailed
from coordcell.core.forms import add_domain_errors
from coordcell.core.http import actor_for, member_required
from coordcell.core.paging import paginate
from coordcell.deconfliction import access, selectors
from coordcell.deconfliction.access_forms import AccessAnswerForm, AccessRequestForm
from coordcell.deconfliction.choices import (
    AccessAnswerChoices,
    AccessPurposeChoices,
    RequesterKindChoices,
)
from coordcell.parties import selectors as parties
from coordcell.parties.choices import PartyKindChoices

__all__ = ["access_acknowledge", "access_answer", "access_list", "access_new", "access_page"]


def _labels(row: Any) -> dict[str, Any]:
    return {
        "row": row,
        "kind": RequesterKindChoices.label(row.requester_kind),
        "purpose": AccessPurposeChoices.label(row.purpose),
        "answer": AccessAnswerChoices.label(row.answer) if row.answer else "",
        "colour": AccessAnswerChoices.colour(row.answer) if row.answer else "grey",
    }


@member_required
def access_list(request: HttpRequest) -> HttpResponse:
    """The access requests the reader may read, newest first, a page at a time."""
    actor = actor_for(request)
    pager = paginate(request, selectors.list_access(actor))
    awaiting = list(selectors.awaiting_answer(actor)[:50])
    return render(
        request,
        "deconfliction/access_list.html",
        {
            "rows": [_labels(r) for r in pager.items],
            "pager": pager,
            "awaiting": [_labels(r) for r in awaiting],
            "may_request": access.may_request(actor),
            "tz": agreements.current_time_zone(actor),
        },
    )


def _others(actor: Any) -> list[tuple[str, str]]:
    return [
        (p.code, p.name)
        for p in parties.list_parties(actor).order_by("code")
        if p.pk != actor.party_id and p.kind == PartyKindChoices.KIND_PARTY
    ]


@member_required
def access_new(request: HttpRequest) -> HttpResponse:
    """Ask another party for a civilian's access to land near the lines."""
    actor = actor_for(request)
    if not access.may_request(actor):
        raise PermissionDenied(
            _("Only a party's liaison officers and principals request access for its civilians.")
        )
    zone = agreements.current_time_zone(actor)
    form = AccessRequestForm(request.POST or None, parties=_others(actor), time_zone=zone)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                row = access.request_access(actor=actor, **form.cleaned_data)
            except ValidationFailed as exc:
                add_domain_errors(form, exc)
            else:
                messages.success(request, _("Access requested."))
                return redirect("deconfliction:access", public_id=row.public_id)
    return render(
        request, "deconfliction/access_new.html", {"form": form, "tz": zone}, status=status
    )


def _escorts(actor: Any, row: Any) -> list[tuple[str, str]]:
    readers = set(row.audience_codes)
    return [
        (p.code, p.name)
        for p in parties.list_parties(actor).order_by("code")
        if p.code in readers and p.kind != PartyKindChoices.KIND_DONOR
    ]


def _render(
    request: HttpRequest, row: Any, form: AccessAnswerForm | None = None, status: int = 200
) -> HttpResponse:
    actor = actor_for(request)
    zone = agreements.current_time_zone(actor)
    answering = (
        not row.answer
        and actor.party_id == row.answering_party_id
        and access.may_request(actor)  # the party's liaison officers and principals
    )
    if form is None and answering:
        form = AccessAnswerForm(escorts=_escorts(actor, row), time_zone=zone)
    names = {p.code: p.name for p in parties.list_parties(actor)}
    return render(
        request,
        "deconfliction/access.html",
        {
            **_labels(row),
            "geometry": json.dumps(row.geometry),
            "form": form if answering else None,
            "may_acknowledge": answering and row.received_at is None,
            "escort_name": names.get(row.escort_by, row.escort_by),
            "tz": zone,
        },
        status=status,
    )


@member_required
def access_page(request: HttpRequest, public_id: Any) -> HttpResponse:
    """One access request the reader may read (404 otherwise)."""
    return _render(request, selectors.get_access(actor_for(request), public_id))


@member_required
@require_POST
def access_acknowledge(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = actor_for(request)
    row = selectors.get_access(actor, public_id)
    try:
        access.acknowledge_access(actor=actor, request=row)
    except ValidationFailed as exc:
        for problems in exc.fields.values():
            for problem in problems:
                messages.error(request, problem)
    else:
        messages.success(request, _("Receipt sent: your party acknowledged the request."))
    return redirect("deconfliction:access", public_id=row.public_id)


@member_required
@require_POST
def access_answer(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = actor_for(request)
    row = selectors.get_access(actor, public_id)
    zone = agreements.current_time_zone(actor)
    form = AccessAnswerForm(request.POST, escorts=_escorts(actor, row), time_zone=zone)
    if form.is_valid():
        try:
            access.answer_access(actor=actor, request=row, **form.cleaned_data)
        except ValidationFailed as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Your party's answer is sent."))
            return redirect("deconfliction:access", public_id=row.public_id)
    return _render(request, row, form, status=400)
