"""The case pages: the board of open cases by deadline, the inbox, a case with its
timeline and actions, the form to lodge a complaint, and a case's chain as JSON.

The board, the inbox and the hotline's activations are shown a page at a time
(``core.paging``), in the order the database gives.

Reads go through ``cases.selectors`` (a case outside the reader's audience answers 404,
like a missing one); writes go through ``cases.services`` and ``incidents.services``.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coordcell.agreements import selectors as agreements
from coordcell.agreements.engines import (
    actor_choices,
    clause_coverage,
    engine_for,
    explain_findings,
    kind_choices,
    reported_actor,
)
from coordcell.cases import (
    determinations,
    hotline,
    lodging,
    releases,
    roster,
    selectors,
    services,
)
from coordcell.cases.chain import case_chain
from coordcell.cases.choices import DeadlineStateChoices, ExtensionStateChoices
from coordcell.cases.exchange_forms import CallForm
from coordcell.cases.forms import (
    AccountForm,
    AnswerForm,
    DeterminationForm,
    IncidentForm,
    InquiryForm,
    LinkForm,
    LodgeForm,
    StepForm,
    VerificationForm,
)
from coordcell.cases.harm_views import harm_context
from coordcell.cases.scorecard import WINDOWS, scorecard
from coordcell.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from coordcell.core.forms import add_domain_errors
from coordcell.core.http import actor_for, member_required
from coordcell.core.paging import paginate
from coordcell.incidents import selectors as incident_selectors
from coordcell.incidents import services as incident_services
from coordcell.incidents.escrow import ESCROW_CLAUSE_KINDS
from coordcell.incidents.evidence import (
    add_evidence,
    evidence_response,
    open_evidence,
    open_original,
)
from coordcell.parties import selectors as parties
from coordcell.parties.choices import PartyKindChoices, RoleChoices
from coordcell.rules import workflow
from coordcell.rules.determinations import DECIDERS, DeterminationSpec
from coordcell.rules.mechanism import MECHANISM


def _may_inquire(actor: Any) -> bool:
    """The mediator's officers and the monitors open inquiries of their own motion."""
    if actor.party_kind == PartyKindChoices.KIND_MEDIATOR:
        return any(actor.has_role(r) for r in services.ACTING_ROLES)
    return bool(
        actor.party_kind == PartyKindChoices.KIND_MONITOR and actor.has_role(RoleChoices.MONITOR)
    )


