"""The incidents' worker job: release the scrubbed copies evidence attached before copies
existed still lacks (``evidence.release_missing_copies``)."""

from __future__ import annotations

import datetime as dt

from coordcell.core.actor import Actor
from coordcell.core.worker import job
from coordcell.incidents.evidence import release_missing_copies


@job("incidents.release_copies")
def release_copies_job(now: dt.datetime) -> int:
    """Release up to a hundred missing copies (0 once every piece of evidence has one)."""
    return release_missing_copies(actor=Actor.console("worker"))
