"""Structured determinations (issue "The cell as practitioners run it", point 3): the
deciders determine only once the respondent was heard; a determination has an outcome,
cites clauses and orders remedies with deadlines and verifiers; each party may attach
its reservation; a remedy is reported done by its owner and verified by its verifier (no
one reports "remedied" alone); a remedy's missed deadline marks non-compliance; the case
closes once every remedy is verified or the complainant assents.

The shipped scenario: the chair (the mediator, "us") determines; UNDOF monitors.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from coordcell.cases import determinations, services
from coordcell.cases.models import Case, Deadline, Remedy, Step
from coordcell.core.errors import Conflict, PermissionDenied, ValidationFailed
from coordcell.record.models import Entry

pytestmark = pytest.mark.django_db

TEXT = "The presence breaches the freeze; it is to end (fictional)."


def _case(actor: Any, *, answered: bool = True) -> Case:
    """A new complaint of Israel about Syria on the session's incident."""
    incident = Case.objects.order_by("pk").first().incident  # type: ignore[union-attr]
    case = services.lodge_complaint(
        actor=actor("il.liaison"),
        incident=incident,
        respondent="sy",
        summary="Determinations drill (fictional).",
    )
    if answered:
        services.act(actor=actor("sy.liaison"), case=case, action="answer", text="Not ours.")
    case.refresh_from_db()
    return case


def _remedy(**changes: Any) -> dict[str, Any]:
    remedy = {
        "what": "Withdraw the personnel from the Area of Separation (fictional).",
        "owner": "sy",
        "due_at": (timezone.now() + dt.timedelta(hours=48)).isoformat(),
        "verifier": "undof",
    }
    return {**remedy, **changes}


def _content(*remedies: dict[str, Any], outcome: str = "violation_established") -> dict[str, Any]:
    return {"outcome": outcome, "clauses": ["B.1"], "remedies": list(remedies)}