@member_required
def inquiry(request: HttpRequest) -> HttpResponse:
    """Open an inquiry of one's own motion (the mediator or a monitor)."""
    actor = actor_for(request)
    if not _may_inquire(actor):
        raise PermissionDenied()
    incidents = list(incident_selectors.list_incidents(actor)[:100])
    headlines = incident_selectors.Headlines()  # never a party's own title
    form = InquiryForm(
        request.POST or None,
        incidents=[(str(i.public_id), f"{i.reference} — {headlines.of(i)}") for i in incidents],
        respondents=[
            (p.code, p.name)
            for p in parties.list_parties(actor)
            if p.kind == PartyKindChoices.KIND_PARTY
        ],
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                case = services.open_inquiry(
                    actor=actor,
                    incident=incident_selectors.get_incident(actor, data["incident"]),
                    respondent=data["respondent"],
                    summary=data["summary"],
                )
            except ValidationFailed as exc:
                add_domain_errors(form, exc, {"audience": "incident", "protocol": "incident"})
            else:
                messages.success(request, _("Inquiry %(ref)s opened.") % {"ref": case.reference})
                return redirect("cases:case", public_id=case.public_id)
    return render(request, "cases/inquiry.html", {"form": form}, status=status)


@member_required
def board(request: HttpRequest) -> HttpResponse:
    """Open cases the reader may see: those at the top of their ladder pinned first,
    then the next deadline first (the mediator's board)."""
    actor = actor_for(request)
    show_all = request.GET.get("all") == "1"
    cases = selectors.board_cases(actor, open_only=not show_all)
    pager = paginate(request, cases)
    headlines = incident_selectors.Headlines()
    items = pager.items
    for case in items:  # generated, never the complainant's words
        case.headline = headlines.html(case.incident)
    return render(
        request,
        "cases/board.html",
        {
            "cases": items,
            "pager": pager,
            "show_all": show_all,
            "unread": selectors.unread_count(actor),
            "may_lodge": _may_lodge(actor),
            "may_read_scorecard": releases.may_read_scorecard(actor),
            "may_inquire": _may_inquire(actor),
            "now": timezone.now(),
            "tz": _time_zone(actor),
        },
    )


def _time_zone(actor: Any) -> str:
    """The current arrangement's time zone (UTC when none is loaded)."""
    try:
        return agreements.get_version(actor, None, None).time_zone
    except NotFound:
        return "UTC"


@member_required
def inbox(request: HttpRequest) -> HttpResponse:
    """The reader's own inbox; POST marks everything read."""
    actor = actor_for(request)
    if request.method == "POST":
        services.mark_read(actor=actor)
        return redirect("cases:inbox")
    pager = paginate(request, selectors.list_notifications(actor))
    return render(
        request,
        "cases/inbox.html",
        {"items": pager.items, "pager": pager, "now": timezone.now()},
    )


def _may_lodge(actor: Any) -> bool:
    return bool(
        actor.party_kind == PartyKindChoices.KIND_PARTY
        and (actor.has_role(RoleChoices.LIAISON_OFFICER) or actor.has_role(RoleChoices.PRINCIPAL))
    )


def _respondents(actor: Any, version: Any, activation: Any = None) -> list[tuple[str, str]]:
    """Whom a complaint may be about: the other parties, and the mechanism itself where
    the door's protocol takes complaints addressed to it (``addressed_to``)."""
    choices = [
        (p.code, p.name)
        for p in parties.list_parties(actor).filter(kind=PartyKindChoices.KIND_PARTY)
        if p.code != actor.party_code
    ]
    door = services.HOTLINE if activation is not None else services.COMPLAINTS
    try:
        protocol = services.protocol_serving(
            activation.version if activation is not None else version, door
        )
    except ValidationFailed:
        return choices
    if protocol.to_mechanism:
        choices.append((MECHANISM, _("The mechanism itself")))
    return choices


def _precedences(version: Any, activation: Any = None) -> list[tuple[str, str]]:
    """The door's protocol's precedences (code, name), highest first."""
    door = services.HOTLINE if activation is not None else services.COMPLAINTS
    try:
        protocol = services.protocol_serving(
            activation.version if activation is not None else version, door
        )
    except ValidationFailed:
        return []
    return [(p["code"], p["label"] or p["code"]) for p in protocol.localized_precedence]


@member_required
def lodge(request: HttpRequest) -> HttpResponse:
    """Report the incident and lodge the complaint about it, in one form."""
    actor = actor_for(request)
    if not _may_lodge(actor):
        return render(
            request,
            "cases/lodge_refused.html",
            {
                "own_party_lodges": actor.party_kind == PartyKindChoices.KIND_PARTY,
                "may_call": hotline.may_call(actor),
            },
            status=403,
        )
    version = agreements.get_version(actor, None, None)
    activation = None
    if request.GET.get("activation"):
        activation = selectors.get_activation(actor, request.GET["activation"])
    initial = {"summary": activation.subject} if activation is not None else None
    form = LodgeForm(
        request.POST or None,
        respondents=_respondents(actor, version, activation),
        precedences=_precedences(version, activation),
        initial=initial,
        time_zone=version.time_zone,
        actors=actor_choices(engine_for(version)),
        kinds=kind_choices(engine_for(version)),
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                case = lodging.report_and_lodge(
                    actor=actor,
                    version=version,
                    incident=_incident_input(data),
                    respondent=data["respondent"],
                    summary=data["summary"],
                    activation=activation,
                    nature=data.get("nature") or "complaint",
                    precedence=data.get("precedence") or "",
                )
            except ValidationFailed as exc:
                add_domain_errors(
                    form,
                    exc,
                    {"geometry": "lat", "incident": "title", "audience": "respondent", **_ACTOR},
                )
            else:
                messages.success(request, _("Complaint %(ref)s lodged.") % {"ref": case.reference})
                return redirect("cases:case", public_id=case.public_id)
    return render(
        request,
        "cases/lodge.html",
        {"form": form, "picker_config": _picker_config(version), "activation": activation},
        status=status,
    )


def _picker_config(version: Any) -> dict[str, Any]:
    """What the place picker reads: where the zones, the basemap and the zone look-up are
    served (all by this server) and its texts in the page's language."""
    return {
        "zonesUrl": reverse("api:zones"),
        "basemapUrl": reverse("situation:basemap"),
        "locateUrl": reverse("api:locate"),
        "bbox": version.region_bbox,
        "text": {
            "prompt": _("Place the incident on the map: the zones it falls in show here."),
            "checking": _("Looking up the zones…"),
            "failed": _("The zones could not be looked up. The form still works."),
            "loadError": _("The zones could not be loaded. Reload the page to try again."),
        },
    }


def _incident_input(data: dict[str, Any]) -> incident_services.IncidentInput:
    moment = data["occurred_from"]
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=dt.UTC)
    return incident_services.IncidentInput(
        kind=data["kind"],
        title=data["title"],
        occurred_from=moment,
        time_precision=data["time_precision"],
        geometry=data["geometry"],
        uncertainty_m=data["uncertainty_m"],
        **(data.get("actor") or {}),
    )


#: The service's who-acted fields are one field of the forms.
_ACTOR = {"acted_by": "actor", "acting_party": "actor", "acting_force": "actor"}


def _actor_value(incident: Any) -> str:
    """The form's value of an incident's who-acted fields."""
    if incident.acted_by == "party":
        if incident.acting_force:
            return f"force:{incident.acting_force}"
        return f"party:{incident.acting_party}"
    return str(incident.acted_by or "unknown")


def _may_correct(actor: Any, incident: Any) -> bool:
    return bool(
        incident_services.may_report(actor)
        and incident.source_party_id is not None
        and incident.source_party_id == actor.party_id
    )


@member_required
def correct_incident(request: HttpRequest, public_id: Any) -> HttpResponse:
    """The reporting party corrects the case's incident; the findings are computed again."""
    actor = actor_for(request)
    case = selectors.get_case(actor, public_id)
    incident = case.incident
    if not _may_correct(actor, incident):
        raise PermissionDenied(_("Only the party that reported an incident may correct it."))
    initial = {
        "title": incident.title,
        "kind": incident.kind,
        "occurred_from": incident.occurred_from,
        "time_precision": incident.time_precision,
        "uncertainty_m": incident.uncertainty_m,
        "actor": _actor_value(incident),
    }
    if incident.geometry.get("type") == "Point":
        initial.update(lon=incident.lon, lat=incident.lat)
    else:  # kept as drawn unless the author draws it again
        initial["geometry"] = json.dumps(incident.geometry)
    # Typed in the local time of the version the correction is assessed under.
    current = agreements.get_version(actor, None, None)
    form = IncidentForm(
        request.POST or None,
        initial=initial,
        time_zone=current.time_zone,
        actors=actor_choices(engine_for(current)),
        kinds=kind_choices(engine_for(current)),
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                incident_services.change_incident(
                    actor=actor,
                    incident=incident,
                    data=_incident_input(form.cleaned_data),
                    version=current,
                )
            except ValidationFailed as exc:
                add_domain_errors(form, exc, {"geometry": "lat", **_ACTOR})
            else:
                messages.success(
                    request, _("Incident %(ref)s corrected.") % {"ref": incident.reference}
                )
                return redirect("cases:case", public_id=case.public_id)
    config = _picker_config(incident.version)
    return render(
        request,
        "cases/correct_incident.html",
        {"form": form, "case": case, "incident": incident, "picker_config": config},
        status=status,
    )


def _explained(actor: Any, incident: Any) -> dict[str, Any]:
    """The incident's findings in the reader's language, those under clauses that are not
    agreed kept apart and labelled, and which clauses the engine assessed; with the
    findings from declared positions the reader is entitled to (``escrowed``: their own
    party's, the mediator's every party's; nothing at all for anyone else)."""
    engine = engine_for(incident.version)
    bidi = get_language_bidi()
    agreed, other = explain_findings(incident.findings, engine, isolate=bidi)
    escrowed = []
    for row in incident_selectors.escrowed_findings(actor, incident):
        row_engine = engine_for(row.version)
        row_agreed, row_other = explain_findings(row.findings, row_engine, isolate=bidi)
        escrowed.append({"row": row, "findings": row_agreed, "findings_not_agreed": row_other})
    coverage = clause_coverage(engine)
    # The freeze and withdrawal clauses are assessed against the declared positions, for
    # each party and its readers alone: said alike to every reader of every incident.
    escrow_kinds = {c.id for c in engine.arrangement.clauses if c.kind in ESCROW_CLAUSE_KINDS}
    coverage["against_positions"] = [
        c for c in coverage["not_machine_assessed"] if c["id"] in escrow_kinds
    ]
    coverage["not_machine_assessed"] = [
        c for c in coverage["not_machine_assessed"] if c["id"] not in escrow_kinds
    ]
    return {
        "findings": agreed,
        "findings_not_agreed": other,
        "coverage": coverage,
        "escrowed": escrowed,
    }


def _opened_in_person(request: HttpRequest) -> bool:
    """Whether the page was opened by its reader in this cell: from one of its pages, or
    typed or bookmarked (``Sec-Fetch-Site`` same-origin or none; browsers without the
    header count as such), and not fetched ahead by a browser's prefetch."""
    site = request.headers.get("Sec-Fetch-Site", "none")
    purpose = request.headers.get("Sec-Purpose", "") + request.headers.get("Purpose", "")
    return site in ("same-origin", "none") and "prefetch" not in purpose.lower()


@member_required
def case_page(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = actor_for(request)
    case = selectors.get_case(actor, public_id)
    if actor.user is not None:
        services.mark_read(actor=actor, case=case)
        # The respondent's duty officer opening a lodged case is its acknowledgement, when
        # they opened it themselves: not a link followed from another site, not a prefetch.
        if _opened_in_person(request) and services.record_read_receipt(actor=actor, case=case):
            case = selectors.get_case(actor, public_id)
    return _render_case(request, case)


def _determination_form(actor: Any, case: Any, data: Any = None) -> DeterminationForm:
    """The form of a determination or a proposal: the version's clauses, the parties that
    may own a remedy, and who may verify one (the case's monitor parties, the deciders)."""
    names = {p.code: p.name for p in parties.list_parties(actor)}
    owners = [c for c in (services.complainant_code(case), *services.answering_codes(case)) if c]
    monitors = [
        code
        for code, kind, _role in agreements.mechanism_parties(case.version)
        if kind == PartyKindChoices.KIND_MONITOR and code in case.audience_codes
    ]
    return DeterminationForm(
        data,
        clauses=[(c.clause_id, c.clause_id) for c in agreements.list_clauses(actor, case.version)],
        owners=[(c, names.get(c, c)) for c in owners],
        verifiers=[
            *[(c, names.get(c, c)) for c in monitors],
            (DECIDERS, _("the deciding parties")),
        ],
    )


def _verification_form(actor: Any, case: Any, data: Any = None) -> VerificationForm:
    """The form of a verification result by element; access is denied by a case party."""
    names = {p.code: p.name for p in parties.list_parties(actor)}
    codes = [c for c in (services.complainant_code(case), *services.answering_codes(case)) if c]
    return VerificationForm(data, parties=[(c, names.get(c, c)) for c in codes])


def _remedies(actor: Any, case: Any) -> list[dict[str, Any]]:
    """The case's remedies, with the step each reader may take on each."""
    actions = set(services.available_actions(actor, case))
    rows = []
    for remedy in case.remedies.all():
        rows.append(
            {
                "remedy": remedy,
                "may_report": workflow.Action.REMEDY_DONE in actions
                and remedy.state == "open"
                and actor.party_code == remedy.owner,
                "may_verify": workflow.Action.VERIFY_REMEDY in actions
                and remedy.state == "done"
                and determinations.may_verify(actor, case, remedy),
            }
        )
    return rows


def _access_denials(actor: Any, case: Any) -> list[tuple[str, int]]:
    """(party name, elements it denied the monitors access to) on this case."""
    names = {p.code: p.name for p in parties.list_parties(actor)}
    counts: dict[str, int] = {}
    for denial in selectors.access_denials(actor, case=case):
        counts[denial.denied_by] = counts.get(denial.denied_by, 0) + 1
    return [(names.get(code, code), n) for code, n in sorted(counts.items())]


def _render_case(
    request: HttpRequest,
    case: Any,
    step_form: StepForm | None = None,
    account_form: AccountForm | None = None,
    status: int = 200,
    harm_forms: dict[str, Any] | None = None,
) -> HttpResponse:
    actor = actor_for(request)
    incident = case.incident
    sides = services.sides_of(actor, case)
    history = incident_selectors.account_history(incident)
    accounts = {party: revisions[-1] for party, revisions in history.items()}
    versions = [
        {
            "party": p,
            "account": accounts.get(p.pk),
            # The earlier revisions, newest first: kept, never replaced.
            "earlier": list(reversed(history.get(p.pk, [])[:-1])),
        }
        for p in (case.complainant, case.respondent)
        if p is not None  # a complaint to the mechanism has the complainant's version alone
    ]
    may_give = actor.party_id in (case.complainant_id, case.respondent_id) and bool(
        {workflow.Side.COMPLAINANT, workflow.Side.RESPONDENT} & sides
    )
    own = accounts.get(actor.party_id) if actor.party_id else None
    if account_form is None and may_give:
        account_form = AccountForm(
            initial={
                "title": own.title,
                "actor_claim": own.actor_claim,
                "actor_text": own.actor_text,
                "casualties_low": own.casualties_low,
                "casualties_best": own.casualties_best,
                "casualties_high": own.casualties_high,
                "narrative": own.narrative,
            }
            if own
            else None
        )
    zone_names = agreements.zone_names(actor, incident.version)
    context = {
        "case": case,
        "incident": incident,
        "headline": incident_selectors.Headlines().html(incident),
        # The incident's own map (incidentmap.js): its place, as reported, over the zones.
        "incident_map": {
            "geometry": incident.geometry,
            "uncertainty_m": incident.uncertainty_m,
            "bbox": incident.version.region_bbox,
            "basemapUrl": reverse("situation:basemap"),
            "zonesUrl": reverse("api:zones"),
            "text": {
                "loadError": _("The map data could not be loaded. Reload the page to try again.")
            },
        },
        # Zones by name in the reader's language; the id stays beside it for reference.
        "zones": [(z, zone_names.get(z, z)) for z in incident.zones],
        "possible_zones": [(z, zone_names.get(z, z)) for z in incident.possible_zones],
        **_explained(actor, incident),
        "versions": versions,
        "steps": list(selectors.list_steps(case)),
        "deadlines": list(selectors.list_deadlines(case)),
        "actions": [
            a for a in services.available_actions(actor, case) if a not in workflow.REMEDY_ACTIONS
        ],
        "decision": _decision_context(actor, case),
        "determination_form": (
            step_form
            if isinstance(step_form, DeterminationForm)
            else _determination_form(actor, case)
        ),
        "determination_actions": (workflow.Action.DETERMINE, workflow.Action.PROPOSE),
        "remedies": _remedies(actor, case),
        "verification_form": (
            step_form
            if isinstance(step_form, VerificationForm)
            else _verification_form(actor, case)
        ),
        "verification_actions": workflow.VERIFICATION_RESULTS,
        "access_denials": _access_denials(actor, case),
        "link_form": step_form if isinstance(step_form, LinkForm) else LinkForm(),
        # The linked case, only if the reader may read it (hidden looks like missing).
        "linked": selectors.list_cases(actor).filter(pk=case.linked_case_id).first()
        if case.linked_case_id
        else None,
        "proposed": DeterminationSpec.from_content(case.proposed_content),
        "needs_text": workflow.NEEDS_TEXT,
        "step_form": step_form or StepForm(),
        # The text of an answer or a determination is required, and says so.
        "text_form": (
            step_form
            if step_form is not None and step_form.fields["text"].required
            else StepForm(needs_text=True)
        ),
        "account_form": account_form if may_give else None,
        "ladder": services.protocol_ladder(case),
        "climb": services.climb_status(case),
        "extensions": list(selectors.list_extensions(case)),
        "may_countersign": bool({workflow.Side.COMPLAINANT, workflow.Side.RESPONDENT} & sides),
        "precedences": _case_precedences(case),
        "may_change_precedence": bool(
            {workflow.Side.COMPLAINANT, workflow.Side.MEDIATOR, workflow.Side.DECIDER} & sides
        )
        and case.state not in workflow.CLOSED_STATES,
        "evidence": [
            (e, e.original_visible_to(actor)) for e in incident.evidence.select_related("party")
        ],
        "may_attach": bool(sides - {workflow.Side.SYSTEM}),
        "may_extend": bool({workflow.Side.MEDIATOR, workflow.Side.DECIDER} & sides),
        "may_correct": _may_correct(actor, incident),
        "min_extension_hours": services.MIN_EXTENSION_HOURS,
        "max_extension_hours": services.MAX_EXTENSION_HOURS,
        "open_deadlines": [
            d for d in selectors.list_deadlines(case) if d.state == DeadlineStateChoices.OPEN
        ],
        "now": timezone.now(),
        # Times show in the arrangement's local time beside UTC.
        "tz": incident.version.time_zone,
        # Who acted as the report says (the reporter's version, not the cell's finding).
        "reported_actor": reported_actor(
            incident.acted_by,
            incident.acting_party,
            incident.acting_force,
            engine_for(incident.version),
        ),
        # The mediator's officer by call sign: names stay in their own party's directory.
        "determined_by": parties.call_sign_of(case.determined_by),
        # Civilian harm and property, each party's side by side (cases.harm_views).
        **harm_context(actor, case, harm_forms),
    }
    return render(request, "cases/case.html", context, status=status)


@member_required
@require_POST
def take_step(request: HttpRequest, public_id: Any, action: str) -> HttpResponse:
    actor = actor_for(request)
    case = selectors.get_case(actor, public_id)
    if action not in workflow.PERSON_ACTIONS or action in workflow.REMEDY_ACTIONS:
        raise NotFound()
    determining = action in (workflow.Action.DETERMINE, workflow.Action.PROPOSE)
    if determining:
        form: StepForm = _determination_form(actor, case, request.POST)
    elif action in workflow.VERIFICATION_RESULTS:
        form = _verification_form(actor, case, request.POST)
    elif action == workflow.Action.LINK:
        form = LinkForm(request.POST)
    else:
        form = StepForm(request.POST, needs_text=action in workflow.NEEDS_TEXT)
    if not form.is_valid():
        return _render_case(request, case, step_form=form, status=400)
    content = (
        form.content()
        if isinstance(form, DeterminationForm | VerificationForm | LinkForm)
        else None
    )
    try:
        services.act(
            actor=actor,
            case=case,
            action=action,
            text=form.cleaned_data["text"],
            content=content,
        )
    except ValidationFailed as exc:
        add_domain_errors(form, exc, {"action": "text"})
        return _render_case(request, case, step_form=form, status=400)
    except Conflict as exc:  # a decision step the rule does not allow now
        form.add_error(None, str(exc.message))
        case = selectors.get_case(actor, case.public_id)
        return _render_case(request, case, step_form=form, status=409)
    return redirect("cases:case", public_id=case.public_id)


def _case_precedences(case: Any) -> list[dict[str, Any]]:
    """The case's protocol's precedences, highest first, the case's own marked."""
    protocol = services.protocol_for(case.version, case.protocol_id)
    return [{**p, "current": p["code"] == case.precedence} for p in protocol.localized_precedence]


def _decision_context(actor: Any, case: Any) -> dict[str, Any]:
    """Who decides the case and where a joint proposal stands, by party name."""
    decision = services.decision_of(case)
    names = {p.code: p.name for p in parties.list_parties(actor)}

    def named(codes: Any) -> list[str]:
        return [names.get(c, c) for c in codes]

    return {
        "rule": decision.rule.rule,
        "joint": decision.rule.joint,
        "deciders": named(decision.deciders),
        "proposed": decision.proposed,
        "concurred": named(decision.concurred),
        "awaiting": named(decision.pending),
        "yours_pending": bool(actor.party_code) and actor.party_code in decision.pending,
        "decided_by": named(case.decided_by or ()),
    }


@member_required
@require_POST
def give_version(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = actor_for(request)
    case = selectors.get_case(actor, public_id)
    form = AccountForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            incident_services.give_account(
                actor=actor,
                incident=case.incident,
                actor_claim=data["actor_claim"],
                actor_text=data["actor_text"],
                casualties={
                    "low": data["casualties_low"],
                    "best": data["casualties_best"],
                    "high": data["casualties_high"],
                },
                narrative=data["narrative"],
                title=data["title"],
            )
        except ValidationFailed as exc:
            add_domain_errors(form, exc, {"casualties": "casualties_best"})
        else:
            messages.success(request, _("Your party's version is saved."))
            return redirect("cases:case", public_id=case.public_id)
    return _render_case(request, case, account_form=form, status=400)


@member_required
def chain(request: HttpRequest, public_id: Any) -> HttpResponse:
    """The case's chain as a JSON file to keep: every step tied to the record."""
    actor = actor_for(request)
    case = selectors.get_case(actor, public_id)
    body = json.dumps(case_chain(actor, case), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{case.reference}-chain.json"'
    return response


# The hotline ---------------------------------------------------------------------------


def _callees(actor: Any) -> list[tuple[str, str]]:
    kinds = [
        PartyKindChoices.KIND_PARTY,
        PartyKindChoices.KIND_MEDIATOR,
        PartyKindChoices.KIND_MONITOR,
    ]
    return [
        (p.code, p.name)
        for p in parties.list_parties(actor).filter(kind__in=kinds)
        if p.code != actor.party_code
    ]


@member_required
def hotline_console(request: HttpRequest) -> HttpResponse:
    """The hotline console: log a call or message, answer those made to one's party."""
    actor = actor_for(request)
    form = CallForm(request.POST or None, callees=_callees(actor))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                activation = hotline.activate(
                    actor=actor,
                    callee=parties.access_party(actor, form.cleaned_data["callee"]),
                    channel=form.cleaned_data["channel"],
                    subject_text=form.cleaned_data["subject"],
                    version=agreements.get_version(actor, None, None),
                    bilateral=form.cleaned_data["bilateral"],
                )
            except ValidationFailed as exc:
                add_domain_errors(form, exc)
            else:
                messages.success(
                    request, _("Activation %(ref)s recorded.") % {"ref": activation.reference}
                )
                return redirect("cases:hotline_call", public_id=activation.public_id)
    pager = paginate(request, selectors.list_activations(actor))
    on_duty = roster.on_duty_now(actor)
    return render(
        request,
        "cases/hotline.html",
        {
            "on_duty": on_duty,
            "answering": roster.answering(on_duty),
            "form": form,
            "may_call": hotline.may_call(actor),
            "activations": pager.items,
            "pager": pager,
            "answer_form": AnswerForm(),
            "own_party_id": actor.party_id,
            "may_lodge": _may_lodge(actor),
            "now": timezone.now(),
        },
        status=status,
    )


@member_required
@require_POST
def hotline_answer(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = actor_for(request)
    activation = selectors.get_activation(actor, public_id)
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            hotline.answer(actor=actor, activation=activation, text=form.cleaned_data["answer"])
        except ValidationFailed as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Answer recorded."))
    return redirect("cases:hotline")


@member_required
def scorecard_page(request: HttpRequest) -> HttpResponse:
    """The scorecard of compliance, counting what the reader may see (to a donor or an
    observer: the released copy, or a 404 before any release)."""
    actor = actor_for(request)
    window = request.GET.get("window") or "month"
    if window not in WINDOWS:
        window = "month"
    return render(
        request,
        "cases/scorecard.html",
        {
            "card": scorecard(actor, window),
            "window": window,
            "windows": WINDOWS,
            "release": releases.release_status(actor),
        },
    )


@member_required
@require_POST
def scorecard_release(request: HttpRequest) -> HttpResponse:
    """Countersign the release of the scorecard for one's party."""
    actor = actor_for(request)
    try:
        release = releases.release_scorecard(actor=actor)
    except ValidationFailed as exc:
        messages.error(request, str(exc))
    else:
        if release.released_at is not None:
            messages.success(request, _("Every party countersigned: the scorecard is released."))
        else:
            messages.success(request, _("Your party's countersignature is recorded."))
    return redirect("cases:scorecard")


# Evidence ------------------------------------------------------------------------------


@member_required
@require_POST
def evidence_upload(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = actor_for(request)
    case = selectors.get_case(actor, public_id)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a file to attach."))
        return redirect("cases:case", public_id=case.public_id)
    try:
        add_evidence(actor=actor, incident=case.incident, upload=upload, filename=upload.name or "")
    except ValidationFailed as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The file is attached."))
    return redirect("cases:case", public_id=case.public_id)


@member_required
def evidence_file(request: HttpRequest, public_id: Any, sha256: str) -> HttpResponseBase:
    actor = actor_for(request)
    case = selectors.get_case(actor, public_id)
    evidence, handle = open_evidence(actor, case.incident, sha256)
    return evidence_response(evidence, handle)


@member_required
def evidence_original(request: HttpRequest, public_id: Any, sha256: str) -> HttpResponseBase:
    """The sealed original, for the party that attached it only (anyone else: 404)."""
    actor = actor_for(request)
    case = selectors.get_case(actor, public_id)
    evidence, handle = open_original(actor, case.incident, sha256)
    return evidence_response(evidence, handle, original=True)


@member_required
@require_POST
def remedy_step(request: HttpRequest, public_id: Any, remedy: Any, step: str) -> HttpResponse:
    """A remedy's owner reports it done; its verifier verifies it or finds it not done."""
    actor = actor_for(request)
    case = selectors.get_case(actor, public_id)
    found = determinations.get_remedy(case, remedy)
    text = request.POST.get("text", "")
    try:
        if step == "done":
            determinations.mark_remedy_done(actor=actor, case=case, remedy=found, text=text)
        elif step == "verify":
            determinations.verify_remedy(
                actor=actor,
                case=case,
                remedy=found,
                verified=request.POST.get("verified", "yes") != "no",
                text=text,
            )
        else:
            raise NotFound()
    except ValidationFailed as exc:
        for messages_list in exc.fields.values():
            for message in messages_list:
                messages.error(request, message)
    except Conflict as exc:
        messages.error(request, str(exc.message))
    return redirect("cases:case", public_id=case.public_id)


@member_required
@require_POST
def extend(request: HttpRequest, public_id: Any) -> HttpResponse:
    """The mediator proposes a deadline extension; it waits for both countersignatures."""
    actor = actor_for(request)
    case = selectors.get_case(actor, public_id)
    try:
        hours = float(request.POST.get("hours", ""))
    except ValueError:
        hours = -1.0
    try:
        services.propose_extension(
            actor=actor,
            case=case,
            kind=request.POST.get("kind", ""),
            hours=hours,
            reason=request.POST.get("text", ""),
        )
    except ValidationFailed as exc:
        for messages_list in exc.fields.values():
            for message in messages_list:
                messages.error(request, message)
    except Conflict as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            _("The extension is proposed: it takes effect when both parties have countersigned."),
        )
    return redirect("cases:case", public_id=case.public_id)


@member_required
@require_POST
def precedence(request: HttpRequest, public_id: Any) -> HttpResponse:
    """The complainant or the mediator changes the case's precedence, with a reason."""
    actor = actor_for(request)
    case = selectors.get_case(actor, public_id)
    try:
        services.change_precedence(
            actor=actor,
            case=case,
            precedence=request.POST.get("precedence", ""),
            reason=request.POST.get("text", ""),
        )
    except ValidationFailed as exc:
        for messages_list in exc.fields.values():
            for message in messages_list:
                messages.error(request, message)
    else:
        messages.success(request, _("The precedence is changed and the deadlines set again."))
    return redirect("cases:case", public_id=case.public_id)


@member_required
@require_POST
def extension_decision(request: HttpRequest, public_id: Any, decision: str) -> HttpResponse:
    """The complainant or the respondent countersigns or refuses a proposed extension."""
    actor = actor_for(request)
    case = selectors.get_case(actor, public_id)
    kind = request.POST.get("kind", "")
    try:
        if decision == "countersign":
            extension = services.countersign_extension(actor=actor, case=case, kind=kind)
        elif decision == "refuse":
            extension = services.refuse_extension(
                actor=actor, case=case, kind=kind, reason=request.POST.get("text", "")
            )
        else:
            raise NotFound()
    except ValidationFailed as exc:
        for messages_list in exc.fields.values():
            for message in messages_list:
                messages.error(request, message)
    except Conflict as exc:
        messages.error(request, str(exc.message))
    else:
        if extension.state == ExtensionStateChoices.AGREED:
            messages.success(request, _("Both parties countersigned: the deadline moved."))
        elif decision == "countersign":
            messages.success(
                request, _("Countersigned: the other party's countersignature is awaited.")
            )
        else:
            messages.success(request, _("Refused: the extension lapsed; the deadline stands."))
    return redirect("cases:case", public_id=case.public_id)
