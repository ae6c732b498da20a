"""Warnings and action requests, and the warning-before-action ledger."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from coordcell.agreements.selectors import get_version
from coordcell.cases import action_warnings as warnings
from coordcell.cases import hotline, ledger
from coordcell.cases.models import ForceClaim, ThreatWarning
from coordcell.core.errors import NotFound, PermissionDenied, ValidationFailed
from coordcell.incidents.services import IncidentInput, report_incident
from coordcell.parties.models import Party
from coordcell.record.models import Entry

pytestmark = pytest.mark.django_db

IN_AOS = {"type": "Point", "coordinates": [35.82461, 33.12595]}


def _warn(
    actor: Any,
    by: str = "il.liaison",
    to: str = "sy",
    *,
    hours: float = 2,
    monitors: bool = False,
    minutes_ago: int = 0,
    **kwargs: Any,
) -> ThreatWarning:
    who = actor(by)
    return warnings.pass_warning(
        actor=who,
        version=get_version(who, None, None),
        addressee=to,
        geometry=kwargs.pop("geometry", IN_AOS),
        threat="A rocket launch team is preparing at the ridge (fictional).",
        act_kind=kwargs.pop("act_kind", "shelling_artillery"),
        action_requested="Remove the launch team from the ridge (fictional).",
        window_hours=hours,
        include_monitors=monitors,
        passed_at=timezone.now() - dt.timedelta(minutes=minutes_ago),
        **kwargs,
    )


def _strike(actor: Any, by: str = "il.liaison", minutes_ago: int = 0) -> Any:
    who = actor(by)
    return report_incident(
        actor=who,
        data=IncidentInput(
            kind="air_or_drone_strike",
            title="Strike on the ridge (fictional)",
            occurred_from=timezone.now() - dt.timedelta(minutes=minutes_ago),
            geometry=IN_AOS,
        ),
        version=get_version(who, None, None),
        audience=["il", "sy", "us", "undof"],
    )


def test_a_warning_reaches_the_two_parties_and_the_mediator_only(actor: Any) -> None:
    warning = _warn(actor)
    assert warning.audience_codes == ["il", "sy", "us"]
    assert warning.window_due_at == warning.passed_at + dt.timedelta(hours=2)
    for reader in ("monitor", "observer", "donor"):
        assert not ThreatWarning.objects.restrict(actor(reader)).filter(pk=warning.pk).exists()
    shared = _warn(actor, monitors=True)
    assert shared.audience_codes == ["il", "sy", "undof", "us"]
    entry = Entry.objects.order_by("-seq").first()
    assert entry is not None
    assert entry.event_type == "cases.warning_passed"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"to": "il"},  # not oneself
        {"to": "us"},  # a party to the arrangement
        {"hours": 0},
        {"hours": 24 * 8},
        {"geometry": {"type": "Point", "coordinates": [0, 0]}},  # outside the region
        {"geometry": {"type": "Point", "coordinates": [33.1, 35.8]}},  # swapped
        {"act_kind": "sneeze"},
        {"minutes_ago": 60 * 25},  # recorded more than a day after it was given
        {"minutes_ago": -10},  # given in the future
    ],
)
def test_a_bad_warning_writes_nothing(actor: Any, kwargs: dict[str, Any]) -> None:
    count = Entry.objects.count()
    with pytest.raises(ValidationFailed):
        _warn(actor, **kwargs)
    assert Entry.objects.count() == count


@pytest.mark.parametrize("username", ["mediator", "monitor", "il.analyst", "observer"])
def test_only_a_party_passes_a_warning(actor: Any, username: str) -> None:
    with pytest.raises(PermissionDenied):
        _warn(actor, by=username)


def test_a_warning_acted_on_in_time(actor: Any) -> None:
    warning = _warn(actor, monitors=True)
    with pytest.raises(PermissionDenied):
        warnings.acknowledge(actor=actor("il.liaison"), warning=warning)
    warnings.acknowledge(actor=actor("sy.liaison"), warning=warning)
    with pytest.raises(ValidationFailed):  # the window is open: too early for this
        warnings.record_outcome(actor=actor("il.liaison"), warning=warning, outcome="not_acted")
    with pytest.raises(ValidationFailed):  # nothing reported yet
        warnings.confirm_action(actor=actor("monitor"), warning=warning, result="confirmed")
    reported = warnings.report_action(
        actor=actor("sy.liaison"), warning=warning, text="The team left the ridge (fictional)."
    )
    assert reported.window_state == "met"
    with pytest.raises(ValidationFailed):  # a reason is needed
        warnings.confirm_action(actor=actor("monitor"), warning=warning, result="could_not_confirm")
    with pytest.raises(PermissionDenied):
        warnings.confirm_action(actor=actor("sy.liaison"), warning=warning, result="confirmed")
    warnings.confirm_action(actor=actor("monitor"), warning=warning, result="confirmed")
    with pytest.raises(PermissionDenied):
        warnings.record_outcome(actor=actor("sy.liaison"), warning=warning, outcome="acted_in_time")
    done = warnings.record_outcome(
        actor=actor("il.liaison"), warning=warning, outcome="acted_in_time", text="Thank you."
    )
    assert done.outcome == "acted_in_time"
    entry = Entry.objects.order_by("-seq").first()
    assert entry is not None
    assert entry.event_type == "cases.warning_outcome_recorded"
    assert entry.audience_codes == ["il", "sy", "undof", "us"]
    with pytest.raises(ValidationFailed):
        warnings.record_outcome(actor=actor("il.liaison"), warning=warning, outcome="not_acted")


def test_a_warning_not_acted_on_then_unilateral_action(actor: Any) -> None:
    warning = _warn(actor, hours=1, minutes_ago=180)  # given by radio three hours ago
    assert warning.window_state == "open"
    # The worker closes the window; once.
    assert warnings.settle_windows(timezone.now()) >= 1
    assert warnings.settle_windows(timezone.now()) == 0
    warning.refresh_from_db()
    assert warning.window_state == "expired"
    late = warnings.report_action(
        actor=actor("sy.liaison"), warning=warning, text="Moved them (fictional)."
    )
    assert late.window_state == "expired"  # a late report stays late
    with pytest.raises(ValidationFailed):
        warnings.record_outcome(actor=actor("il.liaison"), warning=warning, outcome="acted_in_time")
    early = _strike(actor, minutes_ago=150)  # inside the window: not "after" it
    with pytest.raises(ValidationFailed):
        warnings.record_outcome(
            actor=actor("il.liaison"), warning=warning, outcome="unilateral_after_window",
            incident=early,
        )  # fmt: skip
    strike = _strike(actor, minutes_ago=30)
    done = warnings.record_outcome(
        actor=actor("il.liaison"), warning=warning, outcome="unilateral_after_window",
        incident=strike,
    )  # fmt: skip
    assert done.outcome_incident == strike


def test_the_worker_job_settles_windows(actor: Any) -> None:
    from coordcell.core.worker import registered_jobs

    warning = _warn(actor, hours=0.5)
    job = next(j for j in registered_jobs() if j.name == "cases.warning_windows")
    assert job.func(timezone.now()) == 0
    assert job.func(timezone.now() + dt.timedelta(hours=1)) == 1
    warning.refresh_from_db()
    assert warning.window_state == "expired"


def test_a_call_becomes_a_warning(actor: Any) -> None:
    who = actor("il.liaison")
    call = hotline.activate(
        actor=who, callee=Party.objects.get(code="sy"), channel="call",
        subject_text="Launch team on the ridge (fictional).", version=get_version(who, None, None),
    )  # fmt: skip
    warning = _warn(actor, activation=call)
    assert warning.activation == call
    with pytest.raises(PermissionDenied):
        _warn(actor, by="mediator", activation=call)
    private = hotline.activate(
        actor=who, callee=Party.objects.get(code="us"), channel="call",
        subject_text="Private (fictional).", version=get_version(who, None, None), bilateral=True,
    )  # fmt: skip
    _warn(actor, activation=private)
    entry = Entry.objects.order_by("-seq").first()
    assert entry is not None
    assert "activation" not in entry.data  # the bilateral call is not named to Syria
    with pytest.raises(NotFound):
        _warn(actor, by="sy.liaison", to="il", activation=private)


def test_the_ledger_links_strikes_to_prior_warnings(actor: Any) -> None:
    before = ledger.ledger(actor("mediator"))
    warning = _warn(actor, minutes_ago=120, hours=1)
    strike = _strike(actor, minutes_ago=10)
    other = _strike(actor, minutes_ago=5)
    with pytest.raises(PermissionDenied):  # only the reporting party
        ledger.claim_self_defence(actor=actor("sy.liaison"), incident=strike, warning=warning)
    with pytest.raises(ValidationFailed):  # one or the other
        ledger.claim_self_defence(actor=actor("il.liaison"), incident=strike)
    with pytest.raises(ValidationFailed):  # a warning passed after the strike
        ledger.claim_self_defence(
            actor=actor("il.liaison"), incident=_strike(actor, minutes_ago=180), warning=warning
        )
    claim = ledger.claim_self_defence(
        actor=actor("il.liaison"), incident=strike, warning=warning, statement="(fictional)"
    )
    assert claim.audience_codes == ["il", "sy", "us"]  # narrowed to the warning's readers
    ledger.claim_self_defence(actor=actor("il.liaison"), incident=other, no_prior_warning=True)
    with pytest.raises(ValidationFailed):  # once per incident
        ledger.claim_self_defence(actor=actor("il.liaison"), incident=other, no_prior_warning=True)
    with pytest.raises(ValidationFailed):  # not a use of force
        ledger.claim_self_defence(
            actor=actor("il.liaison"),
            incident=report_incident(
                actor=actor("il.liaison"),
                data=IncidentInput(
                    kind="overflight", title="x", occurred_from=timezone.now(), geometry=IN_AOS
                ),
                version=get_version(actor("il.liaison"), None, None),
                audience=["il", "sy"],
            ),
            no_prior_warning=True,
        )
    warnings.settle_windows(timezone.now())
    warnings.record_outcome(actor=actor("il.liaison"), warning=warning, outcome="not_acted")
    acted = _warn(actor)
    warnings.report_action(actor=actor("sy.liaison"), warning=acted, text="Done (fictional).")
    warnings.record_outcome(actor=actor("il.liaison"), warning=acted, outcome="acted_in_time")

    def row(card: dict[str, Any], party: str) -> dict[str, Any]:
        return next(r for r in card["parties"] if r["party"] == party)

    card = ledger.ledger(actor("mediator"))
    il, sy = row(card, "il"), row(card, "sy")
    il0, sy0 = row(before, "il"), row(before, "sy")
    assert il["strikes_stated_self_defence"] - il0["strikes_stated_self_defence"] == 2
    assert il["strikes_preceded_by_warning"] - il0["strikes_preceded_by_warning"] == 1
    assert il["share_preceded_by_warning"] == 0.5  # the session holds none before
    assert sy["warnings_decided"] - sy0["warnings_decided"] == 2
    assert sy["share_acted_in_time"] == 0.5
    assert card == ledger.ledger(actor("sy.liaison"))  # the same view, the same numbers
    # The monitors see neither the warnings nor the statement linked to one: they count
    # only the strike stated with no prior warning, so nothing hidden shows in a total.
    monitors = row(ledger.ledger(actor("monitor")), "il")
    assert monitors["strikes_stated_self_defence"] == 1
    assert monitors["strikes_preceded_by_warning"] == 0
    assert row(ledger.ledger(actor("monitor")), "sy")["warnings_received"] == 0
    with pytest.raises(NotFound):
        ledger.ledger(actor("outsider"))
    assert ForceClaim.objects.count() == 2


def test_warnings_through_the_pages(actor: Any, client_for: Any) -> None:
    il, sy = client_for("il.liaison"), client_for("sy.liaison")
    form = {
        "addressee": "sy", "lat": "33.12595", "lon": "35.82461", "act_kind": "armed_clash",
        "threat": "Armed men with RPG at the crossing (fictional).",
        "action_requested": "Remove them within two hours (fictional).", "window_hours": "2",
    }  # fmt: skip
    passed = il.post("/cases/warnings/", form)
    assert passed.status_code == 302
    warning = ThreatWarning.objects.order_by("-pk").first()
    assert warning is not None
    assert passed["Location"] == f"/cases/warnings/{warning.public_id}/"
    assert il.post("/cases/warnings/", {**form, "lat": "0", "lon": "0"}).status_code == 400
    assert client_for("mediator").post("/cases/warnings/", form).status_code == 403
    page = sy.get(f"/cases/warnings/{warning.public_id}/").content.decode()
    assert "Armed men with RPG at the crossing (fictional)." in page
    assert "Report the action taken" in page
    base = f"/cases/warnings/{warning.public_id}"
    assert sy.post(f"{base}/acknowledge/").status_code == 302
    assert sy.post(f"{base}/acknowledge/").status_code == 302  # again: said, not a 500
    assert il.post(f"{base}/acknowledge/").status_code == 403
    assert sy.post(f"{base}/action/", {"text": "Patrol sent (fictional)."}).status_code == 302
    assert il.post(f"{base}/outcome/", {"outcome": "acted_in_time"}).status_code == 302
    warning.refresh_from_db()
    assert warning.outcome == "acted_in_time"
    assert sy.post(f"{base}/nonsense/").status_code == 404
    for reader in ("monitor", "observer"):
        assert client_for(reader).get(f"{base}/").status_code == 404
        assert warning.reference not in client_for(reader).get("/cases/warnings/").content.decode()
    ledger_page = il.get("/cases/ledger/")
    assert ledger_page.status_code == 200


def test_warnings_and_the_ledger_through_the_api(actor: Any, client_for: Any) -> None:
    il, sy, mon = client_for("il.liaison"), client_for("sy.liaison"), client_for("monitor")
    body = {
        "addressee": "sy", "geometry": IN_AOS, "act_kind": "armed_clash",
        "threat": "Launch team at the ridge (fictional).", "action_requested": "Remove it.",
        "window_hours": 1, "include_monitors": True,
        "passed_at": (timezone.now() - dt.timedelta(hours=3)).isoformat(),
    }  # fmt: skip
    made = il.post("/api/v1/warnings/", body, content_type="application/json")
    assert made.status_code == 201, made.content
    warning = made.json()
    assert warning["audience"] == ["il", "sy", "undof", "us"]
    wid = warning["id"]
    assert mon.get(f"/api/v1/warnings/{wid}/").status_code == 200
    assert client_for("observer").get(f"/api/v1/warnings/{wid}/").status_code == 404
    bad = il.post(
        "/api/v1/warnings/", {**body, "window_hours": -1}, content_type="application/json"
    )
    assert bad.status_code == 400
    assert "window_hours" in str(bad.json())
    acted = sy.post(
        f"/api/v1/warnings/{wid}/action/", {"text": "Moved (fictional)."},
        content_type="application/json",
    )  # fmt: skip
    assert acted.status_code == 200
    assert acted.json()["window_state"] == "expired"  # reported after the window
    found = mon.post(
        f"/api/v1/warnings/{wid}/confirmation/",
        {"result": "could_not_confirm", "reason": "No access to the ridge (fictional)."},
        content_type="application/json",
    )
    assert found.json()["confirmations"][0]["result"] == "could_not_confirm"
    strike = _strike(actor, minutes_ago=20)
    out = il.post(
        f"/api/v1/warnings/{wid}/outcome/",
        {"outcome": "unilateral_after_window", "incident": str(strike.public_id)},
        content_type="application/json",
    )
    assert out.status_code == 200, out.content
    assert out.json()["outcome_incident"] == str(strike.public_id)
    claim = il.post(
        "/api/v1/self-defence/", {"incident": str(strike.public_id), "warning": wid},
        content_type="application/json",
    )  # fmt: skip
    assert claim.status_code == 201, claim.content
    card = il.get("/api/v1/ledger/").json()
    row = next(r for r in card["parties"] if r["party"] == "il")
    assert row["strikes_preceded_by_warning"] == 1
    assert row["share_preceded_by_warning"] == 1.0
    sy_row = next(r for r in card["parties"] if r["party"] == "sy")
    assert sy_row["warnings_unilateral_after_window"] == 1
    assert sy_row["share_acted_in_time"] == 0.0
    listed = il.get("/api/v1/self-defence/").json()["results"]
    assert listed[0]["warning"] == wid


def test_a_self_defence_statement_from_the_ledger_page(actor: Any, client_for: Any) -> None:
    strike = _strike(actor, minutes_ago=5)
    page = client_for("il.liaison").get("/cases/ledger/").content.decode()
    assert strike.reference in page  # offered: a use of force Israel reported
    assert strike.reference not in client_for("sy.liaison").get("/cases/ledger/").content.decode()
    done = client_for("il.liaison").post(
        "/cases/ledger/", {"incident": str(strike.public_id), "warning": "none"}
    )
    assert done.status_code == 302
    claim = ForceClaim.objects.get(incident=strike)
    assert claim.warning is None
    page = client_for("sy.liaison").get("/cases/ledger/").content.decode()
    assert "no prior warning through the cell" in page
    assert (
        client_for("il.liaison")
        .post("/cases/ledger/", {"incident": str(strike.public_id), "warning": ""})
        .status_code
        == 400
    )
    assert client_for("monitor").post("/cases/ledger/", {"incident": "x"}).status_code == 403
