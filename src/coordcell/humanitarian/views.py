"""The pages of detainees and missing persons: the register (references only, paged), a
new file, and one file (each party's version side by side, the requests with their
deadlines, the links, the reading log) with the forms that act on it. Reads and writes
go through ``humanitarian.selectors`` and ``humanitarian.services`` (the API's calls);
opening a file's page logs the reading.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from coordcell.agreements import selectors as agreements
from coordcell.core.actor import Actor
from coordcell.core.errors import PermissionDenied, ValidationFailed
from coordcell.core.forms import add_domain_errors
from coordcell.core.http import actor_for, member_required
from coordcell.core.paging import paginate
from coordcell.humanitarian import selectors, services
from coordcell.humanitarian.choices import (
    TRANSITIONS,
    RequestKindChoices,
    RequestStateChoices,
    StatusChoices,
)
from coordcell.humanitarian.forms import (
    DateForm,
    FileForm,
    LinkForm,
    RequestForm,
    ShareForm,
    StatusForm,
    VersionForm,
)
from coordcell.humanitarian.models import PersonFile
from coordcell.parties import selectors as parties
from coordcell.parties.choices import PartyKindChoices


def _party_choices(actor: Actor) -> list[tuple[str, str]]:
    """The parties to the conflict, for "held by" and a version's choices."""
    return [
        (p.code, p.name)
        for p in parties.list_parties(actor)
        if p.kind == PartyKindChoices.KIND_PARTY
    ]


def _names(actor: Actor) -> dict[str, str]:
    return {p.code: p.name for p in parties.list_parties(actor)}


@member_required
def file_list(request: HttpRequest) -> HttpResponse:
    """The register: the files the reader may read, by reference (no name on this page)."""
    actor = actor_for(request)
    status = request.GET.get("status", "")
    if status not in StatusChoices.values():
        status = ""
    pager = paginate(request, selectors.list_files(actor, status=status))
    return render(
        request,
        "humanitarian/files.html",
        {
            "files": pager.items,
            "pager": pager,
            "status": status,
            "statuses": StatusChoices.choices(),
            "may_report": services.may_report(actor),
            "open_count": selectors.open_files_count(actor),
        },
    )


