"""The cases' worker job: expire due deadlines, write "no reply", climb the ladder."""

from __future__ import annotations

import datetime as dt

from coordcell.cases.services import expire_due
from coordcell.core.worker import job


@job("cases.deadlines")
def deadlines_job(now: dt.datetime) -> int:
    return expire_due(now)
