"""The positions pages: list and detail with a small map, the declaration and import
forms, the sealed baseline with its disputes and reveals, and zone totals against caps.

Reads and writes go through ``positions.selectors`` and ``positions.services`` (the same
calls as the API and the command line). Another party's position is a 404 like a
missing one.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coordcell.agreements import selectors as agreements
from coordcell.core.errors import PermissionDenied, ValidationFailed
from coordcell.core.forms import add_domain_errors
from coordcell.core.http import actor_for, member_required
from coordcell.core.paging import paginate
from coordcell.parties import selectors as parties
from coordcell.parties.choices import PartyKindChoices
from coordcell.positions import selectors, services
from coordcell.positions.choices import (
    CATEGORY_LABELS,
    CHANGE_LABELS,
    CLASSIFICATION_LABELS,
    DISPUTE_STATES,
)
from coordcell.positions.forms import (
    AgreeForm,
    ChangeForm,
    DisputeForm,
    ImportForm,
    PositionForm,
    holdings_of,
)
from coordcell.rules.arrangement import localized

#: The largest GeoJSON file the import page takes.
IMPORT_MAX_BYTES = 5 * 1024 * 1024


def _kinds(version: Any) -> list[tuple[str, str]]:
    from django.utils.translation import get_language

    language = get_language() or "en"
    return [(k.id, localized(k.name, language)) for k in selectors.position_kinds(version)]


def _map_config(version: Any, features: dict[str, Any]) -> dict[str, Any]:
    """What the small map reads: the basemap and zones (served here) and the positions."""
    return {
        "zonesUrl": reverse("api:zones"),
        "basemapUrl": reverse("situation:basemap"),
        "locateUrl": reverse("api:locate"),
        "bbox": version.region_bbox,
        "positions": features,
        "text": {
            "prompt": _("Place the site on the map: the zones it falls in show here."),
            "checking": _("Looking up the zones…"),
            "failed": _("The zones could not be looked up. The form still works."),
            "loadError": _("The zones could not be loaded. Reload the page to try again."),
        },
    }


def _at(request: HttpRequest) -> dt.date | None:
    raw = request.GET.get("at") or ""
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise BadRequest(_("Give a date as YYYY-MM-DD.")) from None


def _context(actor: Any) -> dict[str, Any]:
    version = selectors.current_version(actor)
    return {
        "version": version,
        "may_declare": services.may_declare(actor),
        "is_mediator": services.is_mediator(actor),
        "kind_names": dict(_kinds(version)),
        "category_labels": CATEGORY_LABELS,
        "change_labels": CHANGE_LABELS,
        "classification_labels": CLASSIFICATION_LABELS,
        "state_labels": DISPUTE_STATES,
        "baseline_date": selectors.freeze_baseline_date(version),
    }


@member_required
def position_list(request: HttpRequest) -> HttpResponse:
    """The positions the reader reads (its own party's; the mediator: both parties')."""
    actor = actor_for(request)
    at = _at(request)
    context = _context(actor)
    pager = paginate(request, selectors.list_positions(actor, at=at))
    context.update(
        {
            "positions": pager.items,
            "pager": pager,
            "at": at,
            "map_config": _map_config(
                context["version"], selectors.positions_feature_collection(actor, at)
            ),
            "changes": selectors.list_changes(actor).exclude(change="baseline")[:50],
            "agree_form": AgreeForm(),
        }
    )
    return render(request, "positions/list.html", context)


@member_required
def position_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = actor_for(request)
    position = selectors.get_position(actor, public_id)
    context = _context(actor)
    form = ChangeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not services.may_declare(actor):
            raise PermissionDenied(_("A party declares changes of its own positions only."))
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.declare_change(
                    actor=actor,
                    position=position,
                    change=data["change"],
                    effective=data["effective"],
                    geometry=data.get("geometry"),
                    holdings=holdings_of(data),
                )
            except ValidationFailed as exc:
                add_domain_errors(form, exc)
            else:
                messages.success(request, _("Change declared."))
                return redirect("positions:detail", public_id=position.public_id)
    one = {
        "type": "FeatureCollection",
        "features": [
            f
            for f in selectors.positions_feature_collection(actor)["features"]
            if f["id"] == str(position.public_id)
        ],
    }
    context.update(
        {
            "position": position,
            "holdings": list(position.holdings.all()),
            "changes": selectors.list_changes(actor, position),
            "zones": selectors.zones_of(agreements_engine(context["version"]), position.geometry),
            "form": form,
            "map_config": _map_config(context["version"], one),
            "zone_names": agreements.zone_names(actor, context["version"]),
        }
    )
    return render(request, "positions/detail.html", context, status=status)


def agreements_engine(version: Any) -> Any:
    from coordcell.agreements.engines import engine_for

    return engine_for(version)


@member_required
def declare(request: HttpRequest) -> HttpResponse:
    """Declare one position of the reader's own party."""
    actor = actor_for(request)
    if not services.may_declare(actor):
        raise PermissionDenied(
            _("Only a party's principals and liaison officers declare its positions.")
        )
    context = _context(actor)
    form = PositionForm(request.POST or None, kinds=_kinds(context["version"]))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                position = services.declare_position(
                    actor=actor,
                    name=data["name"],
                    kind=data["kind"],
                    geometry=data["geometry"],
                    established=data["established"],
                    holdings=holdings_of(data),
                )
            except ValidationFailed as exc:
                add_domain_errors(form, exc)
            else:
                messages.success(request, _("Position declared."))
                return redirect("positions:detail", public_id=position.public_id)
    context.update({"form": form, "map_config": _map_config(context["version"], {})})
    return render(request, "positions/declare.html", context, status=status)


