"""The commitments as a Peace Accords Matrix-style implementation panel (CSV), for
researchers (``docs/proposals.md``).

The Peace Accords Matrix (PAM, Kroc Institute, University of Notre Dame; Joshi, Quinn &
Regan, *Journal of Peace Research* 52(4), 2015) scores each provision of a peace
agreement **once a year**, for up to ten years after signature, on an ordinal scale:
**0** not initiated, **1** minimal, **2** intermediate, **3** full implementation. PA-X
(PeaceRep, University of Edinburgh) codes agreements' texts, stages and parties. This
export gives one row per commitment and implementation year (year 1 starts on the day
its version was agreed), scored at the end of that year — or now, for the running year —
from the commitment's verified indicators (``status.pam_score``), beside the derived
status, the deadlines' outcomes and each party's own score. It holds only what the
caller may read; fictional rows say so.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.utils import timezone

from coordcell.core.actor import Actor
from coordcell.proposals import selectors
from coordcell.proposals import status as derive

__all__ = ["COLUMNS", "MAX_YEARS", "PAM_LABELS", "pam_csv"]

#: PAM follows a provision for at most ten years after the agreement.
MAX_YEARS = 10
PAM_LABELS = {0: "not initiated", 1: "minimal", 2: "intermediate", 3: "full"}
COLUMNS = (
    "commitment", "kind", "title", "owner", "proposal", "track", "agreed_version",
    "agreed_at", "year", "year_end", "pam_score", "pam_label", "status",
    "indicators_verified", "indicators_total", "deadline_outcomes", "due_at",
    "party_scores", "fictional",
)  # fmt: skip
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _text(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def pam_csv(actor: Actor, *, now: dt.datetime | None = None) -> str:
    moment = now or timezone.now()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in selectors.commitment_rows(actor):
        c = row.commitment
        agreed_at = c.proposal.agreed_at or c.created_at
        facts = derive.facts_of(c)
        scores = selectors.latest_assessments(actor, c)
        party_scores = ";".join(f"{code}={a.score}" for code, a in sorted(scores.items()))
        for year in range(1, MAX_YEARS + 1):
            start = agreed_at + dt.timedelta(days=365 * (year - 1))
            if start > moment:
                break
            end = min(agreed_at + dt.timedelta(days=365 * year), moment)
            outcomes = [
                d.outcome
                for d in c.deadlines.all()
                if d.outcome and d.closed_at and d.closed_at <= end
            ]
            score = derive.pam_score(facts, end)
            writer.writerow(
                [
                    c.reference, c.kind, _text(c.title), c.owner.code, c.proposal.reference,
                    _text(c.proposal.track), c.version.number, agreed_at.isoformat(), year,
                    end.isoformat(), score, PAM_LABELS[score], derive.status_at(facts, end),
                    sum(1 for v in facts.verified if v is not None and v <= end),
                    len(facts.verified), ";".join(outcomes),
                    row.due_at.isoformat() if row.due_at else "", party_scores,
                    "yes" if c.proposal.fictional else "no",
                ]
            )  # fmt: skip
    return out.getvalue()
