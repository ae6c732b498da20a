"""Civilian harm and property on the case page: each party's casualty figures and its
versions of the property harmed, side by side, and the forms that give them. Reads go
through ``incidents.selectors``, writes through ``incidents.harm`` (the API's calls);
the case, and so its incident, answers 404 to anyone outside its audience."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coordcell.cases import selectors
from coordcell.cases.harm_forms import CasualtyForm, PropertyForm, PropertyVersionForm
from coordcell.core.errors import NotFound, ValidationFailed
from coordcell.core.forms import add_domain_errors
from coordcell.core.http import actor_for, member_required
from coordcell.incidents import harm
from coordcell.incidents import selectors as incident_selectors
from coordcell.incidents.choices import (
    AgeBandChoices,
    CasualtyCategoryChoices,
    CasualtyOutcomeChoices,
    SexBandChoices,
)

__all__ = ["give_casualties", "harm_context", "property_version", "record_property"]


def harm_context(actor: Any, case: Any, forms: dict[str, Any] | None = None) -> dict[str, Any]:
    """The case page's casualty and property sections, the case's parties first: each
    row with each party's current figure or version (None where it gave none), and the
    forms for a reader who speaks for a party (the one that failed, with its errors)."""
    forms = forms or {}
    incident = case.incident
    parties = [case.complainant, case.respondent]
    casualty_parties, casualty_rows = incident_selectors.casualty_table(incident, parties)
    property_parties, property_rows = incident_selectors.property_of(actor, incident, parties)
    may = harm.may_give(actor)
    failed_for = forms.get("version_for")
    history = incident_selectors.casualty_history(incident)
    return {
        # Every revision, newest first, when some figure was revised (kept, never replaced).
        "casualty_history": [
            {
                "figure": f,
                "labels": [
                    CasualtyCategoryChoices.label(f.category),
                    CasualtyOutcomeChoices.label(f.outcome),
                    AgeBandChoices.label(f.age_band),
                    SexBandChoices.label(f.sex),
                ],
            }
            for f in reversed(history)
        ]
        if len(history) > sum(1 for row in casualty_rows for f in row.figures if f)
        else [],
        "casualty_parties": casualty_parties,
        "casualty_rows": [
            {
                "labels": [
                    CasualtyCategoryChoices.label(row.category),
                    CasualtyOutcomeChoices.label(row.outcome),
                    AgeBandChoices.label(row.age_band),
                    SexBandChoices.label(row.sex),
                ],
                "figures": row.figures,
                "differ": row.differ,
            }
            for row in casualty_rows
        ],
        "property_rows": [
            {
                "damage": row.damage,
                "columns": list(zip(property_parties, row.versions, row.positions, strict=True)),
                "earlier": row.earlier,
                "form": (
                    forms["version"]
                    if failed_for == row.damage.public_id
                    else PropertyVersionForm(auto_id=f"pv{n}-%s")
                )
                if may
                else None,
                "open": failed_for == row.damage.public_id,
            }
            for n, row in enumerate(property_rows)
        ],
        "casualty_form": forms.get("casualty") or (CasualtyForm(auto_id="cas-%s") if may else None),
        "property_form": forms.get("property")
        or (PropertyForm(auto_id="prop-%s") if may else None),
    }


def _render(request: HttpRequest, case: Any, **forms: Any) -> HttpResponse:
    from coordcell.cases.views import _render_case

    return _render_case(request, case, harm_forms=forms, status=400)


@member_required
@require_POST
def give_casualties(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = actor_for(request)
    case = selectors.get_case(actor, public_id)
    form = CasualtyForm(request.POST, auto_id="cas-%s")
    if form.is_valid():
        try:
            harm.give_casualties(actor=actor, incident=case.incident, figures=[form.figure()])
        except ValidationFailed as exc:
            add_domain_errors(form, exc, {f"figures.0.{k}": k for k in CasualtyForm.base_fields})
        else:
            messages.success(request, _("Your party's casualty figure is saved."))
            return redirect("cases:case", public_id=case.public_id)
    return _render(request, case, casualty=form)


@member_required
@require_POST
def record_property(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = actor_for(request)
    case = selectors.get_case(actor, public_id)
    form = PropertyForm(request.POST, auto_id="prop-%s")
    if form.is_valid():
        try:
            harm.record_property(
                actor=actor,
                incident=case.incident,
                kind=form.cleaned_data["kind"],
                **form.values(),
            )
        except ValidationFailed as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("The property record is saved with your version."))
            return redirect("cases:case", public_id=case.public_id)
    return _render(request, case, property=form)


@member_required
@require_POST
def property_version(request: HttpRequest, public_id: Any, record: Any) -> HttpResponse:
    actor = actor_for(request)
    case = selectors.get_case(actor, public_id)
    damage = incident_selectors.get_property(case.incident, record)
    if damage is None:
        raise NotFound()
    form = PropertyVersionForm(request.POST, auto_id="pv-%s")
    if form.is_valid():
        try:
            harm.give_property_version(actor=actor, damage=damage, **form.values())
        except ValidationFailed as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Your party's version is saved."))
            return redirect("cases:case", public_id=case.public_id)
    return _render(request, case, version=form, version_for=damage.public_id)
