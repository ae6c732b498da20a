"""The economic zone's pages: the zone with its projects on the map and the totals, a
project with its money, milestones and conditions, a donor's own page, and the dashboard
of pledged against disbursed over time (inline SVG). Reads go through
``economy.selectors`` (donors named by ``selectors.donor_name`` for the reader); writes
call the services the API calls."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from coordcell.agreements import selectors as agreements
from coordcell.agreements.engines import engine_for
from coordcell.core.actor import Actor
from coordcell.core.errors import NotFound, PermissionDenied, ValidationFailed
from coordcell.core.forms import add_domain_errors
from coordcell.core.http import actor_for, member_required
from coordcell.core.models import localized_now
from coordcell.economy import selectors, services, totals
from coordcell.economy.choices import (
    ConditionKindChoices,
    ConditionStateChoices,
    MilestoneStatusChoices,
    TrancheStateChoices,
)
from coordcell.economy.forms import (
    CommitmentForm,
    MilestoneForm,
    MilestoneStatusForm,
    PledgeForm,
    ProjectForm,
    TrancheForm,
)
from coordcell.economy.selectors import Transaction
from coordcell.rules import money
from coordcell.verification import selectors as verification
from coordcell.verification.inspections import may_inspect
from coordcell.verification.sites import record_site_check


def _labels(version: Any) -> tuple[dict[str, str], dict[str, str]]:
    """The lexicon's names of the sectors and of the sides (``terms.sector_<code>``,
    ``terms.side_<side>``); the code where the scenario has none."""
    language = get_language() or "en"
    content = version.content
    sectors: dict[str, str] = {}
    for clause in engine_for(version).arrangement.clauses:
        for code in (
            clause.parameters.get("permitted_sectors", ()) if clause.kind == "economic_zone" else ()
        ):
            sectors[str(code)] = agreements.term(
                content, "terms", f"sector_{code}", language, str(code)
            )
    sides: dict[str, str] = {}
    for zone in engine_for(version).arrangement.zones:
        if zone.side:
            key = f"side_{zone.side.lower()}"
            sides[zone.side] = agreements.term(content, "terms", key, language, zone.side)
    return sectors, sides


def _side_label(sides: list[str], names: dict[str, str]) -> str:
    if not sides:
        return _("between the lines")
    return " + ".join(names.get(s, s) for s in sides)


def _base(request: HttpRequest, actor: Actor) -> dict[str, Any]:
    version = agreements.get_version(actor, None, None)
    sectors, sides = _labels(version)
    try:
        base = money.parse_currency(request.GET.get("currency", totals.BASE_CURRENCY))
    except money.MoneyError:
        base = totals.BASE_CURRENCY
    return {
        "version": version,
        "tz": agreements.current_time_zone(actor),
        "sector_names": sectors,
        "side_names": sides,
        "currency": base,
        "today": timezone.now().date(),
        "is_donor": selectors.is_donor(actor),
    }


def _totals(actor: Actor, rows: list[Transaction], base: dict[str, Any]) -> dict[str, Any]:
    rates = totals.rates(actor)
    out: dict[str, Any] = {}
    used: dict[Any, money.Rate] = {}
    keys = {
        "sector": totals.sector_key,
        "side": totals.side_key,
        "donor": totals.donor_key,
        "project": totals.project_key,
    }
    for name, key in keys.items():
        found, rates_used = totals.totals_by(
            rows, key, base=base["currency"], on=base["today"], known_rates=rates
        )
        out[name] = found
        for r in rates_used:
            used[(r.currency, r.base, r.valid_on)] = r
    out["rates"] = sorted(used.values(), key=lambda r: (r.currency, r.valid_on))
    return out


def _map_config(version: Any, projects: list[Any], sectors: dict[str, str]) -> dict[str, Any]:
    return {
        "zonesUrl": reverse("api:zones"),
        "basemapUrl": reverse("situation:basemap"),
        "bbox": version.region_bbox,
        "projects": {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "geometry": p.site,
                    "properties": {
                        "reference": p.reference,
                        "name": p.title,
                        "sector": sectors.get(p.sector, p.sector),
                        "url": reverse("economy:project", args=[p.public_id]),
                    },
                }
                for p in projects
            ],
        },
        "text": {"loadError": _("The zones could not be loaded. Reload the page to try again.")},
    }


@member_required
def zone_page(request: HttpRequest) -> HttpResponse:
    """The economic zone: its projects on the map and in a table, and the money pledged,
    committed and disbursed per sector, side and donor."""
    actor = actor_for(request)
    base = _base(request, actor)
    projects = list(selectors.list_projects(actor))
    rows = list(selectors.list_transactions(actor))
    money_totals = _totals(actor, rows, base)
    by_project = {t.key: t for t in money_totals["project"]}
    return render(
        request,
        "economy/zone.html",
        {
            **base,
            "projects": [
                (p, _side_label(p.sides, base["side_names"]), by_project.get(p.reference))
                for p in projects
            ],
            "totals": money_totals,
            "side_rows": [
                (_side_label(t.key.split("+") if t.key else [], base["side_names"]), t)
                for t in money_totals["side"]
            ],
            "map_config": _map_config(base["version"], projects, base["sector_names"]),
            "may_manage": services.may_manage(actor),
        },
    )


def _conditions(actor: Actor, tranche: Any, party_names: dict[str, str]) -> list[dict[str, Any]]:
    out = []
    for c in selectors.list_conditions(actor, tranche):
        out.append(
            {
                "condition": c,
                "kind": ConditionKindChoices.label(c.kind),
                "state": ConditionStateChoices.label(c.state),
                "state_colour": ConditionStateChoices.colour(c.state),
                "party": party_names.get(c.party.code, c.party.code) if c.party is not None else "",
                "reasons": selectors.visible_reasons(c, actor),
                "may_release": services.may_manage(actor) and bool(c.reasons),
            }
        )
    return out


@member_required
def project_page(request: HttpRequest, public_id: Any) -> HttpResponse:
    """A project: its site, milestones, money and tranches with their conditions; the
    monitors record a check of the site here, the mediator releases a condition's
    references to the donor, the donor disburses a tranche whose conditions hold."""
    actor = actor_for(request)
    project = selectors.get_project(actor, public_id)
    status = 200
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "site_check":
                if not may_inspect(actor):
                    raise PermissionDenied(_("Only the monitors' members record site checks."))
                try:
                    checked_at = parse_datetime(request.POST.get("checked_at", "").strip() + ":00Z")
                except ValueError:  # well formed but impossible (30 February, 25:61)
                    checked_at = None
                record_site_check(
                    actor=actor,
                    version=project.version,
                    site_key=project.reference,
                    site=project.site,
                    checked_at=checked_at,  # type: ignore[arg-type]
                    military_presence=request.POST.get("military_presence") == "yes",
                    party=request.POST.get("party", ""),
                    note=request.POST.get("note", ""),
                )
                messages.success(request, _("Site check recorded."))
            elif action == "release":
                condition = selectors.get_condition(actor, request.POST.get("condition", ""))
                services.release_references(actor=actor, condition=condition)
                messages.success(request, _("References released to the donor."))
            elif action == "disburse":
                tranche = selectors.get_tranche(actor, request.POST.get("tranche", ""))
                services.disburse_tranche(
                    actor=actor, tranche=tranche, disbursed_on=request.POST.get("disbursed_on", "")
                )
                messages.success(request, _("Tranche disbursed."))
            else:
                raise NotFound()
        except ValidationFailed as exc:
            errors = exc.fields
            status = 400
        else:
            return redirect("economy:project", project.public_id)
    return _render_project(request, actor, project, status=status, errors=errors)


def _render_project(
    request: HttpRequest,
    actor: Actor,
    project: Any,
    *,
    status: int = 200,
    errors: dict[str, list[str]] | None = None,
    bound: dict[str, Any] | None = None,
) -> HttpResponse:
    """The project page, with the forms of those who may use them (a bound form, when
    its input was refused, in place of the blank one)."""
    base = _base(request, actor)
    arrangement = engine_for(project.version).arrangement
    party_names = {p.code: localized_now(dict(p.name)) for p in arrangement.parties}
    bound = dict(bound or {})
    donors, pledges, commitments = _fundable(actor, project)
    forms = {
        "milestone_form": bound.get("milestone_form") or MilestoneForm(),
        "pledge_form": bound.get("pledge_form") or PledgeForm(parents=donors),
        "commitment_form": bound.get("commitment_form") or CommitmentForm(parents=pledges),
        "tranche_form": bound.get("tranche_form") or TrancheForm(parents=commitments),
    }
    rows = list(selectors.list_transactions(actor, project))
    tranches = [
        (
            t,
            selectors.donor_name(t.commitment.pledge.donor, actor),
            _conditions(actor, t, party_names),
        )
        for t in selectors.list_tranches(actor, project)
    ]
    checks = (
        verification.list_site_checks(actor, project.reference)[:20]
        if selectors.sees_security_traffic(actor)
        else []
    )
    return render(
        request,
        "economy/project.html",
        {
            **base,
            "project": project,
            "sector": base["sector_names"].get(project.sector, project.sector),
            "sides": _side_label(project.sides, base["side_names"]),
            "zone_names": agreements.zone_names(actor, project.version),
            "milestones": [
                (m, MilestoneStatusChoices.label(m.status), MilestoneStatusChoices.colour(m.status))
                for m in selectors.list_milestones(actor, project)
            ],
            "transactions": rows,
            "tranches": tranches,
            "tranche_states": dict(TrancheStateChoices.choices()),
            "checks": checks,
            "may_check": may_inspect(actor),
            "sides_of_arrangement": [
                (p.code, localized_now(dict(p.name)))
                for p in arrangement.parties
                if p.kind == "party"
            ],
            "party_names": party_names,
            "errors": errors or {},
            "may_manage": services.may_manage(actor),
            "may_fund": bool(donors),
            "milestone_statuses": MilestoneStatusChoices.choices(),
            **forms,
            "map_config": _map_config(project.version, [project], base["sector_names"]),
        },
        status=status,
    )


@member_required
def donor_page(request: HttpRequest) -> HttpResponse:
    """A donor's own page: its pseudonym, whether it is named, its money and the state of
    its tranches' conditions (with the references the mediator released). Anyone who is
    not a donor's member finds nothing here."""
    actor = actor_for(request)
    donor = selectors.own_donor(actor)
    if request.method == "POST":
        services.set_donor_naming(
            actor=actor, donor=donor, named=request.POST.get("named") == "yes"
        )
        messages.success(request, _("Your choice is recorded."))
        return redirect("economy:donor")
    base = _base(request, actor)
    arrangement = engine_for(base["version"]).arrangement
    party_names = {p.code: localized_now(dict(p.name)) for p in arrangement.parties}
    rows = [t for t in selectors.list_transactions(actor) if t.donor_named]
    own_tranches = selectors.list_tranches(actor).filter(commitment__pledge__donor=donor)
    return render(
        request,
        "economy/donor.html",
        {
            **base,
            "donor": donor,
            "name": selectors.donor_name(donor, actor),
            "pseudonym": selectors.pseudonym_label(donor.pseudonym),
            "transactions": [t for t in rows if t.donor == selectors.donor_name(donor, actor)],
            "tranches": [(t, _conditions(actor, t, party_names)) for t in own_tranches],
            "tranche_states": dict(TrancheStateChoices.choices()),
        },
    )


