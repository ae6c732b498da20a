"""The hotline (record, answer, time to answer, one-step complaint) and the scorecard."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from coordcell.agreements.selectors import get_version
from coordcell.cases import hotline, lodging
from coordcell.cases.models import Activation, Case
from coordcell.cases.scorecard import scorecard
from coordcell.cases.services import act, expire_due, lodge_complaint
from coordcell.core.errors import NotFound, PermissionDenied, ValidationFailed
from coordcell.incidents.services import IncidentInput
from coordcell.parties.models import Party
from coordcell.record.models import Entry

pytestmark = pytest.mark.django_db

IN_AOS = {"type": "Point", "coordinates": [35.82461, 33.12595]}


def _call(actor: Any, caller: str = "sy.liaison", callee: str = "il") -> Activation:
    who = actor(caller)
    return hotline.activate(
        actor=who,
        callee=Party.objects.get(code=callee),
        channel="message",
        subject_text="Smoke seen near the line (fictional).",
        version=get_version(who, None, None),
    )


def test_an_activation_is_recorded_with_its_answer_clock(actor: Any) -> None:
    activation = _call(actor)
    assert activation.caller_party.code == "sy"
    assert activation.audience_codes == ["il", "sy", "undof", "us"]
    assert (activation.answer_due_at - activation.received_at) == dt.timedelta(hours=2)
    entry = Entry.objects.order_by("-seq").first()
    assert entry is not None
    assert entry.event_type == "cases.hotline_activated"
    assert entry.audience_codes == ["il", "sy", "undof", "us"]


def test_only_the_called_party_answers_once(actor: Any) -> None:
    activation = _call(actor)
    for username in ("sy.liaison", "mediator", "il.analyst", "observer"):
        with pytest.raises(PermissionDenied):
            hotline.answer(actor=actor(username), activation=activation, text="x")
    answered = hotline.answer(actor=actor("il.liaison"), activation=activation, text="Checking.")
    assert answered.seconds_to_answer is not None
    assert answered.seconds_to_answer >= 0
    entry = Entry.objects.order_by("-seq").first()
    assert entry is not None
    assert entry.data["in_time"] is True
    with pytest.raises(ValidationFailed):
        hotline.answer(actor=actor("il.liaison"), activation=activation, text="again")


@pytest.mark.parametrize(
    ("caller", "callee", "error"),
    [
        ("il.analyst", "sy", PermissionDenied),  # analysts do not use the hotline
        ("donor", "us", PermissionDenied),
        ("observer", "us", PermissionDenied),
        ("il.liaison", "il", ValidationFailed),  # not oneself
        ("il.liaison", "jo", ValidationFailed),  # observers are not on the hotline
    ],
)
def test_who_may_call_whom(actor: Any, caller: str, callee: str, error: type) -> None:
    with pytest.raises(error):
        _call(actor, caller, callee)


def test_the_mediator_and_monitors_may_call(actor: Any) -> None:
    assert _call(actor, "mediator", "sy").caller_party.code == "us"
    assert _call(actor, "monitor", "il").caller_party.code == "undof"


def test_a_call_becomes_an_incident_and_a_complaint_in_one_step(actor: Any) -> None:
    activation = _call(actor)
    head = Entry.objects.order_by("-seq").values_list("seq", flat=True)[0]
    case = lodging.report_and_lodge(
        actor=actor("sy.liaison"),
        activation=activation,
        version=activation.version,
        incident=IncidentInput(
            kind="looting_destruction",
            title="Fire near the line (fictional)",
            occurred_from=dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC),
            geometry=IN_AOS,
        ),
        respondent="il",
        summary="Fire reported over the hotline (fictional).",
    )
    assert case.protocol_id == "hotline"
    assert case.incident.source == "hotline"
    types = list(Entry.objects.filter(seq__gt=head).values_list("event_type", flat=True))
    assert types == [
        "incidents.incident_reported",
        "cases.complaint_lodged",
        "cases.hotline_converted",
    ]
    activation.refresh_from_db()
    assert activation.case == case
    with pytest.raises(ValidationFailed):
        lodging.report_and_lodge(
            actor=actor("sy.liaison"),
            activation=activation,
            version=activation.version,
            incident=IncidentInput(
                kind="looting_destruction", title="x",
                occurred_from=dt.datetime(2026, 6, 1, tzinfo=dt.UTC),
                geometry=IN_AOS,
            ),
            respondent="il",
            summary="again",
        )  # fmt: skip


def test_a_failed_conversion_writes_nothing(actor: Any) -> None:
    activation = _call(actor)
    count = Entry.objects.count()
    with pytest.raises(ValidationFailed):
        lodging.report_and_lodge(
            actor=actor("sy.liaison"),
            activation=activation,
            version=activation.version,
            incident=IncidentInput(
                kind="looting_destruction", title="x",
                occurred_from=dt.datetime(2026, 6, 1, tzinfo=dt.UTC),
                geometry={"type": "Point", "coordinates": [0, 0]},
            ),
            respondent="il",
            summary="x",
        )  # fmt: skip
    assert Entry.objects.count() == count
    assert Activation.objects.get(pk=activation.pk).case is None


def test_outsiders_of_the_call_cannot_see_it(actor: Any) -> None:
    from coordcell.cases.selectors import get_activation

    activation = _call(actor)
    for username in ("observer", "donor"):
        with pytest.raises(NotFound):
            get_activation(actor(username), activation.public_id)
    assert get_activation(actor("monitor"), activation.public_id) == activation


def _add(total: dict[str, Any], month: dict[str, Any]) -> dict[str, Any]:
    for key, value in month.items():
        if isinstance(value, dict):
            _add(total.setdefault(key, {}), value)
        elif isinstance(value, int) and not isinstance(value, bool):
            total[key] = total.get(key, 0) + value
    return total


def _month(rows: dict[str, Any], party: str) -> dict[str, Any]:
    """The party's counts over every month: the session's drill case (lodged when the
    session began) and this test's case fall in two months when a month turns between."""
    entry = next(p for p in rows["parties"] if p["party"] == party)
    total: dict[str, Any] = {}
    for month in entry["months"].values():
        _add(total, month)
    return total


