"""The scorecard of compliance: determinations by outcome, repeats, windows, and a release.

A party found in violation no longer scores perfectly on courtesy alone; a reader's
numbers count only what the reader may see; donors and observers see nothing of the
scorecard until every party has countersigned its release.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from coordcell.agreements.selectors import get_version
from coordcell.cases import lodging, releases
from coordcell.cases.models import Case, ScorecardRelease
from coordcell.cases.scorecard import scorecard
from coordcell.cases.services import act
from coordcell.core.errors import NotFound, PermissionDenied, ValidationFailed
from coordcell.incidents.services import IncidentInput
from coordcell.record.models import Entry
from tests.integration.api.endpoints import RELEASED_READS, Endpoint, call, url

pytestmark = pytest.mark.django_db

IN_AOS = {"type": "Point", "coordinates": [35.82461, 33.12595]}
#: About 2 km from IN_AOS.
NEARBY = {"type": "Point", "coordinates": [35.84, 33.135]}


def _complaint(actor: Any, by: str = "sy.liaison", against: str = "il", **kw: Any) -> Case:
    who = actor(by)
    return lodging.report_and_lodge(
        actor=who,
        version=get_version(who, None, None),
        incident=IncidentInput(
            kind="overflight",
            title="Drone over the line (fictional)",
            occurred_from=kw.get("when", dt.datetime(2026, 5, 2, 4, 15, tzinfo=dt.UTC)),
            geometry=kw.get("where", IN_AOS),
        ),
        respondent=against,
        summary="A drone (fictional).",
    )


def _determine(actor: Any, case: Case, outcome: str) -> None:
    act(actor=actor("il.liaison"), case=case, action="acknowledge")
    act(actor=actor("il.liaison"), case=case, action="answer", text="Nothing happened.")
    act(
        actor=actor("mediator"),
        case=case,
        action="determine",
        text="The overflight took place (fictional).",
        content={"outcome": outcome},
    )


def _row(card: dict[str, Any], party: str, period: str) -> dict[str, Any]:
    entry = next(p for p in card["parties"] if p["party"] == party)
    return dict(entry["months"].get(period, {}))


def test_a_determined_violation_shows_in_the_respondents_scorecard(actor: Any) -> None:
    case = _complaint(actor)
    _determine(actor, case, "violation_established")
    period = f"{case.lodged_at:%Y-%m}"
    il = _row(scorecard(actor("sy.liaison")), "il", period)
    # Every deadline met, a prompt answer — and a violation established, on the same row.
    assert il["deadlines"]["missed"] == 0
    assert il["determinations"]["violation_established"] == 1
    assert il["determinations"]["not_established"] == 0
    # The complainant is not charged with it; the record keeps the outcome.
    assert (
        _row(scorecard(actor("sy.liaison")), "sy", period)
        .get("determinations", {})
        .get("violation_established", 0)
        == 0
    )
    entry = Entry.objects.filter(event_type="cases.determined").order_by("-seq").first()
    assert entry is not None
    assert entry.data["outcome"] == "violation_established"


def test_a_determination_states_one_of_the_outcomes(actor: Any) -> None:
    case = _complaint(actor)
    act(actor=actor("il.liaison"), case=case, action="acknowledge")
    act(actor=actor("il.liaison"), case=case, action="answer", text="Nothing happened.")
    for outcome in ("", "guilty"):
        with pytest.raises(ValidationFailed) as refused:
            act(
                actor=actor("mediator"),
                case=case,
                action="determine",
                text="x",
                content={"outcome": outcome},
            )
        assert "outcome" in refused.value.fields


def test_a_hidden_case_changes_no_count_a_reader_sees(actor: Any) -> None:
    for window in ("day", "week", "month"):
        before = scorecard(actor("sy.liaison"), window)
        hidden = _complaint(actor, by="il.liaison", against="sy")
        # Shared with Israel and the mechanism alone: Syria may not know it exists.
        Case.objects.filter(pk=hidden.pk).update(audience="|il|undof|us|")
        _determine_against_sy(actor, hidden)
        assert scorecard(actor("sy.liaison"), window) == before
        # Those who see it count it.
        assert scorecard(actor("mediator"), window) != before


def _determine_against_sy(actor: Any, case: Case) -> None:
    # Syria may not read the case, so it cannot answer: take it as answered.
    Case.objects.filter(pk=case.pk).update(state="answered")
    case.refresh_from_db()
    act(
        actor=actor("mediator"),
        case=case,
        action="determine",
        text="Determination (fictional).",
        content={"outcome": "violation_established"},
    )


def test_windows_name_a_day_a_week_or_a_month(actor: Any) -> None:
    case = _complaint(actor)
    year, week, _ = case.lodged_at.isocalendar()
    assert f"{case.lodged_at:%Y-%m-%d}" in scorecard(actor("mediator"), "day")["months"]
    assert f"{year:04d}-W{week:02d}" in scorecard(actor("mediator"), "week")["months"]
    assert f"{case.lodged_at:%Y-%m}" in scorecard(actor("mediator"), "month")["months"]
    with pytest.raises(ValidationFailed):
        scorecard(actor("mediator"), "year")


def test_an_incident_near_an_earlier_one_is_a_repeat(actor: Any) -> None:
    _complaint(actor)
    # A week later, about 2 km away: a repeat. Three months later at the first place: none.
    second = _complaint(actor, where=NEARBY, when=dt.datetime(2026, 5, 9, 4, 15, tzinfo=dt.UTC))
    _complaint(actor, when=dt.datetime(2026, 8, 9, 4, 15, tzinfo=dt.UTC))
    il = _row(scorecard(actor("mediator")), "il", f"{second.lodged_at:%Y-%m}")
    assert il["complaints_received"] == 3
    assert il["repeat_incidents"] == 1


def test_an_unreleased_scorecard_does_not_exist_for_a_donor_or_an_observer(
    actor: Any, client_for: Any, api: Any
) -> None:
    for reader in ("donor", "observer"):
        with pytest.raises(NotFound):
            scorecard(actor(reader))
        assert client_for(reader).get("/cases/scorecard/").status_code == 404
        assert api(reader, "token").get("/api/v1/scorecard/").status_code == 404
        assert "/cases/scorecard/" not in client_for(reader).get("/cases/").content.decode()
    with pytest.raises(PermissionDenied):
        releases.release_scorecard(actor=actor("mediator"))
    with pytest.raises(PermissionDenied):
        releases.release_scorecard(actor=actor("donor"))
    # One party's countersignature is not a release.
    assert client_for("il.liaison").post("/cases/scorecard/release/").status_code == 302
    with pytest.raises(ValidationFailed):
        releases.release_scorecard(actor=actor("il.liaison"))  # once per party
    assert api("donor", "token").get("/api/v1/scorecard/").status_code == 404
    response = api("sy.liaison", "token").post("/api/v1/scorecard/release/")
    assert response.status_code == 200, response.content
    assert response.json()["signed_by"] == ["il", "sy"]
    assert response.json()["released_at"]
    released = api("donor", "token").get("/api/v1/scorecard/").json()
    assert released["released"]["signed_by"] == ["il", "sy"]
    assert {p["party"] for p in released["parties"]} >= {"il", "sy"}
    assert client_for("observer").get("/cases/scorecard/?window=week").status_code == 200
    assert "/cases/scorecard/" in client_for("observer").get("/cases/").content.decode()
    types = list(
        Entry.objects.filter(event_type__startswith="cases.scorecard_")
        .order_by("seq")
        .values_list("event_type", flat=True)
    )
    assert types == [
        "cases.scorecard_release_signed",
        "cases.scorecard_release_signed",
        "cases.scorecard_released",
    ]


def test_two_first_countersignatures_at_once_sign_one_release(
    actor: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Syria's first countersignature commits between Israel's look for a pending release
    # (none yet) and its start of one: Israel's row is refused by the constraint of one
    # pending release, and Israel signs Syria's instead. Before, each started its own
    # release and neither was ever complete.
    releases.release_scorecard(actor=actor("sy.liaison"))
    real = releases._locked_pending
    looked: list[object] = []

    def first_misses_it() -> ScorecardRelease | None:
        looked.append(None)
        return None if len(looked) == 1 else real()

    monkeypatch.setattr(releases, "_locked_pending", first_misses_it)
    release = releases.release_scorecard(actor=actor("il.liaison"))
    assert len(looked) == 2  # missed it, was refused, looked again
    assert release.signed_by == ["sy", "il"]
    assert release.released_at is not None
    assert list(ScorecardRelease.objects.values_list("signed_by", flat=True)) == [["sy", "il"]]


def test_only_one_release_awaits_countersignatures(actor: Any) -> None:
    now = timezone.now()
    ScorecardRelease.objects.create(started_at=now, signed_by=["il"])
    ScorecardRelease.objects.create(started_at=now, released_at=now)  # released: any number
    with pytest.raises(IntegrityError), transaction.atomic():
        ScorecardRelease.objects.create(started_at=now, signed_by=["sy"])


def test_a_release_counts_only_what_every_party_could_see(actor: Any, api: Any) -> None:
    hidden = _complaint(actor, by="il.liaison", against="sy")
    Case.objects.filter(pk=hidden.pk).update(audience="|il|undof|us|")
    _determine_against_sy(actor, hidden)
    seen_by_sy = scorecard(actor("sy.liaison"))
    releases.release_scorecard(actor=actor("il.liaison"))
    releases.release_scorecard(actor=actor("sy.liaison"))
    released = scorecard(actor("donor"))
    assert released["parties"] == seen_by_sy["parties"]


@pytest.mark.parametrize("endpoint", RELEASED_READS, ids=lambda e: e.id)
@pytest.mark.parametrize(
    ("username", "status"),
    [("il.liaison", 200), ("sy.analyst", 200), ("mediator", 200), ("monitor", 200),
     ("donor", 404), ("observer", 404)],
)  # fmt: skip
def test_the_parties_and_the_mechanism_read_it_live_and_no_one_else(
    endpoint: Endpoint, username: str, status: int, api: Any, ids: dict[str, str]
) -> None:
    response = call(api(username, "token"), endpoint, url(endpoint, ids))
    assert response.status_code == status
    if status == 404:
        assert response.json() == api("il.liaison", "token").get("/api/v1/cases/nope/").json()


def test_the_case_page_records_the_outcome_with_the_determination(
    actor: Any, client_for: Any
) -> None:
    case = _complaint(actor)
    act(actor=actor("il.liaison"), case=case, action="acknowledge")
    act(actor=actor("il.liaison"), case=case, action="answer", text="Nothing happened.")
    page = client_for("mediator").get(f"/cases/{case.public_id}/").content.decode()
    assert 'name="outcome"' in page
    response = client_for("mediator").post(
        f"/cases/{case.public_id}/determine/",
        {"text": "No overflight took place (fictional).", "outcome": "not_established"},
    )
    assert response.status_code == 302
    il = _row(scorecard(actor("il.liaison")), "il", f"{case.lodged_at:%Y-%m}")
    assert il["determinations"]["not_established"] == 1
