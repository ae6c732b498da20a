"""The states practitioners use (issue "The cell as practitioners run it", point 5):
clarification requested (the answer's clock pauses), resolved by agreement at working
level, referred to the talks, linked to another case, and a request to the party that
controls the territory to act, alleging no responsibility.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from coordcell.cases import services
from coordcell.cases.models import Case, Deadline
from coordcell.core.errors import Conflict, PermissionDenied, ValidationFailed

pytestmark = pytest.mark.django_db


def _case(actor: Any, *, by: str = "il.liaison", against: str = "sy", **kwargs: Any) -> Case:
    incident = Case.objects.order_by("pk").first().incident  # type: ignore[union-attr]
    return services.lodge_complaint(
        actor=actor(by),
        incident=incident,
        respondent=against,
        summary="States drill (fictional).",
        **kwargs,
    )


def _api(tokens: dict[str, str], username: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {tokens[username]}"})


# ------------------------------------------------------------------ clarification


def test_a_clarification_pauses_the_answer_clock_and_it_resumes_with_the_time_left(
    actor: Any,
) -> None:
    case = _case(actor)
    answer = Deadline.objects.get(case=case, kind="answer")
    services.act(
        actor=actor("sy.liaison"),
        case=case,
        action="request_clarification",
        text="Which position do you mean? (fictional)",
    )
    case.refresh_from_db()
    answer.refresh_from_db()
    assert case.state == "clarification_requested"
    assert answer.state == "paused"
    assert Deadline.objects.get(case=case, kind="acknowledge").state == "met"
    left = answer.due_at - answer.closed_at  # type: ignore[operator]
    # Time passes far beyond the answer's deadline: a paused clock does not expire.
    services.expire_due(answer.due_at + dt.timedelta(hours=1))
    answer.refresh_from_db()
    assert answer.state == "paused"
    assert not case.steps.filter(action="no_reply", entry__data__deadline="answer").exists()
    with pytest.raises(ValidationFailed):  # it is not answered while paused
        services.act(actor=actor("sy.liaison"), case=case, action="answer", text="x")
    before = timezone.now()
    services.act(
        actor=actor("il.liaison"), case=case, action="clarify", text="The hill post (fictional)."
    )
    case.refresh_from_db()
    answer.refresh_from_db()
    assert case.state == "acknowledged"
    assert answer.state == "open"
    assert before + left <= answer.due_at <= timezone.now() + left


def test_only_the_respondent_asks_to_clarify_and_only_before_it_answers(
    actor: Any, tokens: dict[str, str]
) -> None:
    case = _case(actor)
    path = f"/api/v1/cases/{case.public_id}/actions/"
    body = {"action": "request_clarification", "text": "What? (fictional)"}
    assert (
        _api(tokens, "il.liaison").post(path, body, content_type="application/json").status_code
        == 403
    )
    services.act(actor=actor("sy.liaison"), case=case, action="answer", text="Answered.")
    late = _api(tokens, "sy.liaison").post(path, body, content_type="application/json")
    assert late.status_code == 400


# ------------------------------------------------------------------ resolved by agreement


def test_both_parties_agree_at_working_level_and_the_case_ends_with_the_terms(
    actor: Any, tokens: dict[str, str]
) -> None:
    case = _case(actor)
    with pytest.raises(Conflict):  # nothing proposed yet
        services.act(actor=actor("sy.liaison"), case=case, action="agree_resolution")
    terms = "The patrol withdraws to its post by 18:00; no further action (fictional)."
    services.act(actor=actor("il.liaison"), case=case, action="propose_resolution", text=terms)
    with pytest.raises(Conflict):  # a party does not agree to its own terms
        services.act(actor=actor("il.liaison"), case=case, action="agree_resolution")
    response = _api(tokens, "sy.liaison").post(
        f"/api/v1/cases/{case.public_id}/actions/",
        {"action": "agree_resolution"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "resolved_by_agreement"
    assert body["resolution"]["text"] == terms
    assert (body["resolution"]["proposed_by"], body["resolution"]["agreed_by"]) == ("il", "sy")
    assert all(d["state"] != "open" for d in body["deadlines"])
    assert body["your_actions"] == []  # it is ended: nothing more, not even a withdrawal
    with pytest.raises(ValidationFailed):
        services.act(actor=actor("il.liaison"), case=case, action="withdraw")


# ------------------------------------------------------------------ referred, linked


def test_the_mediator_refers_a_case_to_the_talks_with_a_reason(actor: Any) -> None:
    case = _case(actor)
    with pytest.raises(ValidationFailed):  # the reason is required
        services.act(actor=actor("mediator"), case=case, action="refer_to_talks")
    with pytest.raises(PermissionDenied):  # a party may not
        services.act(actor=actor("il.liaison"), case=case, action="refer_to_talks", text="x")
    services.act(
        actor=actor("mediator"),
        case=case,
        action="refer_to_talks",
        text="A question of the line's trace, for the talks (fictional).",
    )
    case.refresh_from_db()
    assert case.state == "referred_to_talks"
    assert not Deadline.objects.filter(case=case, state="open").exists()
    services.act(actor=actor("mediator"), case=case, action="close")
    case.refresh_from_db()
    assert case.state == "closed"


def test_a_linked_case_shows_its_reference_only_to_readers_of_the_other(
    actor: Any, tokens: dict[str, str], client_for: Any
) -> None:
    first = _case(actor, extra_audience=["jo"])  # Jordan's observers read this one only
    counter = _case(actor, by="sy.liaison", against="il")
    with pytest.raises(ValidationFailed):
        services.act(
            actor=actor("mediator"),
            case=first,
            action="link",
            content={"case": "CASE-NONE", "relation": "duplicate"},
        )
    services.act(
        actor=actor("mediator"),
        case=first,
        action="link",
        content={"case": counter.reference, "relation": "counter_complaint"},
    )
    first.refresh_from_db()
    assert (first.state, first.linked_case, first.link_relation) == (
        "linked",
        counter,
        "counter_complaint",
    )
    seen = _api(tokens, "il.liaison").get(f"/api/v1/cases/{first.public_id}/").json()
    assert seen["linked_case"] == counter.reference
    hidden = _api(tokens, "observer").get(f"/api/v1/cases/{first.public_id}/")
    assert hidden.status_code == 200
    assert hidden.json()["linked_case"] is None
    page = client_for("observer").get(reverse("cases:case", args=[first.public_id]))
    assert counter.reference not in page.content.decode()
    page = client_for("il.liaison").get(reverse("cases:case", args=[first.public_id]))
    assert counter.reference in page.content.decode()


# ------------------------------------------------------------------ a request to act


def test_a_request_to_act_is_worded_without_alleging_responsibility(
    actor: Any, tokens: dict[str, str], client_for: Any
) -> None:
    incident = Case.objects.order_by("pk").first().incident  # type: ignore[union-attr]
    response = _api(tokens, "il.liaison").post(
        "/api/v1/cases/",
        {
            "incident": str(incident.public_id),
            "respondent": "sy",
            "summary": "Unexploded ordnance near the road; please clear it (fictional).",
            "nature": "request_to_act",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["nature"] == "request_to_act"
    case = Case.objects.get(public_id=response.json()["id"])
    html = client_for("sy.liaison").get(reverse("cases:case", args=[case.public_id])).content
    text = html.decode()
    assert "to act" in text
    assert "alleges no responsibility" in text
    assert "complaint of" not in text
    bad = _api(tokens, "il.liaison").post(
        "/api/v1/cases/",
        {
            "incident": str(incident.public_id),
            "respondent": "sy",
            "summary": "x",
            "nature": "blame",
        },
        content_type="application/json",
    )
    assert bad.status_code == 400


# ------------------------------------------------------------------ inquiries of own motion


def test_the_mediator_or_a_monitor_opens_an_inquiry_with_no_complainant(
    actor: Any, tokens: dict[str, str], client_for: Any
) -> None:
    incident = Case.objects.order_by("pk").first().incident  # type: ignore[union-attr]
    body = {
        "incident": str(incident.public_id),
        "respondent": "sy",
        "summary": "Inquiry of the mediator's own motion (fictional).",
    }
    refused = _api(tokens, "il.liaison").post(
        "/api/v1/inquiries/", body, content_type="application/json"
    )
    assert refused.status_code == 403
    response = _api(tokens, "mediator").post(
        "/api/v1/inquiries/", body, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    opened = response.json()
    assert (opened["complainant"], opened["own_motion_by"], opened["respondent"]) == (
        None,
        "us",
        "sy",
    )
    # Fail-closed: the party concerned, the mediators and the monitors; not the other party.
    assert "il" not in opened["audience"]
    assert {"sy", "us", "undof"} <= set(opened["audience"])
    assert _api(tokens, "il.liaison").get(f"/api/v1/cases/{opened['id']}/").status_code == 404
    assert _api(tokens, "sy.liaison").get(f"/api/v1/cases/{opened['id']}/").json()["your_actions"][
        :1
    ] == ["acknowledge"]
    case = Case.objects.get(public_id=opened["id"])
    assert case.steps.first().entry.event_type == "cases.inquiry_opened"  # type: ignore[union-attr]
    services.act(actor=actor("sy.liaison"), case=case, action="answer", text="Checked (fictional).")
    services.act(
        actor=actor("mediator"),
        case=case,
        action="determine",
        text="Nothing found (fictional).",
        content={"outcome": "not_established"},
    )
    page = client_for("mediator").get(reverse("cases:case", args=[case.public_id]))
    assert page.status_code == 200
    assert "inquiry of its own motion" in page.content.decode()
    assert client_for("mediator").get(reverse("cases:board")).status_code == 200
    assert client_for("sy.liaison").get(reverse("cases:inbox")).status_code == 200
    chain = client_for("mediator").get(reverse("cases:chain", args=[case.public_id])).json()
    assert chain["complainant"] is None
    by_monitor = _api(tokens, "monitor").post(
        "/api/v1/inquiries/", body, content_type="application/json"
    )
    assert by_monitor.status_code == 201, by_monitor.content
    assert by_monitor.json()["own_motion_by"] == "undof"


def test_the_page_opens_an_inquiry_for_the_mediator_and_refuses_a_party(client_for: Any) -> None:
    incident = Case.objects.order_by("pk").first().incident  # type: ignore[union-attr]
    assert client_for("il.liaison").get(reverse("cases:inquiry")).status_code == 403
    board = client_for("monitor").get(reverse("cases:board")).content.decode()
    assert "Open an inquiry of your own motion" in board
    response = client_for("mediator").post(
        reverse("cases:inquiry"),
        {
            "incident": str(incident.public_id),
            "respondent": "sy",
            "summary": "Inquiry (fictional).",
        },
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    case = Case.objects.get(summary="Inquiry (fictional).")
    assert case.complainant is None
    assert case.own_motion_by == "us"