@member_required
def import_page(request: HttpRequest) -> HttpResponse:
    """Import a GeoJSON FeatureCollection of the reader's own party's positions."""
    actor = actor_for(request)
    if not services.may_declare(actor):
        raise PermissionDenied(
            _("Only a party's principals and liaison officers declare its positions.")
        )
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > IMPORT_MAX_BYTES:
                errors = {"file": [_("The file is larger than 5 MB.")]}
            else:
                try:
                    created = services.import_positions(actor=actor, document=upload.read())
                except ValidationFailed as exc:
                    errors = exc.fields
                else:
                    messages.success(
                        request,
                        _("%(count)s position(s) imported.") % {"count": len(created)},
                    )
                    return redirect("positions:list")
    context = _context(actor)
    context.update({"form": form, "errors": errors})
    return render(request, "positions/import.html", context, status=status)


@member_required
def export(request: HttpRequest) -> HttpResponse:
    """The reader's readable positions as GeoJSON (``?at=``: standing that day)."""
    actor = actor_for(request)
    response = JsonResponse(
        selectors.positions_feature_collection(actor, _at(request)),
        json_dumps_params={"ensure_ascii": False},
    )
    response["Content-Type"] = "application/geo+json"
    response["Content-Disposition"] = 'attachment; filename="positions.geojson"'
    return response


@member_required
def sealed(request: HttpRequest) -> HttpResponse:
    """The sealed commitments (roots), the disputes and their reveals."""
    actor = actor_for(request)
    context = _context(actor)
    others = [
        (p.code, p.name)
        for p in parties.parties_of_kinds([PartyKindChoices.KIND_PARTY])
        if p.pk != actor.party_id
    ]
    form = DisputeForm(request.POST or None, parties=others)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                dispute = services.open_dispute(
                    actor=actor,
                    against=data["against"],
                    claim=data["claim"],
                    geometry=data.get("geometry"),
                )
            except ValidationFailed as exc:
                add_domain_errors(form, exc)
            else:
                messages.success(request, _("Dispute opened."))
                return redirect("positions:dispute", public_id=dispute.public_id)
    context.update(
        {
            "commitments": selectors.list_commitments(actor),
            "disputes": selectors.list_disputes(actor),
            "form": form,
            "may_dispute": services.may_declare(actor) or services.is_mediator(actor),
        }
    )
    return render(request, "positions/sealed.html", context, status=status)


@member_required
@require_POST
def seal(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    try:
        if request.POST.get("kind") == "changes":
            commitment = services.seal_changes(actor=actor)
        else:
            commitment = services.seal_baseline(actor=actor)
    except ValidationFailed as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("Sealed: root %(root)s.") % {"root": commitment.root[:16] + "…"}
        )
    return redirect("positions:sealed")


@member_required
def dispute_page(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = actor_for(request)
    dispute = selectors.get_dispute(actor, public_id)
    context = _context(actor)
    items: list[Any] = []
    if actor.party_id == dispute.against_id or services.is_mediator(actor):
        items = list(
            selectors.list_changes(actor)
            .filter(position__party=dispute.against, commitment__isnull=False)
            .order_by("position__name", "effective")
        )
    context.update(
        {
            "dispute": dispute,
            "reveals": selectors.list_reveals(actor, dispute),
            "items": items,
            "may_consent": services.may_declare(actor)
            and actor.party_id in (dispute.against_id, dispute.opened_by_party_id)
            and (actor.party_code or "") not in dispute.consents,
        }
    )
    return render(request, "positions/dispute.html", context)


@member_required
@require_POST
def dispute_consent(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = actor_for(request)
    dispute = selectors.get_dispute(actor, public_id)
    services.consent_to_reveal(actor=actor, dispute=dispute)
    messages.success(request, _("Consent recorded."))
    return redirect("positions:dispute", public_id=dispute.public_id)


@member_required
@require_POST
def dispute_reveal(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = actor_for(request)
    dispute = selectors.get_dispute(actor, public_id)
    item = selectors.get_change(actor, request.POST.get("item", ""))
    try:
        services.reveal(actor=actor, dispute=dispute, change=item)
    except ValidationFailed as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Item revealed."))
    return redirect("positions:dispute", public_id=dispute.public_id)


@member_required
def reveal_file(request: HttpRequest, public_id: Any) -> HttpResponse:
    """The reveal file, for ``coordcell verify``."""
    actor = actor_for(request)
    found = selectors.get_reveal(actor, public_id)
    response = HttpResponse(
        json.dumps(found.bundle, ensure_ascii=False, indent=1),
        content_type="application/json",
    )
    response["Content-Disposition"] = f'attachment; filename="{found.reference}.json"'
    return response


@member_required
@require_POST
def agree(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = actor_for(request)
    change = selectors.get_change(actor, public_id)
    form = AgreeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say how both parties consented."))
    else:
        try:
            services.agree_change(actor=actor, change=change, note=form.cleaned_data["note"])
        except ValidationFailed as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Recorded as agreed."))
    return redirect("positions:list")


@member_required
def totals(request: HttpRequest) -> HttpResponse:
    """Declared totals per zone and party against the caps (one's own; the mediator: both)."""
    actor = actor_for(request)
    day = _at(request) or timezone.now().date()
    context = _context(actor)
    context.update(
        {
            "rows": selectors.zone_totals(actor, day),
            "day": day,
            "zone_names": agreements.zone_names(actor, context["version"]),
        }
    )
    return render(request, "positions/totals.html", context)
