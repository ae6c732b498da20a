"""The positions' worker job: each party's daily batch of changes (``docs/positions.md``)."""

from __future__ import annotations

import datetime as dt

from coordcell.core.worker import job
from coordcell.positions.services import seal_due_batches


@job("positions.seal_changes")
def seal_changes_job(now: dt.datetime) -> int:
    return seal_due_batches(now)
