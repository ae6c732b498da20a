"""Several workers at once on PostgreSQL record a withdrawal step's deadline as missed
exactly once.

A scratch PostgreSQL database on which the demo ran (``race_cell``: a copy of the one
built once per test run) gets a batch of linked withdrawal steps, proposed by the mediator
and countersigned by both parties, whose deadlines nobody meets. Then several ``coordcell
worker --once --now <deadline + 1 minute>`` processes start at the same moment against it.
Each deadline must be claimed by exactly one of them: one "missed" outcome and one record
entry per step, no more.

Like ``test_worker_race``, it runs in the suite's PostgreSQL pass (``DATABASE_URL`` set)
and is skipped, saying why, when no server answers.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pytest

from tests import built_once
from tests.e2e.test_worker_race import _run, race_cell  # noqa: F401 (fixture)

pytestmark = [
    pytest.mark.xdist_group("worker-race"),
    pytest.mark.skipif(
        not built_once.postgres_pass(),
        reason="a PostgreSQL race: runs in the suite's PostgreSQL pass (DATABASE_URL set)",
    ),
]

WORKERS = 4
PAIRS = 8

SETUP = """
import datetime as dt, json
from django.utils import timezone
from coordcell.accounts.models import User
from coordcell.agreements.selectors import get_version
from coordcell.core.actor import Actor
from coordcell.verification import timeline
def who(name):
    return Actor.from_user(User.objects.get(username=name))
from coordcell.agreements.engines import engine_for
version = get_version(who("mediator"), None, None)
clause = next(c.id for c in engine_for(version).arrangement.clauses if c.kind == "withdrawal")
title = "Race drill {} (fictional)"
due = timezone.now() + dt.timedelta(minutes=5)
for i in range(%(pairs)d):
    a, b = timeline.propose_steps(
        actor=who("mediator"), version=version, clause=clause,
        first=timeline.StepInput("il", 50 + i, title.format(i), due, ["aol_A_0_10km"]),
        second=timeline.StepInput("sy", 50 + i, title.format(i), due, ["aol_B_0_10km"]),
    )
    timeline.countersign_steps(actor=who("il.liaison"), step=a)
    timeline.countersign_steps(actor=who("sy.liaison"), step=a)
print(json.dumps({"due": due.isoformat()}))
"""

COUNT = """
import json
from coordcell.record.models import Entry
from coordcell.verification.models import StepDeadline, WithdrawalStep
drill = WithdrawalStep.objects.filter(title__startswith="Race drill")
rows = []
for step in drill:
    outcomes = list(StepDeadline.objects.filter(step=step).values_list("outcome", flat=True))
    missed = Entry.objects.filter(event_type="verification.step_missed")
    entries = missed.filter(data__step=step.reference).count()
    rows.append([step.reference, step.state, outcomes, entries])
print(json.dumps(rows))
"""


def test_several_workers_record_a_missed_step_once(race_cell: dict[str, str]) -> None:  # noqa: F811
    env = race_cell
    setup = _run(env, "shell", "-c", SETUP % {"pairs": PAIRS})
    due = json.loads(setup.stdout.strip().splitlines()[-1])["due"]
    at = (dt.datetime.fromisoformat(due) + dt.timedelta(minutes=1)).isoformat()
    workers = [
        subprocess.Popen(  # noqa: S603 (our own interpreter)
            [sys.executable, "-m", "coordcell.cli", "worker", "--once", "--now", at],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(WORKERS)
    ]
    for worker in workers:
        out, err = worker.communicate(timeout=600)
        assert worker.returncode == 0, out[-2000:] + err[-4000:]
    rows = json.loads(_run(env, "shell", "-c", COUNT).stdout.strip().splitlines()[-1])
    assert len(rows) == 2 * PAIRS
    for reference, state, outcomes, entries in rows:
        assert (state, outcomes, entries) == ("missed", ["missed"], 1), reference
    check = _run(env, "record", "check")
    assert "record intact" in check.stdout
