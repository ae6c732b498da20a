"""Who decides a case is the protocol's rule, enforced by the workflow (issue "Any
arrangement as data": decision rules, the determination deadline, exact credit).

The shipped scenario says the chair (the United States) determines. A copy loaded as a
new version makes its complaints "determined jointly" by the two parties, the way a
joint commission of two states decides by agreement.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from coordcell.agreements.services import SCENARIOS_DIR, load_arrangement
from coordcell.cases import lodging, services
from coordcell.cases.models import Case, Deadline, Step
from coordcell.cases.scorecard import scorecard
from coordcell.core.errors import Conflict, PermissionDenied
from coordcell.incidents.services import IncidentInput
from coordcell.record.models import Entry

pytestmark = pytest.mark.django_db

IN_AOS = {"type": "Point", "coordinates": [35.82461, 33.12595]}
DETERMINATION = "The presence is a breach of the freeze; it is to end (fictional)."
#: The determination's structured content (what it found).
CONTENT = {"outcome": "violation_established"}


def _joint(tmp_path: Path) -> Path:
    """The shipped scenario whose complaints the two parties decide jointly."""
    copy = tmp_path / "joint"
    shutil.copytree(SCENARIOS_DIR / "southern_syria_2026", copy)
    toml = copy / "arrangement.toml"
    text = toml.read_text(encoding="utf-8")
    marker = 'serves = "complaints"\n'
    assert text.count(marker) == 1
    toml.write_text(
        text.replace(marker, marker + 'determined_by = { all_of = ["il", "sy"] }\n'),
        encoding="utf-8",
    )
    return copy


def _lodge(actor: Any, version: Any = None) -> Case:
    liaison = actor("il.liaison")
    if version is None:
        from coordcell.agreements.selectors import get_version

        version = get_version(liaison, None, None)
    return lodging.report_and_lodge(
        actor=liaison,
        version=version,
        incident=IncidentInput(
            kind="military_presence",
            title="Armed personnel in the Area of Separation (fictional)",
            occurred_from=dt.datetime(2026, 6, 1, 6, tzinfo=dt.UTC),
            geometry=IN_AOS,
        ),
        respondent="sy",
        summary="Armed personnel in the Area of Separation (fictional).",
    )


@pytest.fixture
def joint_case(actor: Any, console: Any, tmp_path: Path) -> Case:
    version = load_arrangement(actor=console, path=_joint(tmp_path)).version
    return _answered(actor, _lodge(actor, version))


def _answered(actor: Any, case: Case) -> Case:
    """The respondent heard: the determination may come."""
    services.act(actor=actor("sy.liaison"), case=case, action="answer", text="Answered.")
    case.refresh_from_db()
    return case


def _api(tokens: dict[str, str], username: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {tokens[username]}"})


def _post_action(client: Client, case: Case, action: str, text: str = "") -> Any:
    return client.post(
        f"/api/v1/cases/{case.public_id}/actions/",
        {"action": action, "text": text, **(CONTENT if action in ("determine", "propose") else {})},
        content_type="application/json",
    )


# ------------------------------------------------------------------------- joint: all_of


def test_a_joint_determination_takes_effect_only_when_every_named_party_concurred(
    actor: Any, joint_case: Case, client_for: Any
) -> None:
    case = joint_case
    il, sy = actor("il.liaison"), actor("sy.liaison")
    assert services.available_actions(il, case) == [
        "request_verification",
        "propose",
        "propose_resolution",
        "agree_resolution",
        "refer_to_talks",
        "link",
        "withdraw",
        "escalate",
        "reject_answer",
        "record_level_outcome",
    ]

    services.act(actor=il, case=case, action="propose", text=DETERMINATION, content=CONTENT)
    case.refresh_from_db()
    assert case.state == "answered"  # nothing takes effect half-way
    assert (case.determination, case.determined_at, case.decided_by) == ("", None, [])
    assert case.proposed_determination == DETERMINATION
    assert case.concurred_by == ["il"]
    assert "concur" in services.available_actions(sy, case)
    assert "concur" not in services.available_actions(il, case)
    # The party whose concurrence is pending sees it; the proposer does not.
    page = client_for("sy.liaison").get(reverse("cases:case", args=[case.public_id]))
    assert "concurrence is pending" in page.content.decode(), page.content.decode()[-6000:]
    page = client_for("il.liaison").get(reverse("cases:case", args=[case.public_id]))
    assert "Proposed determination (not in effect)" in page.content.decode()
    assert "concurrence is pending" not in page.content.decode()

    services.act(actor=sy, case=case, action="concur")
    case.refresh_from_db()
    assert case.state == "determined"
    assert case.determination == DETERMINATION
    assert case.decided_by == ["il", "sy"]
    assert (case.proposed_determination, case.proposed_at, case.concurred_by) == ("", None, [])
    steps = list(Step.objects.filter(case=case).order_by("at", "pk"))
    steps = [s for s in steps if s.action != "acknowledge"]
    assert [(s.action, s.party_code, s.state_after) for s in steps[-2:]] == [
        ("propose", "il", "answered"),
        ("concur", "sy", "determined"),
    ]
    # Each is a record event, and the last says who decided.
    entries = Entry.objects.filter(pk__in=[s.entry_id for s in steps[-2:]]).order_by("seq")
    assert [e.event_type for e in entries] == [
        "cases.determination_proposed",
        "cases.determination_concurred",
    ]
    assert entries[1].data["decided_by"] == ["il", "sy"]


def test_a_party_not_named_is_refused_with_403_and_a_second_proposal_with_409(
    actor: Any, joint_case: Case, tokens: dict[str, str]
) -> None:
    case = joint_case
    # The mediator, chair of the cell, is not named by this protocol's rule.
    response = _post_action(_api(tokens, "mediator"), case, "determine", DETERMINATION)
    assert response.status_code == 403, response.content
    assert "may not take this step" in response.json()["error"]["message"]
    with pytest.raises(PermissionDenied):
        services.act(actor=actor("mediator"), case=case, action="concur")
    # A named party may not determine alone under a joint rule.
    response = _post_action(_api(tokens, "il.liaison"), case, "determine", DETERMINATION)
    assert response.status_code == 409, response.content
    assert "decided jointly" in response.json()["error"]["message"]
    assert (
        _post_action(_api(tokens, "il.liaison"), case, "propose", DETERMINATION).status_code == 200
    )
    response = _post_action(_api(tokens, "sy.liaison"), case, "propose", "Another (fictional).")
    assert response.status_code == 409
    assert "already proposed" in response.json()["error"]["message"]
    response = _post_action(_api(tokens, "il.liaison"), case, "concur")
    assert response.status_code == 409
    assert "already concurred" in response.json()["error"]["message"]
    detail = _api(tokens, "sy.liaison").get(f"/api/v1/cases/{case.public_id}/").json()
    assert detail["decision"]["rule"] == "all_of"
    assert detail["decision"]["awaiting"] == ["sy"]
    assert {"concur", "decline"} <= set(detail["your_actions"])
    assert not {"determine", "propose"} & set(detail["your_actions"])
    case.refresh_from_db()
    assert case.state == "answered"


def test_a_declined_proposal_lapses_and_the_page_answers_409(
    actor: Any, joint_case: Case, client_for: Any
) -> None:
    case = joint_case
    services.act(
        actor=actor("il.liaison"), case=case, action="propose", text=DETERMINATION, content=CONTENT
    )
    services.act(actor=actor("sy.liaison"), case=case, action="decline", text="Not agreed.")
    case.refresh_from_db()
    assert (case.state, case.proposed_at, case.concurred_by) == ("answered", None, [])
    with pytest.raises(Conflict):
        services.act(actor=actor("sy.liaison"), case=case, action="concur")
    response = client_for("sy.liaison").post(
        reverse("cases:step", args=[case.public_id, "concur"]), {"text": ""}
    )
    assert response.status_code == 409
    assert "No determination is proposed." in response.content.decode()


def test_a_joint_determination_is_credited_to_the_parties_that_decided(
    actor: Any, joint_case: Case
) -> None:
    case = joint_case
    services.act(
        actor=actor("il.liaison"), case=case, action="propose", text=DETERMINATION, content=CONTENT
    )
    services.act(actor=actor("sy.liaison"), case=case, action="concur")
    card = {p["party"]: p["months"] for p in scorecard(actor("mediator"))["parties"]}
    month = f"{case.lodged_at:%Y-%m}"

    def determined(code: str) -> int:
        return int(card[code].get(month, {}).get("time_to_determine", {}).get("count", 0))

    assert determined("il") == 1
    assert determined("sy") == 1
    assert determined("us") == 0  # a mediator that did not decide is not credited


# ------------------------------------------------------------------------- the chair


def test_under_the_chair_rule_the_chair_alone_determines_and_is_credited(
    actor: Any, tokens: dict[str, str]
) -> None:
    case = _answered(actor, _lodge(actor))
    response = _post_action(_api(tokens, "sy.liaison"), case, "determine", DETERMINATION)
    assert response.status_code == 403
    services.act(
        actor=actor("mediator"), case=case, action="determine", text=DETERMINATION, content=CONTENT
    )
    case.refresh_from_db()
    assert (case.state, case.decided_by) == ("determined", ["us"])
    card = {p["party"]: p["months"] for p in scorecard(actor("mediator"))["parties"]}
    month = f"{case.lodged_at:%Y-%m}"
    assert card["us"][month]["time_to_determine"]["count"] >= 1
    assert card["il"].get(month, {}).get("time_to_determine", {}).get("count", 0) == 0


# ------------------------------------------------------------------------- the deadline


def test_the_determination_deadline_runs_from_the_answer(actor: Any, client_for: Any) -> None:
    case = _lodge(actor)
    services.act(actor=actor("sy.liaison"), case=case, action="answer", text="Answered.")
    deadline = Deadline.objects.get(case=case, kind="determination")
    assert deadline.state == "open"
    assert deadline.due_at - deadline.starts_at == dt.timedelta(hours=72)
    page = client_for("mediator").get(reverse("cases:case", args=[case.public_id])).content
    assert "determination" in page.decode()
    board = client_for("mediator").get(reverse("cases:board")).content.decode()
    assert "determination due" in board
    services.act(
        actor=actor("mediator"), case=case, action="determine", text=DETERMINATION, content=CONTENT
    )
    deadline.refresh_from_db()
    assert deadline.state == "met"


def test_a_missed_determination_deadline_counts_against_the_deciders(
    actor: Any, client_for: Any
) -> None:
    case = _lodge(actor)
    answer_due = Deadline.objects.get(case=case, kind="answer").due_at
    # No answer comes: the deciders' time runs from the answer's deadline.
    services.expire_due(answer_due + dt.timedelta(seconds=1))
    deadline = Deadline.objects.get(case=case, kind="determination")
    assert deadline.starts_at == answer_due
    services.expire_due(deadline.due_at + dt.timedelta(seconds=1))
    deadline.refresh_from_db()
    assert deadline.state == "expired"
    card = {p["party"]: p["months"] for p in scorecard(actor("mediator"))["parties"]}
    month = f"{case.lodged_at:%Y-%m}"
    assert card["us"][month]["deadlines"]["missed"] >= 1
    board = client_for("il.liaison").get(reverse("cases:board")).content.decode()
    assert "determination deadline missed" in board


# ------------------------------------------------------------------------- the page


def test_the_arrangement_page_shows_the_mechanism_and_its_rules_of_procedure(
    client_for: Any,
) -> None:
    page = client_for("sy.analyst").get(reverse("agreements:arrangement")).content.decode()
    assert "Rules of procedure" in page
    assert "Only the chair speaks for the mechanism" in page
    assert "Role in the mechanism" in page
    assert "Determination within" in page
    assert "The chair" in page


def test_a_deciding_party_reads_the_case_it_decides(
    actor: Any, console: Any, tmp_path: Path
) -> None:
    """A third party named by the rule joins the case's audience (it could not decide
    what it may not read)."""
    path = _joint(tmp_path)
    toml = path / "arrangement.toml"
    text = toml.read_text(encoding="utf-8")
    third = '[[parties]]\ncode = "third"\nkind = "party"\nname = { en = "Third (fictional)" }\n\n'
    text = text.replace('["il", "sy"] }\n', '["il", "sy", "third"] }\n', 1)
    toml.write_text(text.replace("[[parties]]\n", third + "[[parties]]\n", 1), encoding="utf-8")
    version = load_arrangement(actor=console, path=path).version
    case = _lodge(actor, version)
    assert "third" in case.audience_codes
    assert services.decision_of(case).deciders == ("il", "sy", "third")


def test_the_migration_credits_a_determination_made_before_to_the_party_that_made_it(
    actor: Any,
) -> None:
    import importlib

    from django.apps import apps

    migration = importlib.import_module("coordcell.cases.migrations.0005_case_decision")
    case = _answered(actor, _lodge(actor))
    services.act(
        actor=actor("mediator"), case=case, action="determine", text=DETERMINATION, content=CONTENT
    )
    Case.objects.filter(pk=case.pk).update(decided_by=[])  # as stored before the field
    migration.credit_who_determined(apps, None)
    case.refresh_from_db()
    assert case.decided_by == ["us"]
