"""The worker's job of the talks: requests for a meeting unanswered by their deadline."""

from __future__ import annotations

import datetime as dt

from coordcell.core.worker import job
from coordcell.talks.services import lapse_unanswered_requests


@job("talks.requests")
def requests_job(now: dt.datetime) -> int:
    return lapse_unanswered_requests(now)
