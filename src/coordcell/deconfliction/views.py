"""The pages of advance notification: the notices (list, one notice with its receipts and
follow-ups, a new notice in two steps: check, then confirm its warnings, its withdrawal
by its own party), the calendar of
sensitive days with its iCalendar export, the GeoJSON export of the notices the reader
may read, and the humanitarian actors. Reads and writes go through
``deconfliction.selectors`` and ``deconfliction.services`` (the same calls as the API).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coordcell.agreements import selectors as agreements
from coordcell.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from coordcell.core.forms import add_domain_errors
from coordcell.core.http import actor_for, member_required
from coordcell.core.models import localized_now
from coordcell.core.paging import paginate
from coordcell.deconfliction import selectors, services, texts
from coordcell.deconfliction.forms import HumanitarianForm, NoticeForm, WithdrawForm
from coordcell.parties import selectors as parties
from coordcell.parties.choices import PartyKindChoices
from coordcell.rules import deconfliction as rules

#: The calendar page and its export: from a month back, a year ahead.
CALENDAR_BACK_DAYS = 31
CALENDAR_AHEAD_DAYS = 366


def _for_whom(notice: Any) -> str:
    """The humanitarian actor a notice is for, in the reader's language ("" if none)."""
    return localized_now(dict(notice.humanitarian.names)) if notice.humanitarian else ""


def _version(request: HttpRequest) -> Any:
    return agreements.get_version(actor_for(request), None, None)


@member_required
def notice_list(request: HttpRequest) -> HttpResponse:
    """The notices the reader may read, and the missing notices flagged on incidents the
    reader may read."""
    actor = actor_for(request)
    version = _version(request)
    spec = services.spec_of(version)
    pager = paginate(request, selectors.list_notices(actor))
    missing = list(selectors.list_missing(actor)[:50])
    awaiting = list(selectors.awaiting_receipt(actor)[:50])
    return render(
        request,
        "deconfliction/notices.html",
        {
            "notices": [
                (n, texts.activity_name(spec, n.activity), _for_whom(n)) for n in pager.items
            ],
            "pager": pager,
            "missing": [(m, texts.activity_name(spec, m.activity)) for m in missing],
            "awaiting": [(n, texts.activity_name(spec, n.activity)) for n in awaiting],
            "may_notify": services.may_notify(actor),
            "tz": agreements.current_time_zone(actor),
            "spec": spec,
        },
    )


def _form(request: HttpRequest, actor: Any, spec: Any, zone: str) -> NoticeForm:
    mediator = actor.party_kind == PartyKindChoices.KIND_MEDIATOR
    notifier = "humanitarian" if mediator else "party"
    activities = [
        (a.id, localized_now(dict(a.name)))
        for a in (spec.activities if spec else ())
        if notifier in a.notified_by
    ]
    humanitarians = (
        [
            (str(h.public_id), localized_now(dict(h.names)))
            for h in selectors.list_humanitarians(actor)
        ]
        if mediator
        else []
    )
    others = [
        (p.code, p.name)
        for p in parties.list_parties(actor).order_by("code")
        if p.pk != actor.party_id
        and p.kind not in (PartyKindChoices.KIND_DONOR, PartyKindChoices.KIND_MEDIATOR)
    ]
    return NoticeForm(
        request.POST or None,
        activities=activities,
        humanitarians=humanitarians,
        parties=others,
        time_zone=zone,
    )


