"""The worker's jobs of advance notification: escalate notices whose receipts are missing
when due (and access requests unanswered when due), and screen newly recorded incidents
against the notices (follow-up cases and missing notices)."""

from __future__ import annotations

import datetime as dt

from coordcell.core.worker import job
from coordcell.deconfliction.access import escalate_unanswered
from coordcell.deconfliction.services import escalate_unacknowledged, screen_incidents


@job("deconfliction.receipts")
def receipts_job(now: dt.datetime) -> int:
    # Notices whose receipts are missing, and access requests still unanswered, when due.
    return escalate_unacknowledged(now) + escalate_unanswered(now)


@job("deconfliction.screening")
def screening_job(now: dt.datetime) -> int:
    return screen_incidents(now)
