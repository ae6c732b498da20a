"""The record's worker job: issue a signed checkpoint when one is due."""

from __future__ import annotations

import datetime as dt

from coordcell.core.worker import job
from coordcell.record.services import issue_checkpoint


@job("record.checkpoint")
def checkpoint_job(now: dt.datetime) -> int:
    """Issue a checkpoint if enough events or minutes have passed (0 or 1 issued)."""
    return 1 if issue_checkpoint(now=now) is not None else 0