@member_required
def dashboard_page(request: HttpRequest) -> HttpResponse:
    """Pledged against disbursed over time, per sector and per side (inline SVG)."""
    actor = actor_for(request)
    base = _base(request, actor)
    rows = list(selectors.list_transactions(actor))
    rates = totals.rates(actor)
    sector_groups = [
        (name, (lambda t, code=code: t.project.sector == code))
        for code, name in base["sector_names"].items()
    ]
    side_keys = sorted({totals.side_key(t) for t in rows})
    side_groups = [
        (
            _side_label(key.split("+") if key else [], base["side_names"]),
            (lambda t, key=key: totals.side_key(t) == key),
        )
        for key in side_keys
    ]
    return render(
        request,
        "economy/dashboard.html",
        {
            **base,
            "sector_charts": totals.charts(
                rows, sector_groups, base=base["currency"], known_rates=rates
            ),
            "side_charts": totals.charts(
                rows, side_groups, base=base["currency"], known_rates=rates
            ),
        },
    )


# --- the forms: each posts to the service the API calls ----------------------------------

_TEXT_ALIASES = {"titles": "title_en", "descriptions": "description_en"}


def _money_label(reference: str, donor: str, amount: Any, currency: str) -> str:
    return f"{reference} · {donor} · {amount} {currency}"


