"""The cases' worker jobs: expire due deadlines, write "no reply", climb the ladder; settle
the hotline's commitments, its communications checks and the warnings' action windows
when their time comes."""

from __future__ import annotations

import datetime as dt

from coordcell.cases import action_warnings, comms, thread
from coordcell.cases.services import expire_due
from coordcell.core.worker import job


@job("cases.deadlines")
def deadlines_job(now: dt.datetime) -> int:
    return expire_due(now)


@job("cases.commitments")
def commitments_job(now: dt.datetime) -> int:
    return thread.settle_commitments(now)


@job("cases.comms_checks")
def comms_checks_job(now: dt.datetime) -> int:
    return comms.fail_late_checks(now)


@job("cases.warning_windows")
def warning_windows_job(now: dt.datetime) -> int:
    return action_warnings.settle_windows(now)