def _api(tokens: dict[str, str], username: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {tokens[username]}"})


def _post(client: Client, case: Case, body: dict[str, Any]) -> Any:
    return client.post(
        f"/api/v1/cases/{case.public_id}/actions/", body, content_type="application/json"
    )


def _determined(actor: Any, *remedies: dict[str, Any]) -> Case:
    case = _case(actor)
    services.act(
        actor=actor("mediator"),
        case=case,
        action="determine",
        text=TEXT,
        content=_content(*remedies),
    )
    case.refresh_from_db()
    return case


# --------------------------------------------------------------------- when it may come


def test_determining_before_the_respondent_is_heard_is_refused_with_409(
    actor: Any, tokens: dict[str, str]
) -> None:
    case = _case(actor, answered=False)
    response = _post(
        _api(tokens, "mediator"), case, {"action": "determine", "text": TEXT, **_content()}
    )
    assert response.status_code == 409, response.content
    assert "has not been heard" in response.json()["error"]["message"]
    case.refresh_from_db()
    assert (case.state, case.determination, case.outcome) == ("lodged", "", "")


def test_once_the_answer_deadline_passed_the_deciders_may_determine(actor: Any) -> None:
    case = _case(actor, answered=False)
    answer_due = Deadline.objects.get(case=case, kind="answer").due_at
    services.expire_due(answer_due + dt.timedelta(seconds=1))
    services.act(
        actor=actor("mediator"), case=case, action="determine", text=TEXT, content=_content()
    )
    case.refresh_from_db()
    assert case.state == "determined"


# --------------------------------------------------------------------- what it says


def test_a_determination_has_an_outcome_cites_clauses_and_orders_remedies(
    actor: Any, tokens: dict[str, str]
) -> None:
    case = _case(actor)
    client = _api(tokens, "mediator")
    missing = _post(client, case, {"action": "determine", "text": TEXT})
    assert missing.status_code == 400
    assert "outcome" in missing.json()["error"]["fields"]
    unknown = _post(
        client,
        case,
        {"action": "determine", "text": TEXT, **_content(), "clauses": ["NO-SUCH-CLAUSE"]},
    )
    assert unknown.status_code == 400
    assert "clauses" in unknown.json()["error"]["fields"]
    bad = _post(
        client,
        case,
        {
            "action": "determine",
            "text": TEXT,
            **_content(_remedy(owner="jo", verifier="il", due_at="2020-01-01T00:00:00Z")),
        },
    )
    assert bad.status_code == 400
    assert len(bad.json()["error"]["fields"]["remedies"]) == 3  # owner, verifier, deadline
    assert Remedy.objects.filter(case=case).count() == 0  # nothing written half-way
    done = _post(client, case, {"action": "determine", "text": TEXT, **_content(_remedy())})
    assert done.status_code == 200, done.content
    body = done.json()
    assert (body["state"], body["outcome"], body["clauses"]) == (
        "determined",
        "violation_established",
        ["B.1"],
    )
    [remedy] = body["remedies"]
    assert (remedy["owner"], remedy["verifier"], remedy["state"]) == ("sy", "undof", "open")
    deadline = Deadline.objects.get(case=case, kind="remedy")
    assert deadline.state == "open"
    entry = Entry.objects.get(pk=Step.objects.filter(case=case).last().entry_id)  # type: ignore[union-attr]
    assert entry.data["determination"]["outcome"] == "violation_established"


def test_each_party_may_attach_its_reservation_once(actor: Any, tokens: dict[str, str]) -> None:
    case = _determined(actor)
    for who in ("sy.liaison", "il.liaison"):
        services.act(actor=actor(who), case=case, action="reserve", text=f"{who} reserves.")
    with pytest.raises(Conflict):
        services.act(actor=actor("sy.liaison"), case=case, action="reserve", text="Again.")
    with pytest.raises(PermissionDenied):
        services.act(actor=actor("monitor"), case=case, action="reserve", text="Not a party.")
    detail = _api(tokens, "mediator").get(f"/api/v1/cases/{case.public_id}/").json()
    assert [r["party"] for r in detail["reservations"]] == ["sy", "il"]


# --------------------------------------------------------------------- remedies


def test_the_respondent_cannot_report_remedied_alone(actor: Any, tokens: dict[str, str]) -> None:
    case = _determined(actor, _remedy())
    remedy = Remedy.objects.get(case=case)
    # The old one-word step is gone from the table and the API.
    assert "remedy" not in services.available_actions(actor("sy.liaison"), case)
    response = _post(_api(tokens, "sy.liaison"), case, {"action": "remedy"})
    assert response.status_code == 400
    # The owner reports it done; that is not "remedied", and it may not verify it.
    determinations.mark_remedy_done(actor=actor("sy.liaison"), case=case, remedy=remedy)
    case.refresh_from_db()
    assert case.state == "determined"
    with pytest.raises(PermissionDenied):
        determinations.verify_remedy(actor=actor("sy.liaison"), case=case, remedy=remedy)
    # Only the owner reports it done.
    other = _determined(actor, _remedy())
    with pytest.raises(PermissionDenied):
        determinations.mark_remedy_done(
            actor=actor("il.liaison"), case=other, remedy=Remedy.objects.get(case=other)
        )
    # The verifier verifies it: the case is remedied, the deadline met.
    path = f"/api/v1/cases/{case.public_id}/remedies/{remedy.public_id}/verify/"
    verified = _api(tokens, "monitor").post(path, {}, content_type="application/json")
    assert verified.status_code == 200, verified.content
    assert verified.json()["state"] == "remedied"
    assert Deadline.objects.get(case=case, kind="remedy").state == "met"


def test_a_verifier_may_find_a_remedy_not_done_and_it_is_open_again(actor: Any) -> None:
    case = _determined(actor, _remedy(verifier="deciders"))
    remedy = Remedy.objects.get(case=case)
    determinations.mark_remedy_done(actor=actor("sy.liaison"), case=case, remedy=remedy)
    with pytest.raises(PermissionDenied):  # the monitors are not its verifier
        determinations.verify_remedy(actor=actor("monitor"), case=case, remedy=remedy)
    with pytest.raises(ValidationFailed):  # say what was not done
        determinations.verify_remedy(
            actor=actor("mediator"), case=case, remedy=remedy, verified=False
        )
    determinations.verify_remedy(
        actor=actor("mediator"), case=case, remedy=remedy, verified=False, text="Still there."
    )
    remedy.refresh_from_db()
    case.refresh_from_db()
    assert (remedy.state, case.state) == ("open", "determined")
    assert Deadline.objects.filter(case=case, kind="remedy", state="open").count() == 1


def test_a_missed_remedy_deadline_marks_non_compliance(actor: Any, client_for: Any) -> None:
    case = _determined(actor, _remedy())
    remedy = Remedy.objects.get(case=case)
    services.expire_due(remedy.due_at + dt.timedelta(seconds=1))
    case.refresh_from_db()
    remedy.refresh_from_db()
    assert case.non_compliance
    assert remedy.missed_at is not None
    assert case.level == 0  # a missed remedy does not climb the ladder
    step = Step.objects.filter(case=case).last()
    assert step is not None
    assert step.action == "remedy_missed"
    page = client_for("il.liaison").get(reverse("cases:case", args=[case.public_id]))
    assert "Non-compliance" in page.content.decode()


# --------------------------------------------------------------------- closing


def test_closing_waits_for_verified_remedies_or_the_complainants_assent(
    actor: Any, tokens: dict[str, str]
) -> None:
    case = _determined(actor, _remedy())
    response = _post(_api(tokens, "mediator"), case, {"action": "close"})
    assert response.status_code == 409
    assert "every remedy is verified" in response.json()["error"]["message"]
    with pytest.raises(PermissionDenied):  # the respondent may not assent for the complainant
        services.act(actor=actor("sy.liaison"), case=case, action="assent")
    services.act(actor=actor("il.liaison"), case=case, action="assent")
    with pytest.raises(Conflict):
        services.act(actor=actor("il.liaison"), case=case, action="assent")
    assert _post(_api(tokens, "mediator"), case, {"action": "close"}).status_code == 200
    case.refresh_from_db()
    assert case.state == "closed"
    assert Deadline.objects.get(case=case, kind="remedy").state == "cancelled"


def test_a_determination_without_remedies_may_be_closed(actor: Any) -> None:
    case = _case(actor)
    services.act(
        actor=actor("mediator"),
        case=case,
        action="determine",
        text=TEXT,
        content=_content(outcome="not_established"),
    )
    services.act(actor=actor("mediator"), case=case, action="close")
    case.refresh_from_db()
    assert case.state == "closed"


# --------------------------------------------------------------------- the page


def test_the_page_determines_with_its_content_and_shows_the_remedies(
    actor: Any, client_for: Any
) -> None:
    case = _case(actor)
    due = (timezone.now() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    client = client_for("mediator")
    response = client.post(
        reverse("cases:step", args=[case.public_id, "determine"]),
        {
            "text": TEXT,
            "outcome": "violation_established",
            "clauses": ["B.1"],
            "remedy_0_what": "Withdraw (fictional).",
            "remedy_0_owner": "sy",
            "remedy_0_due": due,
            "remedy_0_verifier": "undof",
        },
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    case.refresh_from_db()
    assert (case.state, case.outcome) == ("determined", "violation_established")
    page = client_for("sy.liaison").get(reverse("cases:case", args=[case.public_id]))
    html = page.content.decode()
    assert "Violation established" in html
    assert "Withdraw (fictional)." in html
    assert "Report it done" in html  # its owner's button
    remedy = Remedy.objects.get(case=case)
    client_for("sy.liaison").post(
        reverse("cases:remedy_step", args=[case.public_id, remedy.public_id, "done"])
    )
    remedy.refresh_from_db()
    assert remedy.state == "done"
    html = client_for("monitor").get(reverse("cases:case", args=[case.public_id])).content
    assert "Verify it" in html.decode()


def test_the_page_refuses_determining_before_the_answer_with_409(
    actor: Any, client_for: Any
) -> None:
    case = _case(actor, answered=False)
    response = client_for("mediator").post(
        reverse("cases:step", args=[case.public_id, "determine"]),
        {"text": TEXT, "outcome": "not_established"},
    )
    assert response.status_code == 409
    assert "has not been heard" in response.content.decode()


# --------------------------------------------------------------------- joint decisions


def test_under_a_joint_rule_the_proposal_carries_the_content_and_concurrence_adopts_it(
    actor: Any, console: Any, tmp_path: Any
) -> None:
    from coordcell.agreements.services import load_arrangement
    from tests.integration.test_decision_rules import _joint, _lodge

    version = load_arrangement(actor=console, path=_joint(tmp_path)).version
    case = _lodge(actor, version)
    with pytest.raises(Conflict):  # not before the answer, proposals included
        services.act(
            actor=actor("il.liaison"), case=case, action="propose", text=TEXT, content=_content()
        )
    services.act(actor=actor("sy.liaison"), case=case, action="answer", text="Not ours.")
    services.act(
        actor=actor("il.liaison"),
        case=case,
        action="propose",
        text=TEXT,
        content=_content(_remedy(verifier="deciders")),
    )
    case.refresh_from_db()
    assert case.proposed_content["outcome"] == "violation_established"
    assert not Remedy.objects.filter(case=case).exists()  # nothing in effect half-way
    services.act(actor=actor("sy.liaison"), case=case, action="concur")
    case.refresh_from_db()
    assert (case.state, case.outcome, case.clauses) == (
        "determined",
        "violation_established",
        ["B.1"],
    )
    assert case.proposed_content == {}
    assert Remedy.objects.get(case=case).verifier == "deciders"
