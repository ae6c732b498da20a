"""The verification pages: the withdrawal timeline with its burndown, a step with its
outcome history (countersigning, verification, suspension, extensions), the inspections
schedule with requests and reports, the report form, a report with its findings, and
access denials. Reads and writes go through ``verification.selectors`` and the services
the API calls (``verification.timeline``, ``verification.inspections``)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from coordcell.agreements import selectors as agreements
from coordcell.agreements.engines import engine_for
from coordcell.core.actor import Actor
from coordcell.core.errors import PermissionDenied, ValidationFailed
from coordcell.core.forms import add_domain_errors
from coordcell.core.http import actor_for, member_required
from coordcell.core.models import localized_now
from coordcell.core.paging import paginate
from coordcell.positions import selectors as positions
from coordcell.rules.geojson_input import GeometryError, normalise_geometry
from coordcell.verification import burndown, forms, inspections, selectors, timeline
from coordcell.verification.findings import explainer
from coordcell.verification.positions_link import positions_shown, shown_positions


def _context(actor: Actor) -> dict[str, Any]:
    version = agreements.get_version(actor, None, None)
    arrangement = engine_for(version).arrangement
    return {
        "version": version,
        "tz": agreements.current_time_zone(actor),
        "zones": agreements.zone_names(actor, version),
        "party_names": {p.code: localized_now(dict(p.name)) for p in arrangement.parties},
        "now": timezone.now(),
    }


def _sides(version: Any) -> list[tuple[str, str]]:
    arrangement = engine_for(version).arrangement
    return [(p.code, localized_now(dict(p.name))) for p in arrangement.parties if p.kind == "party"]


def _propose_form(request: HttpRequest, actor: Actor, base: dict[str, Any]) -> forms.ProposeForm:
    arrangement = engine_for(base["version"]).arrangement
    clauses = [
        (c.id, f"{c.id} — {localized_now(dict(c.title))}")
        for c in arrangement.clauses
        if c.kind == "withdrawal"
    ]
    zones = [(z.id, base["zones"].get(z.id, z.id)) for z in arrangement.zones if z.kind == "area"]
    held = [
        (str(p.public_id), f"{p.party.code}: {p.reference} {p.name}")
        for p in positions.list_positions(actor).order_by("party__code", "reference")[:500]
    ]
    monitors = [
        (p.code, localized_now(dict(p.name))) for p in arrangement.parties if p.kind == "monitor"
    ]
    return forms.ProposeForm(
        request.POST or None,
        clauses=clauses,
        parties=_sides(base["version"]),
        zones=zones,
        positions=held,
        monitors=monitors,
        time_zone=base["tz"],
    )


@member_required
def timeline_page(request: HttpRequest) -> HttpResponse:
    """The withdrawal timeline: every step the reader may see, its burndown per party,
    and the mediator's proposal of a linked pair."""
    actor = actor_for(request)
    base = _context(actor)
    may_propose = timeline.may_propose(actor)
    form = _propose_form(request, actor, base) if may_propose else None
    status = 200
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(timeline.MAY_NOT_PROPOSE)
        status = 400
        if form.is_valid():
            try:
                first, _second = timeline.propose_steps(
                    actor=actor,
                    version=base["version"],
                    clause=form.cleaned_data["clause"],
                    first=form.side("first"),
                    second=form.side("second"),
                )
            except ValidationFailed as exc:
                add_domain_errors(form, exc, aliases={
                    f"{s}.{f}": f"{s}_{f}" for s in ("first", "second")
                    for f in ("party", "sequence", "title", "zones", "positions", "due_at")
                })  # fmt: skip
            else:
                messages.success(
                    request, _("Steps proposed: both parties are to countersign them.")
                )
                return redirect("verification:step", first.public_id)
    steps = selectors.list_steps(actor).prefetch_related("signatures")
    pager = paginate(request, steps)
    return render(
        request,
        "verification/timeline.html",
        {
            **base,
            "steps": pager.items,
            "pager": pager,
            "charts": burndown.charts(actor, steps, zone_name=base["tz"]),
            "form": form,
            "sizes": {"width": burndown.WIDTH, "height": burndown.HEIGHT},
        },
        status=status,
    )