def _fundable(
    actor: Actor, project: Any
) -> tuple[list[tuple[str, str]], list[tuple[str, str]], list[tuple[str, str]]]:
    """The donors, the project's pledges and its commitments the actor may record money
    for (``services.may_fund`` decides), as form choices."""
    donors = [
        (str(d.public_id), selectors.donor_name(d, actor))
        for d in selectors.list_donors(actor)
        if services.may_fund(actor, d)
    ]
    if not donors:
        return [], [], []
    pledges = [
        (str(p.public_id), _money_label(p.reference, selectors.donor_name(p.donor, actor),
                                        p.amount, p.currency))
        for p in selectors.list_pledges(actor, project)
        if services.may_fund(actor, p.donor)
    ]  # fmt: skip
    commitments = [
        (str(c.public_id), _money_label(c.reference, selectors.donor_name(c.pledge.donor, actor),
                                        c.amount, c.currency))
        for c in selectors.list_commitments(actor, project)
        if services.may_fund(actor, c.pledge.donor)
    ]  # fmt: skip
    return donors, pledges, commitments


@member_required
def project_new(request: HttpRequest) -> HttpResponse:
    """The mediator registers a project in the economic zone."""
    actor = actor_for(request)
    if not services.may_manage(actor):
        raise PermissionDenied(services.MAY_NOT_MANAGE)
    base = _base(request, actor)
    form = ProjectForm(request.POST or None, sectors=list(base["sector_names"].items()))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                project = services.register_project(
                    actor=actor,
                    version=base["version"],
                    sector=data["sector"],
                    titles=form.texts("title"),
                    descriptions=form.texts("description"),
                    site=data["site_value"],
                    budget_currency=data["budget_currency"],
                    budget_amount=data["budget_amount"],
                    state=data["state"],
                )
            except ValidationFailed as exc:
                add_domain_errors(form, exc, _TEXT_ALIASES)
            else:
                messages.success(request, _("Project registered."))
                return redirect("economy:project", project.public_id)
    return render(request, "economy/project_new.html", {**base, "form": form}, status=status)