def test_the_scorecard_counts_from_the_steps(actor: Any) -> None:
    incident = Case.objects.order_by("pk").first().incident  # type: ignore[union-attr]
    case = lodge_complaint(
        actor=actor("sy.liaison"),
        incident=incident,
        respondent="il",
        summary="Scorecard drill (fictional).",
    )
    act(actor=actor("il.liaison"), case=case, action="acknowledge")
    act(actor=actor("il.liaison"), case=case, action="answer", text="Answer (fictional).")
    act(
        actor=actor("mediator"),
        case=case,
        action="determine",
        text="Determination (fictional).",
        content={"outcome": "not_established"},
    )
    # The session's complaint (Israel about Syria) is never answered: its deadlines pass.
    first = Case.objects.order_by("pk").first()
    assert first is not None
    expire_due(first.lodged_at + dt.timedelta(days=30))
    activation = _call(actor)
    hotline.answer(actor=actor("il.liaison"), activation=activation, text="ok")
    card = scorecard(actor("mediator"))  # those who see the same cases see the same numbers
    assert card == scorecard(actor("monitor"))
    il = _month(card, "il")
    sy = _month(card, "sy")
    assert il["complaints_received"] == 1
    assert il["time_to_acknowledge"]["count"] == 1
    assert il["time_to_answer"]["count"] == 1
    assert il["deadlines"]["met"] == 2
    assert il["deadlines"]["missed"] == 0
    assert sy["complaints_received"] == 1
    assert sy["deadlines"]["missed"] == 2
    assert sy["deadlines"]["met"] == 0
    assert il["complaints_lodged"] == 1
    assert sy["complaints_lodged"] == 1
    assert il["hotline"]["answered"] >= 1
    entry = next(p for p in card["parties"] if p["party"] == "il")
    for month in entry["months"].values():
        if month.get("hotline", {}).get("received"):
            h = month["hotline"]
            assert h["answer_rate"] == h["answered"] / h["received"]
    mediator = _month(card, "us")
    assert mediator["time_to_determine"]["count"] == 1


def test_outsiders_get_no_scorecard(actor: Any) -> None:
    with pytest.raises(NotFound):
        scorecard(actor("outsider"))


def test_the_mediator_proposes_an_extension_the_parties_countersign(
    actor: Any, client_for: Any
) -> None:
    from coordcell.cases.models import Deadline
    from coordcell.cases.services import propose_extension

    case = Case.objects.order_by("pk").first()
    assert case is not None
    answer = Deadline.objects.get(case=case, kind="answer")
    for username in ("il.liaison", "sy.liaison", "monitor"):
        with pytest.raises(PermissionDenied):
            propose_extension(actor=actor(username), case=case, kind="answer", hours=24, reason="x")
    with pytest.raises(ValidationFailed):
        propose_extension(actor=actor("mediator"), case=case, kind="answer", hours=0, reason="x")
    with pytest.raises(ValidationFailed):
        propose_extension(
            actor=actor("mediator"), case=case, kind="verification", hours=5, reason="x"
        )
    # From the page: proposed, then countersigned by each party from theirs.
    page = client_for("mediator").post(
        f"/cases/{case.public_id}/extend/",
        {"kind": "answer", "hours": "24", "text": "The weekly meeting moved (fictional)."},
    )
    assert page.status_code == 302
    entry = Entry.objects.order_by("-seq").first()
    assert entry is not None
    assert entry.event_type == "cases.extension_proposed"
    answer.refresh_from_db()
    assert not answer.extended_by_agreement
    for username in ("il.liaison", "sy.liaison"):
        response = client_for(username).post(
            f"/cases/{case.public_id}/extension/countersign/", {"kind": "answer"}
        )
        assert response.status_code == 302
    moved = Deadline.objects.get(pk=answer.pk)
    assert moved.due_at == answer.due_at + dt.timedelta(hours=24)
    assert moved.extended_by_agreement
    entry = Entry.objects.order_by("-seq").first()
    assert entry is not None
    assert entry.event_type == "cases.deadline_extended"
    # The old deadline passing no longer expires it.
    expire_due(answer.due_at + dt.timedelta(minutes=1))
    moved.refresh_from_db()
    assert moved.state == "open"
    assert (
        client_for("il.liaison")
        .post(f"/cases/{case.public_id}/extend/", {"kind": "answer", "hours": "2", "text": "x"})
        .status_code
        == 403
    )