@member_required
def notice_new(request: HttpRequest) -> HttpResponse:
    """A new notice: the first submission checks it and shows its warnings (the clauses
    it would break, the sensitive days, lateness); the author then confirms. A notice
    without warnings is submitted at once."""
    actor = actor_for(request)
    if not services.may_notify(actor):
        raise PermissionDenied(
            _("Only the liaison officers and principals of a party or the mediator notify.")
        )
    version = _version(request)
    spec = services.spec_of(version)
    zone = agreements.current_time_zone(actor)
    form = _form(request, actor, spec, zone)
    warnings: list[dict[str, Any]] = []
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = dict(form.cleaned_data)
            confirm = bool(data.pop("confirm", False))
            chosen = data.pop("humanitarian", "") or None
            try:
                humanitarian = selectors.get_humanitarian(actor, chosen) if chosen else None
                draft = services.check_notice(actor, humanitarian=humanitarian, **data)
                if not draft.warnings or confirm:
                    notice = services.submit_notice(
                        actor=actor, humanitarian=humanitarian, confirm=confirm, **data
                    )
                    messages.success(request, _("Notice submitted."))
                    return redirect("deconfliction:notice", public_id=notice.public_id)
                warnings = texts.describe_warnings(draft.warnings, version)
                status = 200
            except NotFound:
                form.add_error(
                    "humanitarian", _("Choose the humanitarian actor this notice is for.")
                )
            except ValidationFailed as exc:
                add_domain_errors(form, exc)
    return render(
        request,
        "deconfliction/new.html",
        {"form": form, "warnings": warnings, "tz": zone},
        status=status,
    )


def _render_notice(
    request: HttpRequest, notice: Any, form: WithdrawForm | None = None, status: int = 200
) -> HttpResponse:
    actor = actor_for(request)
    spec = services.spec_of(notice.version)
    # The withdrawal's form, for the notifying party's own people while it may be withdrawn.
    withdrawable = (
        services.may_withdraw(actor, notice)
        and notice.withdrawn_at is None
        and notice.ends_at > timezone.now()
    )
    return render(
        request,
        "deconfliction/notice.html",
        {
            "notice": notice,
            "activity": texts.activity_name(spec, notice.activity),
            "for_whom": _for_whom(notice),
            "receipts": selectors.receipts_of(notice),
            "pending": selectors.pending_receipt(actor, notice),
            "warnings": texts.describe_warnings(notice.warnings, notice.version),
            "follow_ups": selectors.follow_ups_of(actor, notice),
            "geometry": json.dumps(notice.geometry) if notice.geometry else "",
            "tz": agreements.current_time_zone(actor),
            # A refused withdrawal's form is shown with its errors, even when the window
            # ended meanwhile (the error says so).
            "withdraw_form": form if form is not None else WithdrawForm() if withdrawable else None,
        },
        status=status,
    )


@member_required
def notice_page(request: HttpRequest, public_id: Any) -> HttpResponse:
    """One notice the reader may read (404 otherwise), with its receipts, the warnings its
    author confirmed, the follow-up cases the reader may read, and its withdrawal (when
    and why) or the form that withdraws it, for those who may."""
    return _render_notice(request, selectors.get_notice(actor_for(request), public_id))


@member_required
@require_POST
def notice_acknowledge(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = actor_for(request)
    notice = selectors.get_notice(actor, public_id)
    try:
        services.acknowledge(actor=actor, notice=notice)
    except ValidationFailed as exc:
        for problems in exc.fields.values():
            for problem in problems:
                messages.error(request, problem)
    except Conflict as exc:  # withdrawn meanwhile
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Receipt sent: your party acknowledged the notice."))
    return redirect("deconfliction:notice", public_id=notice.public_id)


@member_required
@require_POST
def notice_withdraw(request: HttpRequest, public_id: Any) -> HttpResponse:
    """The notifying party withdraws its notice, with its reason (``withdraw_notice``)."""
    actor = actor_for(request)
    notice = selectors.get_notice(actor, public_id)
    if not services.may_withdraw(actor, notice):
        raise PermissionDenied(services.MAY_NOT_WITHDRAW)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            services.withdraw_notice(actor=actor, notice=notice, **form.cleaned_data)
        except ValidationFailed as exc:
            add_domain_errors(form, exc)
        except Conflict as exc:  # withdrawn meanwhile: the page shows it so
            messages.error(request, str(exc.message))
            return redirect("deconfliction:notice", public_id=notice.public_id)
        else:
            messages.success(request, _("Notice withdrawn: its readers see it withdrawn."))
            return redirect("deconfliction:notice", public_id=notice.public_id)
    return _render_notice(request, notice, form, status=400)


#: The most access windows the calendar and its export show.
CALENDAR_MAX_WINDOWS = 500


def _calendar(request: HttpRequest) -> tuple[Any, list[rules.Occurrence], str]:
    actor = actor_for(request)
    version = _version(request)
    spec = services.spec_of(version)
    zone = agreements.current_time_zone(actor)
    start, end = _calendar_days(zone)
    days = list(rules.occurrences(spec.sensitive_days, start, end)) if spec else []
    return version, days, zone


def _calendar_days(zone: str) -> tuple[dt.date, dt.date]:
    today = timezone.now().astimezone(ZoneInfo(zone)).date()
    return today - dt.timedelta(days=CALENDAR_BACK_DAYS), today + dt.timedelta(
        days=CALENDAR_AHEAD_DAYS
    )


def _windows(request: HttpRequest, zone: str) -> list[Any]:
    """The granted access windows the reader may read over the calendar's days."""
    start, end = _calendar_days(zone)
    tz = ZoneInfo(zone)
    since = dt.datetime.combine(start, dt.time.min, tz)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tz)
    return list(selectors.access_windows(actor_for(request), since, until)[:CALENDAR_MAX_WINDOWS])