@member_required
def milestone_add(request: HttpRequest, public_id: Any) -> HttpResponse:
    """The mediator adds a milestone to a project (the form is on the project page)."""
    actor = actor_for(request)
    project = selectors.get_project(actor, public_id)
    if not services.may_manage(actor):
        raise PermissionDenied(services.MAY_NOT_MANAGE)
    if request.method != "POST":
        return redirect("economy:project", project.public_id)
    form = MilestoneForm(request.POST)
    if form.is_valid():
        try:
            services.add_milestone(
                actor=actor,
                project=project,
                titles=form.texts("title"),
                due_on=form.cleaned_data["due_on"],
                status=form.cleaned_data["status"],
            )
        except ValidationFailed as exc:
            add_domain_errors(form, exc, _TEXT_ALIASES)
        else:
            messages.success(request, _("Milestone added."))
            return redirect("economy:project", project.public_id)
    return _render_project(request, actor, project, status=400, bound={"milestone_form": form})


@member_required
def milestone_status(request: HttpRequest, public_id: Any, milestone_id: Any) -> HttpResponse:
    """The mediator sets a milestone's status."""
    actor = actor_for(request)
    project = selectors.get_project(actor, public_id)
    milestone = selectors.get_milestone(actor, milestone_id)
    if milestone.project_id != project.pk:
        raise NotFound()
    if not services.may_manage(actor):
        raise PermissionDenied(services.MAY_NOT_MANAGE)
    if request.method != "POST":
        return redirect("economy:project", project.public_id)
    form = MilestoneStatusForm(request.POST)
    if form.is_valid():
        try:
            services.set_milestone_status(
                actor=actor, milestone=milestone, status=form.cleaned_data["status"]
            )
        except ValidationFailed as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Milestone status set."))
            return redirect("economy:project", project.public_id)
    errors = {k: [str(m) for m in v] for k, v in form.errors.items()}
    return _render_project(request, actor, project, status=400, errors=errors)


