"""Two workers at once on PostgreSQL never escalate a case twice.

A scratch PostgreSQL database on which the demo ran (migrations, scenario, personas, story:
a copy of the one built once per test run, tests/built_once.py) gets a batch of complaints
nobody answers. Then several ``coordcell worker --once --now <deadline + 1 minute>``
processes start at the same moment against it. Each deadline must be claimed by exactly one
of them: one "no reply" and one escalation per case, no more.

The database is PostgreSQL whatever the suite itself runs on (``COORDCELL_RACE_PG``,
default ``postgres://postgres@127.0.0.1:5432/postgres`` for the server to create the
scratch database in); the test is skipped, saying why, when no server answers.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import built_once

pytestmark = [
    pytest.mark.xdist_group("worker-race"),
    pytest.mark.skipif(
        not built_once.postgres_pass(),
        reason="a PostgreSQL race: runs in the suite's PostgreSQL pass (DATABASE_URL set)",
    ),
]

ADMIN_URL = os.environ.get("COORDCELL_RACE_PG", "postgres://postgres@127.0.0.1:5432/postgres")
WORKERS = 4
CASES = 12

SETUP = """
import datetime as dt, json
from coordcell.accounts.models import User
from coordcell.agreements.selectors import get_version
from coordcell.cases.models import Deadline
from coordcell.cases.services import lodge_complaint
from coordcell.core.actor import Actor
from coordcell.incidents.services import IncidentInput, report_incident
from coordcell.parties.models import Party
liaison = Actor.from_user(User.objects.get(username="il.liaison"))
version = get_version(liaison, None, None)
due = []
for i in range(%(cases)d):
    data = IncidentInput(
        kind="military_presence", title=f"Race drill {i} (fictional)",
        occurred_from=dt.datetime(2026, 3, 1, 6, 30, tzinfo=dt.UTC),
        geometry={"type": "Point", "coordinates": [35.82461, 33.12595]})
    incident = report_incident(actor=liaison, version=version, audience=["il", "sy"], data=data)
    case = lodge_complaint(actor=liaison, incident=incident,
                           respondent="sy",
                           summary=f"Race drill {i} (fictional)")
    due.append(Deadline.objects.get(case=case, kind="acknowledge").due_at)
print(json.dumps({"due": max(due).isoformat()}))
"""

COUNT = """
import json
from collections import Counter
from coordcell.cases.models import Step
drill = Step.objects.filter(case__summary__startswith="Race drill")
steps = Counter((s.case_id, s.action) for s in drill)
print(json.dumps(sorted([c, a, n] for (c, a), n in steps.items())))
"""


def _psql_url(name: str) -> str:
    parts = urllib.parse.urlsplit(ADMIN_URL)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql)


@pytest.fixture
def race_cell(tmp_path: Path) -> Iterator[dict[str, str]]:
    """The environment of a cell of its own on which ``coordcell demo --no-serve`` ran: a
    scratch PostgreSQL database and the data directory ``tmp_path/data``, which no other
    test touches. Both are copies of the run's ``demo-pg`` (tests/built_once.py): the
    database is created from it, the data directory (whose keys sign that database's
    record) copied. With ``COORDCELL_RACE_PG`` on another server than the suite's, the
    database starts empty and the demo runs here."""
    name = f"coordcell_race_{os.getpid()}"
    try:
        _admin(f'DROP DATABASE IF EXISTS "{name}"')
    except Exception as exc:  # any failure to reach the server
        pytest.skip(f"no PostgreSQL server to race on at {ADMIN_URL}: {exc}")
    built = built_once.postgres_demo(ADMIN_URL)
    env = built_once.race_env(tmp_path, _psql_url(name))
    try:
        if built is None:
            _admin(f'CREATE DATABASE "{name}"')
            _run(env, "demo", "--no-serve", "--data-dir", str(tmp_path / "data"))
        else:
            template, data = built
            _admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
            shutil.copytree(data, tmp_path / "data")
        yield env
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(  # noqa: S603 (our own interpreter)
        [sys.executable, "-m", "coordcell.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    return result


def test_two_workers_never_escalate_a_case_twice(race_cell: dict[str, str]) -> None:
    env = race_cell
    setup = _run(env, "shell", "-c", SETUP % {"cases": CASES})
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
    counts = json.loads(_run(env, "shell", "-c", COUNT).stdout.strip().splitlines()[-1])
    per_case: dict[int, dict[str, int]] = {}
    for case, action, n in counts:
        per_case.setdefault(case, {})[action] = n
    assert len(per_case) == CASES
    for case, actions in per_case.items():
        assert actions == {"lodge": 1, "no_reply": 1, "escalate": 1}, (case, actions)
    # The record agrees, and is intact.
    check = _run(env, "record", "check")
    assert "record intact" in check.stdout
