"""The ladder as practitioners run it: a case climbs only on failure or request, each level
only once it is eligible; the top of the ladder is pinned to the board; an extension moves
a deadline only once both parties have countersigned it."""

from __future__ import annotations

import datetime as dt
from typing import Any
from unittest import mock

import pytest
from django.test import Client

from coordcell.agreements.selectors import get_version
from coordcell.cases import selectors, services
from coordcell.cases.alerts import list_escalations
from coordcell.cases.models import Case, Deadline, Notification
from coordcell.core.errors import Conflict, PermissionDenied
from coordcell.incidents.services import IncidentInput, report_incident

pytestmark = pytest.mark.django_db

IN_AOS = {"type": "Point", "coordinates": [35.82461, 33.12595]}
REASONS = "The answer leaves the presence unexplained (fictional test)."


def _case(actor: Any, summary: str = "Armed personnel (fictional test).") -> Case:
    liaison = actor("il.liaison")
    incident = report_incident(
        actor=liaison,
        data=IncidentInput(
            kind="military_presence",
            title="Armed personnel in the Area of Separation (fictional test)",
            occurred_from=dt.datetime(2026, 3, 1, 6, 30, tzinfo=dt.UTC),
            geometry=IN_AOS,
        ),
        version=get_version(liaison, None, None),
        audience=["il", "sy"],
    )
    return services.lodge_complaint(
        actor=liaison, incident=incident, respondent="sy", summary=summary
    )


def _actions(case: Case) -> list[str]:
    return [s.action for s in selectors.list_steps(case)]


def _answer(actor: Any, case: Case) -> None:
    services.act(actor=actor("sy.liaison"), case=case, action="answer", text="Not ours (test).")


def _later(hours: float) -> Any:
    """Services' clock moved ``hours`` ahead (the worker is given its moment directly)."""
    moment = dt.datetime.now(dt.UTC) + dt.timedelta(hours=hours)
    return mock.patch("coordcell.cases.services.timezone.now", return_value=moment)


# ------------------------------------------------------------------------- no climb in time


def test_a_timely_case_does_not_climb_the_worker_reminds_the_mediator(actor: Any) -> None:
    """Acknowledged and answered at once, verification asked: days later the worker
    writes a review reminder for the mediator, and no climb, no alert."""
    case = _case(actor)
    sy, il = actor("sy.liaison"), actor("il.liaison")
    services.act(actor=sy, case=case, action="acknowledge")
    services.act(actor=sy, case=case, action="answer", text="Not ours (fictional test).")
    services.act(actor=il, case=case, action="request_verification")
    verification = Deadline.objects.get(case=case, kind="verification")
    # Two days on: the level's review time (24 h) has passed; no reply is overdue.
    services.expire_due(verification.due_at - dt.timedelta(minutes=1))
    case.refresh_from_db()
    assert case.level == 0
    assert _actions(case) == [
        "lodge",
        "acknowledge",
        "answer",
        "request_verification",
        "review_due",
    ]
    assert not list_escalations(actor("mediator")).filter(case=case).exists()  # no CAP alert
    review = case.steps.get(action="review_due")
    told = {n.recipient.username for n in Notification.objects.filter(step=review)}
    assert "mediator" in told
    assert not {"il.liaison", "sy.liaison"} & told  # a reminder to the mediator
    board = selectors.board_cases(actor("mediator")).get(pk=case.pk)
    assert board.review_due


def test_two_escalations_seconds_after_lodging_are_refused(actor: Any, tokens: Any) -> None:
    case = _case(actor)
    client = Client(headers={"Authorization": f"Bearer {tokens['il.liaison']}"})
    for _ in range(2):
        response = client.post(
            f"/api/v1/cases/{case.public_id}/actions/",
            {"action": "escalate", "text": "Take it to the capitals now (fictional test)."},
            content_type="application/json",
        )
        assert response.status_code == 409, response.content
        assert b"none of these happened at this level" in response.content
    case.refresh_from_db()
    assert (case.level, _actions(case)) == (0, ["lodge"])


def test_an_escalation_needs_reasons(actor: Any, client_for: Any) -> None:
    case = _case(actor)
    response = client_for("mediator").post(f"/cases/{case.public_id}/escalate/", {"text": ""})
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.level == 0


def test_a_rejected_answer_gives_the_complainant_grounds(actor: Any) -> None:
    case = _case(actor)
    il, sy = actor("il.liaison"), actor("sy.liaison")
    services.act(actor=sy, case=case, action="answer", text="Not ours (fictional test).")
    with pytest.raises(Conflict):
        services.act(actor=il, case=case, action="escalate", text=REASONS)
    services.act(actor=il, case=case, action="reject_answer", text=REASONS)
    case = services.act(actor=il, case=case, action="escalate", text=REASONS)
    assert case.level == 1
    escalation = case.steps.get(action="escalate")
    assert escalation.entry.data["grounds"] == ["answer_rejected"]
    assert escalation.entry.data["text"] == REASONS


def test_no_level_is_reachable_before_its_eligibility(actor: Any) -> None:
    """The mediator decides (with reasons) to take the case to the principals; the
    capitals may be reached only 24 h after that (the scenario's choice)."""
    case = _case(actor)
    mediator = actor("mediator")
    _answer(actor, case)  # nothing is missed: the mediator's decision is the only ground
    case = services.act(actor=mediator, case=case, action="escalate", text=REASONS)
    assert case.level == 1
    with pytest.raises(Conflict, match="may not be reached before"):
        services.act(actor=mediator, case=case, action="escalate", text=REASONS)
    with _later(23), pytest.raises(Conflict, match="may not be reached before"):
        services.act(actor=mediator, case=case, action="escalate", text=REASONS)
    with _later(25):
        case = services.act(actor=mediator, case=case, action="escalate", text=REASONS)
    assert case.level == 2
    with _later(26), pytest.raises(Conflict, match="top of the ladder"):
        services.act(actor=mediator, case=case, action="escalate", text=REASONS)


