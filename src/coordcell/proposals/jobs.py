"""The proposals' worker job: record as missed every commitment deadline whose time
has come (once, whoever races: ``services.miss_one``)."""

from __future__ import annotations

import datetime as dt

from coordcell.core.worker import job
from coordcell.proposals import services


@job("proposals.commitment_deadlines")
def commitment_deadlines_job(now: dt.datetime) -> int:
    return services.miss_due(now)
