"""The worker's job of detainees and missing persons: release and access requests whose
deadline passed unmet are missed, each recorded once."""

from __future__ import annotations

import datetime as dt

from coordcell.core.worker import job
from coordcell.humanitarian.services import expire_requests


@job("humanitarian.requests")
def requests_job(now: dt.datetime) -> int:
    return expire_requests(now)