def _money_page(request: HttpRequest, public_id: Any, kind: str) -> HttpResponse:
    actor = actor_for(request)
    project = selectors.get_project(actor, public_id)
    donors, pledges, commitments = _fundable(actor, project)
    if not donors:
        raise PermissionDenied(services.MAY_NOT_FUND)
    if request.method != "POST":
        return redirect("economy:project", project.public_id)
    form: PledgeForm | CommitmentForm | TrancheForm
    if kind == "pledge":
        form = PledgeForm(request.POST, parents=donors)
    elif kind == "commitment":
        form = CommitmentForm(request.POST, parents=pledges)
    else:
        form = TrancheForm(request.POST, parents=commitments)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if kind == "pledge":
                services.record_pledge(
                    actor=actor,
                    project=project,
                    donor=selectors.get_donor(actor, data["parent"]),
                    currency=data["currency"],
                    amount=data["amount"],
                    pledged_on=data["pledged_on"],
                )
                messages.success(request, _("Pledge recorded."))
            elif kind == "commitment":
                services.record_commitment(
                    actor=actor,
                    pledge=selectors.get_pledge(actor, data["parent"]),
                    currency=data["currency"],
                    amount=data["amount"],
                    committed_on=data["committed_on"],
                )
                messages.success(request, _("Commitment recorded."))
            else:
                services.schedule_tranche(
                    actor=actor,
                    commitment=selectors.get_commitment(actor, data["parent"]),
                    currency=data["currency"],
                    amount=data["amount"],
                    planned_on=data["planned_on"],
                )
                messages.success(request, _("Tranche scheduled."))
        except ValidationFailed as exc:
            add_domain_errors(form, exc)
        else:
            return redirect("economy:project", project.public_id)
    return _render_project(request, actor, project, status=400, bound={f"{kind}_form": form})


@member_required
def pledge_add(request: HttpRequest, public_id: Any) -> HttpResponse:
    """A donor's representatives (or the mediator) record a pledge to the project."""
    return _money_page(request, public_id, "pledge")


@member_required
def commitment_add(request: HttpRequest, public_id: Any) -> HttpResponse:
    """A pledge of the project committed, in whole or in part."""
    return _money_page(request, public_id, "commitment")


@member_required
def tranche_add(request: HttpRequest, public_id: Any) -> HttpResponse:
    """A tranche of a commitment, planned for a date."""
    return _money_page(request, public_id, "tranche")
