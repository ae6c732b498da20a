"""The demo's story: played once through the services, so every board has something to show."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from coordcell.agreements.models import ArrangementVersion
from coordcell.cases.models import Activation, Case, Deadline, Step
from coordcell.cases.services import expire_due
from coordcell.demo.loader import story_told, tell_story
from coordcell.incidents.models import Incident
from coordcell.parties.models import Membership
from coordcell.record.models import Entry
from coordcell.rules.arrangement import DemoData
from coordcell.rules.scenario import read_scenario
from tests.conftest import SCENARIO
from tests.story import DemoStory

pytestmark = pytest.mark.django_db


def _demo() -> DemoData:
    demo = read_scenario(SCENARIO).demo
    assert demo is not None
    return demo


def _version() -> ArrangementVersion:
    return ArrangementVersion.objects.get(arrangement__key="southern_syria_2026", is_current=True)


def _counts() -> tuple[int, int, int, int]:
    return (
        Case.objects.count(),
        Activation.objects.count(),
        Incident.objects.count(),
        Entry.objects.count(),
    )


@dataclasses.dataclass(frozen=True)
class Told:
    """What playing the story once left, and what was there before it."""

    steps: int
    cases: dict[str, Case]  # by the kind of their incident
    activations_before: frozenset[int]
    seq_before: int
    started: dt.datetime
    ended: dt.datetime


@pytest.fixture(scope="module")
def _told_once(demo_story: DemoStory, django_db_blocker: Any) -> Iterator[Told]:
    """The story, told once per worker (``demo_story``, tests/story.py) and read in a
    transaction rolled back after the module's last test; each test runs in a savepoint
    inside it (pytest-django's ``db``), so what a test changes (the worker's expiries, a
    second telling) is undone as usual. What was there before is read first, on the
    database the story was not told on."""
    with django_db_blocker.unblock():
        cases_before = set(Case.objects.values_list("pk", flat=True))
        activations_before = frozenset(Activation.objects.values_list("pk", flat=True))
        seq_before = Entry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    with demo_story.told() as telling:
        cases = Case.objects.exclude(pk__in=cases_before).select_related("incident")
        yield Told(
            steps=telling.steps,
            cases={c.incident.kind: c for c in cases},
            activations_before=activations_before,
            seq_before=seq_before,
            started=telling.started,
            ended=telling.ended,
        )


@pytest.fixture
def told(db: Any, _told_once: Told) -> Told:
    return _told_once


def _told(told: Told) -> dict[str, Case]:
    """The story's cases by the kind of their incident, as a test's savepoint sees them."""
    fresh = Case.objects.select_related("incident").in_bulk([c.pk for c in told.cases.values()])
    return {kind: fresh[c.pk] for kind, c in told.cases.items()}


def test_it_plays_every_step(told: Told) -> None:
    # 43, then the hotline desks' 9 steps, the positions' 7, verification's 14, then
    # advance notification's 8, the economic zone's 18, sharing's 8, the talks' 25,
    # proposals' 19, civilian harm's and access's 7, the daily report's 1, the detainees' 11
    assert told.steps == 172


def test_it_leaves_cases_in_every_state_the_boards_show(told: Told) -> None:
    cases = _told(told)

    assert {kind: (c.state, c.level, c.protocol_id) for kind, c in cases.items()} == {
        "fortification": ("acknowledged", 0, "complaint"),
        "military_presence": ("answered", 0, "complaint"),
        "military_observation": ("answered", 1, "complaint"),  # rejected, then escalated
        "sam_deployment": ("determined", 0, "complaint"),
        "armed_clash": ("lodged", 0, "hotline"),  # the converted call, unacknowledged
        "overflight": ("resolved_by_agreement", 0, "complaint"),
        "troop_movement": ("determined", 0, "complaint"),  # with a remedy open
        # The incident at Syria's notified site opened its own follow-up case.
        "looting_destruction": ("lodged", 0, "complaint"),
    }
    determined = cases["sam_deployment"]
    assert determined.determined_by.username == "mediator"
    assert "(fictional exercise)" in determined.determination


def test_it_resolves_one_case_by_agreement_and_leaves_a_remedy_open_with_a_deadline(
    told: Told,
) -> None:
    from coordcell.cases.models import Remedy

    cases = _told(told)

    settled = cases["overflight"]
    assert settled.state == "resolved_by_agreement"
    assert (settled.resolution["proposed_by"], settled.resolution["agreed_by"]) == ("sy", "il")
    assert "(fictional exercise)" in settled.resolution["text"]
    assert not Deadline.objects.filter(case=settled, state="open").exists()

    determined = cases["troop_movement"]
    assert (determined.state, determined.outcome, determined.clauses) == (
        "determined", "violation_established", ["B.3"],
    )  # fmt: skip
    remedy = Remedy.objects.get(case=determined)
    assert (remedy.owner, remedy.verifier, remedy.state) == ("il", "undof", "open")
    assert "(fictional exercise)" in remedy.what
    # Due four days after the story is played: in the future, on the worker's deadline.
    assert (
        told.started + dt.timedelta(hours=96)
        <= remedy.due_at
        <= told.ended + dt.timedelta(hours=96)
    )
    assert remedy.deadline.state == "open"
    assert remedy.deadline.due_at == remedy.due_at


def test_it_takes_each_step_as_the_person_it_names(told: Told) -> None:
    cases = _told(told)
    escalation = Step.objects.get(case=cases["military_observation"], action="escalate")
    liaison = Membership.objects.get(user__username="sy.liaison", role="liaison_officer")
    assert escalation.entry.actor_name == liaison.call_sign  # a call sign, never a name
    assert escalation.entry.actor_user == liaison.user
    assert escalation.entry.party_code == "sy"
    sam = cases["sam_deployment"]
    assert [(s.action, s.party_code) for s in Step.objects.filter(case=sam).order_by("pk")] == [
        ("lodge", "il"),
        ("answer", "sy"),
        ("request_verification", "il"),
        ("record_verified", "undof"),
        ("determine", "us"),
    ]
    assert all(c.incident.fictional for c in cases.values())


def test_it_makes_hotline_calls_answered_unanswered_converted_and_threaded(told: Told) -> None:
    before = told.activations_before
    calls = Activation.objects.exclude(pk__in=before).order_by("pk")
    assert [
        (a.caller_party.code, a.callee_party.code, a.answered_at is not None, a.case_id is not None)
        for a in calls
    ] == [
        ("il", "sy", True, True),
        ("sy", "il", True, False),
        ("undof", "il", False, False),
        ("sy", "il", True, False),  # the thread: messages, commitments, a relay
    ]


def test_it_tells_a_thread_a_warning_acted_on_and_one_followed_by_a_strike(
    told: Told, actor: Any
) -> None:
    from coordcell.cases.ledger import ledger
    from coordcell.cases.models import CallMessage, Commitment, ThreatWarning

    before = told.activations_before
    thread = Activation.objects.exclude(pk__in=before).order_by("pk").last()
    assert thread is not None
    assert CallMessage.objects.filter(activation=thread).count() == 4
    assert sorted(Commitment.objects.filter(activation=thread).values_list("kind", "state")) == [
        ("hold_fire", "open"),
        ("investigate_report", "open"),
    ]
    relayed = CallMessage.objects.get(activation=thread, relayed_at__isnull=False)
    assert relayed.relayed_by_party.code == "us"
    outcomes = dict(ThreatWarning.objects.values_list("act_kind", "outcome").order_by("pk"))
    assert set(ThreatWarning.objects.values_list("outcome", flat=True)) == {
        "acted_in_time",
        "unilateral_after_window",
    }
    assert outcomes
    card = {r["party"]: r for r in ledger(actor("mediator"))["parties"]}
    assert card["il"]["strikes_preceded_by_warning"] == 1
    assert card["sy"]["warnings_acted_in_time"] == 1
    assert card["sy"]["warnings_unilateral_after_window"] == 1
    assert card["sy"]["share_acted_in_time"] == 0.5


def test_it_shares_one_case_with_the_observers_and_none_with_the_donor(
    told: Told, actor: Any
) -> None:
    cases = _told(told)
    assert list(Case.objects.restrict(actor("observer"))) == [cases["military_presence"]]
    assert not Case.objects.restrict(actor("donor")).filter(pk__in=[c.pk for c in cases.values()])


def test_it_dates_everything_when_it_happens_and_no_deadline_is_past(told: Told) -> None:
    seq, started, ended = told.seq_before, told.started, told.ended
    cases = _told(told)

    entries = Entry.objects.filter(seq__gt=seq)
    assert entries.count() > 21
    assert all(started <= e.occurred_at <= ended for e in entries)
    deadlines = Deadline.objects.filter(case__in=cases.values())
    assert all(started <= d.starts_at <= ended for d in deadlines)
    assert not [d for d in deadlines.filter(state="open") if d.due_at <= ended]
    # The reports say when the incidents happened: before they were reported, as
    # precisely as they say (the berm four hours before, known to the hour).
    assert all(c.incident.occurred_from < c.incident.reported_at for c in cases.values())
    berm = cases["fortification"].incident
    assert berm.time_precision == "hour"
    assert (berm.occurred_from.minute, berm.occurred_from.second) == (0, 0)
    four_hours = dt.timedelta(hours=4)
    assert started - four_hours - dt.timedelta(hours=1) < berm.occurred_from <= ended - four_hours


def test_the_unacknowledged_call_escalates_when_its_deadline_truly_expires(told: Told) -> None:
    cases = _told(told)
    shots = cases["armed_clash"]
    due = Deadline.objects.get(case=shots, kind="acknowledge").due_at
    assert due - shots.lodged_at == dt.timedelta(hours=2)  # the hotline protocol's

    expire_due(due - dt.timedelta(seconds=1))
    shots.refresh_from_db()
    assert shots.level == 0

    expire_due(due)
    shots.refresh_from_db()
    assert shots.level == 1
    assert list(
        Step.objects.filter(case=shots).order_by("pk").values_list("action", flat=True)
    ) == ["lodge", "no_reply", "escalate"]


def test_a_second_telling_adds_nothing(told: Told) -> None:
    after_first = _counts()
    assert story_told()

    assert tell_story(demo=_demo(), version=_version()) == 0

    assert _counts() == after_first


def test_it_staffs_the_hotline_desks_checks_the_links_and_hands_over(told: Told) -> None:
    from coordcell.accounts.models import User
    from coordcell.cases import roster
    from coordcell.cases.models import CommsCheck, DutyShift, Handover
    from coordcell.core.actor import Actor

    assert set(DutyShift.objects.values_list("party__code", flat=True)) == {"il", "sy", "us"}
    sy = Actor.from_user(User.objects.get(username="sy.liaison"))
    on_duty = {(d.party_code, d.tier): d for d in roster.on_duty_now(sy)}
    il_sign = Membership.objects.get(user__username="il.liaison").call_sign
    assert on_duty[("il", 1)].call_sign == il_sign
    assert on_duty[("il", 1)].contact  # shared
    assert on_duty[("il", 2)].contact == ""  # not shared
    checks = CommsCheck.objects.order_by("pk")
    assert [c.state for c in checks] == ["answered", "sent"]
    late = checks[1].answer_due_at
    from coordcell.cases.comms import fail_late_checks

    assert fail_late_checks(late) == 1  # the worker, when its 15 minutes have passed
    note = Handover.objects.get()
    assert note.acknowledged_at is not None
    assert note.audience_codes == ["il"]


def test_it_notifies_late_acknowledges_relays_a_convoy_and_follows_up_a_site(told: Told) -> None:
    from coordcell.deconfliction.models import FollowUp, HumanitarianActor, Notice

    cases = _told(told)
    notices = {n.activity: n for n in Notice.objects.select_related("party")}
    late = notices["troop_movement"]
    assert (late.party.code, late.late) == ("il", True)
    assert late.receipts.get().acknowledged_at is not None  # Syria acknowledged
    convoy = notices["humanitarian_convoy"]
    assert convoy.party.code == "us"
    assert convoy.humanitarian is not None
    assert "(fictional)" in HumanitarianActor.objects.get().names["en"]
    assert {r.party.code: r.acknowledged_at is not None for r in convoy.receipts.all()} == {
        "il": True,
        "sy": False,  # left awaited: the worker escalates it when due
    }
    site = notices["static_site"]
    follow = FollowUp.objects.get(notice=site)
    assert follow.case == cases["looting_destruction"]
    assert follow.case.own_motion_by == "follow-up"
    assert all("(fictional exercise)" in n.description for n in notices.values())
