"""The talks' pages: the track board, meetings and a meeting's page with its forms,
requests for meetings, the lexicon's amendments and the calendar with its
subscriptions. Every write goes through ``talks.services`` (or ``agreements.official``);
a refused input answers 400 with its message, a conflict 409, hidden looks missing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coordcell.agreements import official
from coordcell.agreements import selectors as agreements
from coordcell.agreements.choices import AmendmentStateChoices, ApprovalDecisionChoices
from coordcell.core.actor import Actor
from coordcell.core.errors import Conflict, NotFound, ValidationFailed
from coordcell.core.http import actor_for, member_required
from coordcell.core.models import localized_now
from coordcell.core.paging import paginate
from coordcell.rules import vocabulary
from coordcell.talks import calendar, selectors, services
from coordcell.talks.choices import AgendaStateChoices, MeetingStateChoices
from coordcell.talks.inputs import local_moment, optional_date, optional_moment
from coordcell.talks.models import Meeting


def _errors(exc: Exception) -> dict[str, list[str]]:
    if isinstance(exc, ValidationFailed):
        return {k: [str(m) for m in v] for k, v in exc.fields.items()}
    return {"": [str(getattr(exc, "message", exc))]}


def _refused(
    request: HttpRequest, actor: Actor, exc: Exception, back: Callable[..., HttpResponse]
) -> HttpResponse:
    status = 409 if isinstance(exc, Conflict) else 400
    return back(request, actor, errors=_errors(exc), status=status)


def _base(actor: Actor) -> dict[str, Any]:
    version, spec = selectors.current_spec(actor)
    return {
        "version": version,
        "spec": spec,
        "tracks": selectors.track_names(version),
        "may_manage": services.may_manage(actor),
        "may_speak": actor.party_kind == "party"
        and any(actor.has_role(r) for r in ("principal", "liaison_officer")),
    }


# --- the track board and the list of meetings ---------------------------------------------


@member_required
def board(request: HttpRequest) -> HttpResponse:
    return _board(request, actor_for(request))


def _board(
    request: HttpRequest, actor: Actor, *, errors: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    context = _base(actor)
    version = context["version"]
    context.update(
        rows=selectors.track_board(actor, version),
        released=selectors.released_media_lines(actor)[:10],
        requests=selectors.list_requests(actor)[:10],
        party_choices=selectors.party_choices(version),
        errors=errors,
    )
    return render(request, "talks/board.html", context, status=status)


@member_required
def meeting_list(request: HttpRequest) -> HttpResponse:
    return _meeting_list(request, actor_for(request))


def _meeting_list(
    request: HttpRequest, actor: Actor, *, errors: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    context = _base(actor)
    track = request.GET.get("track", "")
    if track not in context["tracks"]:
        track = ""
    pager = paginate(request, selectors.list_meetings(actor, track=track))
    context.update(
        pager=pager,
        meetings=pager.items,
        track=track,
        errors=errors,
        party_choices=selectors.party_choices(context["version"]),
        form=request.POST if errors else {},
    )
    return render(request, "talks/meetings.html", context, status=status)


@member_required
@require_POST
def meeting_new(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    version, _spec = selectors.current_spec(actor)
    try:
        meeting = services.schedule_meeting(
            actor=actor,
            version=version,
            title=request.POST.get("title", ""),
            tracks=request.POST.getlist("tracks"),
            parties_attending=request.POST.getlist("parties"),
            starts_at=local_moment(request.POST.get("starts_at"), version.time_zone, "starts_at"),
            ends_at=local_moment(request.POST.get("ends_at"), version.time_zone, "ends_at"),
            logistics=request.POST.get("logistics", ""),
        )
    except (ValidationFailed, Conflict) as exc:
        return _refused(request, actor, exc, _meeting_list)
    messages.success(request, _("Meeting scheduled."))
    return redirect("talks:meeting", meeting.public_id)


# --- one meeting --------------------------------------------------------------------------


@member_required
def meeting_page(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = actor_for(request)
    meeting = selectors.get_meeting(actor, public_id)
    return _meeting_page(request, actor, meeting)


def _meeting_page(
    request: HttpRequest,
    actor: Actor,
    meeting: Meeting,
    *,
    errors: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    context = _base(actor)
    minutes = selectors.minutes_of(actor, meeting)
    approvals = list(selectors.approvals_of(minutes)) if minutes else []
    approved = {a.party_code for a in approvals}
    translations = agreements.translations_of(actor, minutes.text_id) if minutes else []
    own_members = []
    if actor.party_code and actor.party_code in meeting.audience_codes:
        own_members = selectors.own_members(actor)
    context.update(
        meeting=meeting,
        venue=selectors.venue_name(meeting.version, meeting.venue, get_language() or "en"),
        in_audience=actor.party_code in meeting.audience_codes,
        participants=selectors.participants_of(actor, meeting),
        own_members=own_members,
        agenda=selectors.numbered_agenda(actor, meeting),
        minutes=minutes,
        translations=translations,
        approvals=approvals,
        awaiting=[c for c in meeting.parties if c not in approved],
        may_approve=bool(
            minutes
            and minutes.state == "circulated"
            and context["may_speak"]
            and actor.party_code in meeting.parties
            and actor.party_code not in approved
        ),
        notes=selectors.notes_of(actor, meeting),
        media_line=selectors.media_line_of(actor, meeting),
        languages=[(code, _language_name(code)) for code in vocabulary.LANGUAGES],
        errors=errors,
        open_state=AgendaStateChoices.OPEN,
        scheduled=meeting.state == MeetingStateChoices.SCHEDULED,
    )
    return render(request, "talks/meeting.html", context, status=status)


def _language_name(code: str) -> str:
    return {"en": _("English"), "ar": _("Arabic"), "he": _("Hebrew")}.get(code, code)


def _meeting_action(
    request: HttpRequest, public_id: Any, act: Callable[[Actor, Meeting], str]
) -> HttpResponse:
    actor = actor_for(request)
    meeting = selectors.get_meeting(actor, public_id)
    if request.method != "POST":
        return redirect("talks:meeting", meeting.public_id)
    try:
        done = act(actor, meeting)
    except (ValidationFailed, Conflict) as exc:
        status = 409 if isinstance(exc, Conflict) else 400
        return _meeting_page(request, actor, meeting, errors=_errors(exc), status=status)
    messages.success(request, done)
    return redirect("talks:meeting", meeting.public_id)


@member_required
def participants(request: HttpRequest, public_id: Any) -> HttpResponse:
    def act(actor: Actor, meeting: Meeting) -> str:
        services.set_participants(
            actor=actor, meeting=meeting, usernames=request.POST.getlist("members")
        )
        return _("Attendees saved.")

    return _meeting_action(request, public_id, act)


@member_required
def agenda_add(request: HttpRequest, public_id: Any) -> HttpResponse:
    def act(actor: Actor, meeting: Meeting) -> str:
        services.add_agenda_item(actor=actor, meeting=meeting, title=request.POST.get("title", ""))
        return _("Item added.")

    return _meeting_action(request, public_id, act)


@member_required
def agenda_close(request: HttpRequest, public_id: Any, position: int) -> HttpResponse:
    def act(actor: Actor, meeting: Meeting) -> str:
        try:  # the number the reader reads on the page, not the stored position
            item = selectors.agenda_item_numbered(actor, meeting, position)
        except NotFound:
            raise Http404() from None
        services.close_agenda_item(actor=actor, item=item, outcome=request.POST.get("outcome", ""))
        return _("Item closed.")

    return _meeting_action(request, public_id, act)


@member_required
def minutes_draft(request: HttpRequest, public_id: Any) -> HttpResponse:
    def act(actor: Actor, meeting: Meeting) -> str:
        services.draft_minutes(
            actor=actor,
            meeting=meeting,
            text=request.POST.get("text", ""),
            language=request.POST.get("language", ""),
        )
        return _("Minutes drafted.")

    return _meeting_action(request, public_id, act)


@member_required
def minutes_translate(request: HttpRequest, public_id: Any) -> HttpResponse:
    def act(actor: Actor, meeting: Meeting) -> str:
        minutes = selectors.minutes_of(actor, meeting)
        if minutes is None or not services.may_manage(actor):
            raise Http404()
        services.translate_minutes(
            actor=actor,
            meeting=meeting,
            language=request.POST.get("language", ""),
            text=request.POST.get("text", ""),
            translator=request.POST.get("translator", ""),
        )
        return _("Translation recorded.")

    return _meeting_action(request, public_id, act)


@member_required
def minutes_advance(request: HttpRequest, public_id: Any, language: str) -> HttpResponse:
    def act(actor: Actor, meeting: Meeting) -> str:
        minutes = selectors.minutes_of(actor, meeting)
        found = (
            [
                t
                for t in agreements.translations_of(actor, minutes.text_id)
                if t.language == language
            ]
            if minutes
            else []
        )
        if not found:
            raise Http404()
        official.advance_translation(
            actor=actor, translation=found[0], to=request.POST.get("to", "")
        )
        return _("Translation status recorded.")

    return _meeting_action(request, public_id, act)


@member_required
def minutes_circulate(request: HttpRequest, public_id: Any) -> HttpResponse:
    def act(actor: Actor, meeting: Meeting) -> str:
        services.circulate_minutes(actor=actor, meeting=meeting)
        return _("Minutes circulated for approval.")

    return _meeting_action(request, public_id, act)


@member_required
def minutes_approve(request: HttpRequest, public_id: Any) -> HttpResponse:
    def act(actor: Actor, meeting: Meeting) -> str:
        services.approve_minutes(
            actor=actor, meeting=meeting, objection=request.POST.get("objection", "")
        )
        return _("Approval recorded.")

    return _meeting_action(request, public_id, act)


@member_required
def summary(request: HttpRequest, public_id: Any) -> HttpResponse:
    def act(actor: Actor, meeting: Meeting) -> str:
        services.set_chair_summary(actor=actor, meeting=meeting, text=request.POST.get("text", ""))
        return _("Chair's summary saved.")

    return _meeting_action(request, public_id, act)


@member_required
def notes(request: HttpRequest, public_id: Any) -> HttpResponse:
    def act(actor: Actor, meeting: Meeting) -> str:
        services.save_notes(actor=actor, meeting=meeting, text=request.POST.get("text", ""))
        return _("Your delegation's notes are saved.")

    return _meeting_action(request, public_id, act)


@member_required
def media(request: HttpRequest, public_id: Any) -> HttpResponse:
    def act(actor: Actor, meeting: Meeting) -> str:
        zone = meeting.version.time_zone
        services.agree_media_line(
            actor=actor,
            meeting=meeting,
            text=request.POST.get("text", ""),
            next_meeting_on=optional_date(request.POST.get("next_meeting_on"), "next_meeting_on"),
            embargo_until=optional_moment(request.POST.get("embargo_until"), zone, "embargo_until"),
        )
        return _("Media line recorded.")

    return _meeting_action(request, public_id, act)


@member_required
def held(request: HttpRequest, public_id: Any) -> HttpResponse:
    def act(actor: Actor, meeting: Meeting) -> str:
        services.record_held(actor=actor, meeting=meeting)
        return _("Recorded as held.")

    return _meeting_action(request, public_id, act)


@member_required
def cancel(request: HttpRequest, public_id: Any) -> HttpResponse:
    def act(actor: Actor, meeting: Meeting) -> str:
        services.cancel_meeting(actor=actor, meeting=meeting)
        return _("Meeting cancelled.")

    return _meeting_action(request, public_id, act)


# --- requests for a meeting ------------------------------------------------------------------


@member_required
@require_POST
def request_new(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    version, _spec = selectors.current_spec(actor)
    try:
        services.request_meeting(
            actor=actor,
            version=version,
            tracks=request.POST.getlist("tracks"),
            reason=request.POST.get("reason", ""),
        )
    except (ValidationFailed, Conflict) as exc:
        return _refused(request, actor, exc, _board)
    messages.success(request, _("Your request is with the mediator."))
    return redirect("talks:board")


@member_required
@require_POST
def request_answer(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = actor_for(request)
    meeting_request = selectors.get_request(actor, public_id)
    try:
        schedule = None
        if request.POST.get("decision") == "schedule":
            zone = meeting_request.version.time_zone
            schedule = {
                "title": request.POST.get("title", ""),
                "tracks": list(meeting_request.tracks),
                "parties_attending": request.POST.getlist("parties"),
                "starts_at": local_moment(request.POST.get("starts_at"), zone, "starts_at"),
                "ends_at": local_moment(request.POST.get("ends_at"), zone, "ends_at"),
            }
        services.answer_request(
            actor=actor,
            request=meeting_request,
            answer=request.POST.get("answer", ""),
            schedule=schedule,
        )
    except (ValidationFailed, Conflict) as exc:
        return _refused(request, actor, exc, _board)
    messages.success(request, _("Answer recorded."))
    return redirect("talks:board")


# --- the lexicon, editable only by agreement -------------------------------------------------


@member_required
def lexicon(request: HttpRequest) -> HttpResponse:
    return _lexicon(request, actor_for(request))


def _lexicon(
    request: HttpRequest, actor: Actor, *, errors: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    version, _spec = selectors.current_spec(actor)
    pager = paginate(request, agreements.list_amendments(actor))
    rows = []
    for amendment in pager.items:
        decided = {a.party_code: a for a in amendment.approvals.all()}
        rows.append(
            {
                "amendment": amendment,
                "decisions": [(code, decided.get(code)) for code in amendment.required],
                "state_label": AmendmentStateChoices.label(amendment.state),
                "state_colour": AmendmentStateChoices.colour(amendment.state),
                "may_decide": amendment.state == AmendmentStateChoices.PENDING
                and actor.party_code in amendment.required
                and actor.party_code not in decided
                and any(actor.has_role(r) for r in ("principal", "liaison_officer")),
            }
        )
    context = {
        "rows": rows,
        "pager": pager,
        "entries": [
            (f"{s}.{k}", localized_now(names))
            for s, k, names in agreements.lexicon_entries(version)
        ],
        "errors": errors,
        "form": request.POST if errors else {},
        "decisions": ApprovalDecisionChoices.choices(),
    }
    return render(request, "talks/lexicon.html", context, status=status)


@member_required
@require_POST
def lexicon_propose(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    version, _spec = selectors.current_spec(actor)
    try:
        official.propose_amendment(
            actor=actor,
            version=version,
            reference=request.POST.get("entry", ""),
            proposed={lang: request.POST.get(f"name_{lang}", "") for lang in vocabulary.LANGUAGES},
            reason=request.POST.get("reason", ""),
        )
    except (ValidationFailed, Conflict) as exc:
        return _refused(request, actor, exc, _lexicon)
    messages.success(
        request, _("Amendment proposed: it applies once every party and the mediator approve.")
    )
    return redirect("talks:lexicon")


@member_required
@require_POST
def lexicon_decide(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = actor_for(request)
    amendment = agreements.get_amendment(actor, public_id)
    try:
        official.decide_amendment(
            actor=actor,
            amendment=amendment,
            decision=request.POST.get("decision", ""),
            note=request.POST.get("note", ""),
        )
    except (ValidationFailed, Conflict) as exc:
        return _refused(request, actor, exc, _lexicon)
    messages.success(request, _("Your party's decision is on the record."))
    return redirect("talks:lexicon")


# --- the calendar ------------------------------------------------------------------------------


def _ics(actor: Actor, request: HttpRequest) -> HttpResponse:
    meetings = selectors.list_meetings(actor)[: calendar.MAX_EVENTS]
    body = calendar.calendar_ics(
        actor, meetings, host=request.get_host().split(":")[0], name=_("Talks")
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="talks.ics"'
    response["Cache-Control"] = "private, no-store"
    return response


@member_required
def calendar_export(request: HttpRequest) -> HttpResponse:
    """The meetings the person may see, as an iCalendar file."""
    return _ics(actor_for(request), request)


def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """A subscription URL: no session, the secret token names the person; it shows what
    that person may see now (nothing once they leave the cell), and 404 once revoked."""
    subscription = selectors.find_subscription(token)
    if subscription is None or not subscription.user.is_active:
        raise Http404()
    if settings.REQUIRE_MFA:
        from coordcell.accounts.second_factor import lacks_required_second_factor

        if lacks_required_second_factor(subscription.user):
            raise Http404()
    actor = Actor.from_user(subscription.user)
    if not actor.is_member:
        raise Http404()
    return _ics(actor, request)


@member_required
def subscriptions(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    token = ""
    status = 200
    errors = None
    if request.method == "POST":
        try:
            _subscription, token = services.create_subscription(actor=actor)
        except (ValidationFailed, Conflict) as exc:
            errors, status = _errors(exc), 409
    url = request.build_absolute_uri(reverse("talks:feed", args=[token])) if token else ""
    return render(
        request,
        "talks/subscriptions.html",
        {"subscriptions": selectors.subscriptions_of(actor), "url": url, "errors": errors},
        status=status,
    )


@member_required
@require_POST
def subscription_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    subscription = selectors.subscriptions_of(actor).filter(pk=pk).first()
    if subscription is None:
        raise Http404()
    services.revoke_subscription(actor=actor, subscription=subscription)
    messages.success(request, _("Subscription revoked: its URL no longer answers."))
    return redirect("talks:subscriptions")