@member_required
def calendar_page(request: HttpRequest) -> HttpResponse:
    """The sensitive days (the arrangement's data), from a month ago to a year ahead, and
    the agreed list of notifiable activities with its version."""
    version, days, zone = _calendar(request)
    spec = services.spec_of(version)
    activities = [(a, localized_now(dict(a.name))) for a in (spec.activities if spec else ())]
    return render(
        request,
        "deconfliction/calendar.html",
        {
            "days": [texts.occurrence_row(o) for o in days],
            "windows": _windows(request, zone),
            "activities": activities,
            "spec": spec,
            "tz": zone,
        },
    )


@member_required
def calendar_ics(request: HttpRequest) -> HttpResponse:
    """The same sensitive days, and the access windows the reader may read, as an
    iCalendar file (RFC 5545)."""
    version, days, zone = _calendar(request)
    body = texts.calendar_ics(
        days,
        key=version.arrangement.key,
        stamp=timezone.now(),
        host="coordcell",
        windows=_windows(request, zone),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="sensitive-days.ics"'
    return response


@member_required
def notices_geojson(request: HttpRequest) -> HttpResponse:
    """Every notice the reader may read, as a GeoJSON FeatureCollection (nothing else:
    no count of the others)."""
    actor = actor_for(request)
    spec = services.spec_of(_version(request))
    features = [
        texts.feature_of(n, spec) for n in selectors.list_notices(actor).order_by("starts_at", "pk")
    ]
    body = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)
    response = HttpResponse(body, content_type="application/geo+json")
    response["Content-Disposition"] = 'attachment; filename="notices.geojson"'
    return response


@member_required
def humanitarian_page(request: HttpRequest) -> HttpResponse:
    """The humanitarian actors the cell registered; the mediator registers one."""
    actor = actor_for(request)
    may = actor.party_kind == PartyKindChoices.KIND_MEDIATOR and services.may_notify(actor)
    form = HumanitarianForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not may:
            raise PermissionDenied(_("Only the mediator registers humanitarian actors."))
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.register_humanitarian(
                    actor=actor,
                    names={"en": data["name_en"], "ar": data["name_ar"], "he": data["name_he"]},
                )
            except ValidationFailed as exc:
                add_domain_errors(form, exc)
            else:
                messages.success(request, _("Humanitarian actor registered."))
                return redirect("deconfliction:humanitarian")
    pager = paginate(request, selectors.list_humanitarians(actor))
    return render(
        request,
        "deconfliction/humanitarian.html",
        {
            "form": form,
            "may_register": may,
            "actors": [(h, localized_now(dict(h.names))) for h in pager.items],
            "pager": pager,
            "tz": agreements.current_time_zone(actor),
        },
        status=status,
    )
