"""The worker's jobs: release the day's report once its cut-off has passed, make its PDFs,
and publish
what the reports issued when their embargo ends (unless every party signed an extension)."""

from __future__ import annotations

import datetime as dt

from coordcell.core.worker import job
from coordcell.reports.services import make_pdfs, release_due_report, settle_embargoes


@job("reports.daily")
def daily_job(now: dt.datetime) -> int:
    return release_due_report(now)


@job("reports.pdfs")
def pdfs_job(now: dt.datetime) -> int:
    return make_pdfs(now)


@job("reports.embargoes")
def embargoes_job(now: dt.datetime) -> int:
    return settle_embargoes(now)
