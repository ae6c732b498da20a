"""The duty roster page (a party's own hotline desk roster and contact tree) and the
shift handover page and the communications checks.

Reads and writes go through ``cases.roster``, ``cases.handover`` and ``cases.comms``
(the same calls as the API).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coordcell.agreements import selectors as agreements
from coordcell.cases import comms, handover, roster
from coordcell.cases.choices import ChannelChoices
from coordcell.cases.exchange_forms import CheckForm, HandoverForm, ShiftForm
from coordcell.core.errors import PermissionDenied, ValidationFailed
from coordcell.core.forms import add_domain_errors
from coordcell.core.http import actor_for, member_required
from coordcell.core.paging import paginate
from coordcell.parties import selectors as parties
from coordcell.parties.choices import PartyKindChoices


@member_required
def roster_page(request: HttpRequest) -> HttpResponse:
    """The reader's own party's duty roster (only its administrators and principals edit
    it), and who is on duty now on every desk the reader may see."""
    actor = actor_for(request)
    zone = agreements.current_time_zone(actor)
    may_keep = roster.may_keep_roster(actor)
    form = ShiftForm(
        request.POST or None,
        call_signs=parties.active_call_signs(actor.party_id) if actor.party_id else [],
        channels=list(ChannelChoices.choices()),
        time_zone=zone,
    )
    status = 200
    if request.method == "POST":
        if not may_keep:
            raise PermissionDenied(
                _("Only the party's own cell administrators and principals keep its duty roster.")
            )
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                roster.set_shift(actor=actor, **data)
            except ValidationFailed as exc:
                add_domain_errors(form, exc)
            else:
                messages.success(request, _("Shift added to the roster."))
                return redirect("cases:roster")
    pager = paginate(request, roster.list_shifts(actor))
    return render(
        request,
        "cases/roster.html",
        {
            "form": form,
            "may_keep": may_keep,
            "shifts": pager.items,
            "pager": pager,
            "on_duty": roster.on_duty_now(actor),
            "now": timezone.now(),
            "tz": zone,
        },
        status=status,
    )


@member_required
@require_POST
def roster_remove(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = actor_for(request)
    shift = roster.get_shift(actor, public_id)
    roster.remove_shift(actor=actor, shift=shift)
    messages.success(request, _("Shift removed from the roster."))
    return redirect("cases:roster")


def _timed(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of a handover note with their ISO times as datetimes, for ``local_time``."""
    return [
        {
            **row,
            **{
                k: dt.datetime.fromisoformat(v)
                for k, v in row.items()
                if k.endswith("_at") and isinstance(v, str)
            },
        }
        for row in rows
    ]


@member_required
def handover_page(request: HttpRequest) -> HttpResponse:
    """The party's shift handovers (its own only), and the outgoing officer's note,
    prefilled with the calls and commitments the thread holds open."""
    actor = actor_for(request)
    may = handover.may_hand_over(actor)
    form = HandoverForm(
        request.POST or None,
        call_signs=parties.active_call_signs(actor.party_id) if actor.party_id else [],
    )
    status = 200
    if request.method == "POST":
        if not may:
            raise PermissionDenied(
                _("Only a party's liaison officers and principals hand over a shift.")
            )
        status = 400
        if form.is_valid():
            try:
                handover.hand_over(
                    actor=actor,
                    incoming_call_sign=form.cleaned_data["incoming_call_sign"],
                    text=form.cleaned_data["text"],
                )
            except ValidationFailed as exc:
                add_domain_errors(form, exc)
            else:
                messages.success(request, _("Handover recorded."))
                return redirect("cases:handover")
    calls, promises = handover.prefill(actor) if may else ([], [])
    pager = paginate(request, handover.list_handovers(actor))
    return render(
        request,
        "cases/handover.html",
        {
            "form": form,
            "may_hand_over": may,
            "open_calls": _timed(calls),
            "open_commitments": _timed(promises),
            "handovers": [
                (h, _timed(h.open_calls), _timed(h.open_commitments)) for h in pager.items
            ],
            "pager": pager,
            "mine": parties.own_call_signs(actor.user, actor.party_id) if actor.party_id else [],
            "tz": agreements.current_time_zone(actor),
        },
        status=status,
    )


@member_required
@require_POST
def handover_acknowledge(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = actor_for(request)
    note = handover.get_handover(actor, public_id)
    try:
        handover.acknowledge(actor=actor, handover=note)
    except ValidationFailed as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Handover acknowledged."))
    return redirect("cases:handover")


def _check_targets(actor: Any) -> list[tuple[str, str]]:
    return [
        (p.code, p.name)
        for p in parties.list_parties(actor)
        if p.pk != actor.party_id
        and p.kind in (PartyKindChoices.KIND_PARTY, PartyKindChoices.KIND_MEDIATOR)
    ]


@member_required
def checks_page(request: HttpRequest) -> HttpResponse:
    """The day's communications checks per link (both ends and the mediators read them);
    send one, answer one sent to one's party."""
    actor = actor_for(request)
    may = comms.may_check(actor)
    form = CheckForm(request.POST or None, targets=_check_targets(actor))
    status = 200
    if request.method == "POST":
        if not may:
            raise PermissionDenied(comms.MAY_NOT_CHECK)
        status = 400
        if form.is_valid():
            try:
                comms.send_check(
                    actor=actor,
                    to_party=parties.access_party(actor, form.cleaned_data["to_party"]),
                    version=agreements.get_version(actor, None, None),
                )
            except ValidationFailed as exc:
                add_domain_errors(form, exc, {"protocol": "to_party"})
            else:
                messages.success(request, _("Communications check sent."))
                return redirect("cases:checks")
    try:
        day = dt.date.fromisoformat(request.GET.get("day") or "")
    except ValueError:
        day = timezone.now().date()
    links: dict[tuple[str, str], list[Any]] = {}
    for check in comms.list_checks(actor, day)[:500]:
        ends = sorted([check.from_party.name, check.to_party.name])
        links.setdefault((ends[0], ends[1]), []).append(check)
    return render(
        request,
        "cases/checks.html",
        {
            "form": form,
            "may_check": may,
            "links": sorted(links.items()),
            "day": day,
            "own_party_id": actor.party_id,
            "now": timezone.now(),
            "tz": agreements.current_time_zone(actor),
        },
        status=status,
    )


@member_required
@require_POST
def check_answer(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = actor_for(request)
    check = comms.get_check(actor, public_id)
    try:
        comms.answer_check(actor=actor, check=check)
    except ValidationFailed as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Communications check answered."))
    return redirect("cases:checks")
