"""The verification's worker jobs: take the arrangement's withdrawal steps onto the
timeline, and record as missed every step deadline whose time has come (once)."""

from __future__ import annotations

import datetime as dt

from coordcell.core.worker import job
from coordcell.verification import timeline


@job("verification.withdrawal_deadlines")
def withdrawal_deadlines_job(now: dt.datetime) -> int:
    return timeline.adopt_current_steps(now) + timeline.miss_due(now)
