"""The webhooks' worker job: send the deliveries that are due, retry the failed ones."""

from __future__ import annotations

import datetime as dt

from coordcell.core.worker import job
from coordcell.notify.dispatch import deliver_due


@job("notify.webhooks")
def webhooks_job(now: dt.datetime) -> int:
    return deliver_due(now)