def test_a_missed_deadline_climbs_and_the_level_outcome_is_recorded(actor: Any) -> None:
    case = _case(actor)
    ack = Deadline.objects.get(case=case, kind="acknowledge")
    services.expire_due(ack.due_at + dt.timedelta(minutes=1))
    case.refresh_from_db()
    assert case.level == 1
    assert _actions(case) == ["lodge", "no_reply", "escalate"]
    with pytest.raises(PermissionDenied):
        services.act(actor=actor("il.liaison"), case=case, action="record_level_outcome", text="x")
    case = services.act(
        actor=actor("mediator"),
        case=case,
        action="record_level_outcome",
        text="The principals met; Syria will answer within 24 h (fictional test).",
    )
    outcome = case.steps.get(action="record_level_outcome").entry.data
    assert (outcome["level_name"], outcome["owner"]) == ("cell_principals", "principals")
    assert outcome["level_action"]["en"] == "Principals' meeting within 24 h"


# ------------------------------------------------------------------------------ the board


def test_a_top_of_ladder_case_is_pinned_first_on_the_board(actor: Any, client_for: Any) -> None:
    mediator = actor("mediator")
    top = _case(actor, "Top of the ladder (fictional test).")
    _answer(actor, top)
    top = services.act(actor=mediator, case=top, action="escalate", text=REASONS)
    with _later(25):
        top = services.act(actor=mediator, case=top, action="escalate", text=REASONS)
    _case(actor, "A newer case, due sooner (fictional test).")
    board = list(selectors.board_cases(mediator, open_only=True))
    assert board[0].pk == top.pk
    assert board[0].at_top
    assert not any(c.at_top for c in board[1:])
    # Without the pin it would not come first: others are due sooner.
    assert any(c.next_due < board[0].next_due for c in board[1:] if c.next_due)
    page = client_for("mediator").get("/cases/").content.decode()
    assert page.index(top.reference) < min(
        page.index(c.reference) for c in board[1:] if c.reference in page
    )
    assert "top of the ladder" in page
    case_page = client_for("mediator").get(f"/cases/{top.public_id}/").content.decode()
    assert "the top of the ladder" in case_page
    assert "Démarche to capitals" in case_page


# ------------------------------------------------------------------------------ extensions


def test_an_extension_without_both_countersignatures_does_not_move_the_deadline(
    actor: Any, client_for: Any
) -> None:
    case = _case(actor)
    answer = Deadline.objects.get(case=case, kind="answer")
    due = answer.due_at
    services.propose_extension(
        actor=actor("mediator"), case=case, kind="answer", hours=24, reason="Holiday (test)."
    )
    answer.refresh_from_db()
    assert answer.due_at == due
    assert not answer.extended_by_agreement
    assert selectors.board_cases(actor("mediator")).get(pk=case.pk).extension_pending
    assert (
        "extension awaiting countersignature"
        in client_for("mediator").get("/cases/").content.decode()
    )
    # The proposer cannot countersign for the parties; one party alone moves nothing.
    with pytest.raises(PermissionDenied):
        services.countersign_extension(actor=actor("mediator"), case=case, kind="answer")
    page = client_for("il.liaison").get(f"/cases/{case.public_id}/").content.decode()
    assert "awaiting countersignature" in page
    assert "Countersign" in page
    services.countersign_extension(actor=actor("sy.liaison"), case=case, kind="answer")
    with pytest.raises(Conflict, match="already countersigned"):
        services.countersign_extension(actor=actor("sy.liaison"), case=case, kind="answer")
    answer.refresh_from_db()
    assert answer.due_at == due
    # The old deadline runs: the worker expires it, and the proposal lapses.
    services.expire_due(due + dt.timedelta(minutes=1))
    answer.refresh_from_db()
    assert answer.state == "expired"
    assert case.extensions.get().state == "lapsed"
    with pytest.raises(Conflict):
        services.countersign_extension(actor=actor("il.liaison"), case=case, kind="answer")


def test_both_countersignatures_move_the_deadline_a_refusal_lapses_it(actor: Any) -> None:
    case = _case(actor)
    answer = Deadline.objects.get(case=case, kind="answer")
    due = answer.due_at
    mediator, il, sy = actor("mediator"), actor("il.liaison"), actor("sy.liaison")
    services.propose_extension(actor=mediator, case=case, kind="answer", hours=12, reason="r")
    with pytest.raises(Conflict, match="already awaits"):
        services.propose_extension(actor=mediator, case=case, kind="answer", hours=6, reason="r")
    services.refuse_extension(actor=il, case=case, kind="answer", reason="No (test).")
    answer.refresh_from_db()
    assert answer.due_at == due
    services.propose_extension(actor=mediator, case=case, kind="answer", hours=24, reason="r")
    services.countersign_extension(actor=il, case=case, kind="answer")
    services.countersign_extension(actor=sy, case=case, kind="answer")
    answer.refresh_from_db()
    assert answer.due_at == due + dt.timedelta(hours=24)
    assert answer.extended_by_agreement
    assert _actions(case)[-5:] == [
        "refuse_extension",
        "propose_extension",
        "countersign_extension",
        "countersign_extension",
        "extend",
    ]
    effect = case.steps.get(action="extend").entry
    assert effect.event_type == "cases.deadline_extended"
    assert effect.data["countersigned_by"] == {"respondent": "sy", "complainant": "il"}
    assert [x.state for x in case.extensions.order_by("pk")] == ["refused", "agreed"]