@member_required
def file_new(request: HttpRequest) -> HttpResponse:
    """A new file on a detained or missing person."""
    actor = actor_for(request)
    if not services.may_report(actor):
        raise PermissionDenied(
            _("Only the liaison officers and principals of a party or the mediator open files.")
        )
    version = agreements.get_version(actor, None, None)
    spec = services.spec_of(version)
    names = _names(actor)
    bodies = [(c, names.get(c, c)) for c in (spec.access_bodies if spec else ())]
    zone = agreements.current_time_zone(actor)
    form = FileForm(
        request.POST or None, bodies=bodies, parties=_party_choices(actor), time_zone=zone
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                file = services.open_file(actor=actor, **form.cleaned_data)
            except ValidationFailed as exc:
                add_domain_errors(form, exc)
            else:
                messages.success(request, _("File opened."))
                return redirect("humanitarian:file", public_id=file.public_id)
    return render(request, "humanitarian/new.html", {"form": form}, status=status)


def _forms(actor: Actor, file: PersonFile, zone: str) -> dict[str, forms.Form]:
    """The forms the reader may use on this file (unbound)."""
    audience = file.audience_codes
    choices = _party_choices(actor)
    names = _names(actor)
    found: dict[str, forms.Form] = {}
    acting = services.may_report(actor) and actor.party_code in audience
    if acting:
        found["version"] = VersionForm(parties=choices)
        status_form = StatusForm(time_zone=zone)
        status_form.fields["status"].choices = [  # type: ignore[attr-defined]
            (s, StatusChoices.label(s)) for s in TRANSITIONS.get(file.status, ())
        ]
        if TRANSITIONS.get(file.status):
            found["status"] = status_form
        if file.notified_at is None:
            found["notified"] = DateForm(time_zone=zone)
        found["link"] = LinkForm()
    if file.access_body and (acting or actor.party_code == file.access_body):
        found["access"] = DateForm(time_zone=zone)
    own = actor.party_id == file.reporting_party_id
    if own and services.may_report(actor):
        others = [(c, n) for c, n in names.items() if c not in audience]
        if others:
            found["share"] = ShareForm(parties=others)
    if services.may_report(actor) and (own or actor.party_kind == PartyKindChoices.KIND_MEDIATOR):
        addressees = [(c, n) for c, n in choices if c in audience]
        if addressees:
            found["request"] = RequestForm(parties=addressees)
    return found


def _render(
    request: HttpRequest,
    file: PersonFile,
    bound: tuple[str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    actor = actor_for(request)
    zone = agreements.current_time_zone(actor)
    page_forms = _forms(actor, file, zone)
    if bound is not None:
        page_forms[bound[0]] = bound[1]
    names = _names(actor)
    kinds = dict(RequestKindChoices.choices())
    states = dict(RequestStateChoices.choices())
    return render(
        request,
        "humanitarian/file.html",
        {
            "file": file,
            "personal": selectors.personal_of(file),
            "versions": [
                (v, names.get(v.held_by, v.held_by)) for v in selectors.current_versions(file)
            ],
            "history": selectors.version_history(file),
            "requests": [
                (r, kinds.get(r.kind, r.kind), states.get(r.state, r.state))
                for r in selectors.requests_of(actor, file)
            ],
            "links": selectors.links_of(actor, file),
            "may_read_log": selectors.may_read_log(actor, file),
            "readings": selectors.readings_of(actor, file)[:200],
            "place": json.dumps(file.place),
            "forms": page_forms,
            "body_name": names.get(file.access_body, file.access_body),
            "status_label": StatusChoices.label(file.status),
            "tz": zone,
        },
        status=status,
    )


@member_required
def file_page(request: HttpRequest, public_id: Any) -> HttpResponse:
    """One file the reader may read (404 otherwise); the reading is logged."""
    actor = actor_for(request)
    file = services.read_file(actor, public_id, surface="page")
    return _render(request, file)


def _act(
    name: str,
    make: Callable[[Actor, PersonFile, dict[str, Any]], forms.Form],
    do: Callable[[Actor, PersonFile, dict[str, Any]], Any],
    done: Any,
) -> Callable[..., HttpResponseBase]:
    """A POST view: bind the form, call the service, redirect; a refusal re-renders the
    file's page with the form's errors (400)."""

    @member_required
    @require_POST
    def view(request: HttpRequest, public_id: Any) -> HttpResponse:
        actor = actor_for(request)
        file = services.read_file(actor, public_id, surface="page")
        form = make(actor, file, request.POST)
        if form.is_valid():
            try:
                do(actor, file, dict(form.cleaned_data))
            except ValidationFailed as exc:
                add_domain_errors(form, exc)
            else:
                messages.success(request, str(done))
                return redirect("humanitarian:file", public_id=file.public_id)
        return _render(request, file, (name, form), status=400)

    view.__name__ = f"file_{name}"
    return view


def _zone(actor: Actor) -> str:
    return agreements.current_time_zone(actor)


file_version = _act(
    "version",
    lambda a, f, d: VersionForm(d, parties=_party_choices(a)),
    lambda a, f, d: services.state_version(actor=a, file=f, **d),
    gettext_lazy("Version stated."),
)
file_status = _act(
    "status",
    lambda a, f, d: StatusForm(d, time_zone=_zone(a)),
    lambda a, f, d: services.change_status(actor=a, file=f, **d),
    gettext_lazy("Status recorded."),
)
file_notified = _act(
    "notified",
    lambda a, f, d: DateForm(d, time_zone=_zone(a)),
    lambda a, f, d: services.record_notification(actor=a, file=f, **d),
    gettext_lazy("Notification recorded."),
)
file_access = _act(
    "access",
    lambda a, f, d: DateForm(d, time_zone=_zone(a)),
    lambda a, f, d: services.grant_access(actor=a, file=f, **d),
    gettext_lazy("Access recorded."),
)
file_share = _act(
    "share",
    lambda a, f, d: ShareForm(d, parties=list(_names(a).items())),
    lambda a, f, d: services.share_file(actor=a, file=f, **d),
    gettext_lazy("File shared."),
)
file_request = _act(
    "request",
    lambda a, f, d: RequestForm(d, parties=_party_choices(a)),
    lambda a, f, d: services.open_request(actor=a, file=f, **d),
    gettext_lazy("Request made."),
)
file_link = _act(
    "link",
    lambda a, f, d: LinkForm(d),
    lambda a, f, d: services.add_link(actor=a, file=f, **d),
    gettext_lazy("Link added."),
)