def _step_forms(
    request: HttpRequest, actor: Actor, step: Any, base: dict[str, Any]
) -> dict[str, Any]:
    action = request.POST.get("action") if request.method == "POST" else None
    reports = [
        (str(r.public_id), f"{r.reference} ({base['zones'].get(r.zone, r.zone)})")
        for r in selectors.list_reports(actor).filter(zone__in=list(step.zones))[:50]
    ]
    return {
        "verify": forms.VerifyForm(request.POST if action == "verify" else None, reports=reports),
        "suspend": forms.SuspendForm(request.POST if action == "suspend" else None),
        "extend": forms.ExtensionForm(
            request.POST if action == "extend" else None, time_zone=base["tz"]
        ),
    }


@member_required
def step_page(request: HttpRequest, public_id: Any) -> HttpResponse:
    """One step: its link, areas (and positions, for those entitled), deadline, outcome
    history, countersignatures and extensions; the actions the reader may take."""
    actor = actor_for(request)
    step = selectors.get_step(actor, public_id)
    base = _context(actor)
    step_forms = _step_forms(request, actor, step, base)
    status = 200
    if request.method == "POST":
        status = 400
        try:
            done = _act(request, actor, step, step_forms)
        except ValidationFailed as exc:
            action = request.POST.get("action", "")
            if action in step_forms:
                add_domain_errors(step_forms[action], exc)
            else:
                messages.error(request, " ".join(m for ms in exc.fields.values() for m in ms))
        else:
            if done:
                messages.success(request, done)
                return redirect("verification:step", step.public_id)
    step = selectors.get_step(actor, public_id)
    signers = timeline.signers_of(step)
    signed = {s.party.code for s in step.signatures.all() if s.extension_id is None}
    return render(
        request,
        "verification/step.html",
        {
            **base,
            "step": step,
            "positions": shown_positions(actor, step),
            "positions_hidden": bool(step.positions) and not positions_shown(actor, step),
            "deadlines": selectors.outcome_history(step),
            "extensions": selectors.extensions_of(step),
            "signers": signers,
            "signed": signed,
            "may_sign": timeline.may_sign(actor) and actor.party_code in signers,
            "may_verify": inspections.may_inspect(actor)
            and (step.verifier_id is None or step.verifier_id == actor.party_id),
            "may_mediate": timeline.may_propose(actor),
            "forms": step_forms,
        },
        status=status,
    )


def _act(request: HttpRequest, actor: Actor, step: Any, step_forms: dict[str, Any]) -> str:
    """Take the action the form posted; return the message to show ("" when the form
    itself is invalid, which is shown on it)."""
    action = request.POST.get("action")
    if action == "countersign":
        timeline.countersign_steps(actor=actor, step=step)
        return _("Countersigned.")
    if action == "sign_extension":
        extension = selectors.get_extension(actor, step.public_id, request.POST.get("extension"))
        timeline.countersign_extension(actor=actor, extension=extension)
        return _("Extension countersigned.")
    form = step_forms.get(action or "")
    if form is None or not form.is_valid():
        if form is None:
            raise ValidationFailed(_("Unknown action."))
        return ""
    data = form.cleaned_data
    if action == "verify":
        report = selectors.get_report(actor, data["report"]) if data["report"] else None
        timeline.verify_step(
            actor=actor, step=step, outcome=data["outcome"], note=data["note"], report=report
        )
        return _("Verification recorded.")
    if action == "suspend":
        timeline.suspend_step(actor=actor, step=step, note=data["note"])
        return _("Step suspended pending the linked step.")
    timeline.propose_extension(
        actor=actor, step=step, new_due_at=form.instant("new_due_at"), reason=data["reason"]
    )
    return _("Extension proposed: both parties are to countersign it.")


def _request_zones(version: Any, names: dict[str, str]) -> list[tuple[str, str]]:
    zones: list[str] = []
    for clause in inspections.inspection_clauses(version):
        if clause.parameters.get("on_request"):
            zones += [z for z in clause.zones if z not in zones]
    return [(z, names.get(z, z)) for z in zones]


