"""The API of incidents, cases and the inbox: audiences, writes through the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from coordcell.cases.models import Case, Deadline, Notification
from coordcell.incidents.models import Account, Incident
from coordcell.record.models import Entry
from tests.integration.api.conftest import AUTHS, EMPTY_PAGE, NOT_FOUND, results
from tests.integration.api.endpoints import AUDIENCE_READS, Endpoint, call, url

pytestmark = pytest.mark.django_db

#: Who is in the audience of the session's complaint (Israel about Syria): the two
#: parties, the mediator and the monitors. Observers and donors are not.
AUDIENCE = ["il.liaison", "il.analyst", "il.admin", "sy.liaison", "sy.analyst", "sy.admin",
            "mediator", "monitor"]  # fmt: skip
OUTSIDE = ["observer", "donor"]
IN_AOS = {"type": "Point", "coordinates": [35.82461, 33.12595]}


def _case() -> Case:
    return Case.objects.order_by("pk").first()  # type: ignore[return-value]


@pytest.mark.parametrize("auth", AUTHS)
@pytest.mark.parametrize("username", AUDIENCE)
@pytest.mark.parametrize("endpoint", AUDIENCE_READS, ids=lambda e: e.id)
def test_the_audience_reads_the_case_and_its_incident(
    endpoint: Endpoint, username: str, auth: str, api: Any, ids: dict[str, str]
) -> None:
    response = call(api(username, auth), endpoint, url(endpoint, ids))
    assert response.status_code == 200


@pytest.mark.parametrize("username", OUTSIDE)
@pytest.mark.parametrize("endpoint", AUDIENCE_READS, ids=lambda e: e.id)
def test_others_get_exactly_the_404_of_a_missing_object(
    endpoint: Endpoint, username: str, api: Any, ids: dict[str, str]
) -> None:
    client = api(username)
    hidden = call(client, endpoint, url(endpoint, ids))
    missing = client.get(
        endpoint.path.format(id="00000000-0000-0000-0000-000000000000", sha256="0" * 64)
    )
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json() == NOT_FOUND


@pytest.mark.parametrize("username", OUTSIDE)
def test_others_see_no_case_or_call_in_lists_or_inboxes(username: str, api: Any) -> None:
    client = api(username)
    assert client.get("/api/v1/cases/").json() == EMPTY_PAGE
    assert client.get("/api/v1/inbox/").json() == EMPTY_PAGE
    assert client.get("/api/v1/hotline/").json() == EMPTY_PAGE
    incidents = [str(i) for i in results(client.get("/api/v1/incidents/"))]
    assert not any("fictional test" in i for i in incidents)  # no title, version or headline


def test_a_liaison_officer_reports_an_incident_with_findings(api: Any) -> None:
    response = api("sy.liaison", "token").post(
        "/api/v1/incidents/",
        {
            "kind": "military_presence",
            "title": "Vehicles near the line (fictional)",
            "occurred_from": "2026-04-01T10:00:00+03:00",
            "geometry": IN_AOS,
            "uncertainty_m": 100,
            "audience": ["us"],
        },
        content_type="application/json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["source"] == "party_report"
    assert body["source_party"] == "sy"
    # B.3 is disputed (by il) in the scenario: its findings are kept apart, labelled.
    assert body["findings"] == []
    apart = body["findings_not_agreed"]
    assert {(f["clause"], f["status"], tuple(f["disputed_by"]), f["severity"]) for f in apart} == {
        ("B.3", "disputed", ("il",), None)
    }
    assert body["version"].startswith("southern_syria_2026 v")
    incident = Incident.objects.get(public_id=body["id"])
    assert incident.audience_codes == ["sy", "us"]
    assert Entry.objects.order_by("-seq").first().event_type == "incidents.incident_reported"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "nonsense"}, "kind"),
        ({"geometry": {"type": "Point", "coordinates": [0, 0]}}, "geometry"),
        ({"geometry": {"type": "Point", "coordinates": [33.1, 35.8]}}, "geometry"),
        ({"occurred_from": "yesterday"}, "occurred_from"),
        ({"occurred_until": "2026-03-01T00:00:00Z"}, "occurred_until"),
        ({"uncertainty_m": -5}, "uncertainty_m"),
        ({"audience": ["zz"]}, "audience"),
        ({"title": ""}, "title"),
    ],
)
def test_bad_incident_input_is_a_400_naming_the_field(
    api: Any, body: dict[str, Any], field: str
) -> None:
    count = Incident.objects.count()
    payload = {
        "kind": "military_presence",
        "title": "x",
        "occurred_from": "2026-04-01T10:00:00Z",
        "geometry": IN_AOS,
        **body,
    }
    response = api("il.liaison").post(
        "/api/v1/incidents/", payload, content_type="application/json"
    )
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert Incident.objects.count() == count


@pytest.mark.parametrize("username", ["donor", "observer"])
def test_donors_and_observers_report_no_incident(username: str, api: Any) -> None:
    response = api(username).post(
        "/api/v1/incidents/",
        {
            "kind": "armed_clash",
            "title": "x",
            "occurred_from": "2026-04-01T10:00:00Z",
            "geometry": IN_AOS,
        },
        content_type="application/json",
    )
    assert response.status_code == 403


def test_each_party_gives_its_own_version(api: Any, ids: dict[str, str]) -> None:
    path = f"/api/v1/incidents/{ids['incident']}/accounts/"
    mine = api("il.liaison").post(
        path,
        {"actor_claim": "claimed", "actor_text": "forces of the other party",
         "casualties": {"low": 0, "best": 0, "high": 1}, "narrative": "Seen at dawn."},
        content_type="application/json",
    )  # fmt: skip
    theirs = api("sy.liaison").post(
        path,
        {"actor_claim": "denied", "narrative": "No unit there."},
        content_type="application/json",
    )
    assert (mine.status_code, theirs.status_code) == (200, 200)
    detail = api("mediator").get(f"/api/v1/incidents/{ids['incident']}/").json()
    assert {a["party"]: a["actor_claim"] for a in detail["accounts"]} == {
        "il": "claimed",
        "sy": "denied",
    }
    assert (
        api("monitor")
        .post(path, {"actor_claim": "denied"}, content_type="application/json")
        .status_code
        == 403
    )
    # Each revision is a row: il's report gave its first (its title), its version the next.
    revisions = [(a["party"], a["actor_claim"]) for a in detail["account_revisions"]]
    assert revisions == [("il", "unknown"), ("il", "claimed"), ("sy", "denied")]
    before = Account.objects.count()
    bad = api("il.liaison").post(
        path, {"casualties": {"low": 5, "best": 1}}, content_type="application/json"
    )
    assert bad.status_code == 400
    assert Account.objects.count() == before


def test_the_respondent_answers_and_the_mediator_determines(api: Any, ids: dict[str, str]) -> None:
    path = f"/api/v1/cases/{ids['case']}/actions/"
    sy = api("sy.liaison", "token")
    detail = api("sy.liaison").get(f"/api/v1/cases/{ids['case']}/").json()
    assert detail["your_actions"] == [
        "acknowledge",
        "request_clarification",
        "answer",
        "propose_resolution",
        "agree_resolution",
    ]
    assert (
        sy.post(
            path, {"action": "answer", "text": "Not ours."}, content_type="application/json"
        ).status_code
        == 200
    )
    wrong = api("il.liaison").post(
        path, {"action": "determine", "text": "x"}, content_type="application/json"
    )
    assert wrong.status_code == 403
    done = api("mediator").post(
        path,
        {"action": "determine", "text": "Not established.", "outcome": "not_established"},
        content_type="application/json",
    )
    assert done.status_code == 200
    body = done.json()
    assert body["state"] == "determined"
    assert [s["action"] for s in body["steps"]] == ["lodge", "answer", "determine"]
    assert all(d["state"] != "open" for d in body["deadlines"])
    case = _case()
    assert case.determined_by.username == "mediator"  # type: ignore[union-attr]
    refused = sy.post(path, {"action": "acknowledge"}, content_type="application/json")
    assert refused.status_code == 400
    assert refused.json()["error"]["fields"]["action"]


@pytest.mark.parametrize("action", ["no_reply", "fly", ""])
def test_unknown_or_system_actions_are_refused(api: Any, ids: dict[str, str], action: str) -> None:
    response = api("mediator").post(
        f"/api/v1/cases/{ids['case']}/actions/", {"action": action}, content_type="application/json"
    )
    assert response.status_code == 400


def test_lodge_and_inbox(api: Any, ids: dict[str, str]) -> None:
    created = api("sy.liaison").post(
        "/api/v1/cases/",
        {
            "incident": ids["incident"],
            "respondent": "il",
            "summary": "Counter-complaint (fictional).",
        },
        content_type="application/json",
    )
    assert created.status_code == 201
    case = Case.objects.get(public_id=created.json()["id"])
    assert Deadline.objects.filter(case=case, state="open").count() == 3
    inbox = results(api("il.liaison").get("/api/v1/inbox/?unread=1"))
    assert created.json()["reference"] in [n["reference"] for n in inbox]
    marked = api("il.liaison").post("/api/v1/inbox/read/", {}, content_type="application/json")
    assert marked.json()["marked"] >= 1
    assert api("il.liaison").get("/api/v1/inbox/?unread=1").json() == EMPTY_PAGE
    assert Notification.objects.filter(recipient__username="mediator", case=case).count() == 1


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"respondent": "il"}, 400),  # oneself
        ({"respondent": "us"}, 400),  # the mediator is not a party to complain about
        ({"respondent": "nobody"}, 400),
        ({"respondent": "donor_a"}, 400),  # hidden from Israel: unknown
        ({"summary": ""}, 400),
        ({"incident": "00000000-0000-0000-0000-000000000000"}, 404),
        ({"protocol": "nothing"}, 400),
    ],
)
def test_bad_complaints_are_refused(
    api: Any, ids: dict[str, str], body: dict[str, Any], status: int
) -> None:
    count = Case.objects.count()
    payload = {"incident": ids["incident"], "respondent": "sy", "summary": "x", **body}
    response = api("il.liaison").post("/api/v1/cases/", payload, content_type="application/json")
    assert response.status_code == status
    assert Case.objects.count() == count


def test_the_chain_ties_every_step_to_a_verifiable_entry(api: Any, ids: dict[str, str]) -> None:
    import hashlib

    from coordcell.record import merkle
    from coordcell.record.services import issue_checkpoint

    issue_checkpoint(force=True)
    chain = api("sy.liaison").get(f"/api/v1/cases/{ids['case']}/chain/").json()
    assert chain["steps"][0]["action"] == "lodge"
    for step in chain["steps"]:
        entry = step["entry"]
        leaf = merkle.leaf_hash(
            hashlib.sha256(bytes.fromhex(entry["salt"]) + entry["canonical"].encode()).digest()
        )
        proof = entry["inclusion"]
        assert merkle.verify_inclusion(
            leaf,
            entry["leaf_index"],
            proof["tree_size"],
            [bytes.fromhex(h) for h in proof["path"]],
            bytes.fromhex(proof["root"]),
        )
    assert dt.datetime.fromisoformat(chain["deadlines"][0]["due_at"])


def test_a_donor_never_joins_an_audience(api: Any, ids: dict[str, str]) -> None:
    """Everyone in an audience reads it: a confidential donor must never be put in one."""
    incident = api("mediator").post(
        "/api/v1/incidents/",
        {"kind": "armed_clash", "title": "x", "occurred_from": "2026-04-01T10:00:00Z",
         "geometry": IN_AOS, "audience": ["donor_a"]},
        content_type="application/json",
    )  # fmt: skip
    assert incident.status_code == 400
    assert "audience" in incident.json()["error"]["fields"]
    case = api("il.liaison").post(
        "/api/v1/cases/",
        {"incident": ids["incident"], "respondent": "sy", "summary": "x", "audience": ["donor_a"]},
        content_type="application/json",
    )
    assert case.status_code == 400


def test_only_the_reporting_party_shares_its_incident_further(
    api: Any, ids: dict[str, str]
) -> None:
    """Syria may complain about Israel's incident, but not show it to Jordan."""
    observer = api("observer")
    assert observer.get(f"/api/v1/incidents/{ids['incident']}/").status_code == 404
    leak = api("sy.liaison").post(
        "/api/v1/cases/",
        {"incident": ids["incident"], "respondent": "il", "summary": "x", "audience": ["jo"]},
        content_type="application/json",
    )
    assert leak.status_code == 400
    assert "audience" in leak.json()["error"]["fields"]
    assert observer.get(f"/api/v1/incidents/{ids['incident']}/").status_code == 404
    # Without extra parties Syria may complain (the mediator and monitors handle it anyway).
    fair = api("sy.liaison").post(
        "/api/v1/cases/",
        {"incident": ids["incident"], "respondent": "il", "summary": "x"},
        content_type="application/json",
    )
    assert fair.status_code == 201
    # The reporting party itself may share its incident further.
    shared = api("il.liaison").post(
        "/api/v1/cases/",
        {"incident": ids["incident"], "respondent": "sy", "summary": "x", "audience": ["jo"]},
        content_type="application/json",
    )
    assert shared.status_code == 201
    assert observer.get(f"/api/v1/incidents/{ids['incident']}/").status_code == 200


def test_a_huge_inbox_id_is_a_400(api: Any) -> None:
    response = api("il.liaison").post(
        "/api/v1/inbox/read/", {"ids": [10**30]}, content_type="application/json"
    )
    assert response.status_code == 400


def test_a_person_who_left_the_party_keeps_no_view_of_its_inbox(api: Any, user: Any) -> None:
    from coordcell.parties.models import Membership

    assert results(api("sy.liaison").get("/api/v1/inbox/"))
    Membership.objects.filter(user=user("sy.liaison")).update(active=False)
    # Without a membership the API refuses altogether; with another party's, no old case.
    from coordcell.parties.models import Delegation

    Membership.objects.create(
        user=user("sy.liaison"), delegation=Delegation.objects.get(party__code="jo"),
        role="observer", call_sign="JO OBS-9",
    )  # fmt: skip
    assert api("sy.liaison").get("/api/v1/inbox/").json() == EMPTY_PAGE
