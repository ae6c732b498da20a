"""The withdrawal timeline and inspections through the API: the same stories as the
services' tests, the same refusals, hidden looks missing, positions shown only to the
declaring party and the mediator."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from coordcell.positions import services as positions
from coordcell.record.models import Entry
from coordcell.verification.models import StepDeadline, WithdrawalStep
from tests.integration.api.conftest import EMPTY_PAGE, NOT_FOUND, results

pytestmark = pytest.mark.django_db

AREA_A, AREA_B, AOS = "aol_A_0_10km", "aol_B_0_10km", "area_of_separation_approx"
QUNEITRA = {"type": "Point", "coordinates": [35.82461, 33.12595]}
IL_SITE = {"type": "Point", "coordinates": [35.76, 33.05]}


def _post(client: Any, path: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(path, body or {}, content_type="application/json")


def _when(**delta: float) -> str:
    return (timezone.now() + dt.timedelta(**delta)).isoformat()


def _propose(api: Any, **first: Any) -> list[dict[str, Any]]:
    body = {
        "clause": "WITHDRAWAL-2026",
        "first": {
            "party": "il",
            "sequence": 2,
            "title": "Phase 2 (fictional)",
            "due_at": _when(days=20),
            "areas": [AREA_A],
            **first,
        },
        "second": {
            "party": "sy",
            "sequence": 2,
            "title": "Phase 2 (fictional)",
            "due_at": _when(days=20),
            "areas": [AREA_B],
        },
    }
    response = _post(api("mediator", "token"), "/api/v1/withdrawal-steps/", body)
    assert response.status_code == 201, response.content
    return response.json()


def test_a_pair_proposed_countersigned_extended_and_verified_through_the_api(api: Any) -> None:
    il, sy = _propose(api)
    assert il["linked_to"] == sy["id"]
    assert il["state"] == "proposed"
    step = f"/api/v1/withdrawal-steps/{il['id']}/"
    assert _post(api("monitor", "token"), step + "countersign/").status_code == 403
    assert _post(api("il.liaison", "token"), step + "countersign/").json()["state"] == "proposed"
    signed = _post(api("sy.liaison", "token"), step + "countersign/").json()
    assert signed["state"] == "binding"
    assert signed["countersigned_by"] == ["il", "sy"]
    assert [d["outcome"] for d in signed["deadlines"]] == [""]

    new_due = _when(days=25)
    proposed = _post(
        api("il.liaison", "token"),
        step + "extensions/",
        {"new_due_at": new_due, "reason": "Roads (fictional)"},
    )
    assert proposed.status_code == 201
    assert proposed.json()["signed_by"] == ["il"]
    extension = f"{step}extensions/{proposed.json()['id']}/countersign/"
    # Refused without both countersignatures: the mediator and the monitors do not sign.
    for other in ("mediator", "monitor"):
        assert _post(api(other, "token"), extension).status_code == 403
    assert api("il.liaison").get(step).json()["deadlines"][0]["outcome"] == ""
    agreed = _post(api("sy.liaison", "token"), extension)
    assert agreed.json()["state"] == "agreed"
    detail = api("il.liaison").get(step).json()
    assert [d["outcome"] for d in detail["deadlines"]] == ["extended", ""]

    for other in ("il.liaison", "mediator"):
        assert _post(api(other, "token"), step + "verify/", {"outcome": "met"}).status_code == 403
    verified = _post(
        api("monitor", "token"),
        step + "verify/",
        {"outcome": "met", "note": "Seen on site (fictional)"},
    )
    assert verified.status_code == 200
    last = verified.json()["deadlines"][-1]
    assert last["outcome"] == "met"
    assert last["decided_by"] == "undof"
    assert last["call_sign"]


def test_bad_input_is_a_400_that_writes_nothing(api: Any) -> None:
    before = Entry.objects.count()
    client = api("mediator", "token")
    for body in (
        {"clause": "WITHDRAWAL-2026"},
        {"clause": "WITHDRAWAL-2026", "first": {}, "second": {}, "extra": 1},
    ):
        assert _post(client, "/api/v1/withdrawal-steps/", body).status_code == 400
    naive = {
        "party": "il",
        "sequence": 1,
        "title": "x",
        "due_at": "2030-01-01T00:00",
        "areas": [AREA_A],
    }
    response = _post(
        client,
        "/api/v1/withdrawal-steps/",
        {"clause": "WITHDRAWAL-2026", "first": naive, "second": naive},
    )
    assert response.status_code == 400
    monitor = api("monitor", "token")
    assert _post(monitor, "/api/v1/access-denials/", {
        "kind": "denial", "place": {"type": "Point", "coordinates": [999, 0]},
        "occurred_at": _when(hours=-1), "description": "x",
    }).status_code == 400  # fmt: skip
    assert _post(monitor, "/api/v1/inspection-reports/", {
        "zone": AREA_B, "inspected_at": _when(hours=-1),
        "holdings": [{"party": "sy", "category": "tanks", "count": "many"}],
    }).status_code == 400  # fmt: skip
    assert Entry.objects.count() == before


def test_inspections_through_the_api_with_findings_in_neutral_words(api: Any) -> None:
    request = _post(
        api("sy.liaison", "token"),
        "/api/v1/inspection-requests/",
        {"zone": AOS, "reason": "Works reported (fictional)"},
    )
    assert request.status_code == 201
    assert (
        _post(
            api("monitor", "token"), "/api/v1/inspection-requests/", {"zone": AOS, "reason": "x"}
        ).status_code
        == 403
    )
    report = _post(api("monitor", "token"), "/api/v1/inspection-reports/", {
        "zone": AREA_A, "inspected_at": _when(hours=-2), "request": None,
        "holdings": [{"party": "il", "category": "artillery_pieces", "count": 40}],
        "summary": "Inspection (fictional)",
    })  # fmt: skip
    assert report.status_code == 201, report.content
    finding = report.json()["findings"][0]
    assert finding["clause"] == "AOL-10"
    assert finding["status"] == "disputed"
    assert finding["severity"] is None
    assert "40" in finding["message"]
    assert "36" in finding["message"]
    assert "violat" not in finding["message"].lower()
    schedule = results(api("il.liaison").get("/api/v1/inspections/schedule/"))
    assert {row["zone"] for row in schedule} == {AOS, AREA_A, AREA_B}
    denial = _post(api("monitor", "token"), "/api/v1/access-denials/", {
        "kind": "restriction", "place": QUNEITRA, "occurred_at": _when(hours=-3),
        "description": "Convoy held for two hours (fictional)", "party": "il",
    })  # fmt: skip
    assert denial.status_code == 201
    assert denial.json()["zones"] == [AOS]


@pytest.mark.parametrize("username", ["donor", "observer"])
def test_donors_and_observers_see_nothing_of_it(
    username: str, api: Any, ids: dict[str, str]
) -> None:
    client = api(username)
    for path in ("withdrawal-steps", "inspection-requests", "inspection-reports", "access-denials"):
        assert client.get(f"/api/v1/{path}/").json() == EMPTY_PAGE
    assert client.get("/api/v1/withdrawal-burndown/").json() == EMPTY_PAGE
    hidden = client.get(f"/api/v1/withdrawal-steps/{ids['withdrawal_step']}/")
    assert hidden.status_code == 404
    assert hidden.json() == NOT_FOUND
    assert (
        _post(client, f"/api/v1/withdrawal-steps/{ids['withdrawal_step']}/countersign/").json()
        == NOT_FOUND
    )


def test_positions_in_a_step_are_shown_to_the_declaring_party_and_the_mediator_only(
    api: Any, actor: Any
) -> None:
    position = positions.declare_position(
        actor=actor("il.liaison"), name="Post 7 (fictional)", kind="outpost", geometry=IL_SITE,
        established=dt.date(2025, 6, 1), holdings=[{"category": "personnel", "count": 30}],
    )  # fmt: skip
    il, _sy = _propose(api, positions=[str(position.public_id)])
    path = f"/api/v1/withdrawal-steps/{il['id']}/"
    for reader in ("il.liaison", "mediator"):
        shown = api(reader).get(path).json()["positions"]
        assert [p["id"] for p in shown] == [str(position.public_id)]
    for reader in ("sy.liaison", "monitor"):
        body = api(reader).get(path).json()
        assert body["positions"] == []
        assert body["areas"] == [AREA_A]
        assert str(position.public_id) not in str(
            api(reader).get("/api/v1/withdrawal-steps/").json()
        )
    for signer in ("il.liaison", "sy.liaison"):
        assert _post(api(signer, "token"), path + "countersign/").status_code == 200

    def burndown(reader: str) -> dict[str, Any]:
        rows = results(api(reader).get("/api/v1/withdrawal-burndown/"))
        return {row["party"]: row for row in rows}

    for reader in ("il.liaison", "mediator"):
        assert burndown(reader)["il"]["positions_total"] >= 1
    for reader in ("sy.liaison", "monitor"):
        assert burndown(reader)["il"]["positions_total"] is None
        page = api(reader).get("/verification/").content.decode()
        assert "positions still held" not in page
    assert "positions still held" in api("il.liaison").get("/verification/").content.decode()
    verified = _post(api("monitor", "token"), path + "verify/", {"outcome": "met"})
    assert verified.json()["deadlines"][-1]["positions_vacated"] is None  # the monitor's view
    for reader, shown in (("il.liaison", 1), ("mediator", 1), ("sy.liaison", None)):
        assert api(reader).get(path).json()["deadlines"][-1]["positions_vacated"] == shown
    entry = Entry.objects.filter(event_type="verification.step_verified").last()
    assert entry is not None
    assert "positions" not in str(entry.data)
    vacated = Entry.objects.filter(event_type="verification.step_positions_named").last()
    assert vacated is not None
    assert vacated.data["vacated"] == [str(position.public_id)]
    assert "sy" not in vacated.audience
    named = Entry.objects.filter(event_type="verification.step_positions_named").last()
    assert named is not None
    assert str(position.public_id) in str(named.data)
    assert "sy" not in named.audience
    assert "undof" not in named.audience
    # A party does not name the other party's positions: the mediator's own proposal is
    # checked against what it holds in escrow, and a made-up id is refused.
    bad = {
        "party": "sy",
        "sequence": 3,
        "title": "x",
        "due_at": _when(days=5),
        "positions": [str(position.public_id)],
    }
    response = _post(api("mediator", "token"), "/api/v1/withdrawal-steps/", {
        "clause": "WITHDRAWAL-2026",
        "first": bad,
        "second": {**bad, "party": "il", "positions": []},
    })  # fmt: skip
    assert response.status_code == 400
    assert WithdrawalStep.objects.filter(sequence=3).count() == 0
    assert StepDeadline.objects.filter(step__sequence=3).count() == 0
