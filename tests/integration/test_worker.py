"""The worker loop: one pass runs every job, isolates failures, and reports a heartbeat."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.management import CommandError, call_command

from coordcell.core import worker
from coordcell.core.models import WorkerBeat
from coordcell.record.models import Head

pytestmark = pytest.mark.django_db


@pytest.fixture
def jobs(monkeypatch):
    """An empty job registry for the test, restored afterwards."""
    registry: list[worker.Job] = []
    monkeypatch.setattr(worker, "_JOBS", registry)
    return registry


def test_it_runs_every_job_at_the_given_time_and_beats(jobs) -> None:
    seen: list[dt.datetime] = []
    worker.job("a")(lambda now: seen.append(now) or 1)
    at = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)

    handled = worker.run_pass(at, name="w1", started_at=at)

    assert handled == {"a": 1}
    assert seen == [at]
    beat = WorkerBeat.objects.get(name="w1")
    assert beat.passes == 1


def test_a_failing_job_does_not_stop_the_others(jobs, caplog) -> None:
    def broken(now: dt.datetime) -> int:
        raise ValueError("boom")

    worker.job("broken")(broken)
    worker.job("fine")(lambda now: 2)
    at = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)

    handled = worker.run_pass(at, name="w2", started_at=at)

    assert handled == {"broken": -1, "fine": 2}
    assert "worker job broken failed" in caplog.text


def test_it_refuses_a_job_registered_twice(jobs) -> None:
    worker.job("x")(lambda now: 0)
    with pytest.raises(ValueError, match="registered twice"):
        worker.job("x")(lambda now: 0)


def test_the_loop_stops_when_asked(jobs) -> None:
    stop = threading.Event()
    stop.set()
    assert worker.run_worker(interval=60, stop=stop) == 0


def test_the_command_runs_one_pass_at_a_given_time(jobs, capsys) -> None:
    Head.objects.filter(pk=1).update(exercise=True)  # --now: an exercise cell only
    seen: list[dt.datetime] = []
    worker.job("clock")(lambda now: seen.append(now) or 0)
    call_command("worker", "--once", "--now", "2026-03-27T23:59:00+02:00")
    assert seen == [dt.datetime(2026, 3, 27, 21, 59, tzinfo=dt.UTC)]
    assert "1 pass done" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("value", "message"),
    [("yesterday", "not an ISO 8601 timestamp"), ("2026-03-27T10:00:00", "give a time zone")],
)
def test_the_command_refuses_a_bad_time(jobs, value: str, message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("worker", "--once", "--now", value)
