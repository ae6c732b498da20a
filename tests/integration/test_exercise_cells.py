"""Drills stay apart from the live record: an exercise cell has its own log key and origin,
only it may run the worker at another time, and a fresh copy of a cell becomes one with
its webhooks paused (docs/record.md, "Exercises and drills")."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from coordcell.core import worker
from coordcell.core.actor import Actor
from coordcell.core.audience import ALL_MEMBERS
from coordcell.core.env import ConfigError
from coordcell.core.errors import Conflict, PermissionDenied
from coordcell.demo.services import adopt_copy
from coordcell.notify.choices import DeliveryStateChoices
from coordcell.notify.models import Delivery, Webhook
from coordcell.parties.models import Party
from coordcell.record import event_types, keys
from coordcell.record.models import Checkpoint, Entry, Head
from coordcell.record.note import Signer
from coordcell.record.selectors import is_exercise
from coordcell.record.services import append_event, declare_exercise, issue_checkpoint

pytestmark = pytest.mark.django_db

THREE_DAYS_AHEAD = (timezone.now() + dt.timedelta(days=3)).isoformat()


@pytest.fixture(autouse=True)
def _fresh_keys():
    keys.log_signers.cache_clear()
    yield
    keys.log_signers.cache_clear()


@pytest.fixture
def jobs(monkeypatch):
    registry: list[worker.Job] = []
    monkeypatch.setattr(worker, "_JOBS", registry)
    seen: list[dt.datetime] = []
    worker.job("clock")(lambda now: seen.append(now) or 0)
    return seen


def _exercise() -> None:
    Head.objects.filter(pk=1).update(exercise=True)
    keys.log_signers.cache_clear()


def _state() -> tuple[int, int, int]:
    head = Head.objects.get(pk=1)
    return head.size, Entry.objects.count(), Checkpoint.objects.count()


def test_a_live_cell_refuses_the_worker_at_another_time_and_changes_nothing(jobs) -> None:
    before = _state()
    with pytest.raises(CommandError, match="refused on a live cell") as refused:
        call_command("worker", "--once", "--now", THREE_DAYS_AHEAD)
    assert refused.value.returncode == 2
    assert jobs == []  # no job ran at that time
    assert _state() == before


def test_an_exercise_cell_runs_the_worker_at_the_time_given(jobs) -> None:
    _exercise()
    call_command("worker", "--once", "--now", "2026-03-27T23:59:00+02:00")
    assert jobs == [dt.datetime(2026, 3, 27, 21, 59, tzinfo=dt.UTC)]


def test_a_live_record_cannot_be_declared_an_exercise() -> None:
    before = _state()
    with pytest.raises(Conflict, match="live log"):
        declare_exercise(actor=Actor.console("tests"))
    assert not is_exercise()
    assert _state() == before


def test_only_the_console_declares_an_exercise(actor) -> None:
    with pytest.raises(PermissionDenied):
        declare_exercise(actor=actor("mediator"))


def test_an_exercise_log_signs_with_its_own_key_and_origin() -> None:
    live = keys.log_signers()[0]
    _exercise()
    exercise = keys.log_signers()[0]
    assert exercise.name == live.name + keys.EXERCISE_SUFFIX
    assert exercise.verifier.vkey != live.verifier.vkey
    with transaction.atomic():  # something for a new checkpoint to cover
        append_event(
            actor=Actor.console("tests"),
            event_type=event_types.EXERCISE_DECLARED,
            data={"origin": exercise.name},
            audience=[ALL_MEMBERS],
        )
    checkpoint = issue_checkpoint(force=True)
    assert checkpoint is not None
    assert checkpoint.origin == exercise.name
    assert checkpoint.note.split("\n", 1)[0] == exercise.name  # the note's origin line


def test_a_live_cell_refuses_a_key_named_for_an_exercise_log(settings) -> None:
    settings.LOG_KEY = Signer.generate("coordcell.example/record/exercise").skey
    with pytest.raises(ConfigError, match="exercise log"):
        keys.log_signers()


def _webhook(party: Party) -> Webhook:
    return Webhook.objects.create(
        party=party, url="https://hooks.example/cell", secret="s", created_at=timezone.now()
    )


def test_a_fresh_copy_becomes_an_exercise_with_its_webhooks_paused() -> None:
    il = Party.objects.get(code="il")
    hook = _webhook(il)
    waiting = Delivery.objects.create(
        webhook=hook,
        subject_type="cases.case",
        subject_id="x",
        event="cases.case_lodged",
        body="{}",
        next_attempt_at=timezone.now(),
        created_at=timezone.now(),
    )
    head = Head.objects.get(pk=1)
    source = {"origin": keys.log_origin(), "size": head.size, "root": head.root}

    paused = adopt_copy(actor=Actor.console("exercise"), source=source)

    assert paused == 1
    assert is_exercise()
    hook.refresh_from_db()
    waiting.refresh_from_db()
    assert not hook.active
    assert waiting.state == DeliveryStateChoices.CANCELLED
    types = list(Entry.objects.order_by("-seq").values_list("event_type", flat=True)[:2])
    assert types == ["notify.webhook_deactivated", "record.exercise_copy_adopted"]


def test_a_database_that_is_not_the_copy_named_is_left_alone() -> None:
    hook = _webhook(Party.objects.get(code="sy"))
    before = _state()
    head = Head.objects.get(pk=1)
    source = {"origin": "x", "size": head.size - 1, "root": head.root}
    with pytest.raises(Conflict, match="not the fresh copy"):
        adopt_copy(actor=Actor.console("exercise"), source=source)
    hook.refresh_from_db()
    assert hook.active
    assert not is_exercise()
    assert _state() == before


BANNER = "Exercise cell: a copy for drills."


def test_every_page_of_an_exercise_cell_says_so(client_for, settings) -> None:
    settings.DEMO = False
    client = client_for("il.liaison")
    assert BANNER not in client.get("/").content.decode()
    _exercise()
    assert BANNER in client.get("/").content.decode()


def test_an_exercise_cells_alerts_are_exercises_even_for_real_cases() -> None:
    from coordcell.cases.alerts import _exercise as alert_is_exercise
    from coordcell.cases.models import Case

    case = Case.objects.select_related("incident", "complainant", "respondent").first()
    assert case is not None
    # In memory only: a real case, lodged by no fictional delegation.
    case.incident.fictional = case.complainant.fictional = case.respondent.fictional = False
    case.lodged_by_id = None
    assert not alert_is_exercise(case)
    _exercise()
    assert alert_is_exercise(case)
