"""Several workers at once on PostgreSQL record a commitment's deadline as missed exactly
once (issue 16).

A scratch PostgreSQL database on which the demo ran (``race_cell``: a copy of the one
built once per test run, whose story made a commitment due 20 minutes after it ran) gets a
batch of further commitments from its agreed proposal, due in five minutes. Then several
``coordcell worker --once --now <an hour later>`` processes start at the same moment
against it. Each deadline must be claimed by exactly one of them: one "missed" outcome and
one record entry per commitment, no more (``proposals.services.miss_one``: a conditional
update per deadline).

Like ``test_withdrawal_race``, it runs in the suite's PostgreSQL pass (``DATABASE_URL``
set) and is skipped, saying why, when no server answers.
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
EXTRA = 8

SETUP = """
import datetime as dt, json
from django.utils import timezone
from coordcell.accounts.models import User
from coordcell.core.actor import Actor
from coordcell.proposals import selectors, services
mediator = Actor.from_user(User.objects.get(username="mediator"))
proposal = next(p for p in selectors.list_proposals(mediator) if p.agreed_version_id)
due = timezone.now() + dt.timedelta(minutes=5)
for i in range(%(extra)d):
    services.create_commitment(
        actor=mediator, proposal=proposal, title=f"Race drill {i} (fictional)",
        owner=proposal.deciding[i %% 2], due_at=due, indicators=["A sign (fictional)"],
    )
print(json.dumps({"now": timezone.now().isoformat()}))
"""

COUNT = """
import json
from coordcell.proposals.models import Commitment, CommitmentDeadline
from coordcell.record.models import Entry
rows = []
for c in Commitment.objects.all():
    ended = CommitmentDeadline.objects.filter(commitment=c).order_by("pk")
    outcomes = list(ended.values_list("outcome", flat=True))
    missed = Entry.objects.filter(event_type="proposals.deadline_missed")
    entries = missed.filter(data__commitment=c.reference).count()
    rows.append([c.reference, c.title, outcomes, entries])
print(json.dumps(rows))
"""


def test_several_workers_record_a_missed_commitment_once(race_cell: dict[str, str]) -> None:  # noqa: F811
    env = race_cell
    setup = _run(env, "shell", "-c", SETUP % {"extra": EXTRA})
    now = json.loads(setup.stdout.strip().splitlines()[-1])["now"]
    # The demo ran before ``now`` (built once for the run, seconds to minutes earlier), so
    # its commitment due 20 minutes after it ran is due before ``now`` + 20 minutes: missed
    # at ``now`` + 1 hour however much earlier. The extended one falls due 30 days after
    # the demo ran (demo.toml's ``due_minutes``): untouched unless the demo ran a month ago.
    at = (dt.datetime.fromisoformat(now) + dt.timedelta(hours=1)).isoformat()
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
    missed = [r for r in rows if "Race drill" in r[1] or "eastern added strip" in r[1]]
    assert len(missed) == EXTRA + 1
    for reference, _title, outcomes, entries in missed:
        assert (outcomes, entries) == (["missed"], 1), reference
    # The met one and the extended one are untouched by the workers.
    others = {r[1][:25]: r[2] for r in rows if r not in missed}
    assert sorted(others.values()) == [["extended", ""], ["met"]]
    check = _run(env, "record", "check")
    assert "record intact" in check.stdout
