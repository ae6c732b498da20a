"""HXL-tagged CSVs of the economic zone's projects and pledges (pure Python).

Each CSV has a header row for people, then the HXL hashtag row (HXL 1.1 dictionary
hashtags; ``+pledged``, ``+committed``, ``+disbursed`` and ``+i_<lang>`` attributes),
then one row per project or pledge. The caller (``economy.exports``) fills the rows with
what one reader may read; a donor is the name that reader may read (a pseudonym unless
the reader may know it), never a party code or an id.

Amounts are exact decimals (``format(..., "f")``; sums are of ``Decimal``s, so 0.10 +
0.20 is written 0.30), in the row's own currency: nothing is converted. Coordinates are
written with Latin digits. A text cell that a spreadsheet would read as a formula
(``= + - @``, tab, carriage return first) is written with a leading apostrophe.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

__all__ = [
    "HXL_MEDIA_TYPE",
    "PLEDGE_COLUMNS",
    "PROJECT_COLUMNS",
    "PUBLICATION_COLUMNS",
    "HxlPledge",
    "HxlProject",
    "PublishedRow",
    "pledge_status",
    "pledges_csv",
    "projects_csv",
    "publications_csv",
]

HXL_MEDIA_TYPE = "text/csv"

#: (header, hashtag) of the projects' CSV.
PROJECT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("Project ID", "#activity+id"),
    ("Project name", "#activity+name+i_en"),
    ("Project name (ar)", "#activity+name+i_ar"),
    ("Project name (he)", "#activity+name+i_he"),
    ("Funders", "#org+funder+name"),
    ("Sector", "#sector+code"),
    ("Sector name", "#sector+name"),
    ("Status", "#status"),
    ("Start", "#date+start"),
    ("End", "#date+end"),
    ("Latitude", "#geo+lat"),
    ("Longitude", "#geo+lon"),
    ("Budget currency", "#currency"),
    ("Budget", "#value+budget"),
)

#: (header, hashtag) of the pledges' CSV.
PLEDGE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("Pledge ID", "#meta+id"),
    ("Donor", "#org+funder+name"),
    ("Project ID", "#activity+id"),
    ("Currency", "#currency"),
    ("Pledged", "#value+pledged"),
    ("Committed", "#value+committed"),
    ("Disbursed", "#value+disbursed"),
    ("Pledge date", "#date+pledged"),
    ("Status", "#status"),
)

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class HxlProject:
    reference: str
    titles: Mapping[str, str]
    funders: Sequence[str]
    sector: str
    sector_name: str
    state: str
    start: dt.date
    end: dt.date | None
    latitude: float | None
    longitude: float | None
    currency: str
    budget: Decimal


@dataclass(frozen=True)
class HxlPledge:
    reference: str
    donor: str
    project: str
    currency: str
    pledged: Decimal
    committed: Decimal
    disbursed: Decimal
    date: dt.date


def pledge_status(p: HxlPledge) -> str:
    """``pledged``, ``committed``, ``partially-disbursed`` or ``disbursed``."""
    if p.disbursed > 0:
        return "disbursed" if p.disbursed >= p.pledged else "partially-disbursed"
    return "committed" if p.committed > 0 else "pledged"


def _text(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def _amount(value: Decimal) -> str:
    if not isinstance(value, Decimal) or not value.is_finite():
        raise ValueError("amounts are finite Decimals")
    return format(value, "f")


def _degrees(value: float | None) -> str:
    return "" if value is None else f"{value:.6f}"


def _write(columns: Sequence[tuple[str, str]], rows: Iterable[Sequence[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([h for h, _ in columns])
    writer.writerow([t for _, t in columns])
    writer.writerows(rows)
    return out.getvalue()


def projects_csv(projects: Iterable[HxlProject]) -> str:
    return _write(
        PROJECT_COLUMNS,
        (
            [
                _text(p.reference),
                _text(p.titles.get("en", "")),
                _text(p.titles.get("ar", "")),
                _text(p.titles.get("he", "")),
                _text("; ".join(sorted(set(p.funders)))),
                _text(p.sector),
                _text(p.sector_name),
                p.state,
                p.start.isoformat(),
                p.end.isoformat() if p.end else "",
                _degrees(p.latitude),
                _degrees(p.longitude),
                p.currency,
                _amount(p.budget),
            ]
            for p in projects
        ),
    )


def pledges_csv(pledges: Iterable[HxlPledge]) -> str:
    return _write(
        PLEDGE_COLUMNS,
        (
            [
                _text(p.reference),
                _text(p.donor),
                _text(p.project),
                p.currency,
                _amount(p.pledged),
                _amount(p.committed),
                _amount(p.disbursed),
                p.date.isoformat(),
                pledge_status(p),
            ]
            for p in pledges
        ),
    )


# --- reports (issue 17): what the daily report published after its embargo -----------------

#: The columns of the published items' CSV: (people's header, HXL hashtag).
PUBLICATION_COLUMNS: tuple[tuple[str, str], ...] = (
    ("Kind", "#meta+type"),
    ("Subject", "#meta+id"),
    ("Day", "#date+reported"),
    ("Issued", "#date+issued"),
    ("Published", "#date+published"),
    ("SHA-256", "#meta+sha256"),
    ("Text", "#description+json"),
)


@dataclass(frozen=True)
class PublishedRow:
    """One published item: its kind, subject, day, moments, hash and exact text."""

    kind: str
    subject: str
    day: dt.date
    issued_at: dt.datetime
    released_at: dt.datetime
    sha256: str
    body: str


def publications_csv(rows: Iterable[PublishedRow], *, hxl: bool) -> str:
    """The published items as CSV; with ``hxl`` the hashtag row follows the header."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([h for h, _ in PUBLICATION_COLUMNS])
    if hxl:
        writer.writerow([t for _, t in PUBLICATION_COLUMNS])
    writer.writerows(
        [
            r.kind,
            _text(r.subject),
            r.day.isoformat(),
            r.issued_at.astimezone(dt.UTC).isoformat(),
            r.released_at.astimezone(dt.UTC).isoformat(),
            r.sha256,
            _text(r.body),
        ]
        for r in rows
    )
    return out.getvalue()