@member_required
def inspections_page(request: HttpRequest) -> HttpResponse:
    """The schedule (due and overdue), open requests, a party's request, the reports."""
    actor = actor_for(request)
    base = _context(actor)
    may_request = inspections.may_request(actor)
    form = (
        forms.RequestForm(
            request.POST or None, zones=_request_zones(base["version"], base["zones"])
        )
        if may_request
        else None
    )
    status = 200
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(inspections.MAY_NOT_REQUEST)
        status = 400
        if form.is_valid():
            try:
                inspections.request_inspection(
                    actor=actor, version=base["version"], **form.cleaned_data
                )
            except ValidationFailed as exc:
                add_domain_errors(form, exc)
            else:
                messages.success(request, _("Inspection requested."))
                return redirect("verification:inspections")
    pager = paginate(request, selectors.list_reports(actor))
    return render(
        request,
        "verification/inspections.html",
        {
            **base,
            "schedule": selectors.schedule(actor, base["version"]),
            "requests": selectors.open_requests(actor),
            "reports": pager.items,
            "pager": pager,
            "form": form,
            "may_inspect": inspections.may_inspect(actor),
        },
        status=status,
    )


@member_required
def report_new(request: HttpRequest) -> HttpResponse:
    """A monitor's report of an inspection, by element."""
    actor = actor_for(request)
    if not inspections.may_inspect(actor):
        raise PermissionDenied(inspections.MAY_NOT_INSPECT)
    base = _context(actor)
    zones: list[str] = []
    for clause in inspections.inspection_clauses(base["version"]):
        zones += [z for z in clause.zones if z not in zones]
    open_requests = [
        (str(r.public_id), f"{base['zones'].get(r.zone, r.zone)} — {r.party.code}")
        for r in selectors.open_requests(actor)[:50]
    ]
    form = forms.ReportForm(
        request.POST or None,
        zones=[(z, base["zones"].get(z, z)) for z in zones],
        parties=_sides(base["version"]),
        requests=open_requests,
        time_zone=base["tz"],
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                answered = (
                    selectors.get_request(actor, data["request"]) if data["request"] else None
                )
                report = inspections.file_report(
                    actor=actor,
                    version=base["version"],
                    zone=data["zone"],
                    inspected_at=form.instant("inspected_at"),  # type: ignore[arg-type]
                    holdings=form.holdings(),
                    summary=data["summary"],
                    request=answered,
                )
            except ValidationFailed as exc:
                add_domain_errors(form, exc)
            else:
                messages.success(request, _("Report filed."))
                return redirect("verification:report", report.public_id)
    return render(request, "verification/report_form.html", {**base, "form": form}, status=status)


@member_required
def report_page(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = actor_for(request)
    report = selectors.get_report(actor, public_id)
    explain = explainer(report)
    findings = [{**f, "message": explain(f)} for f in report.findings]
    return render(
        request,
        "verification/report.html",
        {**_context(actor), "report": report, "findings": findings},
    )


@member_required
def denials_page(request: HttpRequest) -> HttpResponse:
    """Access denials and restrictions of movement; a monitor records one."""
    actor = actor_for(request)
    base = _context(actor)
    may_record = inspections.may_inspect(actor)
    form = (
        forms.DenialForm(
            request.POST or None, parties=_sides(base["version"]), time_zone=base["tz"]
        )
        if may_record
        else None
    )
    status = 200
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(inspections.MAY_NOT_INSPECT)
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                place = normalise_geometry(
                    {"type": "Point", "coordinates": [data["lon"], data["lat"]]}
                )
            except GeometryError:
                form.add_error(
                    "lon", _("The place is not a valid point inside the arrangement's region.")
                )
            else:
                try:
                    inspections.record_denial(
                        actor=actor,
                        version=base["version"],
                        kind=data["kind"],
                        place=place,
                        occurred_at=form.instant("occurred_at"),  # type: ignore[arg-type]
                        description=data["description"],
                        party=data["party"],
                    )
                except ValidationFailed as exc:
                    add_domain_errors(form, exc, aliases={"place": "lon"})
                else:
                    messages.success(request, _("Recorded."))
                    return redirect("verification:denials")
    pager = paginate(request, selectors.list_denials(actor))
    return render(
        request,
        "verification/denials.html",
        {**base, "denials": pager.items, "pager": pager, "form": form},
        status=status,
    )
