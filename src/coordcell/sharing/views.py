"""The sharing pages: the feed, an item with its audience and consent history, the
consent inbox, the access log, and the share / widen / narrow / redact / tearline /
releasability actions.

Reads through ``sharing.selectors``, writes through ``sharing.services`` (the same calls
as the API). An item outside the reader's audience is the 404 of a missing one on every
page and action.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coordcell.core.audience import decode
from coordcell.core.errors import Conflict, ValidationFailed
from coordcell.core.forms import add_domain_errors
from coordcell.core.http import actor_for, member_required
from coordcell.core.paging import paginate
from coordcell.incidents.evidence import sealed_response
from coordcell.sharing import selectors, services
from coordcell.sharing.choices import (
    ConsentState,
    Surface,
    TierChoices,
    TlpChoices,
)
from coordcell.sharing.forms import (
    BelowForm,
    DecideForm,
    FileForm,
    ItemForm,
    RedactForm,
    ReleasabilityForm,
    TierForm,
    _codes,
)


def _labels() -> dict[str, Any]:
    return {
        "tier_labels": dict(TierChoices.choices()),
        "tlp_labels": dict(TlpChoices.choices()),
        "state_labels": dict(ConsentState.choices()),
    }


@member_required
def feed(request: HttpRequest) -> HttpResponse:
    """The items the reader may read, newest first (``q`` searches, ``tier`` filters)."""
    actor = actor_for(request)
    q = (request.GET.get("q") or "").strip()[: selectors.Q_MAX_CHARS]
    qs = selectors.search(selectors.items_visible_to(actor), q)
    facets = selectors.facets(qs)
    tier = request.GET.get("tier") or ""
    if tier in TierChoices.values():
        qs = qs.filter(tier=tier)
    pager = paginate(request, qs)
    context = {
        "items": pager.items,
        "pager": pager,
        "q": q,
        "tier": tier,
        "facets": facets,
        "inbox": selectors.consent_inbox(actor).count(),
        **_labels(),
    }
    return render(request, "sharing/feed.html", context)


@member_required
def new_item(request: HttpRequest) -> HttpResponse:
    """Share an item; with a tearline, the part below the line is an item of its own."""
    actor = actor_for(request)
    form = ItemForm(request.POST or None)
    below = BelowForm(request.POST or None, prefix="below")
    with_tearline = request.method == "POST" and bool(request.POST.get("below-title"))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid() and (not with_tearline or below.is_valid()):
            try:
                if with_tearline:
                    item, _part = services.create_with_tearline(
                        actor=actor, product=form.to_input(), below=below.to_input()
                    )
                else:
                    item = services.create_item(actor=actor, data=form.to_input())
            except ValidationFailed as exc:
                add_domain_errors(form, exc)
            else:
                messages.success(request, _("Item shared."))
                return redirect("sharing:detail", public_id=item.public_id)
    parties = selectors.arrangement_parties(actor)
    context = {"form": form, "below": below, "parties": parties, **_labels()}
    return render(request, "sharing/new.html", context, status=status)


def _detail_context(actor: Any, item: Any) -> dict[str, Any]:
    seen = selectors.history(actor, item)
    is_originator = not actor.system and actor.party_id == item.originator_id
    return {
        "item": item,
        "audience": decode(item.audience),
        "rel": decode(item.releasability),
        "sources": selectors.visible_source(actor, item),
        "derived": selectors.derived_items(actor, item),
        "links": selectors.resolve_links(actor, item),
        "files": list(selectors.list_attachments(item)),
        "changes": seen["changes"],
        "requests": seen["requests"],
        "is_originator": is_originator,
        "may_request": is_originator or not item.originator_control,
        "tier_form": TierForm(),
        "redact_form": RedactForm(),
        "below_form": BelowForm(prefix="below"),
        "rel_form": ReleasabilityForm(
            initial={
                "releasability": " ".join(decode(item.releasability)),
                "originator_control": item.originator_control,
            }
        ),
        "file_form": FileForm(),
        "decide_form": DecideForm(),
        **_labels(),
    }


@member_required
def detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    """An item with its audience, markings, links, files and consent history."""
    actor = actor_for(request)
    item = selectors.get_item(actor, public_id)
    services.log_access(actor=actor, item=item, surface=Surface.PAGE)
    return render(request, "sharing/detail.html", _detail_context(actor, item))


def _back(
    request: HttpRequest, item: Any, exc: ValidationFailed | Conflict | None = None
) -> HttpResponse:
    """Back to the item's page, with the refusal's messages if there was one."""
    if isinstance(exc, ValidationFailed):
        for messages_ in exc.fields.values():
            for message in messages_:
                messages.error(request, message)
    elif exc is not None:
        messages.error(request, str(exc.message))
    return redirect("sharing:detail", public_id=item.public_id)


def _invalid(request: HttpRequest, item: Any, form: Any) -> HttpResponse:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return redirect("sharing:detail", public_id=item.public_id)


@require_POST
@member_required
def widen(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = actor_for(request)
    item = selectors.get_item(actor, public_id)
    form = TierForm(request.POST)
    if not form.is_valid():
        return _invalid(request, item, form)
    try:
        made = services.request_widening(
            actor=actor,
            item=item,
            to_tier=form.cleaned_data["to_tier"],
            counterpart=form.cleaned_data["counterpart"],
            reason=form.cleaned_data["reason"],
        )
    except (ValidationFailed, Conflict) as exc:
        return _back(request, item, exc)
    if made.state == ConsentState.GRANTED:
        messages.success(request, _("Audience widened."))
    else:
        messages.success(request, _("Consent requested."))
    return _back(request, item)


@require_POST
@member_required
def narrow(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = actor_for(request)
    item = selectors.get_item(actor, public_id)
    form = TierForm(request.POST)
    if not form.is_valid():
        return _invalid(request, item, form)
    try:
        services.narrow_item(
            actor=actor,
            item=item,
            to_tier=form.cleaned_data["to_tier"],
            counterpart=form.cleaned_data["counterpart"],
        )
    except (ValidationFailed, Conflict) as exc:
        return _back(request, item, exc)
    messages.success(request, _("Audience narrowed."))
    if selectors.items_visible_to(actor).filter(pk=item.pk).exists():
        return _back(request, item)
    return redirect("sharing:feed")


@require_POST
@member_required
def redact(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = actor_for(request)
    item = selectors.get_item(actor, public_id)
    form = RedactForm(request.POST)
    if not form.is_valid():
        return _invalid(request, item, form)
    d = form.cleaned_data
    try:
        made = services.redact_item(
            actor=actor,
            item=item,
            remove=d["remove"],
            tier=d["tier"],
            tlp=d["tlp"],
            counterpart=d["counterpart"],
            releasability=_codes(d["releasability"]),
            title=d["title"],
            body=d["body"] or None,
        )
    except (ValidationFailed, Conflict) as exc:
        return _back(request, item, exc)
    messages.success(request, _("Redacted version made."))
    return redirect("sharing:detail", public_id=made.public_id)


@require_POST
@member_required
def tearline(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = actor_for(request)
    item = selectors.get_item(actor, public_id)
    form = BelowForm(request.POST, prefix="below")
    if not form.is_valid():
        return _invalid(request, item, form)
    try:
        made = services.make_tearline(
            actor=actor, item=item, below=form.to_input(item.originator_control)
        )
    except (ValidationFailed, Conflict) as exc:
        return _back(request, item, exc)
    messages.success(request, _("The part below the tearline is released."))
    return redirect("sharing:detail", public_id=made.public_id)


@require_POST
@member_required
def releasability(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = actor_for(request)
    item = selectors.get_item(actor, public_id)
    form = ReleasabilityForm(request.POST)
    if not form.is_valid():
        return _invalid(request, item, form)
    try:
        services.set_releasability(
            actor=actor,
            item=item,
            releasability=_codes(form.cleaned_data["releasability"]),
            originator_control=form.cleaned_data["originator_control"],
        )
    except (ValidationFailed, Conflict) as exc:
        return _back(request, item, exc)
    messages.success(request, _("Markings changed."))
    return _back(request, item)


@require_POST
@member_required
def upload(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = actor_for(request)
    item = selectors.get_item(actor, public_id)
    form = FileForm(request.POST, request.FILES)
    if not form.is_valid():
        return _invalid(request, item, form)
    file = form.cleaned_data["file"]
    try:
        services.add_attachment(actor=actor, item=item, upload=file, filename=file.name)
    except (ValidationFailed, Conflict) as exc:
        return _back(request, item, exc)
    messages.success(request, _("File attached."))
    return _back(request, item)


@member_required
def download(request: HttpRequest, public_id: Any, sha256: str) -> Any:
    """The released copy of an item's file (the item's audience)."""
    actor = actor_for(request)
    item = selectors.get_item(actor, public_id)
    found, handle = selectors.open_attachment(actor, item, sha256)
    services.log_access(actor=actor, item=item, surface=Surface.EXPORT)
    return sealed_response(found.copy_sha256, found.content_type, handle)


@member_required
def access(request: HttpRequest, public_id: Any) -> HttpResponse:
    """Who opened the item: for the originator's people alone (else the 404)."""
    actor = actor_for(request)
    item = selectors.get_item(actor, public_id)
    pager = paginate(request, selectors.access_log(actor, item).select_related("party"))
    return render(
        request, "sharing/access.html", {"item": item, "pager": pager, "rows": pager.items}
    )


@member_required
def inbox(request: HttpRequest) -> HttpResponse:
    """Requests waiting for the reader's party's consent."""
    actor = actor_for(request)
    pager = paginate(request, selectors.consent_inbox(actor))
    context = {"requests": pager.items, "pager": pager, "decide_form": DecideForm(), **_labels()}
    return render(request, "sharing/inbox.html", context)


@require_POST
@member_required
def decide(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = actor_for(request)
    found = selectors.get_consent_request(actor, public_id)
    form = DecideForm(request.POST)
    if not form.is_valid():
        return _invalid(request, found.item, form)
    try:
        services.decide_consent(
            actor=actor,
            request=found,
            granted=form.cleaned_data["granted"],
            note=form.cleaned_data["note"],
        )
    except (ValidationFailed, Conflict) as exc:
        return _back(request, found.item, exc)
    messages.success(request, _("Your answer is recorded."))
    return redirect("sharing:inbox")


@require_POST
@member_required
def withdraw(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = actor_for(request)
    found = selectors.get_consent_request(actor, public_id)
    try:
        services.withdraw_request(actor=actor, request=found)
    except Conflict as exc:
        return _back(request, found.item, exc)
    messages.success(request, _("Request withdrawn."))
    return _back(request, found.item)
