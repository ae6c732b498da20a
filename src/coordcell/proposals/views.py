"""The pages of proposals and commitments: the list of proposals, a proposal with its
versions side by side, each party's position on each version and its what-if replay,
the commitments table with filters and their status over time (inline SVG), and a
commitment with its indicators, deadlines, extensions and each party's assessment side
by side. Reads go through ``proposals.selectors``; writes call the services the API
calls."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from coordcell.agreements import selectors as agreements
from coordcell.core.actor import Actor
from coordcell.core.errors import Conflict, NotFound, ValidationFailed
from coordcell.core.http import actor_for, member_required
from coordcell.core.models import localized_now
from coordcell.core.paging import paginate
from coordcell.parties import selectors as parties
from coordcell.parties.choices import PartyKindChoices
from coordcell.proposals import exports, replay, selectors, services
from coordcell.proposals.changes import describe
from coordcell.proposals.choices import (
    CommitmentKindChoices,
    CommitmentStatusChoices,
    StanceChoices,
)
from coordcell.rules.arrangement import talks_from_content

_CHART_DAYS = 30
#: The chart's fill for each status colour (the badges' palette).
_FILL = {
    "grey": "#8a8f98", "blue": "#2f6fb3", "green": "#2e7d32", "teal": "#00897b",
    "red": "#c62828", "orange": "#ef6c00",
}  # fmt: skip


def _zone(actor: Actor) -> dt.tzinfo:
    try:
        return zoneinfo.ZoneInfo(agreements.current_time_zone(actor))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return dt.UTC


def _moment(value: str, zone: dt.tzinfo) -> dt.datetime | str:
    """A ``datetime-local`` value read in the arrangement's time zone (else as sent, for
    the service to refuse)."""
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def _fail(request: HttpRequest, exc: ValidationFailed | Conflict) -> None:
    if isinstance(exc, ValidationFailed):
        for field, msgs in exc.fields.items():
            for m in msgs:
                messages.error(request, f"{field}: {m}" if field else m)
    else:
        messages.error(request, str(exc))


def _party_names(actor: Actor) -> dict[str, str]:
    return {p.code: str(localized_now(p.names) or p.code) for p in parties.list_parties(actor)}


def _track_names(actor: Any) -> dict[str, str]:
    """The arrangement's tracks (id → name in the reader's language), in its order."""
    version = agreements.get_version(actor, None, None)
    spec = talks_from_content(version.content.get("talks"))
    return {t.id: str(localized_now(dict(t.name))) for t in spec.tracks} if spec else {}


# --- proposals ---------------------------------------------------------------------------


@member_required
def proposal_list(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    if request.method == "POST":
        audience = request.POST.getlist("audience")
        try:
            proposal = services.table_proposal(
                actor=actor,
                title=request.POST.get("title", ""),
                track=request.POST.get("track", ""),
                text=request.POST.get("text", ""),
                language=request.POST.get("language", ""),
                audience=audience,
                change=request.POST.get("change", "") or None,
            )
        except (ValidationFailed, Conflict) as exc:
            _fail(request, exc)
        else:
            messages.success(request, _("Proposal tabled."))
            return redirect("proposals:proposal", proposal.public_id)
    pager = paginate(request, selectors.list_proposals(actor, track=request.GET.get("track", "")))
    names = _party_names(actor)
    return render(
        request,
        "proposals/list.html",
        {
            "pager": pager,
            "names": names,
            "may_table": services.may_speak(actor) and not actor.system,
            "languages": services.LANGUAGES,
            "parties": sorted(names.items()),
            "tracks": _track_names(actor),
        },
        status=400 if request.method == "POST" else 200,
    )


def _versions_side_by_side(
    request: HttpRequest, versions: list[Any]
) -> tuple[Any, Any, list[dict[str, Any]]]:
    if len(versions) < 2:
        return None, None, []
    by_number = {v.number: v for v in versions}
    try:
        right = by_number[int(request.GET.get("to", versions[-1].number))]
        left = by_number[int(request.GET.get("from", right.number - 1))]
    except (KeyError, ValueError):
        raise NotFound() from None
    return left, right, selectors.diff_rows(left.text, right.text)


@member_required
def proposal_page(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = actor_for(request)
    proposal = selectors.get_proposal(actor, public_id)
    versions = list(selectors.list_versions(actor, proposal))
    stances = selectors.stances_by_version(actor, proposal)
    left, right, rows = _versions_side_by_side(request, versions)
    names = _party_names(actor)
    grid = [
        (v, [(code, stances.get(v.number, {}).get(code)) for code in proposal.deciding])
        for v in versions
    ]
    latest = versions[-1] if versions else None
    try:
        months = int(request.GET.get("months", "1"))
    except ValueError:
        months = 0
    shown = next((v for v in versions if v.change), None)
    if request.GET.get("replay"):
        try:
            shown = selectors.get_version(actor, proposal, request.GET["replay"])
        except NotFound:
            shown = None
    result = None
    replay_error = ""
    if shown is not None and shown.change:
        try:
            result = replay.replay(actor, shown, months)
        except ValidationFailed as exc:
            replay_error = " ".join(m for ms in exc.fields.values() for m in ms)
    party = actor.party_code or ""
    rows_commitments = selectors.commitment_rows(actor, proposal=proposal)
    return render(
        request,
        "proposals/proposal.html",
        {
            "proposal": proposal,
            "track_name": _track_names(actor).get(proposal.track, proposal.track),
            "versions": versions,
            "grid": grid,
            "names": names,
            "left": left,
            "right": right,
            "diff": rows,
            "latest": latest,
            "may_answer": (
                latest is not None
                and proposal.agreed_version_id is None
                and party in proposal.deciding
                and services.may_speak(actor)
                and party not in stances.get(latest.number, {})
            ),
            "may_version": proposal.agreed_version_id is None
            and services.may_speak(actor)
            and (party in proposal.deciding or actor.party_kind == PartyKindChoices.KIND_MEDIATOR),
            "may_commit": proposal.agreed_version_id is not None and services.may_manage(actor),
            "stance_choices": StanceChoices.choices(),
            "kind_choices": CommitmentKindChoices.choices(),
            "languages": services.LANGUAGES,
            "replay_version": shown,
            "replay": result,
            "replay_error": replay_error,
            "operations": describe(list(shown.change))
            if shown is not None and shown.change
            else [],
            "months": months,
            "month_choices": range(1, replay.MAX_MONTHS + 1),
            "commitments": rows_commitments,
            "status_choices": dict(CommitmentStatusChoices.choices()),
        },
    )


@member_required
def version_add(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = actor_for(request)
    proposal = selectors.get_proposal(actor, public_id)
    if request.method == "POST":
        try:
            services.add_version(
                actor=actor,
                proposal=proposal,
                text=request.POST.get("text", ""),
                language=request.POST.get("language", ""),
                change=request.POST.get("change", "") or None,
            )
        except (ValidationFailed, Conflict) as exc:
            _fail(request, exc)
        else:
            messages.success(request, _("Version tabled."))
    return redirect("proposals:proposal", proposal.public_id)


@member_required
def stance_add(request: HttpRequest, public_id: Any, number: int) -> HttpResponse:
    actor = actor_for(request)
    proposal = selectors.get_proposal(actor, public_id)
    version = selectors.get_version(actor, proposal, number)
    if request.method == "POST":
        try:
            services.take_stance(
                actor=actor,
                version=version,
                stance=request.POST.get("stance", ""),
                text=request.POST.get("text", ""),
            )
        except (ValidationFailed, Conflict) as exc:
            _fail(request, exc)
        else:
            messages.success(request, _("Your party's position is on the record."))
    return redirect("proposals:proposal", proposal.public_id)


@member_required
def commitment_add(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = actor_for(request)
    proposal = selectors.get_proposal(actor, public_id)
    if request.method == "POST":
        indicators = [t for t in request.POST.get("indicators", "").splitlines() if t.strip()]
        try:
            commitment = services.create_commitment(
                actor=actor,
                proposal=proposal,
                title=request.POST.get("title", ""),
                description=request.POST.get("description", ""),
                kind=request.POST.get("kind", ""),
                owner=request.POST.get("owner", ""),
                due_at=_moment(request.POST.get("due_at", ""), _zone(actor)),
                indicators=indicators,
            )
        except (ValidationFailed, Conflict) as exc:
            _fail(request, exc)
        else:
            messages.success(request, _("Commitment made."))
            return redirect("proposals:commitment", commitment.public_id)
    return redirect("proposals:proposal", proposal.public_id)


# --- commitments -----------------------------------------------------------------------


def _chart(history: list[tuple[dt.date, dict[str, int]]]) -> dict[str, Any]:
    """Stacked bars of the statuses per day, as inline SVG coordinates."""
    width, height, pad = 600, 160, 20
    total = max((sum(c.values()) for _d, c in history), default=0) or 1
    step = (width - 2 * pad) / max(len(history), 1)
    colours = {v: CommitmentStatusChoices.colour(v) for v in CommitmentStatusChoices.values()}
    bars = []
    for i, (day, counts) in enumerate(history):
        y = float(height - pad)
        for value in CommitmentStatusChoices.values():
            n = counts.get(value, 0)
            if not n:
                continue
            h = (height - 2 * pad) * n / total
            y -= h
            bars.append(
                {"x": round(pad + i * step, 1), "y": round(y, 1), "w": round(step * 0.8, 1),
                 "h": round(h, 1), "fill": _FILL.get(colours[value], "#8a8f98"),
                 "day": day.isoformat(),
                 "label": CommitmentStatusChoices.label(value), "n": n}
            )  # fmt: skip
    return {
        "width": width,
        "height": height,
        "bars": bars,
        "first": history[0][0].isoformat() if history else "",
        "last": history[-1][0].isoformat() if history else "",
        "total": total,
        "legend": [(colours[v], lbl) for v, lbl in CommitmentStatusChoices.choices()],
    }


@member_required
def commitment_list(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    errors: list[str] = []

    def day(name: str) -> dt.date | None:
        raw = request.GET.get(name, "")
        if not raw:
            return None
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            errors.append(_("Give the date as YYYY-MM-DD."))
            return None

    status = request.GET.get("status", "")
    if status and status not in CommitmentStatusChoices.values():
        status = ""
        errors.append(_("Unknown status."))
    rows = selectors.commitment_rows(
        actor,
        party=request.GET.get("party", ""),
        status=status,
        due_before=day("due_before"),
        due_after=day("due_after"),
    )
    history = selectors.status_history(rows, _zone(actor), _CHART_DAYS)
    names = _party_names(actor)
    return render(
        request,
        "proposals/commitments.html",
        {
            "pager": paginate(request, rows),
            "names": names,
            "parties": sorted(names.items()),
            "status_choices": CommitmentStatusChoices.choices(),
            "status_labels": dict(CommitmentStatusChoices.choices()),
            "filters": request.GET,
            "chart": _chart(history),
            "errors": errors,
        },
        status=400 if errors else 200,
    )


@member_required
def commitment_page(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = actor_for(request)
    commitment = selectors.get_commitment(actor, public_id)
    row = selectors.row_of(commitment)
    assessments = selectors.latest_assessments(actor, commitment)
    names = _party_names(actor)
    sides = [*commitment.proposal.deciding]
    sides += sorted(code for code in assessments if code not in sides)
    party = actor.party_code or ""
    extensions = list(selectors.list_extensions(actor, commitment))
    return render(
        request,
        "proposals/commitment.html",
        {
            "c": commitment,
            "row": row,
            "names": names,
            "status_labels": dict(CommitmentStatusChoices.choices()),
            "pam_labels": exports.PAM_LABELS,
            "assessments": [(code, assessments.get(code)) for code in sides],
            "extensions": extensions,
            "may_verify": services.may_verify(actor),
            "may_extend": row.running and party in commitment.proposal.deciding,
            "may_agree": party in commitment.proposal.deciding,
            "may_assess": services.may_speak(actor)
            and not actor.system
            and (
                party in commitment.proposal.deciding
                or actor.party_kind == PartyKindChoices.KIND_MEDIATOR
            ),
        },
    )


def _commitment_post(request: HttpRequest, public_id: Any, act: Any, done: str) -> HttpResponse:
    actor = actor_for(request)
    commitment = selectors.get_commitment(actor, public_id)
    if request.method == "POST":
        try:
            act(actor, commitment)
        except (ValidationFailed, Conflict) as exc:
            _fail(request, exc)
        else:
            messages.success(request, done)
    return redirect("proposals:commitment", commitment.public_id)


@member_required
def indicator_verify(request: HttpRequest, public_id: Any, indicator_id: Any) -> HttpResponse:
    def act(actor: Actor, commitment: Any) -> None:
        indicator = selectors.get_indicator(actor, indicator_id)
        if indicator.commitment_id != commitment.pk:
            raise NotFound()
        services.verify_indicator(
            actor=actor, indicator=indicator, evidence=request.POST.get("evidence", "")
        )

    return _commitment_post(request, public_id, act, _("Indicator verified."))


@member_required
def extension_add(request: HttpRequest, public_id: Any) -> HttpResponse:
    def act(actor: Actor, commitment: Any) -> None:
        services.propose_extension(
            actor=actor,
            commitment=commitment,
            new_due_at=_moment(request.POST.get("new_due_at", ""), _zone(actor)),
            reason=request.POST.get("reason", ""),
        )

    return _commitment_post(request, public_id, act, _("New due date proposed."))


@member_required
def extension_agree(request: HttpRequest, public_id: Any, extension_id: Any) -> HttpResponse:
    def act(actor: Actor, commitment: Any) -> None:
        extension = selectors.get_extension(actor, extension_id)
        if extension.commitment_id != commitment.pk:
            raise NotFound()
        services.agree_extension(actor=actor, extension=extension)

    return _commitment_post(request, public_id, act, _("Your party agreed the new due date."))


@member_required
def assessment_add(request: HttpRequest, public_id: Any) -> HttpResponse:
    def act(actor: Actor, commitment: Any) -> None:
        services.assess_commitment(
            actor=actor,
            commitment=commitment,
            score=request.POST.get("score", ""),
            text=request.POST.get("text", ""),
        )

    return _commitment_post(request, public_id, act, _("Your party's assessment is recorded."))


@member_required
def pam_export(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    response = HttpResponse(exports.pam_csv(actor), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="commitments-pam.csv"'
    return response
