"""The withdrawal timeline: linked steps proposed by the mediator bind only once both
parties countersign; every deadline ends with one recorded outcome, set only by those
entitled — met (a monitor), extended (both parties), suspended (the mediator), missed
(the worker, at expiry, once)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from django.utils import timezone

from coordcell.agreements.selectors import get_version
from coordcell.core.errors import NotFound, PermissionDenied, ValidationFailed
from coordcell.record.models import Entry
from coordcell.verification import burndown, selectors, timeline
from coordcell.verification.models import Countersignature, StepDeadline, WithdrawalStep
from coordcell.verification.timeline import StepInput
from tests.locks import row_locks

pytestmark = pytest.mark.django_db

#: The default scenario's withdrawal clause and two of its areas (its data).
CLAUSE = "WITHDRAWAL-2026"
AREA_A, AREA_B = "aol_A_0_10km", "aol_B_0_10km"


def _pair(actor: Any, hours: float = 72) -> tuple[WithdrawalStep, WithdrawalStep]:
    due = timezone.now() + dt.timedelta(hours=hours)
    return timeline.propose_steps(
        actor=actor("mediator"),
        version=get_version(actor("mediator"), None, None),
        clause=CLAUSE,
        first=StepInput(
            party="il", sequence=1, title="Phase 1 (fictional exercise)", due_at=due, zones=[AREA_A]
        ),
        second=StepInput(
            party="sy", sequence=1, title="Phase 1 (fictional exercise)", due_at=due, zones=[AREA_B]
        ),
    )


def _binding(actor: Any, hours: float = 72) -> tuple[WithdrawalStep, WithdrawalStep]:
    a, b = _pair(actor, hours)
    timeline.countersign_steps(actor=actor("il.liaison"), step=a)
    timeline.countersign_steps(actor=actor("sy.liaison"), step=b)
    a.refresh_from_db()
    b.refresh_from_db()
    return a, b


def test_proposed_steps_are_linked_and_bind_only_once_both_parties_countersign(actor: Any) -> None:
    a, b = _pair(actor)
    assert a.linked == b
    assert b.linked == a
    assert a.state == b.state == "proposed"
    assert not StepDeadline.objects.filter(step__in=[a, b]).exists()
    timeline.countersign_steps(actor=actor("il.liaison"), step=a)
    a.refresh_from_db()
    assert a.state == "proposed"  # one party is not enough
    with pytest.raises(ValidationFailed):
        timeline.countersign_steps(actor=actor("il.liaison"), step=b)  # not twice
    timeline.countersign_steps(actor=actor("sy.liaison"), step=a)
    for step in (a, b):
        step.refresh_from_db()
        assert step.state == "binding"
        assert StepDeadline.objects.get(step=step).outcome == ""
    assert Countersignature.objects.filter(step=a, extension=None).count() == 2


def test_both_parties_lock_the_pair_in_one_order_whichever_step_they_sign_from(
    actor: Any, monkeypatch: Any
) -> None:
    """Each party countersigns from its own step: both lock the pair's rows in one order
    (the lower id first), so that signing at once they wait for each other. Each locked
    its own step first, then the other: PostgreSQL aborted one ("deadlock detected")."""
    a, b = _pair(actor)
    locked: list[int] = []
    lock = timeline._locked

    def spy(who: Any, step: WithdrawalStep) -> WithdrawalStep:
        locked.append(step.pk)
        return lock(who, step)

    monkeypatch.setattr(timeline, "_locked", spy)
    for signer, step in (("il.liaison", a), ("sy.liaison", b)):
        locked.clear()
        timeline.countersign_steps(actor=actor(signer), step=step)
        assert locked[:2] == sorted([a.pk, b.pk]), (signer, locked)
    b.refresh_from_db()
    assert b.state == "binding"


def test_only_the_mediator_proposes_and_only_the_two_parties_countersign(actor: Any) -> None:
    for other in ("il.liaison", "monitor", "donor"):
        with pytest.raises(PermissionDenied):
            _pair(lambda _u, o=other: actor(o))
    a, _b = _pair(actor)
    for other in ("mediator", "monitor", "il.analyst"):
        with pytest.raises(PermissionDenied):
            timeline.countersign_steps(actor=actor(other), step=a)
    with pytest.raises(NotFound):
        timeline.countersign_steps(actor=actor("donor"), step=a)


def test_a_proposal_is_checked_whole_before_anything_is_written(actor: Any) -> None:
    before = (WithdrawalStep.objects.count(), Entry.objects.count())
    version = get_version(actor("mediator"), None, None)
    past = timezone.now() - dt.timedelta(hours=1)
    with pytest.raises(ValidationFailed) as refused:
        timeline.propose_steps(
            actor=actor("mediator"), version=version, clause="B.3",
            first=StepInput(party="il", sequence=0, title="", due_at=past, zones=["nowhere"]),
            second=StepInput(party="il", sequence=1, title="x", due_at=past, zones=[]),
        )  # fmt: skip
    assert {"clause", "first.sequence", "first.title", "first.due_at", "second.due_at"} <= set(
        refused.value.fields
    )
    assert (WithdrawalStep.objects.count(), Entry.objects.count()) == before


def test_a_monitor_verifies_a_step_met_and_no_one_else_may(actor: Any) -> None:
    a, b = _binding(actor)
    for other in ("il.liaison", "sy.liaison", "mediator"):
        with pytest.raises(PermissionDenied):
            timeline.verify_step(actor=actor(other), step=a, outcome="met")
    with pytest.raises(NotFound):
        timeline.verify_step(actor=actor("observer"), step=a, outcome="met")
    timeline.verify_step(
        actor=actor("monitor"), step=a, outcome="met", note="Verified on site (fictional exercise)"
    )
    deadline = StepDeadline.objects.get(step=a)
    assert deadline.outcome == "met"
    assert deadline.decided_party.code == "undof"
    assert deadline.call_sign
    a.refresh_from_db()
    assert a.state == "met"
    with pytest.raises(ValidationFailed):  # ended once
        timeline.verify_step(actor=actor("monitor"), step=a, outcome="met")
    with pytest.raises(ValidationFailed):  # met in part needs a note
        timeline.verify_step(actor=actor("monitor"), step=b, outcome="met_in_part")


def test_an_extension_is_refused_without_both_countersignatures(actor: Any) -> None:
    a, _b = _binding(actor)
    new_due = a.due_at + dt.timedelta(days=7)
    extension = timeline.propose_extension(
        actor=actor("sy.liaison"), step=a, new_due_at=new_due, reason="Weather (fictional exercise)"
    )
    a.refresh_from_db()
    assert extension.state == "open"
    assert a.due_at != new_due
    with pytest.raises(PermissionDenied):
        timeline.countersign_extension(actor=actor("mediator"), extension=extension)
    with pytest.raises(PermissionDenied):
        timeline.countersign_extension(actor=actor("monitor"), extension=extension)
    with pytest.raises(ValidationFailed):
        timeline.countersign_extension(actor=actor("sy.liaison"), extension=extension)
    assert StepDeadline.objects.get(step=a).outcome == ""
    timeline.countersign_extension(actor=actor("il.liaison"), extension=extension)
    a.refresh_from_db()
    assert a.due_at == new_due
    assert a.state == "binding"
    outcomes = list(
        StepDeadline.objects.filter(step=a).order_by("pk").values_list("outcome", flat=True)
    )
    assert outcomes == ["extended", ""]


def test_a_mediators_proposal_needs_both_parties(actor: Any) -> None:
    a, _b = _binding(actor)
    extension = timeline.propose_extension(
        actor=actor("mediator"),
        step=a,
        new_due_at=a.due_at + dt.timedelta(days=1),
        reason="x (fictional)",
    )
    timeline.countersign_extension(actor=actor("il.liaison"), extension=extension)
    extension.refresh_from_db()
    assert extension.state == "open"
    timeline.countersign_extension(actor=actor("sy.liaison"), extension=extension)
    extension.refresh_from_db()
    assert extension.state == "agreed"


def test_the_mediator_suspends_a_step_pending_the_linked_one_and_both_agree_a_new_date(
    actor: Any,
) -> None:
    a, b = _binding(actor)
    with pytest.raises(PermissionDenied):
        timeline.suspend_step(actor=actor("il.liaison"), step=a, note="x")
    timeline.suspend_step(actor=actor("mediator"), step=a, note="Awaits Syria's step 1 (fictional)")
    a.refresh_from_db()
    assert a.state == "suspended"
    assert StepDeadline.objects.get(step=a).outcome == "suspended"
    assert timeline.miss_due(timezone.now() + dt.timedelta(days=30)) >= 1  # b, not a
    b.refresh_from_db()
    assert b.state == "missed"
    extension = timeline.propose_extension(
        actor=actor("il.liaison"),
        step=a,
        new_due_at=timezone.now() + dt.timedelta(days=10),
        reason="Resume (fictional)",
    )
    timeline.countersign_extension(actor=actor("sy.liaison"), extension=extension)
    a.refresh_from_db()
    assert a.state == "binding"


def test_the_worker_records_a_missed_deadline_once(actor: Any) -> None:
    a, b = _binding(actor, hours=1)
    later = timezone.now() + dt.timedelta(hours=2)
    assert timeline.miss_due(timezone.now()) == 0  # not yet
    assert timeline.miss_due(later) == 2
    assert timeline.miss_due(later) == 0  # never twice
    for step in (a, b):
        step.refresh_from_db()
        assert step.state == "missed"
        assert list(StepDeadline.objects.filter(step=step).values_list("outcome", flat=True)) == [
            "missed"
        ]
    assert Entry.objects.filter(event_type="verification.step_missed").count() == 2
    entry = Entry.objects.filter(event_type="verification.step_missed").last()
    assert entry is not None
    assert entry.actor_name == "console:worker"
    with pytest.raises(ValidationFailed):  # past its time: the worker's, not a monitor's
        timeline.verify_step(actor=actor("monitor"), step=a, outcome="met")


def _extended(actor: Any, a: WithdrawalStep) -> Callable[[], Any]:
    extension = timeline.propose_extension(
        actor=actor("sy.liaison"), step=a, new_due_at=a.due_at + dt.timedelta(days=7), reason="x"
    )
    return partial(timeline.countersign_extension, actor=actor("il.liaison"), extension=extension)


#: Each transaction that ends a binding step's running deadline (given the actor fixture
#: and the step, due in an hour: what it does).
_ENDINGS: dict[str, Callable[[Any, WithdrawalStep], Callable[[], Any]]] = {
    "extended": _extended,
    "met": lambda actor, a: partial(
        timeline.verify_step, actor=actor("monitor"), step=a, outcome="met"
    ),
    "suspended": lambda actor, a: partial(
        timeline.suspend_step, actor=actor("mediator"), step=a, note="x"
    ),
    "missed": lambda _actor, _a: partial(timeline.miss_due, timezone.now() + dt.timedelta(hours=2)),
}


@pytest.mark.parametrize("outcome", sorted(_ENDINGS))
def test_whoever_ends_a_deadline_locks_the_step_before_it(actor: Any, outcome: str) -> None:
    """The step's row, then its deadline: the parties' and the monitor's services and the
    worker all lock in that order, so that two racing on one step wait for each other. The
    worker used to claim the deadline first and then update the step, while a
    countersignature, a verification or a suspension held the step and waited for the
    deadline: PostgreSQL aborted one of them ("deadlock detected")."""
    a, _b = _binding(actor, hours=1)
    end = _ENDINGS[outcome](actor, a)
    with row_locks() as locks:
        end()
    ended = StepDeadline.objects.filter(step=a).order_by("pk").values_list("outcome", flat=True)
    assert ended[0] == outcome
    assert "verification_stepdeadline" in locks, locks
    assert locks[0] == "verification_withdrawalstep", locks
    # NO KEY: a new row referring to the step (an economy condition) is checked at commit
    # with a key-share lock on it, which a full FOR UPDATE would block.
    assert "verification_withdrawalstep" not in locks.exclusive, locks.exclusive


def test_a_monitor_cannot_verify_once_the_deadline_passed(actor: Any, monkeypatch: Any) -> None:
    a, _b = _binding(actor, hours=1)
    real = timezone.now

    monkeypatch.setattr(timezone, "now", lambda: real() + dt.timedelta(hours=2))
    with pytest.raises(ValidationFailed):
        timeline.verify_step(actor=actor("monitor"), step=a, outcome="met")
    assert StepDeadline.objects.get(step=a).outcome == ""


def test_the_timeline_is_read_by_both_parties_the_mediator_and_monitors(actor: Any) -> None:
    a, _b = _binding(actor)
    for reader in ("il.analyst", "sy.liaison", "mediator", "monitor"):
        assert selectors.get_step(actor(reader), a.public_id) == a
    for outsider in ("donor", "observer"):
        with pytest.raises(NotFound):
            selectors.get_step(actor(outsider), a.public_id)


def test_the_burndown_counts_steps_met_against_the_timeline(actor: Any) -> None:
    a, b = _binding(actor)
    timeline.verify_step(actor=actor("monitor"), step=a, outcome="met")
    charts = {
        c.party_code: c
        for c in burndown.charts(actor("il.liaison"), selectors.list_steps(actor("il.liaison")))
    }
    assert charts["il"].met_steps >= 1
    assert charts["il"].total_steps >= 1
    assert charts["il"].planned_steps
    assert charts["il"].actual_steps
    assert charts["sy"].met_steps == 0 or b.state != "binding"


def test_steps_the_arrangement_sets_are_taken_onto_the_timeline_once_and_bind(
    actor: Any, monkeypatch: Any
) -> None:
    """``[[withdrawal_steps]]`` bind from the start: the worker adopts each pair once."""
    import dataclasses
    from types import SimpleNamespace

    from coordcell.agreements.engines import engine_for
    from coordcell.rules.arrangement import WithdrawalStepSpec

    version = get_version(actor("mediator"), None, None)
    real = engine_for(version).arrangement
    day = (timezone.now() + dt.timedelta(days=40)).date()
    title = {"en": "Text step (fictional)"}
    specs = (
        WithdrawalStepSpec("t-il-1", CLAUSE, "il", 7, title, (AREA_A,), day, "t-sy-1"),
        WithdrawalStepSpec("t-sy-1", CLAUSE, "sy", 7, title, (AREA_B,), day, "t-il-1"),
    )
    fake = SimpleNamespace(arrangement=dataclasses.replace(real, withdrawal_steps=specs))
    monkeypatch.setattr(timeline, "engine_for", lambda _version: fake)
    assert timeline.adopt_arrangement_steps(version) == 2
    assert timeline.adopt_arrangement_steps(version) == 0  # once
    steps = WithdrawalStep.objects.filter(origin="arrangement", source_key__in=["t-il-1", "t-sy-1"])
    il = steps.get(party__code="il")
    assert il.state == "binding"
    assert il.linked == steps.get(party__code="sy")
    assert StepDeadline.objects.get(step=il).outcome == ""
    assert il.due_at.astimezone(dt.UTC).date() in (day, day - dt.timedelta(days=1))
    assert Entry.objects.filter(event_type="verification.steps_adopted").count() >= 2
